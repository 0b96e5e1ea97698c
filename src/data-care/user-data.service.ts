import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { PrismaService } from '../database/prisma.service';

/** Display name an erased user keeps (French: instructors read it in reports). */
export const ERASED_NAME = 'Utilisateur supprimé';

/**
 * RGPD rights of one user: access (everything stored about them, as JSON) and erasure. Erasure
 * anonymises rather than deletes: the scores stay in the exercise's statistics and the
 * instructors' aggregates, tied to nobody.
 */
@Injectable()
export class UserDataService {
  constructor(private readonly prisma: PrismaService) {}

  /** Every row about the user; secrets (password and token hashes, session cookies) are never exported. */
  async exportUser(userId: string): Promise<Record<string, unknown>> {
    const user = await this.prisma.user.findUnique({
      where: { id: userId },
      select: {
        id: true,
        role: true,
        email: true,
        displayName: true,
        lmsId: true,
        lmsUserId: true,
        createdAt: true,
        tokens: { select: { id: true, name: true, createdAt: true, lastUsedAt: true, revokedAt: true } },
        sessions: { select: { id: true, createdAt: true, lastSeenAt: true, expiresAt: true } },
        invitations: { select: { id: true, createdAt: true, expiresAt: true, usedAt: true } },
        submissions: {
          orderBy: { createdAt: 'asc' },
          include: {
            exercise: { select: { slug: true, title: true } },
            results: { orderBy: { createdAt: 'asc' } },
            lms: { select: { integrationId: true, externalUserId: true, assignment: true, createdAt: true } },
          },
        },
      },
    });
    if (!user) throw DomainError.notFound('user');
    return { exportedAt: new Date().toISOString(), user };
  }

  /**
   * Anonymises the user: identity gone (email, name, LMS ids, password), access gone (tokens,
   * sessions, invitations), their work gone (sources, files, transcripts, LMS ids); scores and
   * check outcomes kept. One transaction. Returns how many submissions were anonymised.
   */
  async eraseUser(userId: string): Promise<{ userId: string; submissions: number }> {
    return this.prisma.$transaction(async (tx) => {
      const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true } });
      if (!user) throw DomainError.notFound('user');
      await tx.apiToken.deleteMany({ where: { userId } });
      await tx.webSession.deleteMany({ where: { userId } });
      await tx.invitation.deleteMany({ where: { userId } });
      await tx.user.update({
        where: { id: userId },
        data: {
          email: `supprime-${userId}@invalid`,
          displayName: ERASED_NAME,
          lmsId: null,
          lmsUserId: null,
          passwordHash: null,
        },
      });
      const { count } = await tx.submission.updateMany({
        where: { userId },
        data: { source: '', files: [], idempotencyKey: null, errorMessage: null },
      });
      await tx.result.updateMany({
        where: { submission: { userId } },
        data: { transcript: [], transcriptPurgedAt: new Date() },
      });
      await tx.lmsSubmission.updateMany({ where: { submission: { userId } }, data: { externalUserId: 'supprime' } });
      return { userId, submissions: count };
    });
  }
}
