import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { PrismaService } from '../database/prisma.service';
import type { Prisma } from '../generated/prisma/client';
import { Role } from '../generated/prisma/enums';
import { DomainError } from '../common/domain-error';
import { hashPassword, passwordProblem } from './password';
import { hashToken } from './token';

export interface CreatedInvitation {
  userId: string;
  email: string;
  /** The one-time link (shown once: only the token's hash is stored). */
  link: string;
  expiresAt: Date;
}

/**
 * One-time invitation links: an instructor or admin invites an email (creating the student when
 * new), the student opens the link and chooses a password. A new invitation for the same user
 * cancels the earlier unused ones.
 */
@Injectable()
export class InvitationService {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async invite(input: {
    email: string;
    displayName?: string;
    role?: Role;
    invitedBy?: string;
  }): Promise<CreatedInvitation> {
    const email = input.email.trim().toLowerCase();
    const user = await this.prisma.user.upsert({
      where: { email },
      create: { email, displayName: input.displayName ?? email.split('@')[0], role: input.role ?? Role.student },
      update: {},
      select: { id: true, email: true },
    });
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.env.INVITATION_DAYS * 86_400_000);
    await this.prisma.$transaction([
      this.prisma.invitation.deleteMany({ where: { userId: user.id, usedAt: null } }),
      this.prisma.invitation.create({
        data: { tokenHash: hashToken(token), userId: user.id, createdById: input.invitedBy, expiresAt },
      }),
    ]);
    const link = new URL(`/invitation/${token}`, this.env.PUBLIC_URL).toString();
    return { userId: user.id, email: user.email, link, expiresAt };
  }

  /**
   * Invitation links for many existing users at once, inside the caller's transaction (a roster
   * import creates the students and their links together). Earlier unused links are cancelled.
   */
  async createLinks(
    tx: Prisma.TransactionClient,
    userIds: readonly string[],
    invitedBy?: string,
  ): Promise<Map<string, { link: string; expiresAt: Date }>> {
    const links = new Map<string, { link: string; expiresAt: Date }>();
    if (userIds.length === 0) return links;
    const expiresAt = new Date(Date.now() + this.env.INVITATION_DAYS * 86_400_000);
    const rows = userIds.map((userId) => {
      const token = randomBytes(32).toString('base64url');
      links.set(userId, { link: new URL(`/invitation/${token}`, this.env.PUBLIC_URL).toString(), expiresAt });
      return { tokenHash: hashToken(token), userId, createdById: invitedBy, expiresAt };
    });
    await tx.invitation.deleteMany({ where: { userId: { in: [...userIds] }, usedAt: null } });
    await tx.invitation.createMany({ data: rows });
    return links;
  }

  /** The invited user's email when the token is valid (unused, not expired), else undefined. */
  async peek(token: string): Promise<{ email: string } | undefined> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
    const row = await this.prisma.invitation.findUnique({
      where: { tokenHash: hashToken(token) },
      select: { usedAt: true, expiresAt: true, user: { select: { email: true } } },
    });
    if (!row || row.usedAt || row.expiresAt.getTime() <= Date.now()) return undefined;
    return { email: row.user.email };
  }

  /**
   * Sets the password and spends the invitation, atomically (a link used twice at once sets one
   * password). Returns the user id; throws a validation error naming `password` when it is refused.
   */
  async accept(token: string, password: string): Promise<string> {
    const problem = passwordProblem(password);
    if (problem) throw DomainError.validation([{ field: 'password', message: problem }]);
    if (!(await this.peek(token))) throw DomainError.notFound('invitation');
    const hash = await hashPassword(password);
    return this.prisma.$transaction(async (tx) => {
      const spent = await tx.invitation.updateManyAndReturn({
        where: { tokenHash: hashToken(token), usedAt: null, expiresAt: { gt: new Date() } },
        data: { usedAt: new Date() },
        select: { userId: true },
      });
      if (spent.length === 0) throw DomainError.notFound('invitation');
      await tx.user.update({ where: { id: spent[0].userId }, data: { passwordHash: hash } });
      // A new password ends every session opened with the old one.
      await tx.webSession.deleteMany({ where: { userId: spent[0].userId } });
      return spent[0].userId;
    });
  }

  /** Sets a user's password directly (admin CLI, --password-stdin). */
  async setPassword(userId: string, password: string): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw DomainError.validation([{ field: 'password', message: problem }]);
    await this.prisma.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(password) } });
    await this.prisma.webSession.deleteMany({ where: { userId } });
  }
}
