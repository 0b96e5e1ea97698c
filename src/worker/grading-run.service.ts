import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { databaseNow } from '../database/database-clock';
import { SubmissionStatus } from '../generated/prisma/enums';
import type { Prisma } from '../generated/prisma/client';
import { ExerciseLoadError } from '../exercises/exercise.loader';
import { GradingService } from '../grading/grading.service';
import { isInternalError, type GradeReport } from '../grading/grade-submission';
import type { SandboxFile } from '../sandbox/sandbox.types';
import { failureMessage, SubmissionEventsPublisher } from '../submissions/submission-events';
import { gradingJobId, parseGradingJobId } from '../queue/grading-queue.constants';
import { GradeOutbox } from '../lms/grade.outbox';
import { WebhookDeliveryProducer } from '../lms/webhook-delivery.producer';
import { MetricsService } from '../metrics/metrics.service';
import { infrastructureCause } from '../metrics/infrastructure-cause';
import { RegradeProgress } from '../regrades/regrade-progress';
import { ExerciseDefinitionResolver, type ResolvedDefinition } from './exercise-definition.resolver';
import { imageDigestNotice } from './image-digest-notice';

function withStack(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/** An infrastructure failure: the run is retried with backoff, never turned into a zero. */
export class GradingInfrastructureError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GradingInfrastructureError';
  }
}

/** How one run of a grading job ended. */
export type RunOutcome =
  | { kind: 'graded'; score: number; maxScore: number }
  /** Nothing to do: the submission is gone, regraded since, or already graded by another run. */
  | { kind: 'skipped'; reason: string }
  /** A bug of ours or an exercise that cannot be evaluated: recorded as `internal_error`, not retried. */
  | { kind: 'internal'; reason: string };

/** What a run reads of its submission. */
const CLAIMED = {
  id: true,
  status: true,
  attempt: true,
  source: true,
  files: true,
  exerciseId: true,
  requestedVersion: true,
  exercise: { select: { slug: true } },
} satisfies Prisma.SubmissionSelect;
type ClaimedSubmission = Prisma.SubmissionGetPayload<{ select: typeof CLAIMED }>;

/**
 * One grading run of one submission: mark running → grade → store the result and `graded` in one
 * transaction. Every write is conditional on the submission's attempt, and results are unique per
 * (submission, attempt), so a job that runs twice (stalled, re-queued by the sweeper) stores one result.
 */
@Injectable()
export class GradingRunService {
  private readonly logger = new Logger(GradingRunService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly grading: GradingService,
    private readonly events: SubmissionEventsPublisher,
    private readonly outbox: GradeOutbox,
    private readonly webhooks: WebhookDeliveryProducer,
    private readonly metrics: MetricsService,
    private readonly definitions: ExerciseDefinitionResolver,
    private readonly regrades: RegradeProgress,
  ) {}

  /** Recent infrastructure failures of this process (newest last), for the operations page. */
  readonly recentInfrastructureErrors: Array<{ at: string; cause: string; message: string }> = [];

  async run(submissionId: string, jobId: string): Promise<RunOutcome> {
    const started = performance.now();
    let exercise = 'unknown';
    try {
      const outcome = await this.runOnce(submissionId, jobId, (slug) => (exercise = slug));
      if (outcome.kind === 'graded')
        this.metrics.gradingDuration.observe({ exercise, outcome: 'graded' }, (performance.now() - started) / 1000);
      return outcome;
    } catch (err) {
      this.metrics.gradingDuration.observe({ exercise, outcome: 'error' }, (performance.now() - started) / 1000);
      const cause = infrastructureCause(err instanceof GradingInfrastructureError ? (err.cause ?? err) : err);
      this.metrics.infrastructureErrors.inc({ cause });
      this.recentInfrastructureErrors.push({
        at: new Date().toISOString(),
        cause,
        message: (err as Error).message.slice(0, 300),
      });
      if (this.recentInfrastructureErrors.length > 10) this.recentInfrastructureErrors.shift();
      throw err;
    }
  }

