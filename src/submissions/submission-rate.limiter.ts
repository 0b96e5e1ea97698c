import { Inject, Injectable, Logger } from '@nestjs/common';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { DomainError, ErrorCode } from '../common/domain-error';
import { RedisService } from '../redis/redis.service';
import { GradingProducer, withDeadline } from '../queue/grading.producer';

/**
 * Admission of one submission in one Redis round trip: the student's fixed-window counter (the
 * first hit of a window sets its expiry), then the grading queue's depth (waiting + delayed for a
 * retry + prioritized, the jobs not yet running), read exactly at this instant rather than cached.
 * Returns {status, a, b}: status 1 admitted (a = jobs waiting, for the queue position), 0 rate
 * limited (a = count, b = ms left in the window), -1 queue full (a = depth).
 */
const ADMIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then return {0, n, redis.call('PTTL', KEYS[1])} end
local waiting = redis.call('LLEN', KEYS[2])
local depth = waiting + redis.call('ZCARD', KEYS[3]) + redis.call('ZCARD', KEYS[4])
if depth >= tonumber(ARGV[3]) then return {-1, depth, 0} end
return {1, waiting, 0}
`;

/** Seconds a client should wait when the queue is over its depth limit. */
const OVERLOAD_RETRY_AFTER_SECONDS = 30;
/** How long intake waits for Redis before admitting without it (fail open, see below). */
const ADMIT_DEADLINE_MS = 1000;

type AdmitReply = [number, number, number];

/** Per-student submission rate limit and queue back-pressure, shared by every api process through Redis. */
@Injectable()
export class SubmissionRateLimiter {
  private readonly logger = new Logger(SubmissionRateLimiter.name);
  private readonly admitCommand: (...args: (string | number)[]) => Promise<AdmitReply>;

  constructor(
    private readonly redis: RedisService,
    private readonly producer: GradingProducer,
    @Inject(ENV) private readonly env: Env,
  ) {
    // defineCommand: EVALSHA with the script loaded once, not the script's text on every request.
    const client = redis.client as unknown as Record<string, unknown> & typeof redis.client;
    if (typeof client.dockgraderAdmit !== 'function')
      client.defineCommand('dockgraderAdmit', { numberOfKeys: 4, lua: ADMIT });
    this.admitCommand = (...args) => (client.dockgraderAdmit as (...a: unknown[]) => Promise<AdmitReply>)(...args);
  }

  /**
   * Throws 429 (Retry-After) when `userId` is over its quota, 503 (Retry-After) when the queue is
   * QUEUE_MAX_DEPTH deep. Returns the number of jobs waiting ahead (undefined when Redis did not
   * answer: fail open, the submission is safe in PostgreSQL and the sweeper queues it).
   */
  async admit(userId: string): Promise<{ waiting?: number }> {
    const windowMs = this.env.SUBMISSION_RATE_WINDOW_SECONDS * 1000;
    const keys = this.producer.queue.keys;
    let reply: AdmitReply;
    try {
      reply = await withDeadline(
        this.admitCommand(
          `${this.redis.prefix}:ratelimit:submissions:${userId}`,
          keys.wait,
          keys.delayed,
          keys.prioritized,
          windowMs,
          this.env.SUBMISSION_RATE_LIMIT,
          this.env.QUEUE_MAX_DEPTH,
        ),
        ADMIT_DEADLINE_MS,
      );
    } catch (err) {
      // Fail open: losing the limiter for a Redis outage is better than refusing every student.
      this.logger.warn(`rate limiter unavailable: ${(err as Error).message}`);
      return {};
    }
    const [status, a, b] = reply;
    if (status === 0) {
      const retryAfterSeconds = Math.max(1, Math.ceil((b > 0 ? b : windowMs) / 1000));
      throw new DomainError(
        ErrorCode.RateLimited,
        `at most ${this.env.SUBMISSION_RATE_LIMIT} submissions per ${this.env.SUBMISSION_RATE_WINDOW_SECONDS} s`,
        { retryAfterSeconds },
      );
    }
    if (status === -1) {
      throw new DomainError(ErrorCode.Overloaded, `grading queue is full (${a} waiting); retry later`, {
        retryAfterSeconds: OVERLOAD_RETRY_AFTER_SECONDS,
      });
    }
    return { waiting: a };
  }
}
