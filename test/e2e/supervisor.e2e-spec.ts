import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { SandboxLabels } from '../../src/sandbox/sandbox.labels';
import { createDatabase, dropDatabase, migrate } from '../support/database';
import { eventually, freePort, root, waitForExit } from '../support/processes';
import { baseDatabaseUrl, redisUrl, runId } from '../support/test-env';

jest.setTimeout(240_000);

/**
 * `npm start`'s supervisor (dist/supervisor/start.js, what scripts/start.sh hands over to) against
 * the real services: first admin, api and two workers, a grading, a worker killed and restarted,
 * then SIGTERM: exit 0 within 30 s and no sandbox of its workers left.
 */
describe('npm start supervisor', () => {
  const id = runId();
  const dbName = `dockgrader_test_sup_${id}`;
  const prefix = `dgtest:sup:${id}`;
  const logDir = mkdtempSync(join(tmpdir(), 'dockgrader-sup-'));
  let supervisor: ChildProcess | undefined;
  let output = '';
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });

  afterAll(async () => {
    if (supervisor && supervisor.exitCode === null && supervisor.signalCode === null) {
      supervisor.kill('SIGKILL');
      await waitForExit(supervisor, 10_000).catch(() => undefined);
    }
    await dropDatabase(baseDatabaseUrl(), dbName);
    const redis = new Redis(redisUrl());
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    rmSync(logDir, { recursive: true, force: true });
  });

  /** pids of a child as the supervisor announced them ("worker-1 started (pid N)"). */
  const pidsOf = (name: string): number[] =>
    [...output.matchAll(new RegExp(`${name} started \\(pid (\\d+)\\)`, 'g'))].map((m) => Number(m[1]));

  it('runs api and workers, restarts a killed worker, stops everything on SIGTERM', async () => {
    const url = await createDatabase(baseDatabaseUrl(), dbName);
    migrate(url);
    const port = await freePort();
    supervisor = spawn(process.execPath, [resolve(root, 'dist/supervisor/start.js')], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: url,
        REDIS_PREFIX: prefix,
        PORT: String(port),
        WORKERS: '2',
        LOG_DIR: logDir,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    supervisor.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    supervisor.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const base = `http://127.0.0.1:${port}`;

    await eventually(async () => {
      if (!output.includes(`ready: open ${base}/`)) throw new Error(`not ready yet:\n${output}`);
    }, 90_000);
    const token = /API token \(shown once, only its hash is stored\): (\S+)/.exec(output)?.[1];
    const link = /log in \(one-time link, choose a password\): (\S+)/.exec(output)?.[1];
    expect(token).toBeDefined();
    expect(link).toMatch(new RegExp(`/invitation/[A-Za-z0-9_-]{20,}$`));
    // The credentials are on the terminal only, never in a log file.
    for (const file of ['api', 'worker-1', 'worker-2']) {
      const log = readFileSync(join(logDir, `${file}.log`), 'utf8');
      expect(log).not.toContain(token);
      expect(log).not.toContain(link!.split('/').pop());
    }

    // Ready once both workers beat.
    await eventually(async () => {
      const res = await fetch(`${base}/health/ready`);
      const body = (await res.json()) as { details?: { workers?: { alive?: number } } };
      if (res.status !== 200 || body.details?.workers?.alive !== 2) throw new Error(JSON.stringify(body));
    }, 120_000);

    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const submitted = await fetch(`${base}/api/submissions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ exercise: 'hello-world', source: 'docker run hello-world' }),
    });
    expect(submitted.status).toBe(202);
    const { id: submissionId } = (await submitted.json()) as { id: string };
    await eventually(
      async () => {
        const res = await fetch(`${base}/api/submissions/${submissionId}`, { headers });
        const body = (await res.json()) as { status: string };
        if (body.status !== 'graded') throw new Error(`submission is ${body.status}`);
      },
      120_000,
      500,
    );

    // Metrics of the api and of the workers (published with their next heartbeat, so before a worker is killed), through the api.
    await eventually(async () => {
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/dockgrader_submissions_total\{outcome="accepted"/);
      expect(metrics).toMatch(
        /dockgrader_grading_duration_seconds_count\{exercise="hello-world",outcome="graded",process="worker /,
      );
    }, 20_000);

    // A worker killed outright is restarted, and the supervisor says why.
    const [firstPid] = pidsOf('worker-1');
    process.kill(firstPid, 'SIGKILL');
    await eventually(async () => {
      if (!output.includes('worker-1 exited (killed by SIGKILL); restarting in 1 s')) throw new Error(output);
      if (pidsOf('worker-1').length < 2) throw new Error('not restarted yet');
    }, 20_000);

    const workerPids = [...pidsOf('worker-1'), ...pidsOf('worker-2')];
    const stopStarted = Date.now();
    supervisor.kill('SIGTERM');
    expect(await waitForExit(supervisor, 35_000)).toBe(0);
    expect(Date.now() - stopStarted).toBeLessThan(30_000);
    expect(output).toContain('stopped');

    const left = await docker.listContainers({ all: true, filters: { label: [SandboxLabels.sandbox] } });
    const ours = left.filter((c) => workerPids.some((pid) => c.Labels[SandboxLabels.owner] === `${hostname()}:${pid}`));
    expect(ours).toEqual([]);
    for (const pid of [...workerPids, ...pidsOf('api')]) expect(() => process.kill(pid, 0)).toThrow();
  });
});
