// First: lets the generated Prisma client's './x.js' imports load from TypeScript sources.
import '../cli/resolve-ts';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { hashPassword } from '../src/auth/password';
import { generateToken, hashToken } from '../src/auth/token';
import { createDatabase, dropDatabase, migrate } from '../test/support/database';
import { eventually, freePort, root, startBuilt } from '../test/support/processes';
import { baseDatabaseUrl, redisUrl } from '../test/support/test-env';
import { percentile } from './http-load';

/**
 * Student pages: server render time of the dashboard and of a graded submission page on a database
 * of STUDENTS × EXERCISES × SUBMISSIONS (1,000 × 20 × 5 by default), and in a real browser the time
 * from clicking "Envoyer" to the first progress shown, beside the same submission made by the raw
 * API in the same run. Knobs: BENCH_WEB_STUDENTS, BENCH_WEB_SUBMISSIONS, BENCH_WEB_REQUESTS (300),
 * BENCH_WEB_REPS (5). Writes bench/results/web.json.
 */
const STUDENTS = Number(process.env.BENCH_WEB_STUDENTS ?? 1000);
const EXERCISES = 20;
const PER_EXERCISE = Number(process.env.BENCH_WEB_SUBMISSIONS ?? 5);
const REQUESTS = Number(process.env.BENCH_WEB_REQUESTS ?? 300);
const REPS = Number(process.env.BENCH_WEB_REPS ?? 5);
const SAMPLE = 50;

const checks = Array.from({ length: 8 }, (_, i) => ({
  id: `check-${i}`,
  title: `Vérification ${i} : un conteneur tourne sous le nom attendu`,
  passed: i % 3 !== 0,
  points: i % 3 !== 0 ? 2 : 0,
  maxPoints: 2,
  message: 'Relisez la consigne : `docker run` avec `-d` et `--name`, puis vérifiez avec `docker container ls`.',
  hidden: i === 7,
}));
const transcript = Array.from({ length: 13 }, (_, i) => ({
  index: i,
  line: i + 1,
  text: `docker run -d --name c${i} redis`,
  tty: false,
  exitCode: i === 4 ? 1 : 0,
  output: `${'a'.repeat(64)}\n`.repeat(4),
  truncated: false,
  durationMs: 120 + i,
  state: {
    containers: Array.from({ length: Math.min(i + 1, 4) }, (_, j) => ({
      name: `c${j}`,
      image: 'redis',
      state: j === 2 ? 'exited' : 'running',
      exitCode: j === 2 ? 1 : 0,
    })),
    images: ['redis:latest', 'postgres:latest', 'mongo:latest'],
    volumes: [],
    networks: [],
  },
}));

