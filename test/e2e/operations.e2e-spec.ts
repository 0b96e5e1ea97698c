import { Redis } from 'ioredis';
import { Role } from '../../src/generated/prisma/enums';
import { startApi, suitePrefix, userWithToken, type ApiHarness } from '../support/api-app';
import { startWorker, stopProcess } from '../support/pipeline';
import { eventually } from '../support/processes';
import { redisUrl } from '../support/test-env';

jest.setTimeout(180_000);

/**
 * What an operator looks at, over HTTP against the real services and a real worker process:
 * probes, /metrics (the api's and the worker's), the queue dashboard and the operations report,
 * with their access rules.
 */
describe('operations endpoints', () => {
  const env = { REDIS_PREFIX: suitePrefix('operations'), SANDBOX_POOL_SIZE: '0' };
  let api: ApiHarness;
  let admin: { token: string };
  let student: { token: string };

  beforeAll(async () => {
    api = await startApi(env);
    admin = await userWithToken(api, Role.admin);
    student = await userWithToken(api, Role.student);
  });

  afterAll(async () => {
    await api.close();
    const redis = new Redis(redisUrl());
    const keys = await redis.keys(`${env.REDIS_PREFIX}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  const get = (path: string, token?: string) =>
    fetch(`${api.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('is live at once, ready only once a worker beats, and names what is down', async () => {
    expect((await get('/health/live')).status).toBe(200);
    const notReady = await get('/health/ready');
    expect(notReady.status).toBe(503);
    const body = (await notReady.json()) as { error: Record<string, { message?: string }>; info: object };
    expect(Object.keys(body.error)).toEqual(['workers']);
    expect(body.error.workers.message).toMatch(/no worker heartbeat/);
    expect(Object.keys(body.info)).toEqual(expect.arrayContaining(['postgres', 'redis', 'docker', 'imageStore']));

    const worker = startWorker(env);
    try {
      await eventually(async () => {
        const res = await get('/health/ready');
        if (res.status !== 200) throw new Error(await res.text());
      }, 120_000);

      // The operations report (admins only) lists the worker with its engine and pid.
      expect((await get('/api/admin/operations', student.token)).status).toBe(403);
      const report = (await (await get('/api/admin/operations', admin.token)).json()) as {
        workers: Array<{ pid: number; engine: string; jobs: string[] }>;
        queue: Record<string, number>;
        imageSets: string[];
      };
      expect(report.workers.map((w) => w.pid)).toEqual([worker.pid]);
      expect(report.workers[0].engine).toMatch(/docker/);
      expect(report.queue).toEqual(expect.objectContaining({ waiting: 0, active: 0, delayed: 0, failed: 0 }));
      expect(report.imageSets).toHaveLength(1);

      // /metrics: the api's own series and the worker's, told apart by their process label.
      const refused = await fetch(`${api.url}/api/submissions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${student.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ exercise: 'hello-world' }),
      });
      expect(refused.status).toBe(400);
      const metrics = await (await get('/metrics')).text();
      expect(metrics).toMatch(
        /dockgrader_http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200",process="api /,
      );
      expect(metrics).toMatch(/dockgrader_submissions_total\{outcome="refused",reason="invalid",process="api /);
      expect(metrics).toMatch(/dockgrader_queue_jobs\{state="waiting",process="api [^"]+"\} 0/);
      expect(metrics).toMatch(/dockgrader_workers_alive\{process="api [^"]+"\} 1/);
      expect(metrics).toContain(`dockgrader_sandboxes{state="ready",process="worker `);
      // The pool's target (SANDBOX_POOL_SIZE 0 here: its floor, nothing waiting).
      expect(metrics).toMatch(/dockgrader_sandbox_pool_target\{process="worker [^"]+"\} 0/);
      expect(metrics).toMatch(
        new RegExp(`dockgrader_process_resident_memory_bytes\\{process="worker [^"]+:${worker.pid}"\\}`),
      );
    } finally {
      await stopProcess(worker);
    }
    // A worker that stopped (Nest re-raises SIGTERM once shut down) removes its beat: not ready any more.
    expect(String(worker.exitCode ?? worker.signalCode)).toMatch(/^(0|SIGTERM)$/);
    expect((await get('/health/ready')).status).toBe(503);
  });

  it('serves the queue dashboard to admins only', async () => {
    // Without valid credentials a page request goes to the login page (the web app's rule for 401).
    for (const token of [undefined, 'not-a-token']) {
      const res = await fetch(`${api.url}/admin/queues`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        redirect: 'manual',
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login?next=%2Fadmin%2Fqueues');
    }
    expect((await get('/admin/queues', student.token)).status).toBe(403);
    const page = await get('/admin/queues', admin.token);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const queues = (await (await get('/admin/queues/api/queues', admin.token)).json()) as {
      queues: Array<{ name: string }>;
    };
    expect(queues.queues.map((q) => q.name)).toEqual(['grading']);
  });
});
