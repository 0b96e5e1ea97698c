import type { PrismaService } from '../../src/database/prisma.service';

/** Removes integrations and what they brought in (users, submissions), so no sweeper grades them later. */
export async function deleteIntegrations(prisma: PrismaService, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const lmsIds = ids.map((id) => `integration:${id}`);
  const users = await prisma.user.findMany({ where: { lmsId: { in: lmsIds } }, select: { id: true } });
  const userIds = users.map((u) => u.id);
  await prisma.submission.deleteMany({ where: { userId: { in: userIds } } });
  await prisma.user.deleteMany({ where: { id: { in: userIds } } });
  await prisma.integration.deleteMany({ where: { id: { in: ids } } });
}
