// First: lets the generated Prisma client's './x.js' imports load from TypeScript sources.
import '../cli/resolve-ts';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { hashToken, generateToken } from '../src/auth/token';
import { loadEnv } from '../src/config/env';
import { dockerOptions } from '../src/docker/docker.service';
import { loadCatalogue, type LoadedExercise } from '../src/exercises/exercise.loader';
import { execPlan } from '../src/grading/replayer';
import { parseSubmission } from '../src/grading/submission.parser';
import { loadImageCatalog } from '../src/sandbox/image-catalog';
import { sandboxConfigFromEnv } from '../src/sandbox/sandbox.config';
import { DockerSandboxDriver } from '../src/sandbox/sandbox.driver';

/**
 * The grading pipeline's benchmark: submit → result stored (e2e) against the same commands run
 * directly in a ready sandbox engine (direct), throughput at worker concurrency 1, 2, 4, and the
 * intake rate of POST /api/submissions. Everything runs on this machine against 127.0.0.1, with
 * its own database and Redis prefix, removed at the end.
 */
const root = resolve(__dirname, '..');
const REPS = Number(process.env.BENCH_REPS ?? 3);
const THROUGHPUT_JOBS = Number(process.env.BENCH_THROUGHPUT_JOBS ?? 8);
const INTAKE_REQUESTS = Number(process.env.BENCH_INTAKE_REQUESTS ?? 6000);
const INTAKE_CONNECTIONS = Number(process.env.BENCH_INTAKE_CONNECTIONS ?? 32);
const STUDENTS = 600;
/** Phases to run (comma-separated): direct, e2e, throughput, intake. All by default (BENCH_EXERCISES: slugs). */
const PHASES = new Set((process.env.BENCH_PHASES ?? 'direct,e2e,throughput,intake').split(',').map((s) => s.trim()));
/** Extra node options for the api process (profiling: --cpu-prof --cpu-prof-dir=…). */
const API_NODE_OPTIONS = process.env.BENCH_API_NODE_OPTIONS ?? '';
/** Api processes (API_WORKERS, node:cluster): one per core, as a deployment on this host would run. */
const API_WORKERS = Number(process.env.BENCH_API_WORKERS ?? cpus().length);
/** Api log level: info, the production default, so each request is logged as in production (to /dev/null). */
const API_LOG_LEVEL = process.env.BENCH_API_LOG_LEVEL ?? 'info';
/** When set, the e2e worker logs at debug level (per-job phase timings) into this file. */
const WORKER_LOG = process.env.BENCH_WORKER_LOG;
/** Idle time given to a direct run's new sandbox before its commands, like a warm pool's sandbox has had. */
const DIRECT_SETTLE_MS = Number(process.env.BENCH_DIRECT_SETTLE_MS ?? 2000);
/**
 * Pause before each e2e submission, so it meets an idle worker (the previous sandbox destroyed, the
 * warm pool refilled), as a submission arriving outside a burst does; bursts are the throughput run.
 */
const E2E_GAP_MS = Number(process.env.BENCH_E2E_GAP_MS ?? 4000);

const p = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((q / 100) * s.length) - 1)] : NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => res(port));
    });
  });
}

function start(entry: 'main' | 'worker', env: NodeJS.ProcessEnv, nodeOptions = '', logFile?: string): ChildProcess {
  const args = [...nodeOptions.split(' ').filter(Boolean), join(root, 'dist', `${entry}.js`)];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', logFile ? openSync(logFile, 'a') : 'ignore', 'inherit'],
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(90_000).then(() => child.kill('SIGKILL'))]);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function call(
  base: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      `${base}${path}`,
      {
        method,
        agent,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}),
        },
      },
      (r) => {
        let out = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (out += c));
        r.on('end', () => res({ status: r.statusCode ?? 0, body: out }));
      },
    );
    req.on('error', rej);
    if (data) req.write(data);
    req.end();
  });
}

