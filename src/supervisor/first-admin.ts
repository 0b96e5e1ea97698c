import { AuthService } from '../auth/auth.service';
import type { Env } from '../config/env';
import { PrismaService } from '../database/prisma.service';
import { Role } from '../generated/prisma/enums';

/** The first admin's email when `npm start` creates one. */
export const FIRST_ADMIN_EMAIL = 'admin@localhost';

export type FirstAdminAccess = { kind: 'created'; email: string; token: string } | { kind: 'exists'; email: string };

/**
 * The first admin, when the database has none, with a fresh bearer token to use once. The caller
 * prints it on the terminal only (never in a log file); only its hash is stored. When an admin
 * exists, nothing is created: the caller prints how to get another token.
 *
 * Once the web app's invitations are merged (branch `web`: InvitationService), this becomes
 * `invitations.invite({ email, role: Role.admin })` and the caller prints its one-time link.
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
    const auth = new AuthService(prisma);
    const user = await auth.createUser({ email: FIRST_ADMIN_EMAIL, displayName: 'Admin', role: Role.admin });
    const { token } = await auth.issueToken(user.id, 'npm-start');
    return { kind: 'created', email: user.email, token };
  } finally {
    await prisma.$disconnect();
  }
}
