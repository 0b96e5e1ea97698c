import { Redis } from 'ioredis';
import { baseDatabaseUrl, redisUrl } from './test-env';
import { dropDatabase } from './database';

/** Removes what this run created: its database and every Redis key under its prefix. */
export default async function globalTeardown(): Promise<void> {
  const dbName = process.env.DOCKGRADER_TEST_DB;
  if (dbName) await dropDatabase(baseDatabaseUrl(), dbName);
  const prefix = process.env.REDIS_PREFIX;
  if (prefix?.startsWith('dgtest:')) {
    const redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
}
