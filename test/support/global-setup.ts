import { baseDatabaseUrl, runId } from './test-env';
import { createDatabase, migrate } from './database';

/**
 * Gives this test run its own migrated database and Redis key prefix. Test files read them from
 * process.env, which jest's workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  const id = runId();
  const dbName = `dockgrader_test_${id}`;
  const url = await createDatabase(baseDatabaseUrl(), dbName);
  migrate(url);
  process.env.DOCKGRADER_TEST_DB = dbName;
  process.env.DATABASE_URL = url;
  process.env.REDIS_PREFIX = `dgtest:${id}`;
  process.env.NODE_ENV = 'test';
  process.env.LOG_LEVEL ??= 'warn';
}
