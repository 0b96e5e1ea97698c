import { Injectable, Logger } from '@nestjs/common';
import { RedisService } from '../redis/redis.service';

/** How long a request waits for the revocation counter before trusting its cache (Redis down). */
const REDIS_DEADLINE_MS = 250;

/**
 * A deployment-wide revocation counter in Redis. Each api process caches verified tokens for a
 * few seconds (AuthService); a cached token is used only while the counter is the one it was
 * cached under, so a revocation made through any api process is refused by every other from the
 * next request on. One Redis GET per request (auto-pipelined) instead of a PostgreSQL lookup; a
 * pub/sub message would leave a window while it is in flight. When Redis does not answer, the
 * cache's 5 s expiry is the bound (docs/security.md).
 */
@Injectable()
export class TokenRevocations {
  private readonly logger = new Logger(TokenRevocations.name);
  private readonly key: string;

  constructor(private readonly redis: RedisService) {
    this.key = `${redis.prefix}:auth:token-revocations`;
  }

  /** The current counter ('0' before any revocation), or undefined when Redis did not answer in time. */
  async generation(): Promise<string | undefined> {
    try {
      return (await deadline(this.redis.client.get(this.key))) ?? '0';
    } catch {
      return undefined;
    }
  }

  /** After a revocation is stored: every api process drops its cached tokens at its next request. */
  async bump(): Promise<void> {
    try {
      await deadline(this.redis.client.incr(this.key));
    } catch (err) {
      this.logger.warn(`token revocation not broadcast (cached tokens expire within 5 s): ${(err as Error).message}`);
    }
  }
}

async function deadline<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Redis did not answer within ${REDIS_DEADLINE_MS} ms`)),
          REDIS_DEADLINE_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
