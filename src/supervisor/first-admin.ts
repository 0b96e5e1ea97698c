import { AuthService } from '../auth/auth.service';
import { InvitationService } from '../auth/invitation.service';
import type { Env } from '../config/env';
import { PrismaService } from '../database/prisma.service';
import { Role } from '../generated/prisma/enums';

/** The first admin's email when `npm start` creates one. */
export const FIRST_ADMIN_EMAIL = 'admin@localhost';

export type FirstAdminAccess =
  { kind: 'created'; email: string; link: string; token: string } | { kind: 'exists'; email: string };

/**
 * The first admin, when the database has none: a one-time login link (the web app's invitation:
 * open it, choose a password) and a bearer token for the API. The caller prints both on the
 * terminal only (never in a log file); only their hashes are stored. When an admin exists,
 * nothing is created: the caller prints how to get another link.
 */
export async function ensureFirstAdmin(env: Env): Promise<FirstAdminAccess> {
  const prisma = new PrismaService({ ...env, DATABASE_POOL_SIZE: 1 });
  try {
    const admin = await prisma.user.findFirst({
      where: { role: Role.admin },
      orderBy: { createdAt: 'asc' },
      select: { email: true },
    });
    if (admin) return { kind: 'exists', email: admin.email };
    const invitation = await new InvitationService(prisma, env).invite({
      email: FIRST_ADMIN_EMAIL,
      displayName: 'Admin',
      role: Role.admin,
    });
    const { token } = await new AuthService(prisma).issueToken(invitation.userId, 'npm-start');
    return { kind: 'created', email: invitation.email, link: invitation.link, token };
  } finally {
    await prisma.$disconnect();
  }
}
