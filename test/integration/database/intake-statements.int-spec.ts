import { randomUUID } from 'node:crypto';
import { Client, DatabaseError } from 'pg';
import { loadEnv } from '../../../src/config/env';
import { INTAKE_SQL } from '../../../src/database/intake.statements';
import { PrismaService } from '../../../src/database/prisma.service';

/**
 * Every raw statement of the intake, run against the schema the committed migrations build: a
 * renamed column or a dropped constraint fails here, not in a student's request. The last test
 * fails when a statement is added to INTAKE_SQL without a run here.
 */
describe('intake SQL on the migrated schema', () => {
  const env = loadEnv();
  const prisma = new PrismaService(env);
  const db = new Client({ connectionString: env.DATABASE_URL });
  const other = new Client({ connectionString: env.DATABASE_URL });
  const tag = randomUUID().slice(0, 8);
  const exercised = new Set<keyof typeof INTAKE_SQL>();
  let user: { id: string; email: string };
  let exercise: { id: string; version: string };
  let course: { id: string };
  let enrolment: { id: string };

  const run = async <R extends object>(name: keyof typeof INTAKE_SQL, params: unknown[], client = db): Promise<R[]> => {
    exercised.add(name);
    return (await client.query<R>(INTAKE_SQL[name], params)).rows;
  };

  beforeAll(async () => {
    await Promise.all([db.connect(), other.connect()]);
    user = await prisma.user.create({ data: { email: `intake-sql-${tag}@test.local`, displayName: 'Intake SQL' } });
    exercise = await prisma.exercise.create({
      data: { slug: `intake-sql-${tag}`, title: 'Intake SQL', version: 'v1', maxPoints: 1 },
    });
    course = await prisma.course.create({ data: { code: `SQL-${tag}`, title: 'Intake SQL' } });
    enrolment = await prisma.enrolment.create({ data: { courseId: course.id, userId: user.id } });
  });

  afterAll(async () => {
    await prisma.submission.deleteMany({ where: { userId: user.id } });
    await prisma.course.delete({ where: { id: course.id } });
    await prisma.exercise.delete({ where: { id: exercise.id } });
    await prisma.user.delete({ where: { id: user.id } });
    await Promise.all([db.end(), other.end(), prisma.$disconnect()]);
  });

  const row = (key: string | null) => [randomUUID(), user.id, exercise.id, exercise.version, 'docker ps', '[]', key];

  it('insertSubmission stores a queued row with the defaults, and a key replay violates the idempotency constraint', async () => {
    const [id, ...rest] = row(`k1-${tag}`);
    const [inserted] = await run<{ attempt: number }>('insertSubmission', [id, ...rest]);
    expect(inserted.attempt).toBe(1);
    const stored = await prisma.submission.findUniqueOrThrow({ where: { id: id as string } });
    expect(stored).toMatchObject({
      status: 'queued',
      runs: 0,
      source: 'docker ps',
      files: [],
      idempotencyKey: `k1-${tag}`,
    });
    // The store tells a replay from other failures by this code and constraint name.
    const replay = await run('insertSubmission', row(`k1-${tag}`)).catch((e: unknown) => e);
    expect(replay).toBeInstanceOf(DatabaseError);
    expect((replay as DatabaseError).code).toBe('23505');
    expect((replay as DatabaseError).constraint).toContain('idempotency');
  });

  it('insertSubmissions writes many rows in one statement and skips the one whose key exists', async () => {
    const rows = [row(`k2-${tag}`), row(null), row(`k1-${tag}`)];
    const columns = rows[0].map((_, c) => rows.map((r) => r[c]));
    const inserted = await run<{ id: string; attempt: number }>('insertSubmissions', columns);
    expect(inserted.map((r) => r.id).sort()).toEqual([rows[0][0], rows[1][0]].sort());
    expect(inserted.every((r) => r.attempt === 1)).toBe(true);
    expect(await prisma.submission.count({ where: { userId: user.id } })).toBe(3);
  });

  it('tokensByHash returns what the auth guard reads, for known hashes only', async () => {
    const hash = `intake-sql-hash-${tag}`;
    await prisma.apiToken.create({ data: { userId: user.id, name: 'sql', tokenHash: hash } });
    const found = await run<{
      hash: string;
      revokedAt: Date | null;
      lastUsedAt: Date | null;
      id: string;
      role: string;
      email: string;
    }>('tokensByHash', [[hash, `unknown-${tag}`]]);
    expect(found).toEqual([
      { hash, revokedAt: null, lastUsedAt: null, id: user.id, role: 'student', email: user.email },
    ]);
  });

  it('lockEnrolment returns the enrolment and holds it: a second transaction waits for the first', async () => {
    await db.query('BEGIN');
    try {
      expect(await run<{ id: string }>('lockEnrolment', [course.id, user.id])).toEqual([{ id: enrolment.id }]);
      await other.query('BEGIN');
      await other.query("SET LOCAL lock_timeout = '200ms'");
      const blocked = await run('lockEnrolment', [course.id, user.id], other).catch((e: unknown) => e);
      expect((blocked as DatabaseError).code).toBe('55P03'); // lock_not_available
      await other.query('ROLLBACK');
    } finally {
      await db.query('ROLLBACK');
    }
    expect(await run('lockEnrolment', [course.id, randomUUID()])).toEqual([]);
  });

  it("receivedAt is the transaction's clock: the same value for every statement of one transaction", async () => {
    await db.query('BEGIN');
    try {
      const [a] = await run<{ now: Date }>('receivedAt', []);
      await db.query('SELECT pg_sleep(0.02)');
      const [b] = await run<{ now: Date }>('receivedAt', []);
      expect(a.now).toBeInstanceOf(Date);
      expect(b.now.getTime()).toBe(a.now.getTime());
    } finally {
      await db.query('ROLLBACK');
    }
  });

  it('ran every statement of INTAKE_SQL', () => {
    expect([...exercised].sort()).toEqual(Object.keys(INTAKE_SQL).sort());
  });
});