  /**
   * One run, in named steps: claim the submission (or skip it), grade it with the requested
   * definition, store the result with its outbox rows, tell the student.
   */
  private async runOnce(submissionId: string, jobId: string, onExercise: (slug: string) => void): Promise<RunOutcome> {
    const started = performance.now();
    const s = await this.claim(submissionId, jobId, onExercise);
    if ('kind' in s) return s;
    const base = { submissionId: s.id, attempt: s.attempt };
    await this.events.publish({ type: 'running', ...base, index: 0, total: 0, command: '' });

    // The sandbox goes once this run ends (grader: releaseAfter), stored or not.
    let runEnded!: () => void;
    const releaseAfter = new Promise<void>((resolve) => (runEnded = resolve));
    try {
      const gradingStarts = performance.now();
      const graded = await this.grade(s, releaseAfter);
      if ('kind' in graded) return graded;
      const { report, definition } = graded;
      const gradingEnds = performance.now();
      if (report.phasesMs?.acquire !== undefined) this.metrics.sandboxAcquire.observe(report.phasesMs.acquire / 1000);

      const current = await this.store(s, definition, report);
      await this.events.publish({ type: 'graded', ...base, ...current });
      const done = performance.now();
      const ms = (from: number, to: number) => Math.round(to - from);
      this.logger.debug(
        `submission ${s.id}: graded in ${report.durationMs} ms ${JSON.stringify(report.phasesMs ?? {})}, commands ${report.transcript.map((t) => t.durationMs).join(' ')} ms; job ${ms(started, done)} ms (before grading ${ms(started, gradingStarts)}, grading ${ms(gradingStarts, gradingEnds)}, storing ${ms(gradingEnds, done)})`,
      );
      return { kind: 'graded', ...current };
    } finally {
      runEnded();
    }
  }

  /** Loads the submission and marks it running, unless this job has nothing to do any more. */
  private async claim(
    submissionId: string,
    jobId: string,
    onExercise: (slug: string) => void,
  ): Promise<ClaimedSubmission | RunOutcome> {
    const s = await this.prisma.submission.findUnique({ where: { id: submissionId }, select: CLAIMED });
    if (!s) return { kind: 'skipped', reason: 'submission deleted' };
    onExercise(s.exercise.slug);
    if (gradingJobId(s.id, s.attempt) !== jobId)
      return { kind: 'skipped', reason: `superseded by attempt ${s.attempt}` };
    const stored = await this.prisma.result.findUnique({
      where: { submissionId_attempt: { submissionId: s.id, attempt: s.attempt } },
      select: { score: true },
    });
    if (stored) {
      await this.markGraded(s.id, s.attempt);
      return { kind: 'skipped', reason: 'already graded' };
    }
    if (
      s.status === SubmissionStatus.graded ||
      s.status === SubmissionStatus.error ||
      s.status === SubmissionStatus.internal_error
    )
      return { kind: 'skipped', reason: `already ${s.status}` };

    const marked = await this.prisma.submission.updateMany({
      where: { id: s.id, attempt: s.attempt, status: { in: [SubmissionStatus.queued, SubmissionStatus.running] } },
      data: { status: SubmissionStatus.running, startedAt: await databaseNow(this.prisma), runs: { increment: 1 } },
    });
    if (marked.count === 0) return { kind: 'skipped', reason: 'changed while starting' };
    return s;
  }

