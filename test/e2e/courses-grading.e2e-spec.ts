import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Role } from '../../src/generated/prisma/enums';
import { ApiHarness, startApi, suitePrefix, userWithToken } from '../support/api-app';
import { startWorker, stopProcess, waitForStatus } from '../support/pipeline';
import { root } from '../support/processes';

const solution = (file: string) => readFileSync(join(root, 'exercises', 'hello-world', 'solutions', file), 'utf8');

/**
 * A submission to an assignment through the whole pipeline (api → queue → worker process → sandbox):
 * graded like any other, its late credit applied in the gradebook, and a regrade keeping its credit.
 */
describe('assignment submissions graded by the worker', () => {
  let api: ApiHarness;
  let w: ReturnType<typeof startWorker>;
  const prefix = suitePrefix('courses-grading');
  const code = `GRADE-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    api = await startApi({ REDIS_PREFIX: prefix });
    w = startWorker({ REDIS_PREFIX: prefix, WORKER_CONCURRENCY: '2', SANDBOX_POOL_SIZE: '0' });
  });
  afterAll(async () => {
    if (w) await stopProcess(w);
    await api?.close();
  });

  it('grades a late submission at half credit, and a regrade keeps the received time and credit', async () => {
    const http = () => request(api.app.getHttpServer());
    const prof = await userWithToken(api, Role.instructor);
    const student = await userWithToken(api, Role.student);
    const email = (await api.prisma.user.findUniqueOrThrow({ where: { id: student.id } })).email;
    const auth = (t: string) => ({ Authorization: `Bearer ${t}` });
    await http().post('/api/courses').set(auth(prof.token)).send({ code, title: 'Cours' }).expect(201);
    await http()
      .put(`/api/courses/${code}/roster`)
      .set(auth(prof.token))
      .set('Content-Type', 'text/csv')
      .send(`email,name,group\n${email},Élève,TP1\n`)
      .expect(200);
    const now = Date.now();
    const a = await http()
      .post(`/api/courses/${code}/assignments`)
      .set(auth(prof.token))
      .send({
        exercise: 'hello-world',
        dueAt: new Date(now - 3_600_000).toISOString(),
        lateUntil: new Date(now + 86_400_000).toISOString(),
        lateCredit: 0.5,
      })
      .expect(201);
    const sub = await http()
      .post('/api/submissions')
      .set(auth(student.token))
      .send({ assignment: a.body.id, source: solution('reference.sh') })
      .expect(202);
    const graded = await waitForStatus(api.prisma, sub.body.id, ['graded', 'error', 'internal_error'], 400_000).catch(
      (err: unknown) => {
        throw new Error(`${String(err)}\nworker output:\n${w.output().slice(-4000)}`);
      },
    );
    expect(graded.status).toBe('graded');
    const book = await http().get(`/api/courses/${code}/gradebook`).set(auth(prof.token)).expect(200);
    expect(book.body.rows[0].cells[a.body.id]).toMatchObject({ counted: 3, late: true, attempts: 1 });

    await http().post(`/api/submissions/${sub.body.id}/regrade`).set(auth(prof.token)).expect(202);
    const regraded = await waitForStatus(api.prisma, sub.body.id, ['graded'], 400_000);
    expect(regraded).toMatchObject({ attempt: 2, credit: 0.5, createdAt: graded.createdAt });
    const again = await http().get(`/api/courses/${code}/gradebook`).set(auth(prof.token)).expect(200);
    expect(again.body.rows[0].cells[a.body.id].counted).toBe(3);
  }, 900_000);
});
