import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadExercise, type LoadedExercise } from '../../src/exercises/exercise.loader';
import { Role } from '../../src/generated/prisma/enums';
import { startApi, suitePrefix, userWithToken } from '../support/api-app';
import { DisposableRedis, startWorker, stopProcess, waitForStatus } from '../support/pipeline';
import { root } from '../support/processes';

/** What must not be lost or turned into a zero when infrastructure fails. */
describe('grading pipeline under failures', () => {
  let hello: LoadedExercise;

  beforeAll(async () => {
    hello = await loadExercise(join(root, 'exercises', 'hello-world'));
  });

  it('Redis stopped and restarted (empty) mid-run: every submission is still graded exactly once', async () => {
    const redis = await DisposableRedis.start();
    const prefix = suitePrefix('redis-restart');
    const env = { REDIS_URL: redis.url, REDIS_PREFIX: prefix, SWEEPER_INTERVAL_SECONDS: '2' };
    const api = await startApi(env);
    const worker = startWorker({ ...env, WORKER_CONCURRENCY: '2', SANDBOX_POOL_SIZE: '0' });
    try {
      const student = await userWithToken(api, Role.student);
      const post = () =>
        request(api.app.getHttpServer())
          .post('/api/submissions')
          .set('Authorization', `Bearer ${student.token}`)
          .send({ exercise: 'hello-world', source: hello.reference.source });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await post().expect(202)).body.id);
      await waitForStatus(api.prisma, ids[0], ['running', 'graded']);

      await redis.stop(); // no persistence: every queued job and lock is gone
      // Intake keeps working from PostgreSQL while Redis is down.
      for (let i = 0; i < 2; i++) ids.push((await post().expect(202)).body.id);
      await redis.start();

      for (const id of ids) {
        const s = await waitForStatus(api.prisma, id, ['graded', 'error']);
        expect({ id, status: s.status, results: s.results.length, score: s.results[0]?.score }).toEqual({
          id,
          status: 'graded',
          results: 1,
          score: hello.maxScore,
        });
      }
    } finally {
      await stopProcess(worker);
      await api.close();
      await redis.stop();
    }
  });

  it('an infrastructure failure (sandbox image missing) is retried, then stored as error — never a zero', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dg-manifest-'));
    const manifest = JSON.parse(await readFile(join(root, 'images/.built/manifest.json'), 'utf8')) as {
      images: { sandbox: { tag: string } };
    };
    manifest.images.sandbox.tag = 'dockgrader/sandbox:does-not-exist';
    const broken = join(dir, 'manifest.json');
    await writeFile(broken, JSON.stringify(manifest));
    const prefix = suitePrefix('infra');
    const api = await startApi({ REDIS_PREFIX: prefix });
    const worker = startWorker({
      REDIS_PREFIX: prefix,
      SANDBOX_POOL_SIZE: '0',
      SANDBOX_IMAGE_MANIFEST: broken,
      GRADING_MAX_ATTEMPTS: '3',
      GRADING_BACKOFF_MS: '200',
    });
    try {
      const student = await userWithToken(api, Role.student);
      const res = await request(api.app.getHttpServer())
        .post('/api/submissions')
        .set('Authorization', `Bearer ${student.token}`)
        .send({ exercise: 'hello-world', source: hello.reference.source })
        .expect(202);
      const s = await waitForStatus(api.prisma, res.body.id, ['graded', 'error']);
      expect(s.status).toBe('error');
      expect(s.results).toHaveLength(0);
      expect(s.runs).toBe(3);
      expect(s.errorMessage).toMatch(/after 3 attempts/);
      const view = await request(api.app.getHttpServer())
        .get(`/api/submissions/${s.id}`)
        .set('Authorization', `Bearer ${student.token}`)
        .expect(200);
      expect(view.body).toMatchObject({ status: 'error', result: null });
    } finally {
      await stopProcess(worker);
      await api.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
