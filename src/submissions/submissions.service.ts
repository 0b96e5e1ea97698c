import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { SubmissionStatus } from '../generated/prisma/enums';
import { DomainError } from '../common/domain-error';
import { isStaff, Principal } from '../auth/principal';
import { ExercisesService } from '../exercises/exercises.service';
import { GradingProducer } from '../queue/grading.producer';
import { gradingJobId } from '../queue/grading-queue.constants';
import { SubmissionRateLimiter } from './submission-rate.limiter';
import { DuplicateIdempotencyKey, SubmissionIntakeStore } from '../database/submission-intake.store';
import { AssignmentAttempt, AssignmentIntakeStore } from './assignment-intake.store';
import { checksForStudent } from './result-redaction';
import { failureMessage } from './submission-events';
import { effectivePolicy } from '../courses/credit';
import type { CreateSubmissionInput, ListSubmissionsQuery } from './submission.schemas';
import type { RegradeVersion } from '../generated/prisma/enums';
import { RegradeRunsService, type RegradeRunSummary } from '../regrades/regrade-runs.service';

export interface Accepted {
  id: string;
  status: SubmissionStatus;
  attempt: number;
  /** 1 = next to run; null when unknown (not waiting, or the queue did not answer). */
  position: number | null;
  /** false when an Idempotency-Key replay returned an existing submission. */
  created: boolean;
}

export interface ResultView {
  id: string;
  attempt: number;
  exerciseVersion: string;
  score: number;
  maxScore: number;
  checks: unknown;
  transcript: unknown;
  notices: unknown;
  imageDigests: unknown;
  createdAt: Date;
  /** Set when the retention policy (or an erasure) emptied the transcript; score and checks kept. */
  transcriptPurgedAt: Date | null;
}

export interface SubmissionView {
  id: string;
  userId: string;
  exercise: string;
  exerciseVersion: string;
  status: SubmissionStatus;
  attempt: number;
  position: number | null;
  /** Why grading failed, in French (status error or internal_error), else null: what a student reads. */
  errorMessage: string | null;
  /** The stored cause of that failure (English, technical): instructors and admins only. */
  errorCause?: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** The current (newest) result, when one exists. */
  result: ResultView | null;
  /** Every result, newest first: instructors and admins only. */
  history?: ResultView[];
}

export interface SubmissionPage {
  items: Omit<SubmissionView, 'result' | 'history' | 'position'>[];
  nextCursor: string | null;
}

const resultSelect = {
  id: true,
  attempt: true,
  exerciseVersion: true,
  score: true,
  maxScore: true,
  checks: true,
  transcript: true,
  notices: true,
  imageDigests: true,
  createdAt: true,
  transcriptPurgedAt: true,
} as const;

const listSelect = {
  id: true,
  userId: true,
  exerciseVersion: true,
  status: true,
  attempt: true,
  errorMessage: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  exercise: { select: { slug: true } },
} as const;

