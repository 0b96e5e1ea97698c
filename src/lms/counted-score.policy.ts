import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client';

/** The score that counts for an assignment (late penalty, best attempt…), next to the raw one. */
export interface CountedScore {
  score: number;
  maxScore: number;
}

/**
 * EXTENSION POINT for assignments (branch `instructors`): the score a submission counts for in
 * its assignment. Today no assignment model exists here, so there is none (null): webhooks carry
 * no `countedScore` and LTI scores send the raw score. When assignments land, this method reads
 * the submission's assignment in the grading transaction `tx` and returns what counts; both
 * outboxes (webhook payload `data.countedScore`, LTI `scoreGiven`) already use what it returns.
 */
@Injectable()
export class CountedScorePolicy {
  async countedScore(_tx: Prisma.TransactionClient, _submissionId: string): Promise<CountedScore | null> {
    return null;
  }
}
