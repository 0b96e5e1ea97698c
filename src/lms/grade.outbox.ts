import { Inject, Injectable } from '@nestjs/common';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import type { Prisma } from '../generated/prisma/client';
import { gradeChanged, gradedEventBody, SUBMISSION_GRADED } from './grade-event';

/** The result just stored, as the grading run has it. */
export interface StoredResult {
  submissionId: string;
  attempt: number;
  score: number;
  maxScore: number;
  checks: unknown;
  exerciseVersion: string;
}

/**
 * Writes the `submission.graded` outbox row inside the grading run's transaction, so a stored
 * grade and its event commit together or not at all. Only submissions that came through an
 * integration with a webhook URL get one; a regrade that changes nothing sends nothing.
 */
@Injectable()
export class GradeOutbox {
  constructor(@Inject(ENV) private readonly env: Env) {}

  /** Returns the ids of the deliveries written (to queue once the transaction committed). */
  async recordGraded(tx: Prisma.TransactionClient, r: StoredResult): Promise<string[]> {
    const link = await tx.lmsSubmission.findUnique({
      where: { submissionId: r.submissionId },
      select: {
        externalUserId: true,
        assignment: true,
        integration: { select: { id: true, webhookUrl: true } },
        submission: { select: { user: { select: { email: true } }, exercise: { select: { slug: true } } } },
      },
    });
    if (!link?.integration.webhookUrl) return [];
    const previous = await tx.result.findFirst({
      where: { submissionId: r.submissionId, attempt: { lt: r.attempt } },
      orderBy: { attempt: 'desc' },
      select: { score: true, maxScore: true, checks: true },
    });
    if (!gradeChanged(previous, r)) return [];
    const now = new Date();
    const body = gradedEventBody(
      {
        submissionId: r.submissionId,
        externalUserId: link.externalUserId,
        email: link.submission.user.email,
        exercise: link.submission.exercise.slug,
        assignment: link.assignment,
        score: r.score,
        maxScore: r.maxScore,
        checks: r.checks,
        exerciseVersion: r.exerciseVersion,
        gradedAt: now,
        // The grading attempt grows with every regrade: a receiver keeps the highest it has seen.
        sequence: r.attempt,
        publicUrl: this.env.PUBLIC_URL,
      },
      now,
    );
    const row = await tx.webhookDelivery.create({
      data: {
        integrationId: link.integration.id,
        submissionId: r.submissionId,
        event: SUBMISSION_GRADED,
        sequence: r.attempt,
        body,
      },
      select: { id: true },
    });
    return [row.id];
  }
}