function stats(xs: number[]) {
  const r = (n: number) => Math.round(n * 10) / 10;
  return { n: xs.length, p50: r(percentile(xs, 50)), p95: r(percentile(xs, 95)), max: r(Math.max(...xs)) };
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export async function main(): Promise<number> {
  const dbName = `dockgrader_bench_web_${randomBytes(3).toString('hex')}`;
  const url = await createDatabase(baseDatabaseUrl(), dbName);
  const prefix = `dgbench:web:${randomBytes(3).toString('hex')}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { DATABASE_URL: url, REDIS_PREFIX: prefix, PORT: String(port), PUBLIC_URL: base, LOG_LEVEL: 'warn' };
  const pg = new Client({ connectionString: url });
  let api: ReturnType<typeof startBuilt> | undefined;
  let worker: ReturnType<typeof startBuilt> | undefined;
  try {
    migrate(url);
    api = startBuilt('main', env);
    await eventually(async () => {
      if ((await fetch(`${base}/health`)).status !== 200) throw new Error('api not ready');
    }, 60_000);
    await pg.connect();

    // --- seed: students × exercises × submissions, each graded with a realistic result ---
    const seedStart = performance.now();
    const { rows: ex } = await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM exercises WHERE published');
    await pg.query(
      `INSERT INTO exercises (id, slug, title, version, max_points, instructions, chapter, updated_at)
       SELECT gen_random_uuid(), 'charge-' || i, 'Exercice de charge ' || i, 'v1', 16, '# Consigne', '', now()
       FROM generate_series(1, $1::int) i`,
      [Math.max(0, EXERCISES - ex[0].n)],
    );
    await pg.query(
      `INSERT INTO users (id, email, display_name, role)
       SELECT gen_random_uuid(), 'charge-' || i || '@lycee.test', 'Élève ' || i, 'student' FROM generate_series(1, $1::int) i`,
      [STUDENTS],
    );
    await pg.query(
      `INSERT INTO submissions (id, user_id, exercise_id, exercise_version, source, status, created_at, started_at, finished_at)
       SELECT gen_random_uuid(), u.id, e.id, e.version, 'docker run -d --name redis redis', 'graded',
              now() - (k || ' hours')::interval, now() - (k || ' hours')::interval, now() - (k || ' hours')::interval + interval '6 seconds'
       FROM users u CROSS JOIN exercises e CROSS JOIN generate_series(1, $1::int) k
       WHERE u.email LIKE 'charge-%' AND e.published`,
      [PER_EXERCISE],
    );
    await pg.query(
      `INSERT INTO results (id, submission_id, exercise_version, attempt, score, max_score, checks, transcript, notices, image_digests)
       SELECT gen_random_uuid(), s.id, s.exercise_version, 1, floor(random() * 17), 16, $1::jsonb, $2::jsonb, '[]', '{}'
       FROM submissions s`,
      [JSON.stringify(checks), JSON.stringify(transcript)],
    );
    await pg.query('ANALYZE');
    const { rows: counts } = await pg.query<{ s: number; r: number }>(
      'SELECT (SELECT count(*) FROM submissions)::int AS s, (SELECT count(*) FROM results)::int AS r',
    );
    const seedMs = performance.now() - seedStart;

    // Sessions for a sample of students (as a login would create them).
    const { rows: sample } = await pg.query<{ id: string }>(
      `SELECT id FROM users WHERE email LIKE 'charge-%' ORDER BY random() LIMIT $1`,
      [SAMPLE],
    );
    const sessions: { cookie: string; submission: string }[] = [];
    for (const u of sample) {
      const token = randomBytes(32).toString('base64url');
      await pg.query(
        `INSERT INTO web_sessions (id, token_hash, user_id, csrf_token, expires_at) VALUES (gen_random_uuid(), $1, $2, 'x', now() + interval '1 day')`,
        [hashToken(token), u.id],
      );
      const { rows } = await pg.query<{ id: string }>('SELECT id FROM submissions WHERE user_id = $1 LIMIT 1', [u.id]);
      sessions.push({ cookie: `dg_session=${token}`, submission: rows[0].id });
    }

    // --- server render times (sequential requests over loopback: render + one HTTP round trip) ---
    const dashboard: number[] = [];
    const submission: number[] = [];
    for (let i = 0; i < REQUESTS + 30; i++) {
      const s = sessions[i % sessions.length];
      const d = await timed(async () => {
        const res = await fetch(`${base}/`, { headers: { Cookie: s.cookie }, redirect: 'manual' });
        if (res.status !== 200) throw new Error(`dashboard answered ${res.status}`);
        await res.text();
      });
      const p = await timed(async () => {
        const res = await fetch(`${base}/submissions/${s.submission}`, {
          headers: { Cookie: s.cookie },
          redirect: 'manual',
        });
        const body = await res.text();
        if (res.status !== 200 || !body.includes('data-testid="score"'))
          throw new Error(`submission page answered ${res.status}`);
      });
      if (i >= 30) {
        dashboard.push(d);
        submission.push(p);
      }
    }

    // --- browser submit → first progress, beside the raw API ---
    // The worker starts only now: its warm sandbox's creation would share the cores with the renders above.
    worker = startBuilt('worker', { ...env, SANDBOX_POOL_SIZE: '1', WORKER_CONCURRENCY: '1' });
    const student = sample[0].id;
    const password = 'mot-de-passe-de-charge';
    const { rows: who } = await pg.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [student]);
    await pg.query('UPDATE users SET password_hash = $1 WHERE id = $2', [await hashPassword(password), student]);
    const apiToken = generateToken();
    await pg.query(
      `INSERT INTO api_tokens (id, user_id, name, token_hash) VALUES (gen_random_uuid(), $1, 'bench', $2)`,
      [student, hashToken(apiToken)],
    );
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const ui = { pageShown: [] as number[], firstEvent: [] as number[], firstCommand: [] as number[] };
    const raw = { firstEvent: [] as number[], firstCommand: [] as number[] };
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${base}/login`);
      await page.getByLabel('Adresse e-mail').fill(who[0].email);
      await page.getByLabel('Mot de passe').fill(password);
      await Promise.all([page.waitForURL(`${base}/`), page.getByRole('button', { name: 'Se connecter' }).click()]);
      for (let rep = 0; rep < REPS; rep++) {
        // Browser: click, then the page shows the first event, then the first replayed command.
        await page.goto(`${base}/exercises/hello-world`);
        await page.getByLabel('Commandes ou session de terminal').fill('docker run hello-world');
        const t0 = performance.now();
        await page.getByRole('button', { name: 'Envoyer pour correction' }).click();
        // Where the time goes: the form POST and its redirect to the rendered submission page…
        await page.waitForURL(/\/submissions\//, { waitUntil: 'domcontentloaded' });
        ui.pageShown.push(performance.now() - t0);
        // …then the script opening the event stream and showing its first event.
        await page.locator('[data-last-event]').waitFor({ timeout: 120_000 });
        ui.firstEvent.push(performance.now() - t0);
        await page.locator('[data-progress-steps] li').first().waitFor({ timeout: 120_000 });
        ui.firstCommand.push(performance.now() - t0);
        await page.getByTestId('score').waitFor({ timeout: 170_000 });

        // Raw API: POST, then the event stream, the same two moments.
        const t1 = performance.now();
        const res = await fetch(`${base}/api/submissions`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${apiToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ exercise: 'hello-world', source: 'docker run hello-world' }),
        });
        const { id } = (await res.json()) as { id: string };
        const stream = await fetch(`${base}/api/submissions/${id}/events`, {
          headers: { Authorization: `Bearer ${apiToken}` },
        });
        let buffer = '';
        let first = false;
        for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += Buffer.from(chunk).toString();
          if (!first && /^event: /m.test(buffer)) {
            first = true;
            raw.firstEvent.push(performance.now() - t1);
          }
          if (/event: running\ndata: [^\n]*"index":[1-9]/.test(buffer)) {
            raw.firstCommand.push(performance.now() - t1);
            break;
          }
        }
        await stream.body?.cancel().catch(() => undefined);
        await eventually(
          async () => {
            const s = await pg.query<{ status: string }>('SELECT status FROM submissions WHERE id = $1', [id]);
            if (s.rows[0].status !== 'graded') throw new Error('not graded yet');
          },
          170_000,
          250,
        );
      }
    } finally {
      await browser.close();
    }

    const result = {
      when: new Date().toISOString(),
      data: {
        students: STUDENTS,
        exercises: EXERCISES,
        submissionsPerExercise: PER_EXERCISE,
        submissions: counts[0].s,
        results: counts[0].r,
        seedMs: Math.round(seedMs),
      },
      renderMs: { dashboard: stats(dashboard), gradedSubmission: stats(submission), target: 'p95 <= 50' },
      submitToProgressMs: {
        browser: {
          pageShown: stats(ui.pageShown),
          firstEvent: stats(ui.firstEvent),
          firstCommand: stats(ui.firstCommand),
        },
        rawApi: { firstEvent: stats(raw.firstEvent), firstCommand: stats(raw.firstCommand) },
        target: 'browser first event p50 <= 300 on top of queueing',
      },
    };
    const line = (name: string, s: { n: number; p50: number; p95: number; max: number }) =>
      `${name.padEnd(42)} ${String(s.n).padStart(5)} ${String(s.p50).padStart(9)} ${String(s.p95).padStart(9)} ${String(s.max).padStart(9)}`;
    console.log(
      `\nweb bench: ${counts[0].s} submissions (${STUDENTS} students × ${EXERCISES} exercises × ${PER_EXERCISE}), seeded in ${Math.round(seedMs / 1000)} s`,
    );
    console.log(
      `${'measure (ms)'.padEnd(42)} ${'n'.padStart(5)} ${'p50'.padStart(9)} ${'p95'.padStart(9)} ${'max'.padStart(9)}`,
    );
    console.log(line('render: dashboard (GET /)', result.renderMs.dashboard));
    console.log(line('render: graded submission page', result.renderMs.gradedSubmission));
    console.log(line('browser: click → submission page shown', stats(ui.pageShown)));
    console.log(line('browser: click → first event shown', ui.firstEvent.length ? stats(ui.firstEvent) : stats([NaN])));
    console.log(line('raw API: POST → first event', stats(raw.firstEvent)));
    console.log(line('browser: click → first command shown', stats(ui.firstCommand)));
    console.log(line('raw API: POST → first running command', stats(raw.firstCommand)));
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/web.json'), `${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } finally {
    await pg.end().catch(() => undefined);
    for (const child of [worker, api]) {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    }
    await dropDatabase(baseDatabaseUrl(), dbName);
    // Its Redis keys (queue, progress, rate limits) go too.
    const redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  }
}
