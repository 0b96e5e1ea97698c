// First: lets the generated Prisma client's './x.js' imports load from TypeScript sources.
import '../cli/resolve-ts';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { hashToken, generateToken } from '../src/auth/token';
import { freePort, nodeFlagsOf } from '../test/support/processes';
import { cpuBetween, sampleCpu } from './cpu-accounting';
import { agent, call, poolWarmUpMs, waitGraded } from './grading-client';
import { jsonRequest, percentile, runLoad, type LoadResult } from './http-load';
import { loadEnv } from '../src/config/env';
import { dockerOptions } from '../src/docker/docker.service';
import { loadCatalogue, type LoadedExercise } from '../src/exercises/exercise.loader';
import { dockerInvocations, withoutTty } from '../src/submission-format/docker-flags';
import type { ParsedCommand } from '../src/submission-format/submission.parser';
import { parseSubmission } from '../src/submission-format/submission.parser';
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
/** Intake (the target's figures): closed loop, requests over connections each waiting for its answer. */
const INTAKE_REQUESTS = Number(process.env.BENCH_INTAKE_REQUESTS ?? 6000);
const INTAKE_CONNECTIONS = Number(process.env.BENCH_INTAKE_CONNECTIONS ?? 32);
/** Intake, open loop (stricter, reported beside): offered per second, for how long, over how many connections. */
const OPEN_RATE = Number(process.env.BENCH_OPEN_RATE ?? 1100);
const OPEN_SECONDS = Number(process.env.BENCH_OPEN_SECONDS ?? 10);
const OPEN_CONNECTIONS = Number(process.env.BENCH_OPEN_CONNECTIONS ?? 64);
/** Enough students that none reaches the per-student rate limit (20 per minute by default). */
const STUDENTS = 2000;
/** Phases to run (comma-separated): direct, e2e, throughput, intake. All by default (BENCH_EXERCISES: slugs). */
const PHASES = new Set((process.env.BENCH_PHASES ?? 'direct,e2e,throughput,intake').split(',').map((s) => s.trim()));
/** Extra node options for the api process (profiling: --cpu-prof --cpu-prof-dir=…). */
const API_NODE_OPTIONS = process.env.BENCH_API_NODE_OPTIONS ?? '';
/**
 * Api processes (API_WORKERS, node:cluster). One: on this 2-core host PostgreSQL, Redis and the
 * load generator need the other core (measured: 2 processes cost 1.4 ms of api CPU per request at
 * 800/s against 0.9 ms for one at 1100/s, and took 1400–1900/s closed loop against 2000–2600/s).
 */
const API_WORKERS = Number(process.env.BENCH_API_WORKERS ?? 1);
/** Api log level: info, the production default, so each request is logged as in production (to /dev/null). */
const API_LOG_LEVEL = process.env.BENCH_API_LOG_LEVEL ?? 'info';
/** When set, the api's standard output (its log lines, --trace-gc…) goes to this file rather than nowhere. */
const API_LOG = process.env.BENCH_API_LOG;
/** When set, the e2e worker logs at debug level (per-job phase timings) into this file. */
const WORKER_LOG = process.env.BENCH_WORKER_LOG;
/** Idle time given to a direct run's new sandbox before its commands, like a warm pool's sandbox has had. */
const DIRECT_SETTLE_MS = Number(process.env.BENCH_DIRECT_SETTLE_MS ?? 2000);
/**
 * Pause before each e2e submission, so it meets an idle worker (the previous sandbox destroyed, the
 * warm pool refilled), as a submission arriving outside a burst does; bursts are the throughput run.
 */
const E2E_GAP_MS = Number(process.env.BENCH_E2E_GAP_MS ?? 4000);

type LoadRun = LoadResult & { cpuMsPerRequest: Record<string, number> };

const p = percentile;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The node flags of an entrypoint's start script, then the bench's own (diagnosis). */
function nodeArgs(entry: 'main' | 'worker', nodeOptions = ''): string[] {
  return [...nodeFlagsOf(entry), ...nodeOptions.split(' ').filter(Boolean)];
}

