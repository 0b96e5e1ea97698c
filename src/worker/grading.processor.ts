import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Job, WaitingError, Worker, type RedisOptions as BullRedisOptions } from 'bullmq';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { RedisService } from '../redis/redis.service';
import { SANDBOX_DRIVER } from '../sandbox/sandbox.module';
import type { DockerSandboxDriver } from '../sandbox/sandbox.driver';
import { GRADING_QUEUE, GradingJobData, GradingJobName } from '../queue/grading-queue.constants';
import { GradingRunService, RunOutcome } from './grading-run.service';

type GradingJob = Job<GradingJobData, RunOutcome, GradingJobName>;

/** How often a paused worker asks whether its host can start sandboxes again. */
const HOST_PROBE_MS = 2000;

/**
 * The grading queue's consumer, created only in the worker role. Thin: it hands each job to
 * GradingRunService and decides between retry (infrastructure) and the final `error` status.
 */
@Injectable()
export class GradingProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(GradingProcessor.name);
  private worker?: Worker<GradingJobData, RunOutcome, GradingJobName>;
  /** Jobs running in this process, so a shutdown past its grace period can hand them back. */
  private readonly active = new Map<string, { job: GradingJob; token: string }>();
  /** Set while this worker takes no job because its host cannot start sandboxes (the reason). */
  private hostDown?: string;
  private probeTimer?: NodeJS.Timeout;

  constructor(
    private readonly runs: GradingRunService,
    private readonly redis: RedisService,
    @Inject(ENV) private readonly env: Env,
    @Inject(SANDBOX_DRIVER) private readonly driver: Pick<DockerSandboxDriver, 'unavailableReason'>,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker<GradingJobData, RunOutcome, GradingJobName>(
      GRADING_QUEUE,
      (job, token) => this.process(job, token),
      {
        connection: this.redis.connectionOptions() as BullRedisOptions,
        prefix: this.redis.prefix,
        concurrency: this.env.WORKER_CONCURRENCY,
        lockDuration: this.env.GRADING_LOCK_MS,
        stalledInterval: this.env.GRADING_STALLED_INTERVAL_MS,
        // A job whose worker died twice is still re-run: the sweeper re-queues it if BullMQ gives up.
        maxStalledCount: 2,
      },
    );
    this.worker.on('error', (err) => this.logger.warn(`grading worker: ${err.message}`));
    this.worker.on('stalled', (jobId) =>
      this.logger.warn(`grading job ${jobId} stalled (its worker died); it runs again`),
    );
    this.logger.log(`grading worker started, concurrency ${this.env.WORKER_CONCURRENCY}`);
  }

  /** Ids of the grading jobs running in this process now (heartbeat, operations page). */
  activeJobIds(): string[] {
    return [...this.active.keys()];
  }

  async process(job: GradingJob, token = ''): Promise<RunOutcome> {
    const jobId = job.id ?? '';
    this.active.set(jobId, { job, token });
    try {
      switch (job.name) {
        case GradingJobName.Grade:
          return await this.grade(job, jobId, token);
        default: {
          const unknown: never = job.name;
          throw new Error(`no handler for grading job ${String(unknown)}`);
        }
      }
    } finally {
      this.active.delete(jobId);
    }
  }

  /** Why this worker takes no job now (its engine is down, its scratch disk full), for health and operations. */
  unavailableReason(): string | undefined {
    return this.hostDown;
  }

  private async grade(job: GradingJob, jobId: string, token: string): Promise<RunOutcome> {
    const { submissionId } = job.data;
    try {
      const outcome = await this.runs.run(submissionId, jobId);
      if (outcome.kind === 'skipped') this.logger.log(`job ${jobId}: ${outcome.reason}`);
      return outcome;
    } catch (err) {
      const hostDown = await this.driver.unavailableReason();
      if (hostDown) {
        // Not the job's fault nor the submission's: give it back without using an attempt, and take
        // no other until this host can grade again — else this worker would fail every job in a
        // millisecond and burn the queue's attempts while healthy workers could grade them.
        await job.moveToWait(token);
        await this.runs.markHandedBack(submissionId, jobId, hostDown);
        this.pauseWhileHostDown(hostDown);
        throw new WaitingError();
      }
      const reason = (err as Error).message;
      const attempts = job.opts.attempts ?? 1;
      if (job.attemptsMade + 1 >= attempts) {
        // Recorded as `error` for the student and instructors; the job itself completes.
        await this.runs.markFailed(submissionId, jobId, `${reason} (after ${attempts} attempts)`);
        return { kind: 'skipped', reason: `failed: ${reason}` };
      }
      await this.runs.markRetrying(submissionId, jobId, reason);
      throw err; // BullMQ retries with exponential backoff
    }
  }

  /** Pauses this worker and probes its host until it can start sandboxes again, then resumes. */
  private pauseWhileHostDown(reason: string): void {
    if (this.hostDown) return;
    this.hostDown = reason;
    this.logger.error(`this worker takes no job until its host recovers: ${reason}`);
    void this.worker?.pause(true);
    const probe = async (): Promise<void> => {
      const still = await this.driver.unavailableReason().catch((e: Error) => e.message);
      if (still) {
        this.hostDown = still;
        this.probeTimer = setTimeout(() => void probe(), HOST_PROBE_MS);
        return;
      }
      this.hostDown = undefined;
      this.logger.log('host recovered: taking jobs again');
      void this.worker?.resume();
    };
    this.probeTimer = setTimeout(() => void probe(), HOST_PROBE_MS);
  }

  /**
   * SIGTERM: stop taking jobs, let running ones finish within the grace period, then hand the rest
   * back to the queue (they run again elsewhere, without using up an attempt). Runs before the
   * sandbox module's shutdown hook destroys this process's sandboxes.
   */
  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.probeTimer);
    const worker = this.worker;
    if (!worker) return;
    const graceMs = this.env.WORKER_SHUTDOWN_GRACE_SECONDS * 1000;
    this.logger.log(`shutting down: ${this.active.size} grading job(s) running, grace ${graceMs} ms`);
    const closing = worker.close();
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      closing.then(() => true),
      new Promise<boolean>((res) => (timer = setTimeout(() => res(false), graceMs))),
    ]);
    clearTimeout(timer);
    if (finished) return;
    for (const [jobId, { job, token }] of this.active) {
      try {
        await job.moveToWait(token);
        await this.runs.markHandedBack(job.data.submissionId, jobId);
        this.logger.warn(`job ${jobId} handed back to the queue`);
      } catch (err) {
        // Its lock expires and the stalled-job check re-runs it anyway.
        this.logger.warn(`job ${jobId} not handed back: ${(err as Error).message}`);
      }
    }
    await worker.close(true);
  }
}
