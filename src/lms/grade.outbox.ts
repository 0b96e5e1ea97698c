import { Inject, Injectable } from '@nestjs/common';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import type { Prisma } from '../generated/prisma/client';
import { DeliveryKind } from '../generated/prisma/enums';
import { LTI_SCORE, scoreBody } from '../lti/lti-score';
import { CountedScorePolicy } from './counted-score.policy';
import { databaseNow } from '../database/database-clock';
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
 * Writes the outbox rows of a stored result inside the grading run's transaction, so a stored
 * grade and what it must tell the outside commit together or not at all: a `submission.graded`
 * webhook for a submission that came through an integration with a webhook URL, and an AGS score
 * for each LTI launch of that user on that exercise (with a line item) made before the submission.
 * A regrade that changes nothing sends nothing.
 */
@Injectable()
export class GradeOutbox {
  constructor(
    @Inject(ENV) private readonly env: Env,
    private readonly counted: CountedScorePolicy,
  ) {}

  /** Returns the ids of the deliveries written (to queue once the transaction committed). */
  async recordGraded(tx: Prisma.TransactionClient, r: StoredResult): Promise<string[]> {
    const submission = await tx.submission.findUniqueOrThrow({
      where: { id: r.submissionId },
      select: {
        userId: true,
        exerciseId: true,
        createdAt: true,
        user: { select: { email: true } },
        exercise: { select: { slug: true } },
        lms: {
          select: { externalUserId: true, assignment: true, integration: { select: { id: true, webhookUrl: true } } },
        },
      },
    });
    const link = submission.lms?.integration.webhookUrl ? submission.lms : null;
    const launches = await tx.ltiLaunch.findMany({
      where: {
        userId: submission.userId,
        lineItemUrl: { not: null },
        firstLaunchAt: { lte: submission.createdAt },
        resourceLink: { exerciseId: submission.exerciseId },
      },
      select: { id: true, sub: true },
    });
    if (!link && launches.length === 0) return [];
    const previous = await tx.result.findFirst({
      where: { submissionId: r.submissionId, attempt: { lt: r.attempt } },
      orderBy: { attempt: 'desc' },
      select: { score: true, maxScore: true, checks: true },
    });
    if (!gradeChanged(previous, r)) return [];
    const counted = await this.counted.countedScore(tx, r.submissionId);
    const now = await databaseNow(tx); // gradedAt on the database's clock, as the receipt time
    const ids: string[] = [];
    if (link) {
      const body = gradedEventBody(
        {
          submissionId: r.submissionId,
          externalUserId: link.externalUserId,
          email: submission.user.email,
          exercise: submission.exercise.slug,
          assignment: link.assignment,
          score: r.score,
          maxScore: r.maxScore,
          countedScore: counted,
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
          kind: DeliveryKind.webhook,
          integrationId: link.integration.id,
          submissionId: r.submissionId,
          event: SUBMISSION_GRADED,
          sequence: r.attempt,
          body,
        },
        select: { id: true },
      });
      ids.push(row.id);
    }
    for (const launch of launches) {
      const body = scoreBody({
        userId: launch.sub,
        score: counted?.score ?? r.score,
        maxScore: counted?.maxScore ?? r.maxScore,
        checks: r.checks,
        gradedAt: now,
      });
      const row = await tx.webhookDelivery.create({
        data: {
          kind: DeliveryKind.lti_score,
          ltiLaunchId: launch.id,
          submissionId: r.submissionId,
          event: LTI_SCORE,
          sequence: r.attempt,
          body,
        },
        select: { id: true },
      });
      ids.push(row.id);
    }
    return ids;
  }
}
