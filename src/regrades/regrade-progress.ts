import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { Prisma } from '../generated/prisma/client';
import { RegradeItemOutcome } from '../generated/prisma/enums';
import { RegradeEventsPublisher } from './regrade-events';
import { resultChanged } from './result-diff';

type Tx = Prisma.TransactionClient;

/**
 * The worker's side of a regrade run: when the attempt a run asked for ends (graded, or failed for
 * good), its item is marked done and the run's counters move, in the transaction that stores the
 * outcome; the item's `doneAt IS NULL` condition makes a job that runs twice count once. The run
 * finishes (and frees its selector) with its last item.
 */
@Injectable()
export class RegradeProgress {
  constructor(
    private readonly prisma: PrismaService,
    private readonly events: RegradeEventsPublisher,
  ) {}

  /** Inside the result's transaction; returns the runs that moved (to publish after commit). */
  async recordGraded(
    tx: Tx,
    submissionId: string,
    attempt: number,
    after: { id: string; score: number; checks: unknown },
  ): Promise<string[]> {
    const items = await tx.regradeItem.findMany({
      where: { submissionId, attempt, doneAt: null },
      select: { runId: true, beforeResultId: true },
    });
    const moved: string[] = [];
    for (const item of items) {
      const before = item.beforeResultId
        ? await tx.result.findUnique({ where: { id: item.beforeResultId }, select: { score: true, checks: true } })
        : null;
      const changed = resultChanged(before, after);
      const marked = await tx.regradeItem.updateMany({
        where: { runId: item.runId, submissionId, doneAt: null },
        data: { doneAt: new Date(), outcome: RegradeItemOutcome.graded, afterResultId: after.id, changed },
      });
      if (marked.count === 1) {
        await advance(tx, item.runId, changed);
        moved.push(item.runId);
      }
    }
    return moved;
  }

  /** The attempt ended without a result (infrastructure error after retries, internal error). */
  async recordFailed(submissionId: string, attempt: number): Promise<void> {
    const moved = await this.prisma.$transaction(async (tx) => {
      const marked = await tx.regradeItem.updateManyAndReturn({
        where: { submissionId, attempt, doneAt: null },
        data: { doneAt: new Date(), outcome: RegradeItemOutcome.error },
        select: { runId: true },
      });
      for (const { runId } of marked) await advance(tx, runId, false);
      return marked.map((m) => m.runId);
    });
    await this.publish(moved);
  }

  /** After commit: each run's counters as stored, to its event stream. */
  async publish(runIds: string[]): Promise<void> {
    if (runIds.length === 0) return;
    const runs = await this.prisma.regradeRun.findMany({
      where: { id: { in: runIds } },
      select: { id: true, status: true, total: true, done: true, changed: true },
    });
    for (const { id, ...rest } of runs) await this.events.publish({ runId: id, ...rest });
  }
}

/** One more item done; the last one finishes the run and frees its selector for a new run. */
async function advance(tx: Tx, runId: string, changed: boolean): Promise<void> {
  await tx.$executeRaw`
    UPDATE regrade_runs SET
      done = done + 1,
      changed = changed + ${changed ? 1 : 0},
      status = CASE WHEN done + 1 >= total THEN 'finished'::"RegradeStatus" ELSE status END,
      finished_at = CASE WHEN done + 1 >= total THEN now() ELSE finished_at END,
      active_key = CASE WHEN done + 1 >= total THEN NULL ELSE active_key END
    WHERE id = ${runId}::uuid`;
}
