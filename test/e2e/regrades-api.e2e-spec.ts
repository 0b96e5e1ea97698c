import { join } from 'node:path';
import request from 'supertest';
import { SessionService, SESSION_COOKIE } from '../../src/auth/session.service';
import { loadExercise, type LoadedExercise } from '../../src/exercises/exercise.loader';
import { Role } from '../../src/generated/prisma/enums';
import { ApiHarness, startApi, suitePrefix, userWithToken } from '../support/api-app';
import { readEvents, startWorker, stopProcess, waitForStatus } from '../support/pipeline';
import { eventually, root } from '../support/processes';

/**
 * Regrades over HTTP with a worker process: a background run whose progress streams over SSE up
 * to done = total, the same run when asked twice, every earlier result kept with the before →
 * after list; instructors only (API and page).
 */
describe('regrade runs', () => {
  let api: ApiHarness;
  let student: { id: string; token: string };
  let instructor: { id: string; token: string };
  let hello: LoadedExercise;
  const prefix = suitePrefix('regrades');
  let w: ReturnType<typeof startWorker>;
  const ids: string[] = [];
  let runId = '';

  const http = () => request(api.app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    hello = await loadExercise(join(root, 'exercises', 'hello-world'));
    api = await startApi({ REDIS_PREFIX: prefix });
    student = await userWithToken(api, Role.student);
    instructor = await userWithToken(api, Role.instructor);
    w = startWorker({ REDIS_PREFIX: prefix, WORKER_CONCURRENCY: '2', SANDBOX_POOL_SIZE: '0' });
    const wrong = hello.wrong.find((x) => x.expectedScore > 0)!;
    for (const source of [hello.reference.source, wrong.source]) {
      const res = await http()
        .post('/api/submissions')
        .set(as(student.token))
        .send({ exercise: 'hello-world', source });
      expect(res.status).toBe(202);
      ids.push(res.body.id as string);
    }
    for (const id of ids) await waitForStatus(api.prisma, id, ['graded']);
  });
  afterAll(async () => {
    if (w) await stopProcess(w);
    await api?.close();
  });

  it('runs in the background, streams done/total to the end, and answers twice with the same run', async () => {
    const start = await http().post('/api/regrades').set(as(instructor.token)).send({ submissions: ids }).expect(202);
    runId = start.body.id as string;
    expect(start.body).toMatchObject({ total: 2, version: 'current', selector: { kind: 'submissions' } });
    // The same ids in another order, one repeated: the same selector, the same run.
    const again = await http()
      .post('/api/regrades')
      .set(as(instructor.token))
      .send({ submissions: [ids[1], ids[0], ids[1]] })
      .expect(202);
    expect(again.body.id).toBe(runId);

    const events = await readEvents(`${api.url}/api/regrades/${runId}/events`, instructor.token);
    const last = events[events.length - 1];
    expect(last).toMatchObject({ type: 'finished', data: { done: 2, total: 2, status: 'finished' } });
    const dones = events.map((e) => Number(e.data.done));
    expect(dones).toEqual([...dones].sort((a, b) => a - b));

    const view = await http().get(`/api/regrades/${runId}`).set(as(instructor.token)).expect(200);
    expect(view.body).toMatchObject({ status: 'finished', total: 2, done: 2, changed: 0 });
    expect(view.body.items).toHaveLength(2);
    for (const item of view.body.items as Array<Record<string, { score: number } | string>>) {
      expect(item.outcome).toBe('graded');
      expect((item.before as { score: number }).score).toBe((item.after as { score: number }).score);
    }
    // The earlier result stays as history.
    const sub = await http().get(`/api/submissions/${ids[0]}`).set(as(instructor.token)).expect(200);
    expect(sub.body.history.map((r: { attempt: number }) => r.attempt)).toEqual([2, 1]);
    // Finished, the same request starts a new run.
    const later = await http().post('/api/regrades').set(as(instructor.token)).send({ submissions: ids }).expect(202);
    expect(later.body.id).not.toBe(runId);
    await eventually(async () => {
      const r = await http().get(`/api/regrades/${later.body.id}`).set(as(instructor.token)).expect(200);
      if (r.body.status !== 'finished') throw new Error('still running');
    }, 170_000);
  });

  it('regrades one submission with the version asked for, the same run while it runs', async () => {
    const first = await http()
      .post(`/api/submissions/${ids[1]}/regrade`)
      .set(as(instructor.token))
      .send({ version: 'original' })
      .expect(202);
    expect(first.body).toMatchObject({ id: ids[1], status: 'queued', regrade: { version: 'original', total: 1 } });
    const second = await http()
      .post(`/api/submissions/${ids[1]}/regrade`)
      .set(as(instructor.token))
      .send({ version: 'original' })
      .expect(202);
    expect(second.body.regrade.id).toBe(first.body.regrade.id);
    const bad = await http()
      .post(`/api/submissions/${ids[1]}/regrade`)
      .set(as(instructor.token))
      .send({ version: 'latest' })
      .expect(400);
    expect(JSON.stringify(bad.body)).toContain('version');
    const events = await readEvents(`${api.url}/api/regrades/${first.body.regrade.id}/events`, instructor.token);
    expect(events[events.length - 1].data).toMatchObject({ done: 1, total: 1 });
    const s = await waitForStatus(api.prisma, ids[1], ['graded']);
    const newest = s.results.sort((a, b) => b.attempt - a.attempt)[0];
    expect(newest.exerciseVersion).toBe(s.results.find((r) => r.attempt === 1)!.exerciseVersion);
  });

  it('keeps students out: API 403, page 403, and bad input named', async () => {
    await http().post('/api/regrades').set(as(student.token)).send({ submissions: ids }).expect(403);
    await http().get(`/api/regrades/${runId}`).set(as(student.token)).expect(403);
    await http().post(`/api/exercises/hello-world/regrade`).set(as(student.token)).expect(403);
    const cookie = async (userId: string) => `${SESSION_COOKIE}=${await api.app.get(SessionService).create(userId)}`;
    const page = await http()
      .get(`/regrades/${runId}`)
      .set('Cookie', await cookie(student.id));
    expect(page.status).toBe(403);
    expect(page.text).toContain('Action refusée');
    expect(page.text).toContain('réservée aux enseignants');
    // With a valid form token: refused for being a student, not for the token.
    const studentCookie = await cookie(student.id);
    const { csrfToken } = await api.prisma.webSession.findFirstOrThrow({
      where: { userId: student.id },
      orderBy: { createdAt: 'desc' },
    });
    const form = await http()
      .post(`/exercises/hello-world/regrade`)
      .set('Cookie', studentCookie)
      .type('form')
      .send({ version: 'current', _csrf: csrfToken });
    expect(form.text).toContain('réservée aux enseignants');
    expect(form.status).toBe(403);
    const staffPage = await http()
      .get(`/regrades/${runId}`)
      .set('Cookie', await cookie(instructor.id))
      .expect(200);
    expect(staffPage.text).toContain('Avant → après, par étudiant');
    expect(staffPage.text).toContain('2</span> / <span data-testid="regrade-total">2');
    await http()
      .get('/regrades/not-a-uuid')
      .set('Cookie', await cookie(instructor.id))
      .expect(404);
    await http().get(`/api/regrades/00000000-0000-4000-8000-000000000000`).set(as(instructor.token)).expect(404);
    const empty = await http().post('/api/regrades').set(as(instructor.token)).send({ submissions: [] }).expect(400);
    expect(JSON.stringify(empty.body)).toContain('submissions');
    await http()
      .post('/api/regrades')
      .set(as(instructor.token))
      .send({ submissions: ['x'] })
      .expect(400);
  });
});
