import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { AdminBootstrapService } from '../../src/auth/admin-bootstrap.service';
import { Role } from '../../src/generated/prisma/enums';
import { GradingProducer } from '../../src/queue/grading.producer';
import { ApiHarness, startApi, suitePrefix, userWithToken } from '../support/api-app';
import { root } from '../support/processes';
import { readEvents } from '../support/pipeline';
import { INFRASTRUCTURE_ERROR_MESSAGE, INTERNAL_ERROR_MESSAGE } from '../../src/submissions/submission-events';

/**
 * The submissions API over HTTP without a worker: authentication, authorization, validation,
 * idempotency, rate limiting and back-pressure. Jobs stay queued (no worker consumes this prefix).
 */
describe('submissions API', () => {
  let api: ApiHarness;
  let student: { id: string; token: string };
  let other: { id: string; token: string };
  let instructor: { id: string; token: string };
  const exercise = 'hello-world';

  beforeAll(async () => {
    api = await startApi({
      REDIS_PREFIX: suitePrefix('api'),
      SUBMISSION_RATE_LIMIT: '1000',
      QUEUE_MAX_DEPTH: '1000',
      API_BODY_LIMIT_BYTES: '65536',
    });
    student = await userWithToken(api, Role.student);
    other = await userWithToken(api, Role.student);
    instructor = await userWithToken(api, Role.instructor);
  });
  afterAll(async () => {
    await api?.close();
  });

  const http = () => request(api.app.getHttpServer());
  const submit = (token: string, body: unknown, headers: Record<string, string> = {}) =>
    http()
      .post('/api/submissions')
      .set('Authorization', `Bearer ${token}`)
      .set(headers)
      .send(body as object);

  describe('authentication', () => {
    it('answers 401 without a token, with a malformed header and with an unknown token', async () => {
      await http().get('/api/exercises').expect(401);
      await http().get('/api/exercises').set('Authorization', 'Basic abc').expect(401);
      const res = await http().get('/api/submissions').set('Authorization', 'Bearer dg_not-a-real-token').expect(401);
      expect(res.body.error).toBe('unauthenticated');
    });

    it('authenticates a burst of first requests, looked up together, each as its own student', async () => {
      const students = await Promise.all(Array.from({ length: 24 }, () => userWithToken(api, Role.student)));
      const revoked = await userWithToken(api, Role.student);
      await api.prisma.apiToken.updateMany({ where: { userId: revoked.id }, data: { revokedAt: new Date() } });
      // Fresh tokens: none is cached, so these lookups arrive together and share statements.
      const [accepted, refused] = await Promise.all([
        Promise.all(students.map((s, i) => submit(s.token, { exercise, source: `docker ps # burst ${i}` }))),
        Promise.all([revoked.token, 'dg_unknown-token'].map((t) => submit(t, { exercise, source: 'docker ps' }))),
      ]);
      expect(accepted.map((r) => r.status)).toEqual(students.map(() => 202));
      expect(refused.map((r) => [r.status, r.body.error])).toEqual([
        [401, 'unauthenticated'],
        [401, 'unauthenticated'],
      ]);
      const rows = await api.prisma.submission.findMany({
        where: { id: { in: accepted.map((r) => r.body.id as string) } },
        select: { userId: true, source: true },
      });
      // Each submission belongs to the student whose token sent it.
      expect(new Map(rows.map((r) => [r.source, r.userId]))).toEqual(
        new Map(students.map((s, i) => [`docker ps # burst ${i}`, s.id])),
      );
    });

    it('keeps /health public', async () => {
      await http()
        .get('/health')
        .expect((r) => expect([200, 503]).toContain(r.status));
    });

    it('forbids students from admin routes', async () => {
      await http()
        .post('/api/admin/users')
        .set('Authorization', `Bearer ${student.token}`)
        .send({ email: 'x@y.z' })
        .expect(403);
    });
  });

  describe('exercises', () => {
    it('lists the catalogue and shows one exercise with instructions and max points', async () => {
      const list = await http().get('/api/exercises').set('Authorization', `Bearer ${student.token}`).expect(200);
      expect(list.body.map((e: { slug: string }) => e.slug)).toContain(exercise);
      const one = await http()
        .get(`/api/exercises/${exercise}`)
        .set('Authorization', `Bearer ${student.token}`)
        .expect(200);
      expect(one.body).toMatchObject({
        slug: exercise,
        maxPoints: expect.any(Number),
        instructions: expect.any(String),
      });
      expect(one.body.instructions.length).toBeGreaterThan(0);
    });

    it('answers 404 for an unknown exercise, a NUL or a non-slug in the path', async () => {
      for (const slug of ['no-such-thing', '%00', 'a%00b', 'Bad%20Slug']) {
        await http().get(`/api/exercises/${slug}`).set('Authorization', `Bearer ${student.token}`).expect(404);
        await http()
          .post(`/api/exercises/${slug}/regrade`)
          .set('Authorization', `Bearer ${instructor.token}`)
          .expect(404);
      }
      await http().get('/api/submissions?exercise=%00').set('Authorization', `Bearer ${student.token}`).expect(400);
    });
  });

  describe('intake', () => {
    it('accepts a submission with 202, its id and queue position, stored as queued', async () => {
      const res = await submit(student.token, { exercise, source: 'docker run hello-world' }).expect(202);
      expect(res.body).toMatchObject({
        id: expect.any(String),
        status: 'queued',
        attempt: 1,
        position: expect.any(Number),
      });
      const row = await api.prisma.submission.findUniqueOrThrow({ where: { id: res.body.id } });
      expect(row).toMatchObject({ status: 'queued', userId: student.id, source: 'docker run hello-world' });
    });

    it.each([
      [{ source: 'docker ps' }, 'exercise'],
      [{ exercise, source: '' }, 'source'],
      [{ exercise, source: 42 }, 'source'],
      [{ exercise: 'Bad Slug!', source: 'x' }, 'exercise'],
      [{ exercise, source: 'x', files: [{ path: '../etc/passwd', content: 'x' }] }, 'files.0.path'],
      [{ exercise, source: 'x', files: [{ path: '/abs', content: 'x' }] }, 'files.0.path'],
      [{ exercise, source: 'x', extra: true }, 'extra'],
      // PostgreSQL refuses NUL in text: refused at the edge, never a 500.
      [{ exercise, source: 'docker ps\u0000' }, 'source'],
      [{ exercise, source: 'x', files: [{ path: 'Dockerfile', content: 'FROM alpine\u0000' }] }, 'files.0.content'],
    ])('answers 400 naming the field for %j', async (body, field) => {
      const res = await submit(student.token, body).expect(400);
      expect(res.body.error).toBe('validation_failed');
      expect(res.body.fields.map((f: { field: string }) => f.field)).toContain(field);
      expect(res.body.message).toContain(field);
    });

    it('answers 400 for malformed JSON and for a non-object body', async () => {
      const bad = await http()
        .post('/api/submissions')
        .set('Authorization', `Bearer ${student.token}`)
        .set('Content-Type', 'application/json')
        .send('{"exercise": "hello-world", "source": ')
        .expect(400);
      expect(bad.body.error).toBe('malformed_body');
      await submit(student.token, [1, 2, 3]).expect(400);
    });

    it('answers 413 for a body over the limit', async () => {
      const res = await submit(student.token, { exercise, source: 'x'.repeat(70_000) }).expect(413);
      expect(res.body.error).toBe('payload_too_large');
    });

    it('answers 404 for an unknown exercise', async () => {
      const res = await submit(student.token, { exercise: 'no-such-exercise', source: 'docker ps' }).expect(404);
      expect(res.body.error).toBe('not_found');
    });

    it('answers 400 for a bad Idempotency-Key header', async () => {
      const res = await submit(
        student.token,
        { exercise, source: 'docker ps' },
        { 'Idempotency-Key': 'has spaces' },
      ).expect(400);
      expect(res.body.fields[0].field).toBe('header.Idempotency-Key');
    });

    it('replays an Idempotency-Key: same submission, 200, no second job', async () => {
      const key = `key-${Date.now()}`;
      const body = { exercise, source: 'docker run -d --name web nginx' };
      const first = await submit(student.token, body, { 'Idempotency-Key': key }).expect(202);
      const again = await submit(student.token, body, { 'Idempotency-Key': key }).expect(200);
      expect(again.body.id).toBe(first.body.id);
      expect(await api.prisma.submission.count({ where: { userId: student.id, idempotencyKey: key } })).toBe(1);
      // The same key from another student is another submission.
      const theirs = await submit(other.token, body, { 'Idempotency-Key': key }).expect(202);
      expect(theirs.body.id).not.toBe(first.body.id);
      // Reusing a key for a different payload is a conflict, not a silent replay.
      await submit(student.token, { exercise, source: 'docker ps' }, { 'Idempotency-Key': key }).expect(409);
    });

    it('concurrent requests with one Idempotency-Key create one submission', async () => {
      const key = `race-${Date.now()}`;
      const body = { exercise, source: 'docker images' };
      const replies = await Promise.all(
        Array.from({ length: 8 }, () => submit(student.token, body, { 'Idempotency-Key': key })),
      );
      const ids = new Set(replies.map((r) => r.body.id));
      expect(replies.every((r) => r.status === 200 || r.status === 202)).toBe(true);
      expect(ids.size).toBe(1);
    });
  });

  describe('intake under a burst', () => {
    it('writes a burst in grouped inserts: each submission its own row and job, key replays resolved', async () => {
      const key = `burst-${Date.now()}`;
      const replies = await Promise.all([
        ...Array.from({ length: 30 }, (_, i) =>
          submit(i % 2 ? student.token : other.token, { exercise, source: `docker run --name b${i} hello-world` }),
        ),
        // Two requests with one key inside the same burst: one submission, answered to both.
        ...Array.from({ length: 2 }, () =>
          submit(student.token, { exercise, source: 'docker ps' }, { 'Idempotency-Key': key }),
        ),
      ]);
      expect(replies.map((r) => r.status).sort()).toEqual([...Array(31).fill(202), 200].sort());
      const ids = replies.map((r) => r.body.id as string);
      expect(new Set(ids).size).toBe(31);
      const rows = await api.prisma.submission.findMany({ where: { id: { in: ids } }, select: { source: true } });
      expect(rows).toHaveLength(31);
      // The jobs leave after the answers, in bulk: every one of them arrives.
      const producer = api.app.get(GradingProducer);
      const waiting = async () =>
        (await Promise.all([...new Set(ids)].map((id) => producer.state(id, 1)))).filter((s) => s === 'waiting').length;
      for (let i = 0; i < 50 && (await waiting()) < 31; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await waiting()).toBe(31);
    });
  });

  describe('reading', () => {
    it('lets a student read their own submission; another student gets the 404 of an unknown id', async () => {
      const mine = await submit(student.token, { exercise, source: 'docker ps -a' }).expect(202);
      const res = await http()
        .get(`/api/submissions/${mine.body.id}`)
        .set('Authorization', `Bearer ${student.token}`)
        .expect(200);
      expect(res.body).toMatchObject({ id: mine.body.id, status: 'queued', exercise, result: null });
      expect(res.body.history).toBeUndefined();
      await http().get(`/api/submissions/${mine.body.id}`).set('Authorization', `Bearer ${other.token}`).expect(404);
      await http()
        .get(`/api/submissions/${mine.body.id}/events`)
        .set('Authorization', `Bearer ${other.token}`)
        .expect(404);
      const staff = await http()
        .get(`/api/submissions/${mine.body.id}`)
        .set('Authorization', `Bearer ${instructor.token}`)
        .expect(200);
      expect(staff.body.history).toEqual([]);
    });

    it('says a failed grading in French, in the API as in the event stream; the stored cause to staff only', async () => {
      const ex = await api.prisma.exercise.findUniqueOrThrow({ where: { slug: exercise } });
      const failed = (status: 'error' | 'internal_error', errorMessage: string) =>
        api.prisma.submission.create({
          data: {
            userId: student.id,
            exerciseId: ex.id,
            exerciseVersion: ex.version,
            source: 'docker ps',
            status,
            errorMessage,
            finishedAt: new Date(),
          },
        });
      const infraCause = 'failed after 3 attempts: the sandbox stopped during the replay (destroyed)';
      const bugCause = "internal error: TypeError: Cannot read properties of undefined (reading 'x')\n    at evaluate";
      const infra = await failed('error', infraCause);
      const bug = await failed('internal_error', bugCause);
      const read = (id: string, token: string) =>
        http().get(`/api/submissions/${id}`).set('Authorization', `Bearer ${token}`).expect(200);

      for (const [row, message, cause] of [
        [infra, INFRASTRUCTURE_ERROR_MESSAGE, infraCause],
        [bug, INTERNAL_ERROR_MESSAGE, bugCause],
      ] as const) {
        const mine = await read(row.id, student.token);
        expect(message).toMatch(/votre travail n'est pas en cause/);
        expect(mine.body.errorMessage).toBe(message);
        expect(mine.body).not.toHaveProperty('errorCause');
        expect(JSON.stringify(mine.body)).not.toMatch(/sandbox stopped|TypeError|attempts/);
        // The live stream of a finished submission says the same words.
        const events = await readEvents(`${api.url}/api/submissions/${row.id}/events`, student.token, 10_000);
        expect(events).toEqual([{ type: 'error', data: expect.objectContaining({ message }) }]);
        const staff = await read(row.id, instructor.token);
        expect(staff.body).toMatchObject({ errorMessage: message, errorCause: cause });
      }
      const listed = await http()
        .get('/api/submissions')
        .query({ status: 'error' })
        .set('Authorization', `Bearer ${student.token}`)
        .expect(200);
      expect(listed.body.items.find((i: { id: string }) => i.id === infra.id)).toMatchObject({
        errorMessage: INFRASTRUCTURE_ERROR_MESSAGE,
      });
      expect(JSON.stringify(listed.body)).not.toContain('sandbox stopped');
      const queued = await submit(student.token, { exercise, source: 'docker ps # pas encore noté' }).expect(202);
      expect((await read(queued.body.id, student.token)).body.errorMessage).toBeNull();
    });

    it('answers 404 for unknown and non-uuid ids', async () => {
      await http()
        .get('/api/submissions/00000000-0000-4000-8000-000000000000')
        .set('Authorization', `Bearer ${student.token}`)
        .expect(404);
      await http().get('/api/submissions/not-a-uuid').set('Authorization', `Bearer ${student.token}`).expect(404);
    });

    it('paginates lists with a cursor; students only see theirs', async () => {
      const mine = await api.prisma.submission.count({ where: { userId: other.id } });
      for (let i = 0; i < 3; i++) await submit(other.token, { exercise, source: `docker ps # ${i}` }).expect(202);
      const total = mine + 3;
      // Two per page: the last page is the one whose cursor is null. Bounded, so a cursor that
      // never ends (or loops) fails the test instead of hanging it.
      const expectedPages = Math.ceil(total / 2);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        if (pages === expectedPages)
          throw new Error(`still a next cursor after ${pages} pages of ${total} submissions`);
        const res: request.Response = await http()
          .get('/api/submissions')
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set('Authorization', `Bearer ${other.token}`)
          .expect(200);
        pages++;
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        for (const item of res.body.items) expect(item.userId).toBe(other.id);
        seen.push(...res.body.items.map((i: { id: string }) => i.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(pages).toBe(expectedPages);
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(seen.length);
      await http()
        .get('/api/submissions')
        .query({ user: student.id })
        .set('Authorization', `Bearer ${other.token}`)
        .expect(403);
      const staff = await http()
        .get('/api/submissions')
        .query({ user: other.id, exercise })
        .set('Authorization', `Bearer ${instructor.token}`)
        .expect(200);
      expect(staff.body.items.every((i: { userId: string }) => i.userId === other.id)).toBe(true);
      await http()
        .get('/api/submissions')
        .query({ limit: 0 })
        .set('Authorization', `Bearer ${other.token}`)
        .expect(400);
    });

    it('refuses to regrade a submission that is not finished (409) and lets only instructors try', async () => {
      const s = await submit(student.token, { exercise, source: 'docker version' }).expect(202);
      await http()
        .post(`/api/submissions/${s.body.id}/regrade`)
        .set('Authorization', `Bearer ${student.token}`)
        .expect(403);
      await http()
        .post(`/api/submissions/${s.body.id}/regrade`)
        .set('Authorization', `Bearer ${instructor.token}`)
        .expect(409);
    });
  });
});

describe('intake limits', () => {
  it('rate-limits one student (429 with Retry-After) without affecting another', async () => {
    const api = await startApi({
      REDIS_PREFIX: suitePrefix('rate'),
      SUBMISSION_RATE_LIMIT: '3',
      SUBMISSION_RATE_WINDOW_SECONDS: '600',
    });
    try {
      const a = await userWithToken(api, Role.student);
      const b = await userWithToken(api, Role.student);
      const post = (token: string) =>
        request(api.app.getHttpServer())
          .post('/api/submissions')
          .set('Authorization', `Bearer ${token}`)
          .send({ exercise: 'hello-world', source: 'docker ps' });
      for (let i = 0; i < 3; i++) await post(a.token).expect(202);
      const limited = await post(a.token).expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      await post(b.token).expect(202);
    } finally {
      await api.close();
    }
  });

  it('answers 503 with Retry-After once the queue is deeper than QUEUE_MAX_DEPTH', async () => {
    const api = await startApi({ REDIS_PREFIX: suitePrefix('depth'), QUEUE_MAX_DEPTH: '2' });
    try {
      const s = await userWithToken(api, Role.student);
      const post = () =>
        request(api.app.getHttpServer())
          .post('/api/submissions')
          .set('Authorization', `Bearer ${s.token}`)
          .send({ exercise: 'hello-world', source: 'docker ps' });
      await post().expect(202);
      await post().expect(202);
      // The depth is cached for a fraction of a second: poll until the refusal shows, for at most 5 s.
      let res = await post();
      const deadline = Date.now() + 5000;
      while (res.status === 202 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        res = await post();
      }
      expect(res.status).toBe(503);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await api.close();
    }
  });
});

describe('admin', () => {
  it('creates users and tokens; the bootstrap admin token works and is stored hashed', async () => {
    const adminToken = `bootstrap-admin-token-${Date.now()}-abcdef`;
    const api = await startApi({ REDIS_PREFIX: suitePrefix('admin'), DOCKGRADER_ADMIN_TOKEN: adminToken });
    try {
      const http = () => request(api.app.getHttpServer());
      const email = `teacher-${Date.now()}@test.local`;
      const created = await http()
        .post('/api/admin/users')
        .set('Authorization', `Bearer ${adminToken}`)
        .send({ email, role: 'instructor' })
        .expect(201);
      expect(created.body).toMatchObject({ email, role: 'instructor' });
      await http()
        .post('/api/admin/users')
        .set('Authorization', `Bearer ${adminToken}`)
        .send({ email, role: 'instructor' })
        .expect(409);
      await http()
        .post('/api/admin/users')
        .set('Authorization', `Bearer ${adminToken}`)
        .send({ email: 'not-an-email' })
        .expect(400);
      const token = await http()
        .post(`/api/admin/users/${created.body.id}/tokens`)
        .set('Authorization', `Bearer ${adminToken}`)
        .send({})
        .expect(201);
      await http().get('/api/submissions').set('Authorization', `Bearer ${token.body.token}`).expect(200);
      await http()
        .post('/api/admin/users/00000000-0000-4000-8000-000000000000/tokens')
        .set('Authorization', `Bearer ${adminToken}`)
        .send({})
        .expect(404);
      const rows = await api.prisma.apiToken.findMany({ where: { user: { email: 'admin@dockgrader.local' } } });
      expect(rows.some((r) => r.tokenHash.includes(adminToken))).toBe(false);
      // A second start with the same token is idempotent.
      await api.app.get(AdminBootstrapService).onApplicationBootstrap();
      expect(await api.prisma.user.count({ where: { email: 'admin@dockgrader.local' } })).toBe(1);
    } finally {
      await api.close();
    }
  });

  it('the admin CLI creates a user and prints a working token', async () => {
    const api = await startApi({ REDIS_PREFIX: suitePrefix('cli') });
    try {
      const email = `cli-${Date.now()}@test.local`;
      const out = execFileSync(
        process.execPath,
        ['cli/run.cjs', 'admin', 'create-user', '--email', email, '--role', 'instructor'],
        {
          cwd: root,
          env: process.env,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const token = out.trim();
      expect(token).toMatch(/^dg_/);
      const res = await request(api.app.getHttpServer())
        .get('/api/submissions')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(res.body.items).toEqual(expect.any(Array));
      const user = await api.prisma.user.findUniqueOrThrow({ where: { email } });
      expect(user.role).toBe('instructor');
    } finally {
      await api.close();
    }
  });

  it('serves the OpenAPI document at /docs with security headers', async () => {
    const api = await startApi({ REDIS_PREFIX: suitePrefix('docs') });
    try {
      const res = await request(api.app.getHttpServer()).get('/docs-json').expect(200);
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining(['/api/submissions', '/api/submissions/{id}/events', '/api/exercises/{slug}']),
      );
      const page = await request(api.app.getHttpServer()).get('/docs').expect(200);
      expect(page.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      await api.close();
    }
  });
});
