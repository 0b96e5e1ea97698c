// First: lets the generated Prisma client's './x.js' imports load from TypeScript sources.
import '../cli/resolve-ts';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { hashToken, generateToken } from '../src/auth/token';
import { loadEnv } from '../src/config/env';
import { dockerOptions } from '../src/docker/docker.service';
import { loadCatalogue, type LoadedExercise } from '../src/exercises/exercise.loader';
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

function start(entry: 'main' | 'worker', env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [join(root, 'dist', `${entry}.js`)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
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

/** Waits for the SSE stream of a submission to report graded or error. */
async function waitGraded(base: string, token: string, id: string): Promise<{ type: string; score?: number }> {
  const res = await fetch(`${base}/api/submissions/${id}/events`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(300_000),
  });
  if (!res.body) throw new Error(`events: ${res.status}`);
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
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
  const driver = new DockerSandboxDriver(
    new Docker(dockerOptions(baseEnv.DOCKER_HOST)),
    { ...sandboxConfigFromEnv(baseEnv), poolSize: 0 },
    loadImageCatalog(sandboxConfigFromEnv(baseEnv).manifestPath),
  );
  try {
    execFileSync('bash', ['scripts/prisma.sh', 'migrate', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: dbUrl.toString() },
      stdio: 'pipe',
    });
    const catalogue = (await loadCatalogue(join(root, 'exercises'))).filter((e) => !e.definition.sandbox.egress);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const common = { DATABASE_URL: dbUrl.toString(), REDIS_PREFIX: prefix, LOG_LEVEL: 'warn', NODE_ENV: 'production' };
    const api = start('main', {
      ...common,
      PORT: String(port),
      DOCKGRADER_ADMIN_TOKEN: adminToken,
      QUEUE_MAX_DEPTH: '1000000',
    });
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
      const outcome = await waitGraded(base, tok, subId);
      return { ms: performance.now() - t0, ok: outcome.type === 'graded' && outcome.score === ex.maxScore, outcome };
    };

    // --- direct: the reference's commands in a ready sandbox engine (images present), no pipeline ---
    console.error('direct runs…');
    await driver.init();
    const direct: Record<string, number[]> = {};
    for (const ex of catalogue) {
      const parsed = parseSubmission(ex.reference.source, { maxCommands: ex.definition.sandbox.maxCommands });
      direct[ex.definition.slug] = [];
      for (let r = 0; r < REPS; r++) {
        const sandbox = await driver.acquire();
        try {
          if (ex.reference.files.length) await sandbox.putFiles(ex.reference.files);
          const t0 = performance.now();
          for (const c of parsed.commands)
            await sandbox.exec(c.text, {
              stdin: c.stdin,
              tty: c.tty,
              timeoutMs: ex.definition.sandbox.commandTimeoutSeconds * 1000,
            });
          direct[ex.definition.slug].push(performance.now() - t0);
        } finally {
          await driver.release(sandbox);
        }
      }
    }
    await driver.shutdown();

    // --- e2e: submit → graded, one worker (concurrency 1, warm pool of 1 as in production) ---
    console.error('end-to-end runs…');
    let worker = start('worker', { ...common, WORKER_CONCURRENCY: '1', SANDBOX_POOL_SIZE: '1' });
    children.push(worker);
    await sleep(3000);
    const e2e: Record<string, number[]> = {};
    let e2eFailures = 0;
    for (const ex of catalogue) {
      e2e[ex.definition.slug] = [];
      for (let r = 0; r < REPS; r++) {
        const run = await submitAndWait(ex);
        if (!run.ok) e2eFailures++;
        e2e[ex.definition.slug].push(run.ms);
      }
    }
    await stop(worker);

    // --- throughput at worker concurrency 1, 2, 4 ---
    const throughput: Record<string, { perMin: number; jobs: number; failures: number; seconds: number }> = {};
    for (const c of [1, 2, 4]) {
      console.error(`throughput at concurrency ${c}…`);
      worker = start('worker', { ...common, WORKER_CONCURRENCY: String(c), SANDBOX_POOL_SIZE: String(c) });
      children.push(worker);
      await sleep(3000 + 1500 * c); // let the warm pool fill, as a running worker's would be
      const jobs = Array.from({ length: THROUGHPUT_JOBS }, (_, i) => catalogue[i % catalogue.length]);
      const t0 = performance.now();
      const runs = await Promise.all(jobs.map((ex) => submitAndWait(ex).catch(() => ({ ok: false, ms: 0 }))));
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
    console.error('intake…');
    const body = (i: number) => ({
      exercise: catalogue[i % catalogue.length].definition.slug,
      source: 'docker run hello-world',
    });
    const warm = 300;
    for (let i = 0; i < warm; i += INTAKE_CONNECTIONS)
      await Promise.all(
        Array.from({ length: INTAKE_CONNECTIONS }, (_, k) =>
          call(base, 'POST', '/api/submissions', student(), body(i + k)),
        ),
      );
    const latencies: number[] = [];
    let accepted = 0;
    let refused = 0;
    let issued = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: INTAKE_CONNECTIONS }, async () => {
        while (issued < INTAKE_REQUESTS) {
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

    const slugs = catalogue.map((e) => e.definition.slug);
    const e2eP50Ms = Object.fromEntries(slugs.map((s) => [s, Math.round(p(e2e[s], 50))]));
    const directP50Ms = Object.fromEntries(slugs.map((s) => [s, Math.round(p(direct[s], 50))]));
    const result = {
      generatedAt: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
      reps: REPS,
      e2eP50Ms,
      directP50Ms,
      e2eFailures,
      throughputPerMin: throughput,
      failures: e2eFailures + Object.values(throughput).reduce((n, t) => n + t.failures, 0),
      intakeRps: Math.round(accepted / intakeSeconds),
      intakeP50Ms: Math.round(p(latencies, 50) * 10) / 10,
      intakeP99Ms: Math.round(p(latencies, 99) * 10) / 10,
      intakeAccepted: accepted,
      intakeRefused: refused,
      intakeConnections: INTAKE_CONNECTIONS,
      targets: { e2eP50: '≤ 1.25 × direct + 300 ms', intakeRps: '≥ 1000', intakeP99Ms: '≤ 50', failures: 0 },
    };
    console.log('\nexercise                  direct p50   e2e p50   target    ok');
    for (const s of slugs) {
      const target = 1.25 * directP50Ms[s] + 300;
      console.log(
        `${s.padEnd(25)} ${String(directP50Ms[s]).padStart(8)} ms ${String(e2eP50Ms[s]).padStart(7)} ms ${String(Math.round(target)).padStart(7)} ms  ${e2eP50Ms[s] <= target ? 'yes' : 'NO'}`,
      );
    }
    console.log('\nconcurrency   jobs   seconds   per min   failures');
    for (const [c, t] of Object.entries(throughput))
      console.log(
        `${c.padStart(11)} ${String(t.jobs).padStart(6)} ${String(t.seconds).padStart(9)} ${String(t.perMin).padStart(9)} ${String(t.failures).padStart(10)}`,
      );
    console.log(
      `\nintake: ${result.intakeRps} accepted/s, p50 ${result.intakeP50Ms} ms, p99 ${result.intakeP99Ms} ms (${accepted} accepted, ${refused} refused, ${INTAKE_CONNECTIONS} connections)`,
    );
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/pipeline.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log('written bench/results/pipeline.json');
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
