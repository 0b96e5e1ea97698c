import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client';
import { countedScore } from '../courses/credit';

/** The score that counts for an assignment (late penalty, best attempt…), next to the raw one. */
export interface CountedScore {
  score: number;
  maxScore: number;
}

/**
 * What a submission counts for in its assignment, read in the grading transaction `tx` (after the
 * new result is written there), so the webhook's `data.countedScore` and the LTI `scoreGiven` say
 * what the gradebook says: src/courses/credit.ts decides, over all of the student's submissions
 * to that assignment. Null for a submission outside any assignment.
 */
@Injectable()
export class CountedScorePolicy {
  async countedScore(tx: Prisma.TransactionClient, submissionId: string): Promise<CountedScore | null> {
    const submission = await tx.submission.findUnique({
      where: { id: submissionId },
      select: {
        userId: true,
        assignment: { select: { id: true, counted: true, exercise: { select: { maxPoints: true } } } },
      },
    });
    const assignment = submission?.assignment;
    if (!submission || !assignment) return null;
    const attempts = await tx.submission.findMany({
      where: { userId: submission.userId, assignmentId: assignment.id },
      select: {
        createdAt: true,
        credit: true,
        practiceReason: true,
        results: { orderBy: { attempt: 'desc' }, take: 1, select: { score: true, maxScore: true } },
      },
    });
    const score = countedScore(
      assignment.counted,
      attempts.map((a) => ({
        receivedAt: a.createdAt,
        score: a.results[0]?.score ?? null,
        credit: a.credit ?? 0, // as the gradebook reads it (src/courses/gradebook.service.ts)
        practiceReason: a.practiceReason,
      })),
    );
    if (score === null) return null;
    const maxScore = attempts.find((a) => a.results[0])?.results[0].maxScore ?? assignment.exercise.maxPoints;
    return { score, maxScore };
  }
}