  /**
   * Grades with the requested definition. Our bugs and definitions that do not load end as
   * `internal_error` (returned); infrastructure failures are thrown, to be retried.
   */
  private async grade(
    s: ClaimedSubmission,
    releaseAfter: Promise<void>,
  ): Promise<{ report: GradeReport; definition: ResolvedDefinition } | RunOutcome> {
    const base = { submissionId: s.id, attempt: s.attempt };
    let definition: ResolvedDefinition;
    try {
      definition = await this.definitions.resolve({
        exerciseId: s.exerciseId,
        slug: s.exercise.slug,
        requestedVersion: s.requestedVersion,
      });
    } catch (err) {
      // A definition that does not load (invalid, a regex that does not compile) fails every run the same way.
      if (err instanceof ExerciseLoadError) {
        return await this.markInternal(
          s.id,
          s.attempt,
          `exercise ${s.exercise.slug} cannot be evaluated: ${err.problems.join('; ')}`,
        );
      }
      throw new GradingInfrastructureError(`grading failed: ${(err as Error).message}`, { cause: err });
    }
    let report: GradeReport;
    try {
      report = await this.grading.grade(
        definition.exercise,
        { source: s.source, files: s.files as unknown as SandboxFile[] },
        {
          onProgress: (index, total, command) =>
            void this.events.publish({ type: 'running', ...base, index, total, command: command.text }),
          releaseAfter,
        },
      );
    } catch (err) {
      if (isInternalError(err)) return await this.markInternal(s.id, s.attempt, withStack(err));
      throw new GradingInfrastructureError(`grading failed: ${(err as Error).message}`, { cause: err });
    }
    if (report.status === 'internal_error')
      return await this.markInternal(s.id, s.attempt, report.error ?? 'internal error');
    if (report.status === 'error') throw new GradingInfrastructureError(report.error ?? 'grading infrastructure error');
    // A first grade has nothing to compare its images with: no query on the intake path.
    const imageNotices = s.attempt > 1 ? await this.imageNotices(s.id, report) : [];
    report.notices.push(...definition.notices, ...imageNotices);
    return { report, definition };
  }

  /**
   * Stores the result and `graded` in one transaction with the LMS outbox rows and the regrade
   * run's progress, then schedules the deliveries; returns the attempt's stored score.
   */
  private async store(
    s: ClaimedSubmission,
    definition: ResolvedDefinition,
    report: GradeReport,
  ): Promise<{ score: number; maxScore: number }> {
    const { deliveries, regradeRuns } = await this.prisma.$transaction(async (tx) => {
      // ON CONFLICT DO NOTHING: a concurrent run of the same attempt may have stored it first. The
      // trigger on results copies the newest score onto the submission row in this transaction.
      const stored = await tx.result.createManyAndReturn({
        data: [
          {
            submissionId: s.id,
            attempt: s.attempt,
            exerciseVersion: report.exerciseVersion,
            exerciseVersionId: definition.versionId,
            score: report.score,
            maxScore: report.maxScore,
            checks: report.checks as object[],
            transcript: report.transcript as object[],
            notices: report.notices,
            imageDigests: report.imageDigests,
          },
        ],
        skipDuplicates: true,
        select: { id: true },
      });
      await tx.submission.updateMany({
        where: { id: s.id, attempt: s.attempt },
        data: { status: SubmissionStatus.graded, finishedAt: await databaseNow(tx), errorMessage: null },
      });
      // The LMS event and a regrade run's progress commit with the result (outbox), only from
      // the run that stored it.
      if (stored.length !== 1) return { deliveries: [], regradeRuns: [] };
      return {
        deliveries: await this.outbox.recordGraded(tx, { submissionId: s.id, attempt: s.attempt, ...report }),
        regradeRuns: await this.regrades.recordGraded(tx, s.id, s.attempt, {
          id: stored[0].id,
          score: report.score,
          checks: report.checks,
        }),
      };
    });
    this.webhooks.scheduleSoon(deliveries);
    await this.regrades.publish(regradeRuns);
    return this.prisma.result.findUniqueOrThrow({
      where: { submissionId_attempt: { submissionId: s.id, attempt: s.attempt } },
      select: { score: true, maxScore: true },
    });
  }

