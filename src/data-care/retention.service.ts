import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

/** What a purge did: results whose transcript was emptied. */
export interface PurgeReport {
  results: number;
  before: Date;
}

/**
 * Retention: transcripts (every command's output, the engine state after each) are the bulk of
 * the database and personal work; after RETENTION_DAYS they are emptied. Scores, checks and their
 * feedback stay (an instructor's gradebook must not change), and so does the submission itself.
 */
@Injectable()
export class RetentionService {
  constructor(private readonly prisma: PrismaService) {}

  /** Empties the transcripts of results of submissions made more than `days` days ago. Idempotent. */
  async purgeTranscripts(days: number, now = new Date()): Promise<PurgeReport> {
    const before = new Date(now.getTime() - days * 86_400_000);
    const { count } = await this.prisma.result.updateMany({
      where: { transcriptPurgedAt: null, submission: { createdAt: { lt: before } } },
      data: { transcript: [], transcriptPurgedAt: now },
    });
    return { results: count, before };
  }
}