/** Intake, reading and regrading of submissions; PostgreSQL first, then the queue. */
@Injectable()
export class SubmissionsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly exercises: ExercisesService,
    private readonly producer: GradingProducer,
    private readonly rateLimiter: SubmissionRateLimiter,
    private readonly intake: SubmissionIntakeStore,
    private readonly regrades: RegradeRunsService,
    private readonly assignmentIntake: AssignmentIntakeStore,
  ) {}

  async create(principal: Principal, input: CreateSubmissionInput, idempotencyKey?: string): Promise<Accepted> {
    if (idempotencyKey) {
      const existing = await this.findByKey(principal.id, idempotencyKey, input);
      if (existing) return existing;
    }
    if (!input.assignment && !input.exercise) {
      throw DomainError.validation([{ field: 'exercise', message: 'exercise or assignment is required' }]);
    }
    const exercise = input.assignment ? undefined : await this.exercises.forSubmission(input.exercise as string);
    // Rate limit (429) and back-pressure (503) in one Redis round trip; an unknown depth (Redis
    // down) is not a reason to refuse: the row is safe in PostgreSQL and the sweeper queues it.
    const { waiting } = await this.rateLimiter.admit(principal.id);
    let row: { id: string; attempt: number; assignment?: AssignmentAttempt };
    try {
      // Written before it is queued: if the process dies now, the sweeper enqueues it.
      row = exercise
        ? await this.intake.insert({
            userId: principal.id,
            exerciseId: exercise.id,
            exerciseVersion: exercise.version,
            source: input.source,
            files: input.files,
            idempotencyKey: idempotencyKey ?? null,
          })
        : await this.assignmentIntake.insert({
            userId: principal.id,
            assignmentId: input.assignment as string,
            exercise: input.exercise,
            source: input.source,
            files: input.files,
            idempotencyKey: idempotencyKey ?? null,
          });
    } catch (err) {
      // Two requests with the same key raced: the loser answers with the winner's submission.
      if (idempotencyKey && err instanceof DuplicateIdempotencyKey) {
        const existing = await this.findByKey(principal.id, idempotencyKey, input);
        if (existing) return existing;
      }
      throw err;
    }
    // Queued after the answer (batched; the sweeper covers a crash in between). The position is
    // the one at admission, as any position is only true for an instant.
    this.producer.enqueueSoon(row.id, row.attempt);
    return {
      id: row.id,
      status: SubmissionStatus.queued,
      attempt: row.attempt,
      position: waiting === undefined ? null : waiting + 1,
      created: true,
      ...(row.assignment ? { assignment: row.assignment } : {}),
    };
  }

  private async findByKey(userId: string, key: string, input: CreateSubmissionInput): Promise<Accepted | undefined> {
    const existing = await this.prisma.submission.findUnique({
      where: { userId_idempotencyKey: { userId, idempotencyKey: key } },
      select: {
        id: true,
        status: true,
        attempt: true,
        source: true,
        assignmentId: true,
        exercise: { select: { slug: true } },
      },
    });
    if (!existing) return undefined;
    if (
      (input.exercise !== undefined && existing.exercise.slug !== input.exercise) ||
      (input.assignment ?? null) !== existing.assignmentId ||
      existing.source !== input.source
    ) {
      throw DomainError.conflict('this Idempotency-Key was already used for a different submission');
    }
    return {
      id: existing.id,
      status: existing.status,
      attempt: existing.attempt,
      position: await this.positionOf(existing),
      created: false,
    };
  }

  private async positionOf(s: { id: string; status: SubmissionStatus; attempt: number }): Promise<number | null> {
    if (s.status !== SubmissionStatus.queued) return null;
    try {
      return (await this.producer.position(gradingJobId(s.id, s.attempt))) ?? null;
    } catch {
      return null;
    }
  }

  async get(principal: Principal, id: string): Promise<SubmissionView> {
    const staff = isStaff(principal);
    const row = await this.prisma.submission.findUnique({
      where: { id },
      select: {
        ...listSelect,
        results: { select: resultSelect, orderBy: [{ attempt: 'desc' }], take: staff ? undefined : 1 },
        assignment: {
          select: {
            dueAt: true,
            lateUntil: true,
            lateCredit: true,
            maxAttempts: true,
            revealHiddenAfterDue: true,
            overrides: {
              where: { userId: principal.id },
              select: { dueAt: true, lateUntil: true, extraAttempts: true },
            },
          },
        },
      },
    });
    if (!row || !readable(principal, row)) throw submissionNotFound();
    const { exercise, results, assignment, ...rest } = row;
    const reveal = staff || (assignment !== null && hiddenChecksRevealed(assignment, new Date()));
    const view: SubmissionView = {
      ...withFailure(rest, staff),
      exercise: exercise.slug,
      position: await this.positionOf(row),
      result: results[0]
        ? reveal
          ? results[0]
          : { ...results[0], checks: checksForStudent(results[0].checks) }
        : null,
    };
    if (staff) view.history = results;
    return view;
  }

  /** Access check for the event stream: the submission's owner or staff; anyone else, as for an unknown id. */
  async assertReadable(principal: Principal, id: string): Promise<void> {
    const row = await this.prisma.submission.findUnique({ where: { id }, select: { userId: true } });
    if (!row || !readable(principal, row)) throw submissionNotFound();
  }

  async list(principal: Principal, query: ListSubmissionsQuery): Promise<SubmissionPage> {
    const staff = isStaff(principal);
    if (!staff && query.user && query.user !== principal.id)
      throw DomainError.forbidden('students can only list their own submissions');
    const rows = await this.prisma.submission.findMany({
      where: {
        userId: staff ? query.user : principal.id,
        status: query.status,
        exercise: query.exercise ? { slug: query.exercise } : undefined,
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      cursor: query.cursor ? { id: query.cursor } : undefined,
      skip: query.cursor ? 1 : 0,
      take: query.limit + 1,
      select: listSelect,
    });
    const page = rows.slice(0, query.limit);
    return {
      items: page.map(({ exercise, ...rest }) => ({ ...withFailure(rest, staff), exercise: exercise.slug })),
      nextCursor: rows.length > query.limit ? page[page.length - 1].id : null,
    };
  }

  /**
   * Grades a finished submission again, as a regrade run of one (its earlier results stay as
   * history); asked again while that run goes, answers with the same run.
   */
  async regrade(
    principal: Principal,
    id: string,
    version: RegradeVersion,
  ): Promise<Accepted & { regrade: RegradeRunSummary }> {
    const { run, requeued } = await this.regrades.start(principal, { kind: 'submission', id }, version);
    const attempt =
      requeued[0]?.attempt ??
      (await this.prisma.submission.findUniqueOrThrow({ where: { id }, select: { attempt: true } })).attempt;
    const s = { id, status: SubmissionStatus.queued, attempt };
    return { ...s, position: await this.positionOf(s), created: false, regrade: run };
  }

  /** Regrades every finished submission of an exercise (after its definition changed), as one run. */
  async regradeExercise(
    principal: Principal,
    slug: string,
    version: RegradeVersion,
  ): Promise<{ exercise: string; queued: number; regrade: RegradeRunSummary }> {
    const { run } = await this.regrades.start(principal, { kind: 'exercise', slug }, version);
    return { exercise: slug, queued: run.total, regrade: run };
  }
}