/** Waits for the SSE stream of a submission to report graded or error; `onRunning` at the first running event. */
async function waitGraded(
  base: string,
  token: string,
  id: string,
  onRunning?: () => void,
): Promise<{ type: string; score?: number }> {
  const res = await fetch(`${base}/api/submissions/${id}/events`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(300_000),
  });
  if (!res.body) throw new Error(`events: ${res.status}`);
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    if (onRunning && buffer.includes('event: running')) {
      onRunning();
      onRunning = undefined;
    }
    const m = /event: (graded|error)\ndata: (.*)\n/.exec(buffer);
    if (m) return JSON.parse(m[2]) as { type: string; score?: number };
  }
  throw new Error(`event stream of ${id} ended without a result`);
}

export async function main(): Promise<number> {
  const baseEnv = loadEnv();
  const id = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dbName = `dockgrader_bench_${id}`;
  const admin = new URL(baseEnv.DATABASE_URL);
  admin.pathname = '/postgres';
  const dbUrl = new URL(baseEnv.DATABASE_URL);
  dbUrl.pathname = `/${dbName}`;
  const prefix = `dgbench:${id}`;
  const adminToken = `bench-admin-${randomBytes(16).toString('hex')}`;
  const pg = new Client({ connectionString: admin.toString() });
  await pg.connect();
  await pg.query(`CREATE DATABASE "${dbName}"`);
  const children: ChildProcess[] = [];
  const sandboxConfig = { ...sandboxConfigFromEnv(baseEnv), poolSize: 0 };
  const driver = new DockerSandboxDriver(
    new Docker(dockerOptions(baseEnv.DOCKER_HOST)),
    sandboxConfig,
    loadImageCatalog(sandboxConfig.manifestPath),
  );
  try {
    execFileSync('bash', ['scripts/prisma.sh', 'migrate', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: dbUrl.toString() },
      stdio: 'pipe',
    });
    const only = process.env.BENCH_EXERCISES?.split(',').map((x) => x.trim());
    const catalogue = (await loadCatalogue(join(root, 'exercises'))).filter(
      (e) => !e.definition.sandbox.egress && (!only || only.includes(e.definition.slug)),
    );
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const common = { DATABASE_URL: dbUrl.toString(), REDIS_PREFIX: prefix, LOG_LEVEL: 'warn', NODE_ENV: 'production' };
    const api = start(
      'main',
      {
        ...common,
        LOG_LEVEL: API_LOG_LEVEL,
        API_WORKERS: String(API_WORKERS),
        PORT: String(port),
        DOCKGRADER_ADMIN_TOKEN: adminToken,
        QUEUE_MAX_DEPTH: '1000000',
      },
      API_NODE_OPTIONS,
    );
    children.push(api);
    for (let i = 0; ; i++) {
      const r = await call(base, 'GET', '/api/exercises', adminToken).catch(() => undefined);
      if (r?.status === 200) break;
      if (i > 300) throw new Error('api did not start');
      await sleep(200);
    }

    // Students with tokens, written directly (bulk) rather than through 1200 admin calls.
    const db = new Client({ connectionString: dbUrl.toString() });
    await db.connect();
    const tokens: string[] = [];
    for (let i = 0; i < STUDENTS; i++) {
      const token = generateToken();
      tokens.push(token);
      const u = await db.query<{ id: string }>(
        `INSERT INTO users (id, email, display_name, role) VALUES (gen_random_uuid(), $1, $1, 'student') RETURNING id`,
        [`bench-${i}@bench.local`],
      );
      await db.query(
        `INSERT INTO api_tokens (id, user_id, name, token_hash) VALUES (gen_random_uuid(), $1, 'bench', $2)`,
        [u.rows[0].id, hashToken(token)],
      );
    }
    let nextStudent = 0;
    const student = () => tokens[nextStudent++ % tokens.length];

    const submitAndWait = async (ex: LoadedExercise) => {
      const t0 = performance.now();
      const tok = student(); // the same student then follows the stream (students only see their own)
      const r = await call(base, 'POST', '/api/submissions', tok, {
        exercise: ex.definition.slug,
        source: ex.reference.source,
        files: ex.reference.files,
      });
      if (r.status !== 202) throw new Error(`submit ${ex.definition.slug}: ${r.status} ${r.body}`);
      const subId = (JSON.parse(r.body) as { id: string }).id;
      let runningMs = NaN;
      const outcome = await waitGraded(base, tok, subId, () => (runningMs = performance.now() - t0));
      const ms = performance.now() - t0;
      return { ms, runningMs, ok: outcome.type === 'graded' && outcome.score === ex.maxScore, outcome };
    };

    // --- direct: the physical limit of the same work. The reference's commands, run the way the
    // replay runs them (execPlan: an attached -it command gets its input piped), one after the other
    // in a sandbox engine of the same kind (same image store, limits and disk polling), started and
    // then left idle for DIRECT_SETTLE_MS as a warm pool's sandbox is, with nothing else running.
    // Not included: files (written before the clock starts), the replay's per-line shell state,
    // state recording, probes, queue, database: those are the pipeline's overhead. ---
    const direct: Record<string, number[]> = {};
    if (PHASES.has('direct')) {
      console.error('direct runs…');
      await driver.init();
    }
    for (const ex of PHASES.has('direct') ? catalogue : []) {
      const parsed = parseSubmission(ex.reference.source, { maxCommands: ex.definition.sandbox.maxCommands });
      direct[ex.definition.slug] = [];
      for (let r = 0; r < REPS; r++) {
        const sandbox = await driver.create(sandboxConfig.limits);
        try {
          await sleep(DIRECT_SETTLE_MS);
          sandbox.arm(sandboxConfig.diskPollMs);
          if (ex.reference.files.length) await sandbox.putFiles(ex.reference.files);
          const t0 = performance.now();
          for (const c of parsed.commands) {
            const plan = execPlan(c);
            await sandbox.exec(plan.line, {
              stdin: plan.stdin,
              tty: plan.tty,
              timeoutMs: ex.definition.sandbox.commandTimeoutSeconds * 1000,
            });
          }
          direct[ex.definition.slug].push(performance.now() - t0);
        } finally {
          await driver.release(sandbox);
        }
      }
    }
    await driver.shutdown();

    // --- e2e: submit → graded, one worker (concurrency 1, warm pool of 1 as in production) ---
    const e2e: Record<string, number[]> = {};
    const e2eRunning: Record<string, number[]> = {};
    let e2eFailures = 0;
    let worker: ChildProcess | undefined;
    if (PHASES.has('e2e')) {
      console.error('end-to-end runs…');
      worker = start(
        'worker',
        { ...common, WORKER_CONCURRENCY: '1', SANDBOX_POOL_SIZE: '1', ...(WORKER_LOG ? { LOG_LEVEL: 'debug' } : {}) },
        '',
        WORKER_LOG,
      );
      children.push(worker);
      await sleep(3000);
    }
    for (const ex of PHASES.has('e2e') ? catalogue : []) {
      e2e[ex.definition.slug] = [];
      e2eRunning[ex.definition.slug] = [];
      for (let r = 0; r < REPS; r++) {
        await sleep(E2E_GAP_MS);
        const run = await submitAndWait(ex);
        if (!run.ok) e2eFailures++;
        e2e[ex.definition.slug].push(run.ms);
        e2eRunning[ex.definition.slug].push(run.runningMs);
      }
    }
    if (worker) await stop(worker);

    // --- throughput at worker concurrency 1, 2, 4 ---
    const throughput: Record<string, { perMin: number; jobs: number; failures: number; seconds: number }> = {};
    for (const c of PHASES.has('throughput') ? [1, 2, 4] : []) {
      console.error(`throughput at concurrency ${c}…`);
      worker = start('worker', { ...common, WORKER_CONCURRENCY: String(c), SANDBOX_POOL_SIZE: String(c) });
      children.push(worker);
      await sleep(3000 + 1500 * c); // let the warm pool fill, as a running worker's would be
      const jobs = Array.from({ length: THROUGHPUT_JOBS }, (_, i) => catalogue[i % catalogue.length]);
      const t0 = performance.now();
      const runs = await Promise.all(
        jobs.map((ex) =>
          submitAndWait(ex).catch((error: unknown) => {
            console.error(`throughput ${ex.definition.slug}: ${String(error)}`);
            return { ok: false, ms: 0 };
          }),
        ),
      );
      const seconds = (performance.now() - t0) / 1000;
      throughput[String(c)] = {
        perMin: Math.round((THROUGHPUT_JOBS / seconds) * 60 * 10) / 10,
        jobs: THROUGHPUT_JOBS,
        failures: runs.filter((r) => !r.ok).length,
        seconds: Math.round(seconds * 10) / 10,
      };
      await stop(worker);
    }

    // --- intake: POST /api/submissions as fast as the api accepts them (no worker running) ---
    if (PHASES.has('intake')) console.error('intake…');
    const body = (i: number) => ({
      exercise: catalogue[i % catalogue.length].definition.slug,
      source: 'docker run hello-world',
    });
    const warm = PHASES.has('intake') ? 300 : 0;
    for (let i = 0; i < warm; i += INTAKE_CONNECTIONS)
      await Promise.all(
        Array.from({ length: INTAKE_CONNECTIONS }, (_, k) =>
          call(base, 'POST', '/api/submissions', student(), body(i + k)),
        ),
      );
    const loadBefore = loadavg()[0];
    const latencies: number[] = [];
    let accepted = 0;
    let refused = 0;
    let issued = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: INTAKE_CONNECTIONS }, async () => {
        while (PHASES.has('intake') && issued < INTAKE_REQUESTS) {
          const i = issued++;
          const s = performance.now();
          const r = await call(base, 'POST', '/api/submissions', student(), body(i));
          latencies.push(performance.now() - s);
          if (r.status === 202) accepted++;
          else refused++;
        }
      }),
    );
    const intakeSeconds = (performance.now() - t0) / 1000;

    const loadAfter = loadavg()[0];
    const slugs = catalogue.map((e) => e.definition.slug);
    const ran = (m: Record<string, number[]>) => slugs.filter((s) => m[s]?.length);
    const e2eP50Ms = Object.fromEntries(ran(e2e).map((s) => [s, Math.round(p(e2e[s], 50))]));
    const e2eToRunningP50Ms = Object.fromEntries(ran(e2eRunning).map((s) => [s, Math.round(p(e2eRunning[s], 50))]));
    const directP50Ms = Object.fromEntries(ran(direct).map((s) => [s, Math.round(p(direct[s], 50))]));
    const e2eTargetMs = (s: string) => Math.round(1.25 * directP50Ms[s] + 300);
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    const intakeRps = Math.round(accepted / intakeSeconds);
    const intakeP99Ms = Math.round(p(latencies, 99) * 10) / 10;
    const throughputFailures = Object.values(throughput).reduce((n, t) => n + t.failures, 0);
    const result = {
      generatedAt: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
      load: {
        note: 'load generator, PostgreSQL, Redis, Docker and the api share this machine; other engineers may run tests at the same time',
        loadAvg1mBeforeIntake: Math.round(loadBefore * 100) / 100,
        loadAvg1mAfterIntake: Math.round(loadAfter * 100) / 100,
      },
      config: {
        phases: [...PHASES],
        reps: REPS,
        apiWorkers: API_WORKERS,
        apiLogLevel: API_LOG_LEVEL,
        directSettleMs: DIRECT_SETTLE_MS,
        e2eGapMs: E2E_GAP_MS,
        e2eWorker: { concurrency: 1, sandboxPoolSize: 1 },
      },
      directBaseline:
        'directP50Ms: the same commands run as the replay runs them (execPlan), one after the other, in a sandbox of the same kind (same image store, limits, disk polling), idle for directSettleMs after its start like a warm pool sandbox; files written before the clock starts; no replay wrapper, state recording, probes, queue or database',
      reps: REPS,
      e2eP50Ms,
      e2eToRunningP50Ms,
      directP50Ms,
      e2eFailures,
      throughputPerMin: throughput,
      failures: e2eFailures + throughputFailures,
      intakeRps,
      intakeP50Ms: Math.round(p(latencies, 50) * 10) / 10,
      intakeP99Ms,
      intakeAccepted: accepted,
      intakeRefused: refused,
      intakeConnections: INTAKE_CONNECTIONS,
      intakeRequests: INTAKE_REQUESTS,
      targets: { e2eP50: '≤ 1.25 × direct + 300 ms', intakeRps: '≥ 1000', intakeP99Ms: '≤ 50', failures: 0 },
      verdicts: {
        e2e: Object.fromEntries(
          ran(e2e)
            .filter((s) => s in directP50Ms)
            .map((s) => [s, verdict(e2eP50Ms[s] <= e2eTargetMs(s))]),
        ),
        throughputFailures: Object.keys(throughput).length ? verdict(throughputFailures === 0) : 'not run',
        intakeRps: PHASES.has('intake') ? verdict(intakeRps >= 1000) : 'not run',
        intakeP99Ms: PHASES.has('intake') ? verdict(intakeP99Ms <= 50) : 'not run',
      },
    };
    console.log(
      `\nmachine: ${result.machine.cpus} cores (${result.machine.cpuModel}); api: ${API_WORKERS} process(es), log level ${API_LOG_LEVEL}`,
    );
    console.log('direct = same commands, same kind of sandbox, warm and idle (see directBaseline in the json)');
    console.log('\nexercise                  direct p50   e2e p50   →running   target (1.25×direct+300)');
    for (const s of ran(e2e).filter((x) => x in directP50Ms)) {
      console.log(
        `${s.padEnd(25)} ${String(directP50Ms[s]).padStart(8)} ms ${String(e2eP50Ms[s]).padStart(7)} ms ${String(e2eToRunningP50Ms[s]).padStart(7)} ms ${String(e2eTargetMs(s)).padStart(9)} ms  ${result.verdicts.e2e[s]}`,
      );
    }
    console.log('\nconcurrency   jobs   seconds   per min   failures (target 0)');
    for (const [c, t] of Object.entries(throughput))
      console.log(
        `${c.padStart(11)} ${String(t.jobs).padStart(6)} ${String(t.seconds).padStart(9)} ${String(t.perMin).padStart(9)} ${String(t.failures).padStart(10)}  ${verdict(t.failures === 0)}`,
      );
    if (PHASES.has('intake'))
      console.log(
        `\nintake: ${intakeRps} accepted/s (target ≥ 1000: ${result.verdicts.intakeRps}), p50 ${result.intakeP50Ms} ms, p99 ${intakeP99Ms} ms (target ≤ 50: ${result.verdicts.intakeP99Ms}); ${accepted} accepted, ${refused} refused, ${INTAKE_CONNECTIONS} connections, load avg ${result.load.loadAvg1mBeforeIntake} → ${result.load.loadAvg1mAfterIntake}`,
      );
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    const out = process.env.BENCH_RESULT_FILE ?? join(root, 'bench/results/pipeline.json');
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`written ${out}`);
    await db.end();
    return 0;
  } finally {
    for (const c of children) await stop(c);
    await driver.shutdown().catch(() => undefined);
    agent.destroy();
    await pg.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
    await pg.end();
    const redis = new Redis(baseEnv.REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  }
}
