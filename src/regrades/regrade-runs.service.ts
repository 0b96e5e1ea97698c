import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DomainError } from '../common/domain-error';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { RegradeStatus, RegradeVersion } from '../generated/prisma/enums';
import type { Principal } from '../auth/principal';
import { GradingProducer } from '../queue/grading.producer';
import { asChecks, checkChanges, type CheckChange } from './result-diff';
import { canonicalSelector, type RegradeSelector } from './regrade.schemas';

/** A run's counters, as the API and the page show them. */
export interface RegradeRunSummary {
  id: string;
  status: RegradeStatus;
  version: RegradeVersion;
  selector: RegradeSelector;
  total: number;
  done: number;
  changed: number;
  skipped: number;
  requestedBy: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/** One submission of a run: the grade before → after, and the checks that changed. */
export interface RegradeItemView {
  submissionId: string;
  student: { id: string; email: string; displayName: string };
  exercise: string;
  outcome: 'pending' | 'graded' | 'error';
  version: string;
  before: { score: number; maxScore: number; version: string } | null;
  after: { score: number; maxScore: number; version: string } | null;
  changed: boolean;
  checks: CheckChange[];
}

export interface RegradeRunView extends RegradeRunSummary {
  items: RegradeItemView[];
  /** Items beyond the listed ones (the list stops at ITEMS_SHOWN, changed first). */
  more: number;
}

export interface StartedRegrade {
  run: RegradeRunSummary;
  /** false when the same regrade was already running: this is that run. */
  created: boolean;
  /** Submissions put back in the queue by this request: (id, attempt). */
  requeued: Array<{ id: string; attempt: number }>;
}

const ITEMS_SHOWN = 1000;

const summarySelect = {
  id: true,
  status: true,
  version: true,
  selector: true,
  total: true,
  done: true,
  changed: true,
  skipped: true,
  createdAt: true,
  finishedAt: true,
  requestedBy: { select: { email: true } },
} as const;

type SummaryRow = Prisma.RegradeRunGetPayload<{ select: typeof summarySelect }>;

function summary({ requestedBy, selector, ...row }: SummaryRow): RegradeRunSummary {
  return { ...row, selector: selector as unknown as RegradeSelector, requestedBy: requestedBy?.email ?? null };
}

/**
 * Regrades as background runs: a selector (one submission, an exercise, a list of ids) becomes a
 * set of finished submissions put back in the queue under a new attempt, each with the definition
 * version to use, and one RegradeRun row the workers advance (src/regrades/regrade-progress.ts).
 * The same selector and version asked again while its run is going returns that run.
 */
@Injectable()
export class RegradeRunsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: GradingProducer,
  ) {}

  async start(principal: Principal, selector: RegradeSelector, version: RegradeVersion): Promise<StartedRegrade> {
    const canonical = canonicalSelector(selector);
    const key = createHash('sha256')
      .update(JSON.stringify({ selector: canonical, version }))
      .digest('hex');
    const running = await this.active(key);
    if (running) return { run: running, created: false, requeued: [] };
    const ids = await this.resolve(canonical);
    let started: { run: RegradeRunSummary; requeued: Array<{ id: string; attempt: number }> };
    try {
      started = await this.prisma.$transaction(
        async (tx) => {
          const run = await tx.regradeRun.create({
            data: {
              requestedById: principal.id,
              selector: canonical as object,
              selectorKey: key,
              activeKey: key,
              version,
              total: 0,
            },
            select: { id: true },
          });
          const rows = await requeueFinished(tx, ids, version);
          if (canonical.kind === 'submission' && rows.length === 0) {
            const s = await tx.submission.findUniqueOrThrow({ where: { id: canonical.id }, select: { status: true } });
            throw DomainError.conflict(
              `submission ${canonical.id} is ${s.status}; only graded or failed submissions can be regraded`,
            );
          }
          await tx.regradeItem.createMany({
            data: rows.map((r) => ({
              runId: run.id,
              submissionId: r.id,
              attempt: r.attempt,
              version: r.version,
              beforeResultId: r.beforeResultId,
            })),
          });
          const nothing = rows.length === 0;
          const updated = await tx.regradeRun.update({
            where: { id: run.id },
            data: {
              total: rows.length,
              skipped: ids.length - rows.length,
              // Nothing to wait for: finished at once, and the selector free again.
              ...(nothing ? { status: RegradeStatus.finished, activeKey: null, finishedAt: new Date() } : {}),
            },
            select: summarySelect,
          });
          return { run: summary(updated), requeued: rows.map(({ id, attempt }) => ({ id, attempt })) };
        },
        { timeout: 60_000 },
      );
    } catch (err) {
      // Two clicks at once: the loser answers with the winner's run.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        const winner = await this.active(key);
        if (winner) return { run: winner, created: false, requeued: [] };
      }
      throw err;
    }
    // After commit; rows already say `queued`, so a job lost here is the sweeper's.
    for (const r of started.requeued) this.producer.enqueueSoon(r.id, r.attempt);
    return { ...started, created: true };
  }

  private async active(key: string): Promise<RegradeRunSummary | undefined> {
    const row = await this.prisma.regradeRun.findUnique({ where: { activeKey: key }, select: summarySelect });
    return row ? summary(row) : undefined;
  }

  /** The submission ids a selector names (404 for an unknown submission or exercise). */
  private async resolve(selector: RegradeSelector): Promise<string[]> {
    switch (selector.kind) {
      case 'submission': {
        const s = await this.prisma.submission.findUnique({ where: { id: selector.id }, select: { id: true } });
        if (!s) throw DomainError.notFound('submission');
        return [s.id];
      }
      case 'exercise': {
        const ex = await this.prisma.exercise.findUnique({ where: { slug: selector.slug }, select: { id: true } });
        if (!ex) throw DomainError.notFound(`exercise ${selector.slug}`);
        const rows = await this.prisma.submission.findMany({ where: { exerciseId: ex.id }, select: { id: true } });
        return rows.map((r) => r.id);
      }
      case 'submissions':
        // Unknown ids are counted as skipped, like unfinished ones.
        return selector.ids;
      default: {
        const unknown: never = selector;
        throw new Error(`unknown regrade selector ${JSON.stringify(unknown)}`);
      }
    }
  }

  async summary(id: string): Promise<RegradeRunSummary> {
    const row = await this.prisma.regradeRun.findUnique({ where: { id }, select: summarySelect });
    if (!row) throw DomainError.notFound(`regrade ${id}`);
    return summary(row);
  }

  /** The run with its before → after list, changed grades first. */
  async get(id: string): Promise<RegradeRunView> {
    const run = await this.summary(id);
    const items = await this.prisma.regradeItem.findMany({
      where: { runId: id },
      orderBy: [{ changed: 'desc' }, { doneAt: 'asc' }, { submissionId: 'asc' }],
      take: ITEMS_SHOWN,
      select: {
        submissionId: true,
        outcome: true,
        version: true,
        changed: true,
        beforeResultId: true,
        afterResultId: true,
        submission: {
          select: {
            user: { select: { id: true, email: true, displayName: true } },
            exercise: { select: { slug: true } },
          },
        },
      },
    });
    const resultIds = items.flatMap((i) => [i.beforeResultId, i.afterResultId]).filter((x): x is string => !!x);
    const results = new Map(
      (
        await this.prisma.result.findMany({
          where: { id: { in: resultIds } },
          select: { id: true, score: true, maxScore: true, exerciseVersion: true, checks: true },
        })
      ).map((r) => [r.id, r]),
    );
    const view = (rid: string | null) => {
      const r = rid ? results.get(rid) : undefined;
      return r ? { score: r.score, maxScore: r.maxScore, version: r.exerciseVersion } : null;
    };
    return {
      ...run,
      more: Math.max(0, run.total - items.length),
      items: items.map((i) => {
        const before = i.beforeResultId ? results.get(i.beforeResultId) : undefined;
        const after = i.afterResultId ? results.get(i.afterResultId) : undefined;
        return {
          submissionId: i.submissionId,
          student: i.submission.user,
          exercise: i.submission.exercise.slug,
          outcome: i.outcome,
          version: i.version,
          before: view(i.beforeResultId),
          after: view(i.afterResultId),
          changed: i.changed,
          checks: after ? checkChanges(asChecks(before?.checks), asChecks(after.checks)) : [],
        };
      }),
    };
  }
}

