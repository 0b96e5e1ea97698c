import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Queue, type RedisOptions as BullRedisOptions } from 'bullmq';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { Batcher } from '../common/batcher';
import { RedisService } from '../redis/redis.service';
import { GRADING_QUEUE, GradingJobData, GradingJobName, gradingJobId } from './grading-queue.constants';

/** What the queue knows about one grading job. */
export type GradingJobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed' | 'missing' | 'other';

/** How long intake waits for Redis before answering without it (the sweeper enqueues later). */
const REDIS_DEADLINE_MS = 1500;

/** Jobs added by one call at most (intake batches). */
const MAX_BULK = 500;

/** The one shape of a grading job: its id names (submission, attempt), so adding it twice is a no-op. */
function gradingJob(submissionId: string, attempt: number) {
  return {
    name: GradingJobName.Grade,
    data: { submissionId } satisfies GradingJobData,
    opts: { jobId: gradingJobId(submissionId, attempt) },
  };
}

/** The single producer of grading jobs, and the queue's read side for the API and the sweeper. */
@Injectable()
export class GradingProducer implements OnModuleDestroy {
  private readonly logger = new Logger(GradingProducer.name);
  readonly queue: Queue<GradingJobData, void, GradingJobName>;
  /** Jobs added after the answer (intake, exercise regrades), in bulk. */
  private readonly soon = new Batcher<{ submissionId: string; attempt: number }>(
    (jobs) => this.addBulk(jobs),
    MAX_BULK,
  );

  constructor(
    private readonly redis: RedisService,
    @Inject(ENV) env: Env,
  ) {
    this.queue = new Queue(GRADING_QUEUE, {
      connection: redis.connectionOptions({ autoPipelining: true }) as BullRedisOptions,
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
   * Adds the job for (submission, attempt) and waits for it (regrades). Idempotent thanks to the
   * deterministic job id. Returns the queue position (1 = next), or undefined when Redis did not
   * answer in time: the submission is already in PostgreSQL and the sweeper will enqueue it.
   */
  async enqueue(submissionId: string, attempt: number): Promise<number | undefined> {
    const jobId = gradingJobId(submissionId, attempt);
    try {
      await withDeadline(this.add(submissionId, attempt), REDIS_DEADLINE_MS);
      return await withDeadline(this.position(jobId), REDIS_DEADLINE_MS);
    } catch (err) {
      this.logger.warn(`enqueue ${jobId} deferred to the sweeper: ${(err as Error).message}`);
      return undefined;
    }
  }

  /**
   * The job for a submission already `queued` in PostgreSQL, added without making the caller wait.
   * Jobs arriving while a bulk add is in flight leave together in the next one (one round trip,
   * one write for tens of jobs at a peak). If Redis fails or the process dies first, the row is
   * still `queued` and the sweeper adds the job: what already holds for a Redis outage.
   */
  enqueueSoon(submissionId: string, attempt: number): void {
    this.soon.add({ submissionId, attempt });
  }

  private async addBulk(jobs: Array<{ submissionId: string; attempt: number }>): Promise<void> {
    try {
      await withDeadline(
        this.queue.addBulk(jobs.map(({ submissionId, attempt }) => gradingJob(submissionId, attempt))),
        REDIS_DEADLINE_MS,
      );
    } catch (err) {
      this.logger.warn(`${jobs.length} grading job(s) deferred to the sweeper: ${(err as Error).message}`);
    }
  }

  /** Adds the job for (submission, attempt); a no-op when that job already exists. Throws when Redis fails. */
  async add(submissionId: string, attempt: number): Promise<void> {
    const { name, data, opts } = gradingJob(submissionId, attempt);
    await this.queue.add(name, data, opts);
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
    // Send what was accepted before closing; what cannot be sent is the sweeper's.
    await this.soon.drain();
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
