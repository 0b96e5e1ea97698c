import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Role } from '../../src/generated/prisma/enums';
import { ApiHarness, startApi, suitePrefix, userWithToken } from '../support/api-app';

/**
 * The courses API over HTTP (no worker: submissions stay queued): who may see what, validation
 * naming each field with nothing half-written, and submissions to an assignment with their attempt
 * number, credit and practice reason.
 */
describe('courses API', () => {
  let api: ApiHarness;
  let prof: { id: string; token: string };
  let otherProf: { id: string; token: string };
  let admin: { id: string; token: string };
  let student: { id: string; token: string; email: string };
  let outsider: { id: string; token: string };
  const code = `DOCKER-${randomBytes(3).toString('hex')}`;
  const exercise = 'hello-world';

  beforeAll(async () => {
    api = await startApi({
      REDIS_PREFIX: suitePrefix('courses'),
      SUBMISSION_RATE_LIMIT: '1000',
      QUEUE_MAX_DEPTH: '1000',
    });
    prof = await userWithToken(api, Role.instructor);
    otherProf = await userWithToken(api, Role.instructor);
    admin = await userWithToken(api, Role.admin);
    const s = await userWithToken(api, Role.student);
    student = { ...s, email: (await api.prisma.user.findUniqueOrThrow({ where: { id: s.id } })).email };
    outsider = await userWithToken(api, Role.student);
  });
  afterAll(async () => {
    await api?.close();
  });

  const http = () => request(api.app.getHttpServer());
  const as = (who: { token: string }) => ({
    get: (path: string) => http().get(path).set('Authorization', `Bearer ${who.token}`),
    post: (path: string, body: object) => http().post(path).set('Authorization', `Bearer ${who.token}`).send(body),
    patch: (path: string, body: object) => http().patch(path).set('Authorization', `Bearer ${who.token}`).send(body),
    putCsv: (path: string, csv: string) =>
      http().put(path).set('Authorization', `Bearer ${who.token}`).set('Content-Type', 'text/csv').send(csv),
  });
  let assignmentId: string;

  it('lets an instructor create a course (201) and refuses a duplicated code naming the field', async () => {
    const res = await as(prof)
      .post('/api/courses', { code, title: 'Docker, premier semestre', term: '2026-S1' })
      .expect(201);
    expect(res.body).toMatchObject({ code, title: 'Docker, premier semestre', timeZone: 'Europe/Paris', students: 0 });
    const dup = await as(prof).post('/api/courses', { code, title: 'x' }).expect(400);
    expect(dup.body.fields).toEqual([{ field: 'code', message: 'ce code de cours existe déjà' }]);
    const bad = await as(prof).post('/api/courses', { code: 'a b', title: '', timeZone: 'Mars/Olympus' }).expect(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['code', 'timeZone', 'title']);
  });

  it('keeps students out (403) and another instructor away from the course (404); an admin sees it', async () => {
    await as(student).get('/api/courses').expect(403);
    await as(student).post('/api/courses', { code: 'X1', title: 'x' }).expect(403);
    await as(student).get(`/api/courses/${code}/gradebook`).expect(403);
    await as(student).putCsv(`/api/courses/${code}/roster`, 'email,name,group\n').expect(403);
    await as(otherProf).get(`/api/courses/${code}/gradebook`).expect(404);
    await as(otherProf).get(`/api/courses/${code}/gradebook.csv`).expect(404);
    await as(otherProf).putCsv(`/api/courses/${code}/roster`, `email,name,group\nx@test.local,X,\n`).expect(404);
    await as(otherProf)
      .post(`/api/courses/${code}/assignments`, { exercise, dueAt: new Date().toISOString() })
      .expect(404);
    expect(
      (await as(otherProf).get('/api/courses').expect(200)).body.map((c: { code: string }) => c.code),
    ).not.toContain(code);
    expect((await as(admin).get('/api/courses').expect(200)).body.map((c: { code: string }) => c.code)).toContain(code);
    await as(admin).get(`/api/courses/${code}/gradebook`).expect(200);
  });

  it('imports a roster: dry run first, then the good lines, each bad line reported in French', async () => {
    const csv = `email,name,group\n${student.email},Élève Un,TP1\nnew-${code.toLowerCase()}@test.local,Nouvelle Élève,TP2\nnew-${code.toLowerCase()}@test.local,Doublon,TP2\n`;
    const preview = await as(prof).putCsv(`/api/courses/${code}/roster?dryRun=true`, csv).expect(200);
    expect(preview.body).toMatchObject({ dryRun: true, created: 2, updated: 0, unchanged: 0 });
    expect(await api.prisma.enrolment.count({ where: { course: { code }, role: 'student' } })).toBe(0);
    const res = await as(prof).putCsv(`/api/courses/${code}/roster`, csv).expect(200);
    expect(res.body).toMatchObject({
      created: 2,
      errors: [{ line: 4, message: 'adresse e-mail en double (déjà à la ligne 3)' }],
    });
    // The new student has an invitation link; the existing one (with a token, no password) too.
    expect(res.body.invitations.map((i: { email: string }) => i.email).sort()).toEqual(
      [`new-${code.toLowerCase()}@test.local`, student.email].sort(),
    );
    const created = await api.prisma.user.findUniqueOrThrow({
      where: { email: `new-${code.toLowerCase()}@test.local` },
    });
    api.users.push(created.id);
    expect(created.role).toBe('student');
    const notCsv = await http()
      .put(`/api/courses/${code}/roster`)
      .set('Authorization', `Bearer ${prof.token}`)
      .send({ email: 'x' })
      .expect(400);
    expect(notCsv.body.fields[0].field).toBe('body');
  });

  it('validates assignments field by field and writes nothing on refusal', async () => {
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const path = `/api/courses/${code}/assignments`;
    const cases: [object, string][] = [
      [{ exercise: 'no-such-exercise', dueAt: iso(now) }, 'exercise'],
      [{ exercise, opensAt: iso(now), dueAt: iso(now - 60_000) }, 'dueAt'],
      [{ exercise, dueAt: iso(now), lateCredit: 1.5 }, 'lateCredit'],
      [{ exercise, dueAt: iso(now), lateUntil: iso(now - 1) }, 'lateUntil'],
      [{ exercise, dueAt: 'demain' }, 'dueAt'],
      [{ exercise, dueAt: iso(now), maxAttempts: 0 }, 'maxAttempts'],
    ];
    for (const [body, field] of cases) {
      const res = await as(prof).post(path, body).expect(400);
      expect(res.body.fields.map((f: { field: string }) => f.field)).toEqual([field]);
    }
    expect(await api.prisma.assignment.count({ where: { course: { code } } })).toBe(0);
    // Deadline passed an hour ago, late window open for a day at half credit, two attempts.
    const created = await as(prof)
      .post(path, {
        exercise,
        dueAt: iso(now - 3_600_000),
        lateUntil: iso(now + 86_400_000),
        lateCredit: 0.5,
        maxAttempts: 2,
      })
      .expect(201);
    assignmentId = created.body.id;
    expect(created.body).toMatchObject({ exercise, lateCredit: 0.5, maxAttempts: 2, counted: 'best' });
    const patch = await as(prof)
      .patch(`${path}/${assignmentId}`, { lateUntil: iso(now - 7_200_000) })
      .expect(400);
    expect(patch.body.fields[0].field).toBe('lateUntil');
    await as(otherProf).patch(`${path}/${assignmentId}`, { lateCredit: 1 }).expect(404);
  });

  it('takes submissions to the assignment from enrolled students only, late at half credit, then practice', async () => {
    const outsiderRes = await as(outsider)
      .post('/api/submissions', { assignment: assignmentId, source: 'docker ps' })
      .expect(403);
    expect(outsiderRes.body.message).toContain('pas inscrit');
    const mismatch = await as(student)
      .post('/api/submissions', { assignment: assignmentId, exercise: 'three-databases', source: 'docker ps' })
      .expect(400);
    expect(mismatch.body.fields[0].field).toBe('exercise');

    const preview = await as(student).get(`/api/assignments/${assignmentId}/next-attempt`).expect(200);
    expect(preview.body).toMatchObject({ number: 1, credit: 0.5, practiceReason: null, remaining: 1 });
    const first = await as(student)
      .post('/api/submissions', { assignment: assignmentId, source: 'docker ps # 1' })
      .expect(202);
    expect(first.body.assignment).toMatchObject({ number: 1, credit: 0.5, practiceReason: null });
    await as(student)
      .post('/api/submissions', { assignment: assignmentId, exercise, source: 'docker ps # 2' })
      .expect(202);
    expect((await as(student).get(`/api/assignments/${assignmentId}/next-attempt`).expect(200)).body).toMatchObject({
      number: 3,
      credit: 0,
      practiceReason: 'attempts',
    });
    const third = await as(student)
      .post('/api/submissions', { assignment: assignmentId, source: 'docker ps # 3' })
      .expect(202);
    expect(third.body.assignment).toMatchObject({ number: 3, practiceReason: 'attempts' });
    const row = await api.prisma.submission.findUniqueOrThrow({ where: { id: third.body.id } });
    expect(row).toMatchObject({ assignmentId, assignmentAttempt: 3, credit: 0, practiceReason: 'attempts' });

    const list = await as(student).get('/api/assignments').expect(200);
    expect(list.body).toEqual([expect.objectContaining({ id: assignmentId, attemptsUsed: 3, maxAttempts: 2 })]);
    await as(outsider).get(`/api/assignments/${assignmentId}/next-attempt`).expect(403);
  });

  it('grants an extension to an enrolled student only, and it turns their attempts back into counted ones', async () => {
    const path = `/api/courses/${code}/assignments/${assignmentId}/overrides`;
    const notEnrolled = await as(prof).post(path, { user: 'nobody@test.local', extraAttempts: 1 }).expect(400);
    expect(notEnrolled.body.fields).toEqual([{ field: 'user', message: "cet étudiant n'est pas inscrit au cours" }]);
    const earlier = await as(prof)
      .post(path, { user: student.email, dueAt: new Date(0).toISOString() })
      .expect(400);
    expect(earlier.body.fields[0].field).toBe('dueAt');
    const res = await as(prof)
      .post(path, { user: student.email, dueAt: new Date(Date.now() + 86_400_000).toISOString(), extraAttempts: 1 })
      .expect(201);
    expect(res.body).toMatchObject({ email: student.email, extraAttempts: 1, grantedBy: prof.id, recredited: 3 });
    const rows = await api.prisma.submission.findMany({
      where: { assignmentId, userId: student.id },
      orderBy: { assignmentAttempt: 'asc' },
    });
    expect(rows.map((r) => [r.credit, r.practiceReason])).toEqual([
      [1, null],
      [1, null],
      [1, null],
    ]);
    expect((await as(prof).get(path).expect(200)).body).toHaveLength(1);
  });

  it('shows a student the hidden checks of an assignment set to reveal them, once its deadline has passed', async () => {
    const path = `/api/courses/${code}/assignments`;
    const created = await as(prof)
      .post(path, {
        exercise: 'three-databases',
        dueAt: new Date(Date.now() - 60_000).toISOString(),
        revealHiddenAfterDue: true,
      })
      .expect(201);
    const sub = await as(student)
      .post('/api/submissions', { assignment: created.body.id, source: 'docker ps' })
      .expect(202);
    expect(sub.body.assignment).toMatchObject({ credit: 0, practiceReason: 'late' });
    // The result as the worker stores it (grading itself: courses-grading.e2e-spec.ts).
    await api.prisma.submission.update({ where: { id: sub.body.id }, data: { status: 'graded' } });
    await api.prisma.result.create({
      data: {
        submissionId: sub.body.id,
        exerciseVersion: 'v',
        score: 0,
        maxScore: 1,
        checks: [
          { id: 'secret', title: 'Le secret', passed: false, points: 0, maxPoints: 1, message: 'Indice', hidden: true },
        ],
        transcript: [],
        imageDigests: {},
      },
    });
    const shown = await as(student).get(`/api/submissions/${sub.body.id}`).expect(200);
    expect(shown.body.result.checks[0]).toMatchObject({ id: 'secret', title: 'Le secret' });
    await as(prof).patch(`${path}/${created.body.id}`, { revealHiddenAfterDue: false }).expect(200);
    const hidden = await as(student).get(`/api/submissions/${sub.body.id}`).expect(200);
    expect(hidden.body.result.checks[0]).toMatchObject({ id: 'hidden-1', hidden: true });
    expect(JSON.stringify(hidden.body)).not.toContain('Le secret');
    await api.prisma.submission.delete({ where: { id: sub.body.id } });
    await api.prisma.assignment.delete({ where: { id: created.body.id } });
  });

  it('serves the gradebook as JSON and as CSV (BOM, ; option) to the course instructor', async () => {
    const book = await as(prof).get(`/api/courses/${code}/gradebook`).expect(200);
    expect(book.body.rows).toHaveLength(2);
    const me = book.body.rows.find((r: { email: string }) => r.email === student.email);
    expect(me.cells[assignmentId]).toMatchObject({ attempts: 3, counted: null, pending: 3 });
    const csv = await as(prof)
      .get(`/api/courses/${code}/gradebook.csv?sep=;`)
      .buffer(true)
      .parse(textParser as never)
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(csv.headers['content-disposition']).toContain(`${code}-notes.csv`);
    expect(csv.body.startsWith(`\uFEFFemail;name;group;${exercise};total\r\n`)).toBe(true);
    await as(prof).get(`/api/courses/${code}/gradebook.csv?sep=tab`).expect(400);
    const checks = await as(prof).get(`/api/courses/${code}/assignments/${assignmentId}/checks.csv`).expect(200);
    expect(checks.headers['content-type']).toMatch(/^text\/csv/);
  });
});

function textParser(
  res: NodeJS.ReadableStream & { setEncoding(e: string): void },
  cb: (err: Error | null, body: string) => void,
) {
  let data = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (data += chunk));
  res.on('end', () => cb(null, data));
}
