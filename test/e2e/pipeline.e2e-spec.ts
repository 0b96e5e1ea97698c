import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { loadExercise, type LoadedExercise } from '../../src/exercises/exercise.loader';
import { Role } from '../../src/generated/prisma/enums';
import { ApiHarness, startApi, suitePrefix, userWithToken } from '../support/api-app';
import { readEvents, sandboxDir, sandboxesOwnedBy, startWorker, stopProcess, waitForStatus } from '../support/pipeline';
import { eventually, root } from '../support/processes';

/**
 * The whole pipeline over HTTP: api (in-process) → BullMQ → worker processes (dist/worker.js) →
 * real sandboxes on the Docker engine → results in PostgreSQL.
 */
describe('grading pipeline', () => {
  let api: ApiHarness;
  let student: { id: string; token: string };
  let instructor: { id: string; token: string };
  let threeDbs: LoadedExercise;
  const prefix = suitePrefix('pipeline');
  const worker = () => startWorker({ REDIS_PREFIX: prefix, WORKER_CONCURRENCY: '2', SANDBOX_POOL_SIZE: '0' });
  let w: ReturnType<typeof startWorker>;

  beforeAll(async () => {
    threeDbs = await loadExercise(join(root, 'exercises', 'three-databases'));
    api = await startApi({ REDIS_PREFIX: prefix });
    student = await userWithToken(api, Role.student);
    instructor = await userWithToken(api, Role.instructor);
    w = worker();
  });
  afterAll(async () => {
    if (w) await stopProcess(w);
    await api?.close();
  });

  const submit = async (source: string, files: { path: string; content: string }[] = []) => {
    const res = await request(api.app.getHttpServer())
      .post('/api/submissions')
      .set('Authorization', `Bearer ${student.token}`)
      .send({ exercise: 'three-databases', source, files });
    expect(res.status).toBe(202);
    return res.body.id as string;
  };

  it('grades the three-databases reference with full marks, streaming queued/running/graded in order', async () => {
    const id = await submit(threeDbs.reference.source, threeDbs.reference.files);
    const events = await readEvents(`${api.url}/api/submissions/${id}/events`, student.token);

    const types = events.map((e) => e.type);
    expect(types.join(' ')).toMatch(/^(queued )*(running )+graded$/);
    const running = events.filter((e) => e.type === 'running' && Number(e.data.total) > 0);
    expect(running.length).toBeGreaterThan(0);
    const indices = running.map((e) => Number(e.data.index));
    expect(indices).toEqual([...indices].sort((a, b) => a - b));
    expect(running[running.length - 1].data.index).toBe(running[running.length - 1].data.total);
    expect(events[events.length - 1].data).toMatchObject({ score: threeDbs.maxScore, maxScore: threeDbs.maxScore });

    const stored = await waitForStatus(api.prisma, id, ['graded']);
    expect(stored.results).toHaveLength(1);
    expect(stored.results[0]).toMatchObject({
      score: threeDbs.maxScore,
      maxScore: threeDbs.maxScore,
      attempt: 1,
      exerciseVersion: threeDbs.version,
    });
    expect((stored.results[0].checks as { passed: boolean }[]).every((c) => c.passed)).toBe(true);

    // A late subscriber is not stuck: it gets the final state at once.
    const late = await readEvents(`${api.url}/api/submissions/${id}/events`, student.token);
    expect(late.map((e) => e.type)).toEqual(['graded']);

    // Regrade keeps the first result as history.
    await request(api.app.getHttpServer())
      .post(`/api/submissions/${id}/regrade`)
      .set('Authorization', `Bearer ${instructor.token}`)
      .expect(202);
    const regraded = await eventually(async () => {
      const s = await waitForStatus(api.prisma, id, ['graded']);
      if (s.results.length < 2) throw new Error('regrade not stored yet');
      return s;
    }, 170_000);
    expect(regraded.attempt).toBe(2);
    expect(regraded.results.map((r) => r.attempt).sort()).toEqual([1, 2]);
    const view = await request(api.app.getHttpServer())
      .get(`/api/submissions/${id}`)
      .set('Authorization', `Bearer ${instructor.token}`)
      .expect(200);
    expect(view.body.history).toHaveLength(2);
    expect(view.body.result.attempt).toBe(2);
  });

  it('grades each wrong solution with its expected partial score and the failing checks’ feedback', async () => {
    // The empty one never reaches the queue: the API answers 400 (tested in submissions-api);
    // exercises:check grades it 0 through the grader.
    const wrongs = threeDbs.wrong.filter((w) => w.source.trim() !== '');
    expect(wrongs.length).toBeGreaterThanOrEqual(3);
    const ids = await Promise.all(wrongs.map((w) => submit(w.source, w.files)));
    for (const [i, id] of ids.entries()) {
      const wrong = wrongs[i];
      const stored = await waitForStatus(api.prisma, id, ['graded', 'error']);
      expect({ file: wrong.file, status: stored.status, score: stored.results[0]?.score }).toEqual({
        file: wrong.file,
        status: 'graded',
        score: wrong.expectedScore,
      });
      const failed = (stored.results[0].checks as { id: string; passed: boolean; message: string }[]).filter(
        (c) => !c.passed,
      );
      expect(failed.length).toBeGreaterThan(0);
      for (const check of failed) {
        const def = threeDbs.definition.checks.find((c) => c.id === check.id);
        expect(check.message).toBe(def?.feedback.fail);
      }
    }
  });

  it('a worker killed with SIGKILL mid-job: another worker grades the submission once and reaps its sandbox', async () => {
    await stopProcess(w);
    // Short locks so the stalled job is noticed within seconds rather than the production 30 s.
    const fast = {
      REDIS_PREFIX: prefix,
      WORKER_CONCURRENCY: '1',
      SANDBOX_POOL_SIZE: '0',
      GRADING_LOCK_MS: '4000',
      GRADING_STALLED_INTERVAL_MS: '2000',
    };
    const doomed = startWorker(fast);
    const id = await submit(threeDbs.reference.source, threeDbs.reference.files);
    // Mid-job: the worker marked it running and owns a live sandbox.
    await waitForStatus(api.prisma, id, ['running']);
    await eventually(async () => {
      if ((await sandboxesOwnedBy(doomed.pid ?? -1)).length === 0) throw new Error('no sandbox yet');
    }, 60_000);
    await stopProcess(doomed, 'SIGKILL');
    const doomedSandboxes = await sandboxesOwnedBy(doomed.pid ?? -1);
    expect(doomedSandboxes.length).toBeGreaterThan(0);

    w = startWorker(fast);
    const stored = await waitForStatus(api.prisma, id, ['graded']);
    expect(stored.results).toHaveLength(1);
    expect(stored.results[0].score).toBe(threeDbs.maxScore);
    expect(stored.runs).toBeGreaterThanOrEqual(2);
    await eventually(async () => {
      const left = await sandboxesOwnedBy(doomed.pid ?? -1);
      if (left.length > 0) throw new Error(`${left.length} sandbox(es) of the killed worker remain`);
    }, 90_000);
    // Their directories too (hard-link copies of the image store: hundreds of MB each).
    for (const sandboxId of doomedSandboxes) await expect(stat(sandboxDir(sandboxId))).rejects.toThrow();
  });
});
