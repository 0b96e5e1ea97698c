import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { type ApiHarness, startApi, userWithToken } from '../../support/api-app';
import { dropDatabase } from '../../support/database';
import { withDatabase } from '../../support/test-env';
import { ERASED_NAME } from '../../../src/data-care/user-data.service';
import { PrismaService } from '../../../src/database/prisma.service';
import { loadEnv } from '../../../src/config/env';

const root = resolve(__dirname, '../../..');

function npm(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync('npm', ['run', '--silent', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const DAY = 86_400_000;
const transcript = [{ command: 'docker run -d --name web nginx', exitCode: 0, output: 'abc123', durationMs: 300 }];

describe('data care: retention, RGPD export and erasure, backup and restore', () => {
  let api: ApiHarness;
  let admin: { id: string; token: string };
  let exerciseId: string;
  const slug = `data-care-${randomBytes(3).toString('hex')}`;

  /** A graded submission of `userId`, made `ageDays` days ago, with its transcript. */
  async function graded(userId: string, ageDays: number, score: number): Promise<string> {
    const createdAt = new Date(Date.now() - ageDays * DAY);
    const s = await api.prisma.submission.create({
      data: {
        userId,
        exerciseId,
        exerciseVersion: 'v1',
        source: 'docker run -d --name web nginx',
        files: [{ path: 'Dockerfile', content: 'FROM nginx' }],
        status: 'graded',
        createdAt,
        results: {
          create: {
            exerciseVersion: 'v1',
            score,
            maxScore: 10,
            checks: [{ id: 'web', passed: score > 0 }],
            transcript,
            imageDigests: {},
          },
        },
      },
    });
    return s.id;
  }

  beforeAll(async () => {
    api = await startApi();
    admin = await userWithToken(api, 'admin');
    exerciseId = (await api.prisma.exercise.create({ data: { slug, title: 'Données', version: 'v1', maxPoints: 10 } }))
      .id;
  });

  afterAll(async () => {
    await api.prisma.submission.deleteMany({ where: { exerciseId } });
    await api.close();
    await api.prisma.exercise.deleteMany({ where: { id: exerciseId } }).catch(() => undefined);
  });

  it('purges transcripts older than N days only, keeps scores and checks, and is idempotent', async () => {
    const student = await userWithToken(api, 'student');
    const old = await graded(student.id, 40, 7);
    const recent = await graded(student.id, 5, 9);

    const res = await request(api.app.getHttpServer())
      .post('/api/admin/retention/purge')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ olderThanDays: 30 });
    expect(res.status).toBe(200);
    expect(res.body.results).toBeGreaterThanOrEqual(1);

    const oldResult = await api.prisma.result.findFirstOrThrow({ where: { submissionId: old } });
    expect(oldResult).toMatchObject({ transcript: [], score: 7, checks: [{ id: 'web', passed: true }] });
    expect(oldResult.transcriptPurgedAt).toBeInstanceOf(Date);
    const recentResult = await api.prisma.result.findFirstOrThrow({ where: { submissionId: recent } });
    expect(recentResult).toMatchObject({ transcript, transcriptPurgedAt: null });

    // Again, through the command: nothing left to purge for this student.
    const cli = npm(['admin', '--', 'purge-transcripts', '--older-than-days', '30']);
    expect(cli.code).toBe(0);
    expect(cli.stderr).toMatch(/^0 transcripts emptied/);
    expect(npm(['admin', '--', 'purge-transcripts', '--older-than-days', 'zero']).code).toBe(2);
  });

  it('refuses bad input with the field named, and non-admins', async () => {
    const student = await userWithToken(api, 'student');
    const server = api.app.getHttpServer();
    const bad = await request(server)
      .post('/api/admin/retention/purge')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ olderThanDays: -3 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('olderThanDays');
    const notConfirmed = await request(server)
      .post(`/api/admin/users/${student.id}/erase`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({});
    expect(notConfirmed.status).toBe(400);
    expect(JSON.stringify(notConfirmed.body)).toContain('confirm');
    const forbidden = await request(server)
      .get(`/api/admin/users/${student.id}/export`)
      .set('Authorization', `Bearer ${student.token}`);
    expect(forbidden.status).toBe(403);
    const unknown = await request(server)
      .get('/api/admin/users/not-a-uuid/export')
      .set('Authorization', `Bearer ${admin.token}`);
    expect(unknown.status).toBe(404);
  });

  it('exports everything about one user without secrets, then erases them keeping the scores', async () => {
    const student = await userWithToken(api, 'student');
    const other = await userWithToken(api, 'student');
    const mine = await graded(student.id, 1, 6);
    const theirs = await graded(other.id, 1, 4);
    const { email } = await api.prisma.user.findUniqueOrThrow({ where: { id: student.id } });
    const server = api.app.getHttpServer();

    const exported = await request(server)
      .get(`/api/admin/users/${student.id}/export`)
      .set('Authorization', `Bearer ${admin.token}`);
    expect(exported.status).toBe(200);
    expect(exported.body.user).toMatchObject({ id: student.id, email, role: 'student' });
    expect(exported.body.user.tokens).toHaveLength(1);
    expect(exported.body.user.submissions).toEqual([
      expect.objectContaining({
        id: mine,
        source: 'docker run -d --name web nginx',
        exercise: { slug, title: 'Données' },
        results: [expect.objectContaining({ score: 6, transcript })],
      }),
    ]);
    const text = JSON.stringify(exported.body);
    expect(text).not.toMatch(/passwordHash|tokenHash|csrfToken/);

    // The command prints the same document.
    const cli = npm(['admin', '--', 'export-user', '--email', email]);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout).user.submissions[0].id).toBe(mine);

    const erased = await request(server)
      .post(`/api/admin/users/${student.id}/erase`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ confirm: true });
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({ userId: student.id, submissions: 1 });

    const user = await api.prisma.user.findUniqueOrThrow({ where: { id: student.id }, include: { tokens: true } });
    expect(user).toMatchObject({ displayName: ERASED_NAME, passwordHash: null, lmsUserId: null, tokens: [] });
    expect(user.email).not.toBe(email);
    const sub = await api.prisma.submission.findUniqueOrThrow({ where: { id: mine }, include: { results: true } });
    expect(sub).toMatchObject({ source: '', files: [], status: 'graded' });
    expect(sub.results[0]).toMatchObject({ score: 6, maxScore: 10, transcript: [] });
    // The erased user's token no longer opens anything; the other student is untouched.
    const denied = await request(server).get('/api/submissions').set('Authorization', `Bearer ${student.token}`);
    expect(denied.status).toBe(401);
    const untouched = await api.prisma.result.findFirstOrThrow({ where: { submissionId: theirs } });
    expect(untouched).toMatchObject({ score: 4, transcript });
    // Aggregates still count the erased student's score.
    const agg = await api.prisma.result.aggregate({ where: { submission: { exerciseId } }, _count: true });
    expect(agg._count).toBeGreaterThanOrEqual(2);

    expect(npm(['admin', '--', 'erase-user', '--email', 'personne@lycee.test']).code).toBe(2); // no --yes
    const unknown = npm(['admin', '--', 'erase-user', '--email', 'personne@lycee.test', '--yes']);
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('no user with email') });
  });

  it('backs up the database (custom format) and restores it into a scratch database, identical', async () => {
    const student = await userWithToken(api, 'student');
    const kept = await graded(student.id, 2, 8);
    const dir = mkdtempSync(join(tmpdir(), 'dockgrader-backup-'));
    const scratch = `dgtest_restore_${randomBytes(4).toString('hex')}`;
    const scratchUrl = withDatabase(api.env.DATABASE_URL, scratch);
    const restored = new PrismaService(loadEnv({ ...process.env, DATABASE_URL: scratchUrl }));
    try {
      const file = join(dir, 'nightly.dump');
      const backup = npm(['db:backup', '--', file]);
      expect(backup).toMatchObject({ code: 0, stdout: `${file}\n` });

      expect(npm(['db:restore', '--', join(dir, 'missing.dump')]).code).toBe(2);
      const restore = npm(['db:restore', '--', file], { DATABASE_URL: scratchUrl });
      expect(restore.stderr).toContain('restored');
      expect(restore.code).toBe(0);

      const counts = async (p: PrismaService) => ({
        users: await p.user.count(),
        submissions: await p.submission.count(),
        results: await p.result.count(),
        migrations: Number(
          ((await p.$queryRawUnsafe('SELECT count(*)::int AS n FROM _prisma_migrations')) as [{ n: number }])[0].n,
        ),
      });
      expect(await counts(restored)).toEqual(await counts(api.prisma));
      const row = await restored.submission.findUniqueOrThrow({ where: { id: kept }, include: { results: true } });
      expect(row.results[0]).toMatchObject({ score: 8, transcript });

      // A database that holds tables is not overwritten without --force.
      const again = npm(['db:restore', '--', file], { DATABASE_URL: scratchUrl });
      expect(again).toMatchObject({ code: 1, stderr: expect.stringContaining('--force') });
      expect(npm(['db:restore', '--', file, '--force'], { DATABASE_URL: scratchUrl }).code).toBe(0);
    } finally {
      await restored.$disconnect();
      await dropDatabase(api.env.DATABASE_URL, scratch);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
