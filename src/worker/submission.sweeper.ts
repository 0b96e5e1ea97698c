import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { PrismaService } from '../database/prisma.service';
import { SubmissionStatus } from '../generated/prisma/enums';
import { GradingProducer } from '../queue/grading.producer';

const BATCH = 500;

/**
 * Re-queues submissions whose job was lost: PostgreSQL says queued or running but Redis has no
 * live job for (submission, attempt) — Redis lost its data, or a process died between the
 * database write and the enqueue. Runs at worker start, then periodically. Safe to run in every
 * worker at once: job ids are deterministic, so a double add is a no-op.
 */
@Injectable()
export class SubmissionSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SubmissionSweeper.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<number>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: GradingProducer,
    @Inject(ENV) private readonly env: Env,
  ) {}

  onApplicationBootstrap(): void {
    void this.sweepSafely();
    this.timer = setInterval(() => void this.sweepSafely(), this.env.SWEEPER_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private async sweepSafely(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = this.sweep();
    try {
      const n = await this.sweeping;
      if (n > 0) this.logger.warn(`re-queued ${n} submission(s) whose job was lost`);
    } catch (err) {
      this.logger.warn(`sweep failed (will retry): ${(err as Error).message}`);
    } finally {
      this.sweeping = undefined;
    }
  }

  /** One pass; returns how many submissions were re-queued. */
  async sweep(): Promise<number> {
    let requeued = 0;
    let cursor: string | undefined;
    for (;;) {
      const rows = await this.prisma.submission.findMany({
        where: { status: { in: [SubmissionStatus.queued, SubmissionStatus.running] } },
        orderBy: { id: 'asc' },
        cursor: cursor ? { id: cursor } : undefined,
        skip: cursor ? 1 : 0,
        take: BATCH,
        select: { id: true, attempt: true },
      });
      for (const row of rows) {
        const state = await this.producer.state(row.id, row.attempt);
        if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'other') continue;
        // completed/failed while the database still waits: the run ended without recording its
        // outcome (e.g. BullMQ gave up on a job that stalled too often). Run it again.
        if (state !== 'missing') await this.producer.removeFinished(row.id, row.attempt);
        await this.producer.add(row.id, row.attempt);
        requeued++;
      }
      if (rows.length < BATCH) return requeued;
      cursor = rows[rows.length - 1].id;
    }
  }
}