/**
 * Puts the finished (graded or failed) submissions among `ids` back in the queued state under a
 * new attempt, with the definition version that attempt uses: the exercise's current one, or the
 * one of the submission's first result (its version at intake when it never got one). Returns the
 * rows to enqueue and the result each had before.
 */
function requeueFinished(
  tx: Prisma.TransactionClient,
  ids: string[],
  version: RegradeVersion,
): Promise<Array<{ id: string; attempt: number; version: string; beforeResultId: string | null }>> {
  if (ids.length === 0) return Promise.resolve([]);
  const original = version === RegradeVersion.original;
  return tx.$queryRaw`
    UPDATE submissions s SET
      attempt = s.attempt + 1,
      runs = 0,
      status = 'queued',
      error_message = NULL,
      started_at = NULL,
      finished_at = NULL,
      requested_version = CASE WHEN ${original} THEN COALESCE(
        (SELECT r.exercise_version FROM results r WHERE r.submission_id = s.id ORDER BY r.attempt ASC LIMIT 1),
        s.exercise_version) ELSE e.version END
    FROM exercises e
    WHERE e.id = s.exercise_id
      AND s.id = ANY(${ids}::uuid[])
      AND s.status IN ('graded', 'error', 'internal_error')
    RETURNING s.id, s.attempt, s.requested_version AS version,
      (SELECT r.id FROM results r WHERE r.submission_id = s.id ORDER BY r.attempt DESC LIMIT 1) AS "beforeResultId"`;
}
