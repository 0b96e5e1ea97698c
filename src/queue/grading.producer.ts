import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Queue, type RedisOptions as BullRedisOptions } from 'bullmq';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { RedisService } from '../redis/redis.service';
import { GRADING_QUEUE, GradingJobData, GradingJobName, gradingJobId } from './grading-queue.constants';

/** What the queue knows about one grading job. */
export type GradingJobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed' | 'missing' | 'other';

/** How long intake waits for Redis before answering without it (the sweeper enqueues later). */
const REDIS_DEADLINE_MS = 1500;

/** The single producer of grading jobs, and the queue's read side for the API and the sweeper. */
@Injectable()
export class GradingProducer implements OnModuleDestroy {
  private readonly logger = new Logger(GradingProducer.name);
  readonly queue: Queue<GradingJobData, void, GradingJobName>;

  constructor(
    private readonly redis: RedisService,
    @Inject(ENV) env: Env,
  ) {
    this.queue = new Queue(GRADING_QUEUE, {
      connection: redis.connectionOptions() as BullRedisOptions,
      prefix: redis.prefix,
      defaultJobOptions: {
        attempts: env.GRADING_MAX_ATTEMPTS,
        backoff: { type: 'exponential', delay: env.GRADING_BACKOFF_MS },
        // Results live in PostgreSQL; finished jobs are kept briefly for debugging only.
        removeOnComplete: { age: 3600, count: 1000 },
        removeOnFail: { age: 24 * 3600, count: 5000 },
      },
    });
    this.queue.on('error', (err) => this.logger.warn(`grading queue: ${err.message}`));
  }

  /**
   * Adds the job for (submission, attempt). Idempotent thanks to the deterministic job id.
   * Returns the queue position (1 = next), or undefined when Redis did not answer in time: the
   * submission is already in PostgreSQL and the sweeper will enqueue it. `waitingAhead` (intake:
   * counted by the admission script a moment before) saves the position lookup's round trip; the
   * position is then the one at admission, as any position is only true for an instant.
   */
  async enqueue(submissionId: string, attempt: number, waitingAhead?: number): Promise<number | undefined> {
    const jobId = gradingJobId(submissionId, attempt);
    try {
      await withDeadline(this.add(submissionId, attempt), REDIS_DEADLINE_MS);
      if (waitingAhead !== undefined) return waitingAhead + 1;
      return await withDeadline(this.position(jobId), REDIS_DEADLINE_MS);
    } catch (err) {
      this.logger.warn(`enqueue ${jobId} deferred to the sweeper: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Adds the job for (submission, attempt); a no-op when that job already exists. Throws when Redis fails. */
  async add(submissionId: string, attempt: number): Promise<void> {
    await this.queue.add(GradingJobName.Grade, { submissionId }, { jobId: gradingJobId(submissionId, attempt) });
  }

  /** Position of a waiting job (1 = next to run), undefined when it is not waiting. */
  async position(jobId: string): Promise<number | undefined> {
    const waitKey = this.queue.keys.wait;
    // New jobs are LPUSHed and workers take from the right end.
    const replies = await this.redis.client.multi().llen(waitKey).lpos(waitKey, jobId).exec();
    const [len, index] = (replies ?? []).map(([, v]) => v);
    if (typeof len !== 'number' || typeof index !== 'number') return undefined;
    return len - index;
  }

  async state(submissionId: string, attempt: number): Promise<GradingJobState> {
    const job = await this.queue.getJob(gradingJobId(submissionId, attempt));
    if (!job) return 'missing';
    const state = await job.getState();
    switch (state) {
      case 'waiting':
      case 'prioritized':
      case 'waiting-children':
        return 'waiting';
      case 'active':
      case 'delayed':
      case 'completed':
      case 'failed':
        return state;
      default:
        return state === 'unknown' ? 'missing' : 'other';
    }
  }

  /** Drops a finished job record so the same (submission, attempt) can be enqueued again. */
  async removeFinished(submissionId: string, attempt: number): Promise<void> {
    const job = await this.queue.getJob(gradingJobId(submissionId, attempt));
    if (job && ((await job.isCompleted()) || (await job.isFailed()))) await job.remove();
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
  }
}

export async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
