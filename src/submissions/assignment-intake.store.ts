import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/domain-error';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { creditFor, CreditPolicy, PracticeReason } from '../courses/credit';
import { DuplicateIdempotencyKey } from '../database/submission-intake.store';
import { INTAKE_SQL } from '../database/intake.statements';

/** What a student is told before submitting, and what a submission to an assignment records. */
export interface AssignmentAttempt {
  assignmentId: string;
  /** 1-based number of this submission among the student's to the assignment. */
  number: number;
  credit: number;
  /** Set when the attempt is practice: counted 0 ("hors délai" / "tentatives épuisées"). */
  practiceReason: PracticeReason | null;
  /** Attempts left after this one that still count; null when unlimited. */
  remaining: number | null;
}

export interface AssignmentSubmission {
  userId: string;
  assignmentId: string;
  /** The slug the client named, if any: it must be the assignment's. */
  exercise?: string;
  source: string;
  files: unknown;
  idempotencyKey: string | null;
}

interface Context {
  assignment: {
    id: string;
    courseId: string;
    opensAt: Date | null;
    cooldownSeconds: number | null;
    exercise: { id: string; slug: string; version: string; published: boolean };
  };
  policy: CreditPolicy;
  override: { dueAt: Date | null; lateUntil: Date | null; extraAttempts: number } | null;
}

/**
 * Intake of a submission to a course assignment: enrolment check, opening time, cooldown, attempt
 * number and credit, written in one transaction that holds the student's enrolment row, so two
 * concurrent submissions get attempts n and n+1. The received time is the transaction's `now()`,
 * the value `created_at` takes: credit is computed from the database's clock, never the api's.
 * Free (non-assignment) submissions keep the batched hot path (submission-intake.store.ts).
 */
@Injectable()
export class AssignmentIntakeStore {
  constructor(private readonly prisma: PrismaService) {}

  /** The next attempt as it would be counted now (for the warning shown before submitting). */
  async preview(userId: string, assignmentId: string): Promise<AssignmentAttempt> {
    return this.prisma.$transaction(async (tx) => {
      const ctx = await this.context(tx, userId, assignmentId);
      const now = await receivedAt(tx);
      const count = await tx.submission.count({ where: { assignmentId, userId } });
      return attemptOf(ctx, now, count + 1);
    });
  }

  async insert(row: AssignmentSubmission): Promise<{ id: string; attempt: number; assignment: AssignmentAttempt }> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const ctx = await this.context(tx, row.userId, row.assignmentId, true);
        const { exercise } = ctx.assignment;
        if (row.exercise !== undefined && row.exercise !== exercise.slug) {
          throw DomainError.validation([
            { field: 'exercise', message: `le devoir porte sur l'exercice ${exercise.slug}, pas ${row.exercise}` },
          ]);
        }
        if (!exercise.published) throw new DomainError(ErrorCode.NotFound, `exercice ${exercise.slug} introuvable`);
        const now = await receivedAt(tx);
        if (ctx.assignment.opensAt && now.getTime() < ctx.assignment.opensAt.getTime()) {
          throw DomainError.forbidden(
            `ce devoir n'est pas encore ouvert (ouverture le ${ctx.assignment.opensAt.toISOString()})`,
          );
        }
        const previous = await tx.submission.aggregate({
          where: { assignmentId: row.assignmentId, userId: row.userId },
          _count: { _all: true },
          _max: { createdAt: true },
        });
        const last = previous._max.createdAt;
        const cooldownMs = (ctx.assignment.cooldownSeconds ?? 0) * 1000;
        if (last && cooldownMs > 0 && now.getTime() - last.getTime() < cooldownMs) {
          const wait = Math.ceil((cooldownMs - (now.getTime() - last.getTime())) / 1000);
          throw new DomainError(ErrorCode.RateLimited, `attendez ${wait} s avant la prochaine tentative de ce devoir`, {
            retryAfterSeconds: wait,
          });
        }
        const attempt = attemptOf(ctx, now, previous._count._all + 1);
        const created = await tx.submission.create({
          data: {
            userId: row.userId,
            exerciseId: exercise.id,
            exerciseVersion: exercise.version,
            source: row.source,
            files: (row.files ?? []) as Prisma.InputJsonValue,
            idempotencyKey: row.idempotencyKey,
            createdAt: now,
            assignmentId: row.assignmentId,
            assignmentAttempt: attempt.number,
            credit: attempt.credit,
            practiceReason: attempt.practiceReason,
          },
          select: { id: true, attempt: true },
        });
        return { ...created, assignment: attempt };
      });
    } catch (err) {
      if (
        row.idempotencyKey &&
        err instanceof Prisma.PrismaClientKnownRequestError &&
        err.code === 'P2002' &&
        JSON.stringify(err.meta ?? {}).includes('idempotency')
      ) {
        throw new DuplicateIdempotencyKey(`idempotency key ${row.idempotencyKey}`);
      }
      throw err;
    }
  }

  private async context(
    tx: Prisma.TransactionClient,
    userId: string,
    assignmentId: string,
    lock = false,
  ): Promise<Context> {
    const assignment = await tx.assignment.findUnique({
      where: { id: assignmentId },
      select: {
        id: true,
        courseId: true,
        opensAt: true,
        dueAt: true,
        lateUntil: true,
        lateCredit: true,
        maxAttempts: true,
        cooldownSeconds: true,
        exercise: { select: { id: true, slug: true, version: true, published: true } },
        overrides: { where: { userId }, select: { dueAt: true, lateUntil: true, extraAttempts: true } },
      },
    });
    if (!assignment) throw DomainError.validation([{ field: 'assignment', message: 'devoir inconnu' }]);
    // The enrolment row is the per-(student, course) lock that orders attempt numbers.
    const enrolled = lock
      ? await tx.$queryRawUnsafe<{ id: string }[]>(INTAKE_SQL.lockEnrolment, assignment.courseId, userId)
      : await tx.enrolment.findMany({ where: { courseId: assignment.courseId, userId }, select: { id: true } });
    if (enrolled.length === 0) throw DomainError.forbidden("vous n'êtes pas inscrit au cours de ce devoir");
    const { dueAt, lateUntil, lateCredit, maxAttempts, overrides, ...rest } = assignment;
    return {
      assignment: rest,
      policy: { dueAt, lateUntil, lateCredit, maxAttempts },
      override: overrides[0] ?? null,
    };
  }
}

async function receivedAt(tx: Prisma.TransactionClient): Promise<Date> {
  const [{ now }] = await tx.$queryRawUnsafe<{ now: Date }[]>(INTAKE_SQL.receivedAt);
  return now;
}

function attemptOf(ctx: Context, now: Date, number: number): AssignmentAttempt {
  const credit = creditFor(ctx.policy, ctx.override, now, number);
  const max = ctx.policy.maxAttempts === null ? null : ctx.policy.maxAttempts + (ctx.override?.extraAttempts ?? 0);
  return {
    assignmentId: ctx.assignment.id,
    number,
    ...credit,
    remaining: max === null ? null : Math.max(0, max - number),
  };
}
