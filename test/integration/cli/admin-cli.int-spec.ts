import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadEnv } from '../../../src/config/env';
import { PrismaService } from '../../../src/database/prisma.service';
import { verifyPassword } from '../../../src/auth/password';

const root = resolve(__dirname, '../../..');

/** Runs `npm run admin -- …` as an operator does, on this run's database. */
function admin(args: string[], input?: string) {
  const run = spawnSync('npm', ['run', '--silent', 'admin', '--', ...args], {
    cwd: root,
    encoding: 'utf8',
    input,
    env: { ...process.env, PUBLIC_URL: 'https://cours.lycee.test' },
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm run admin (web accounts)', () => {
  const prisma = new PrismaService(loadEnv(process.env));
  const emails: string[] = [];
  const email = () => {
    const e = `cli-${randomBytes(4).toString('hex')}@lycee.test`;
    emails.push(e);
    return e;
  };
  afterAll(async () => {
    await prisma.user.deleteMany({ where: { email: { in: emails } } });
    await prisma.$disconnect();
  });

  it('invite prints a one-time link on PUBLIC_URL and creates the student', async () => {
    const who = email();
    const { code, stdout, stderr } = admin(['invite', '--email', who]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: expect.stringContaining(`invitation for ${who}`) });
    expect(stdout.trim()).toMatch(/^https:\/\/cours\.lycee\.test\/invitation\/[A-Za-z0-9_-]{43}$/);
    const user = await prisma.user.findUniqueOrThrow({ where: { email: who }, include: { invitations: true } });
    expect(user.role).toBe('student');
    expect(user.invitations).toHaveLength(1);
  });

  it('create-user --password-stdin sets an argon2id password read from standard input', async () => {
    const who = email();
    const { code } = admin(['create-user', '--email', who, '--password-stdin'], 'un-mot-de-passe-solide\n');
    expect(code).toBe(0);
    const user = await prisma.user.findUniqueOrThrow({ where: { email: who } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(user.passwordHash, 'un-mot-de-passe-solide')).toBe(true);
    expect(await verifyPassword(user.passwordHash, 'autre-chose-123')).toBe(false);
  });

  it('refuses a short password before creating anything', async () => {
    const who = email();
    const { code, stderr } = admin(['create-user', '--email', who, '--password-stdin'], 'court\n');
    expect(code).toBe(1);
    expect(stderr).toMatch(/password: .*au moins 10 caractères/);
    expect(await prisma.user.count({ where: { email: who } })).toBe(0);
  });
});