  /**
   * When an earlier grade used this same definition on other images (rebuilt since), the result
   * says so: it is still computed, but the difference may come from the images.
   */
  private async imageNotices(submissionId: string, report: GradeReport): Promise<string[]> {
    const first = await this.prisma.result.findFirst({
      where: { submissionId, exerciseVersion: report.exerciseVersion },
      orderBy: { attempt: 'asc' },
      select: { imageDigests: true },
    });
    if (!first || Object.keys(report.imageDigests).length === 0) return [];
    const notice = imageDigestNotice(first.imageDigests as Record<string, string>, report.imageDigests);
    return notice ? [notice] : [];
  }

  private async markGraded(id: string, attempt: number): Promise<void> {
    await this.prisma.submission.updateMany({
      where: { id, attempt, status: { not: SubmissionStatus.graded } },
      data: { status: SubmissionStatus.graded, finishedAt: await databaseNow(this.prisma), errorMessage: null },
    });
  }

  /**
   * A bug of ours or an exercise that cannot be evaluated: `internal_error` with its cause, logged
   * at error level, not retried. The student reads that the fault is ours, not theirs.
   */
  private async markInternal(id: string, attempt: number, cause: string): Promise<RunOutcome> {
    const updated = await this.prisma.submission.updateMany({
      where: { id, attempt, status: { in: [SubmissionStatus.queued, SubmissionStatus.running] } },
      data: {
        status: SubmissionStatus.internal_error,
        errorMessage: cause.slice(0, 4000),
        finishedAt: await databaseNow(this.prisma),
      },
    });
    if (updated.count > 0) {
      this.logger.error(`submission ${id}: internal error, not retried: ${cause}`);
      await this.events.publish({
        type: 'error',
        submissionId: id,
        attempt,
        message: failureMessage(SubmissionStatus.internal_error),
      });
      await this.regrades.recordFailed(id, attempt);
    }
    return { kind: 'internal', reason: cause.split('\n')[0] };
  }

  /** A failed run that will be retried: the submission waits in the queue again. */
  async markRetrying(submissionId: string, jobId: string, reason: string): Promise<void> {
    const attempt = this.attemptOf(jobId);
    const updated = await this.prisma.submission.updateMany({
      where: { id: submissionId, attempt, status: SubmissionStatus.running },
      data: { status: SubmissionStatus.queued },
    });
    if (updated.count > 0) {
      this.logger.warn(`submission ${submissionId}: infrastructure failure, will retry: ${reason}`);
      await this.events.publish({ type: 'queued', submissionId, attempt, position: null });
    }
  }

  /** The last run failed on infrastructure: `error`, with the reason, never a zero. */
  async markFailed(submissionId: string, jobId: string, reason: string): Promise<void> {
    const attempt = this.attemptOf(jobId);
    const updated = await this.prisma.submission.updateMany({
      where: { id: submissionId, attempt, status: { in: [SubmissionStatus.queued, SubmissionStatus.running] } },
      data: {
        status: SubmissionStatus.error,
        errorMessage: reason.slice(0, 2000),
        finishedAt: await databaseNow(this.prisma),
      },
    });
    if (updated.count > 0) {
      this.logger.error(`submission ${submissionId}: grading failed for good: ${reason}`);
      await this.events.publish({
        type: 'error',
        submissionId,
        attempt,
        message: failureMessage(SubmissionStatus.error),
      });
      await this.regrades.recordFailed(submissionId, attempt);
    }
  }

  /** A run handed back (shutdown, or this worker's host cannot grade): waiting again, for another worker. */
  async markHandedBack(submissionId: string, jobId: string, reason = 'worker shutting down'): Promise<void> {
    await this.markRetrying(submissionId, jobId, reason);
  }

  private attemptOf(jobId: string): number {
    const parsed = parseGradingJobId(jobId);
    if (!parsed) throw new Error(`not a grading job id: ${jobId}`);
    return parsed.attempt;
  }
}
