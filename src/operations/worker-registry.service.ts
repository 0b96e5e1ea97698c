import { Injectable } from '@nestjs/common';
import { RedisService } from '../redis/redis.service';
import { BEAT_FRESH_MS, beatKeyPrefix, type WorkerBeat } from './worker-beat';

/** Api role: the workers' latest beats, read from Redis (src/operations/worker-heartbeat.service.ts). */
@Injectable()
export class WorkerRegistry {
  constructor(private readonly redis: RedisService) {}

  async beats(): Promise<WorkerBeat[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.client.scan(
        cursor,
        'MATCH',
        `${beatKeyPrefix(this.redis.prefix)}*`,
        'COUNT',
        200,
      );
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const values = await this.redis.client.mget(...keys);
    return values
      .flatMap((v) => {
        try {
          return v ? [JSON.parse(v) as WorkerBeat] : [];
        } catch {
          return [];
        }
      })
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Workers whose beat is younger than BEAT_FRESH_MS. */
  async alive(now = Date.now()): Promise<WorkerBeat[]> {
    return (await this.beats()).filter((b) => now - Date.parse(b.beatAt) < BEAT_FRESH_MS);
  }
}