/**
 * A submission row as the API shows it: the failure said in French to everyone (as the event
 * stream says it), the stored cause to staff only.
 */
function withFailure<T extends { status: SubmissionStatus; errorMessage: string | null }>(
  row: T,
  staff: boolean,
): Omit<T, 'errorMessage'> & { errorMessage: string | null; errorCause?: string | null } {
  const { errorMessage: cause, ...rest } = row;
  return { ...rest, errorMessage: failureMessage(row.status), ...(staff ? { errorCause: cause } : {}) };
}

/**
 * Another student's submission is "not found", in the very words of an unknown id (no id echoed,
 * here or in any other answer about a submission): a 403 would confirm to a prober that it exists.
 */
function submissionNotFound(): DomainError {
  return DomainError.notFound('submission');
}

function readable(principal: Principal, row: { userId: string }): boolean {
  return isStaff(principal) || row.userId === principal.id;
}

/**
 * An assignment set to reveal hidden checks after its deadline shows them to a student once the
 * student's last window (their extension included) has closed: not before, or a late classmate
 * could still use them.
 */
export function hiddenChecksRevealed(
  a: {
    dueAt: Date;
    lateUntil: Date | null;
    lateCredit: number;
    maxAttempts: number | null;
    revealHiddenAfterDue: boolean;
    overrides: { dueAt: Date | null; lateUntil: Date | null; extraAttempts: number }[];
  },
  now: Date,
): boolean {
  if (!a.revealHiddenAfterDue) return false;
  const p = effectivePolicy(a, a.overrides[0]);
  const last = p.lateUntil && p.lateUntil.getTime() > p.dueAt.getTime() ? p.lateUntil : p.dueAt;
  return now.getTime() > last.getTime();
}
