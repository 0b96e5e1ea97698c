import { loadEnv } from '../../../src/config/env';
import { PrismaService } from '../../../src/database/prisma.service';
import { AuthService } from '../../../src/auth/auth.service';
import { hashToken } from '../../../src/auth/token';

describe('bootstrap admin with several api processes starting at once', () => {
  const prisma = new PrismaService(loadEnv());
  // One client per "process": each has its own pool, as separate api processes would.
  const others = Array.from({ length: 5 }, () => new PrismaService(loadEnv()));

  afterAll(async () => {
    await Promise.all([prisma, ...others].map((p) => p.$disconnect()));
  });

  it('leaves exactly one admin and one token row, and no process fails', async () => {
    const token = `bootstrap-race-${Date.now()}-0123456789abcdef`;
    const results = await Promise.allSettled(others.map((p) => new AuthService(p).ensureBootstrapAdmin(token)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const admins = await prisma.user.findMany({ where: { email: 'admin@dockgrader.local' } });
    expect(admins).toHaveLength(1);
    expect(admins[0].role).toBe('admin');
    expect(await prisma.apiToken.count({ where: { tokenHash: hashToken(token) } })).toBe(1);
  });
});