function start(entry: 'main' | 'worker', env: NodeJS.ProcessEnv, nodeOptions = '', logFile?: string): ChildProcess {
  const args = [...nodeArgs(entry, nodeOptions), join(root, 'dist', `${entry}.js`)];
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
  /** Everything this run created goes, on success, failure, or Ctrl-C / SIGTERM (timeout). */
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      for (const c of children) await stop(c);
      await driver.shutdown().catch(() => undefined);
      agent.destroy();
      await pg.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
      await pg.end().catch(() => undefined);
      const redis = new Redis(baseEnv.REDIS_URL);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      console.error(`${signal}: cleaning up before exiting`);
      void cleanUp().finally(() => process.exit(130));
    });
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
      API_LOG,
    );
    children.push(api);
    for (let i = 0; ; i++) {
      const r = await call(base, 'GET', '/api/exercises', adminToken).catch(() => undefined);
      if (r?.status === 200) break;
      if (i > 300) throw new Error('api did not start');
      await sleep(200);
    }

    // Students with tokens, written directly (bulk) rather than through thousands of admin calls.
    const db = new Client({ connectionString: dbUrl.toString() });
    await db.connect();
    const tokens = Array.from({ length: STUDENTS }, () => generateToken());
    await db.query(
      `WITH s AS (SELECT * FROM unnest($1::text[], $2::text[]) AS s(email, hash)),
            u AS (INSERT INTO users (id, email, display_name, role)
                  SELECT gen_random_uuid(), email, email, 'student' FROM s RETURNING id, email)
       INSERT INTO api_tokens (id, user_id, name, token_hash)
       SELECT gen_random_uuid(), u.id, 'bench', s.hash FROM u JOIN s USING (email)`,
      [tokens.map((_, i) => `bench-${i}@bench.local`), tokens.map((t) => hashToken(t))],
    );
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

    // --- direct: the physical limit of the same work. The reference's commands, each in its own
    // exec (directPlan: an attached -it command gets its input piped), one after the other
    // in a sandbox engine of the same kind (same image store, limits and disk polling), started and
    // then left idle for DIRECT_SETTLE_MS as a warm pool's sandbox is, with nothing else running.
    // Not included: files (written before the clock starts), the replay's per-line shell state,
    // state recording, probes, queue, database: those are the pipeline's overhead. ---
    const direct: Record<string, number[]> = {};
    /** One direct run of an exercise's reference: a new sandbox, settled, its lines, released. */
    const runDirect = async (ex: LoadedExercise, settleMs: number): Promise<number> => {
      const parsed = parseSubmission(ex.reference.source, { maxCommands: ex.definition.sandbox.maxCommands });
      const sandbox = await driver.create(sandboxConfig.limits);
      try {
        await sleep(settleMs);
        sandbox.arm(sandboxConfig.diskPollMs);
        if (ex.reference.files.length) await sandbox.putFiles(ex.reference.files);
        const t0 = performance.now();
        // A `cd` line moves the next lines, as in the student's shell (each line is its own exec here).
        let cwd: string | undefined;
        for (const c of parsed.commands) {
          const plan = directPlan(c);
          const timeoutMs = ex.definition.sandbox.commandTimeoutSeconds * 1000;
          const cd = /^cd\s+(\S+)\s*$/.exec(c.text.trim());
          if (cd) {
            const moved = await sandbox.exec(`cd -- ${cd[1]} && pwd`, { cwd, timeoutMs });
            if (moved.exitCode === 0) cwd = moved.output.trim();
            continue;
          }
          await sandbox.exec(plan.line, { stdin: plan.stdin, tty: plan.tty, timeoutMs, cwd });
        }
        return performance.now() - t0;
      } finally {
        await driver.release(sandbox);
      }
    };
    const throughputJobs = Array.from({ length: THROUGHPUT_JOBS }, (_, i) => catalogue[i % catalogue.length]);
    if (PHASES.has('direct') || PHASES.has('throughput')) await driver.init();
    if (PHASES.has('direct')) console.error('direct runs…');
    for (const ex of PHASES.has('direct') ? catalogue : []) {
      direct[ex.definition.slug] = [];
      for (let r = 0; r < REPS; r++) direct[ex.definition.slug].push(await runDirect(ex, DIRECT_SETTLE_MS));
    }
    // --- direct throughput: the same jobs as the throughput phase, run directly c at a time, each in
    // a sandbox created for it and destroyed after (no warm pool, queue, database, recording or
    // probes): the most these cores do with this work, the ratio's denominator. ---
    const directThroughput: Record<string, { perMin: number; jobs: number; seconds: number }> = {};
    for (const c of PHASES.has('throughput') ? [1, 2, 4] : []) {
      console.error(`direct throughput at concurrency ${c}…`);
      const queue = [...throughputJobs];
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: c }, async () => {
          for (let ex = queue.shift(); ex; ex = queue.shift()) await runDirect(ex, 0);
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      directThroughput[String(c)] = {
        perMin: Math.round((THROUGHPUT_JOBS / seconds) * 60 * 10) / 10,
        jobs: THROUGHPUT_JOBS,
        seconds: Math.round(seconds * 10) / 10,
      };
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
      await sleep(poolWarmUpMs(c));
      const jobs = throughputJobs;
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

    // --- intake: POST /api/submissions (no worker running). Closed loop (INTAKE_CONNECTIONS clients
    // submitting back to back: the most the api takes, and the target's figures), then open loop
    // at OPEN_RATE (that many students a second, evenly spaced, each submitting once: stricter, as
    // evenly spaced requests leave the api nothing to batch). Requests are built up front; each
    // goes to the next student, round robin. ---
    if (PHASES.has('intake')) console.error('intake…');
    const submission = (i: number) =>
      jsonRequest(
        'POST',
        '/api/submissions',
        { Authorization: `Bearer ${student()}` },
        { exercise: catalogue[i % catalogue.length].definition.slug, source: 'docker run hello-world' },
      );
    /** A load run, with the CPU each process group spent per request meanwhile. */
    const load = async (requests: number, connections: number, rate?: number) => {
      const roots = { api: api.pid ?? -1, bench: process.pid };
      const before = sampleCpu(roots);
      const result = await runLoad({ host: '127.0.0.1', port, requests, connections, rate, request: submission });
      const cpu = cpuBetween(before, sampleCpu(roots));
      const perRequest = Object.entries(cpu).map(([k, v]) => [k, Math.round((v / requests) * 1000) / 1000] as const);
      return { ...result, cpuMsPerRequest: Object.fromEntries(perRequest) };
    };
    let intake: { open: LoadRun; closed: LoadRun } | undefined;
    const loadBefore = loadavg()[0];
    if (PHASES.has('intake')) {
      await load(500, INTAKE_CONNECTIONS); // warm-up: connections, JIT, pools
      const closed = await load(INTAKE_REQUESTS, INTAKE_CONNECTIONS);
      const open = await load(Math.round(OPEN_RATE * OPEN_SECONDS), OPEN_CONNECTIONS, OPEN_RATE);
      intake = { open, closed };
    }
    const loadAfter = loadavg()[0];
    const slugs = catalogue.map((e) => e.definition.slug);
    const ran = (m: Record<string, number[]>) => slugs.filter((s) => m[s]?.length);
    const e2eP50Ms = Object.fromEntries(ran(e2e).map((s) => [s, Math.round(p(e2e[s], 50))]));
    const e2eToRunningP50Ms = Object.fromEntries(ran(e2eRunning).map((s) => [s, Math.round(p(e2eRunning[s], 50))]));
    const directP50Ms = Object.fromEntries(ran(direct).map((s) => [s, Math.round(p(direct[s], 50))]));
    const e2eTargetMs = (s: string) => Math.round(1.25 * directP50Ms[s] + 300);
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    const accepted = (r?: LoadResult) => r?.statuses[202] ?? 0;
    const intakeRps = intake ? Math.round(accepted(intake.closed) / intake.closed.seconds) : NaN;
    const intakeP99Ms = intake ? Math.round(p(intake.closed.latencies, 99) * 10) / 10 : NaN;
    const openRps = intake ? Math.round(accepted(intake.open) / intake.open.seconds) : NaN;
    const openP99Ms = intake ? Math.round(p(intake.open.latencies, 99) * 10) / 10 : NaN;
    const round1 = (x: number) => Math.round(x * 10) / 10;
    const throughputFailures = Object.values(throughput).reduce((n, t) => n + t.failures, 0);
    const best = (m: Record<string, { perMin: number }>) => Math.max(0, ...Object.values(m).map((t) => t.perMin));
    const throughputRatio =
      best(directThroughput) > 0 ? round1((best(throughput) / best(directThroughput)) * 100) / 100 : NaN;
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
        apiNodeFlags: nodeArgs('main', API_NODE_OPTIONS),
        directSettleMs: DIRECT_SETTLE_MS,
        e2eGapMs: E2E_GAP_MS,
        e2eWorker: { concurrency: 1, sandboxPoolSize: 1 },
      },
      directBaseline:
        'directP50Ms: the same commands run directly (directPlan: one exec per line), one after the other, in a sandbox of the same kind (same image store, limits, disk polling), idle for directSettleMs after its start like a warm pool sandbox; files written before the clock starts; no replay wrapper, state recording, probes, queue or database',
      reps: REPS,
      e2eP50Ms,
      e2eToRunningP50Ms,
      directP50Ms,
      e2eFailures,
      throughputPerMin: throughput,
      directThroughputPerMin: directThroughput,
      throughputRatio,
      failures: e2eFailures + throughputFailures,
      intakeMethod:
        'closed loop: INTAKE_CONNECTIONS keep-alive connections, each sending its next request when the previous one is answered; raw HTTP/1.1 client (bench/http-load.ts) in the bench process; 2000 students round robin',
      intakeRps,
      intakeP50Ms: intake ? round1(p(intake.closed.latencies, 50)) : NaN,
      intakeP99Ms,
      intakeStatuses: intake?.closed.statuses,
      intakeErrors: intake?.closed.errors,
      intakeConnections: INTAKE_CONNECTIONS,
      intakeCpuMsPerRequest: intake?.closed.cpuMsPerRequest,
      openLoop: intake && {
        method:
          'request i due at start + i/rate whatever the server does; latency from when it was due (waiting for a free connection counts)',
        offeredRps: OPEN_RATE,
        seconds: OPEN_SECONDS,
        connections: OPEN_CONNECTIONS,
        acceptedRps: openRps,
        p50Ms: round1(p(intake.open.latencies, 50)),
        p99Ms: openP99Ms,
        statuses: intake.open.statuses,
        errors: intake.open.errors,
        perSecond: intake.open.perSecond,
        cpuMsPerRequest: intake.open.cpuMsPerRequest,
      },
      targets: {
        throughputRatio: 'best graded/min ≥ 0.7 × best direct runs/min, same jobs, same run',
        e2eP50: '≤ 1.25 × direct + 300 ms',
        intakeRps: '≥ 1000',
        intakeP99Ms: '≤ 50',
        failures: 0,
      },
      verdicts: {
        e2e: Object.fromEntries(
          ran(e2e)
            .filter((s) => s in directP50Ms)
            .map((s) => [s, verdict(e2eP50Ms[s] <= e2eTargetMs(s))]),
        ),
        throughputFailures: Object.keys(throughput).length ? verdict(throughputFailures === 0) : 'not run',
        throughputRatio: Number.isFinite(throughputRatio) ? verdict(throughputRatio >= 0.7) : 'not run',
        intakeRps: PHASES.has('intake') ? verdict(intakeRps >= 1000) : 'not run',
        intakeP99Ms: PHASES.has('intake') ? verdict(intakeP99Ms <= 50) : 'not run',
        openLoop: PHASES.has('intake') ? verdict(openRps >= 1000 && openP99Ms <= 50) : 'not run',
      },
    };
    console.log(
      `\nmachine: ${result.machine.cpus} cores (${result.machine.cpuModel}); api: ${API_WORKERS} process(es), log level ${API_LOG_LEVEL}, node ${result.config.apiNodeFlags.join(' ')}`,
    );
    console.log('direct = same commands, same kind of sandbox, warm and idle (see directBaseline in the json)');
    console.log('\nexercise                  direct p50   e2e p50   →running   target (1.25×direct+300)');
    for (const s of ran(e2e).filter((x) => x in directP50Ms)) {
      console.log(
        `${s.padEnd(25)} ${String(directP50Ms[s]).padStart(8)} ms ${String(e2eP50Ms[s]).padStart(7)} ms ${String(e2eToRunningP50Ms[s]).padStart(7)} ms ${String(e2eTargetMs(s)).padStart(9)} ms  ${result.verdicts.e2e[s]}`,
      );
    }
    console.log('\nconcurrency   jobs   seconds   graded/min   direct/min   failures (target 0)');
    for (const [c, t] of Object.entries(throughput))
      console.log(
        `${c.padStart(11)} ${String(t.jobs).padStart(6)} ${String(t.seconds).padStart(9)} ${String(t.perMin).padStart(12)} ${String(directThroughput[c]?.perMin ?? '-').padStart(12)} ${String(t.failures).padStart(10)}  ${verdict(t.failures === 0)}`,
      );
    if (Number.isFinite(throughputRatio))
      console.log(
        `best graded/min ÷ best direct/min = ${best(throughput)} ÷ ${best(directThroughput)} = ${throughputRatio} (target ≥ 0.7: ${result.verdicts.throughputRatio})`,
      );
    if (intake) {
      const cpu = (r: LoadRun) =>
        Object.entries(r.cpuMsPerRequest)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ');
      const statuses = (r: LoadResult) =>
        Object.entries(r.statuses)
          .map(([k, v]) => `${v}×${k}`)
          .join(', ') + (r.errors ? `, ${r.errors} no answer` : '');
      console.log(
        `\nintake, closed loop over ${INTAKE_CONNECTIONS} connections: ${intakeRps} accepted/s (target ≥ 1000: ${result.verdicts.intakeRps}), p50 ${result.intakeP50Ms} ms, p99 ${intakeP99Ms} ms (target ≤ 50: ${result.verdicts.intakeP99Ms}); ${statuses(intake.closed)}`,
      );
      console.log(
        `  CPU ms per request: ${cpu(intake.closed)}; load avg ${result.load.loadAvg1mBeforeIntake} → ${result.load.loadAvg1mAfterIntake}`,
      );
      console.log(
        `intake, open loop at ${OPEN_RATE}/s for ${OPEN_SECONDS} s over ${OPEN_CONNECTIONS} connections (stricter): ${openRps} accepted/s, p50 ${result.openLoop?.p50Ms} ms, p99 ${openP99Ms} ms (${result.verdicts.openLoop}); ${statuses(intake.open)}`,
      );
      console.log(`  p99 per second: ${intake.open.perSecond.map((x) => x.p99Ms).join(' ')} ms`);
      console.log(`  CPU ms per request: ${cpu(intake.open)}`);
    }
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    const out = process.env.BENCH_RESULT_FILE ?? join(root, 'bench/results/pipeline.json');
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`written ${out}`);
    await db.end();
    return 0;
  } finally {
    await cleanUp();
  }
}

/**
 * The direct baseline, unchanged since before the persistent shell (so figures stay comparable):
 * one exec per line; an attached -it command gets its input piped without a terminal, then EOF.
 */
function directPlan(command: ParsedCommand): { line: string; stdin?: string; tty: boolean } {
  const attached = dockerInvocations(command.text).some((d) => d.tty && d.interactive && !d.detach);
  if (attached) return { line: withoutTty(command.text), stdin: command.stdin ?? '', tty: false };
  return { line: command.text, stdin: command.stdin, tty: command.tty };
}
