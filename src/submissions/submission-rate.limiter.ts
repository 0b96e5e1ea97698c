import { Inject, Injectable, Logger } from '@nestjs/common';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { DomainError, ErrorCode } from '../common/domain-error';
import { RedisService } from '../redis/redis.service';
import { withDeadline } from '../queue/grading.producer';

// Fixed window counter: one atomic round trip per request; the first hit of a window sets its expiry.
const SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
`;

/** Per-student submission rate limit, shared by every api process through Redis. */
@Injectable()
export class SubmissionRateLimiter {
  private readonly logger = new Logger(SubmissionRateLimiter.name);

  constructor(
    private readonly redis: RedisService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** Throws a rate-limited error with Retry-After when `userId` is over its quota. */
  async consume(userId: string): Promise<void> {
    const windowMs = this.env.SUBMISSION_RATE_WINDOW_SECONDS * 1000;
    const key = `${this.redis.prefix}:ratelimit:submissions:${userId}`;
    let reply: [number, number];
    try {
      reply = (await withDeadline(this.redis.client.eval(SCRIPT, 1, key, windowMs), 1000)) as [number, number];
    } catch (err) {
      // Fail open: losing the limiter for a Redis outage is better than refusing every student.
      this.logger.warn(`rate limiter unavailable: ${(err as Error).message}`);
      return;
    }
    const [count, ttlMs] = reply;
    if (count > this.env.SUBMISSION_RATE_LIMIT) {
      const retryAfterSeconds = Math.max(1, Math.ceil((ttlMs > 0 ? ttlMs : windowMs) / 1000));
      throw new DomainError(
        ErrorCode.RateLimited,
        `at most ${this.env.SUBMISSION_RATE_LIMIT} submissions per ${this.env.SUBMISSION_RATE_WINDOW_SECONDS} s`,
        {
          retryAfterSeconds,
        },
      );
    }
  }
}
