// First: lets the generated Prisma client's './x.js' imports load from TypeScript sources.
import '../cli/resolve-ts';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { generateToken, hashToken } from '../src/auth/token';
import { loadExercise } from '../src/exercises/exercise.loader';
import { GRADEBOOK_CELLS_SQL } from '../src/courses/gradebook.service';
import { createDatabase, dropDatabase, migrate } from '../test/support/database';
import { eventually, freePort, root, startBuilt } from '../test/support/processes';
import { baseDatabaseUrl, redisUrl } from '../test/support/test-env';
import { percentile } from './http-load';
import { agent, call, poolWarmUpMs, waitAllFinished, waitRegradeFinished } from './grading-client';
import { startWorker, stopProcess } from '../test/support/pipeline';

/**
 * Instructors' reports on a full course: STUDENTS × ASSIGNMENTS × ATTEMPTS submissions (300 × 20 ×
 * 10 = 60,000 by default), each graded with a realistic result, bulk-inserted with SQL in the
 * bench's own database. Measures the time to answer (sequential requests over loopback, so server
 * time plus one local round trip) of the gradebook page, the gradebook CSV and the assignment
 * report, against the issue's targets; then the regrade throughput: REGRADE hello-world submissions
 * graded by a real worker in sandboxes (the baseline), then regraded as one run by the same worker.
 * Knobs: BENCH_REPORTS_STUDENTS, BENCH_REPORTS_ATTEMPTS, BENCH_REPORTS_REQUESTS (30),
 * BENCH_REPORTS_REGRADE (300; 0 skips it), BENCH_REPORTS_WORKER_CONCURRENCY (2),
 * BENCH_REPORTS_KEEP_DB=1 (keep the database, to EXPLAIN by hand). Writes bench/results/reports.json.
 */
const STUDENTS = Number(process.env.BENCH_REPORTS_STUDENTS ?? 300);
const ASSIGNMENTS = 20;
const ATTEMPTS = Number(process.env.BENCH_REPORTS_ATTEMPTS ?? 10);
const REQUESTS = Number(process.env.BENCH_REPORTS_REQUESTS ?? 30);
const WARMUP = 5;
const KEEP_DB = process.env.BENCH_REPORTS_KEEP_DB === '1';
const REGRADE = Number(process.env.BENCH_REPORTS_REGRADE ?? 300);
const WORKER_CONCURRENCY = Number(process.env.BENCH_REPORTS_WORKER_CONCURRENCY ?? 2);
/** Generous: the grading of hundreds of submissions on a loaded 2-core machine. */
const REGRADE_TIMEOUT_MS = 90 * 60_000;

/** Eight checks of two points; variant v fails check i when bit i of v's pattern is set. */
const CHECK_COUNT = 8;
const FAIL_PATTERNS = [0b11111111, 0b00111011, 0b00011001, 0b00001001, 0b00000001, 0b00001000, 0b00000000, 0];
function checksOf(pattern: number) {
  return Array.from({ length: CHECK_COUNT }, (_, i) => {
    const passed = (pattern & (1 << i)) === 0;
    return {
      id: `check-${i}`,
      title: `Vérification ${i} : un conteneur tourne sous le nom attendu`,
      passed,
      points: passed ? 2 : 0,
      maxPoints: 2,
      message: passed
        ? 'Le conteneur tourne sous le bon nom.'
        : 'Relisez la consigne : `docker run` avec `-d` et `--name`, puis vérifiez avec `docker container ls`.',
      hidden: i === 7,
    };
  });
}
const transcript = Array.from({ length: 13 }, (_, i) => ({
  index: i,
  line: i + 1,
  text: `docker run -d --name c${i} redis`,
  tty: false,
  exitCode: i === 4 ? 1 : 0,
  output: `${'a'.repeat(64)}\n`.repeat(4),
  truncated: false,
  durationMs: 120 + i,
}));

interface Stats {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

function stats(xs: number[]): Stats {
  const r = (n: number) => Math.round(n * 10) / 10;
  return { n: xs.length, p50: r(percentile(xs, 50)), p95: r(percentile(xs, 95)), max: r(Math.max(...xs)) };
}

/** Times `REQUESTS` GETs of `path(i)` after a warm-up; every answer must be 200 and pass `check`. */
async function measure(
  base: string,
  cookie: string,
  path: (i: number) => string,
  check: (body: string) => boolean,
): Promise<{ status: number; stats?: Stats; bytes?: number }> {
  const first = await fetch(`${base}${path(0)}`, { headers: { Cookie: cookie }, redirect: 'manual' });
  const firstBody = await first.text();
  if (first.status !== 200) return { status: first.status };
  if (!check(firstBody)) throw new Error(`${path(0)}: unexpected body (${firstBody.slice(0, 200)})`);
  const times: number[] = [];
  for (let i = 0; i < WARMUP + REQUESTS; i++) {
    const t = performance.now();
    const res = await fetch(`${base}${path(i)}`, { headers: { Cookie: cookie }, redirect: 'manual' });
    const body = await res.text();
    const ms = performance.now() - t;
    if (res.status !== 200 || !check(body)) throw new Error(`${path(i)} answered ${res.status}`);
    if (i >= WARMUP) times.push(ms);
  }
  return { status: 200, stats: stats(times), bytes: Buffer.byteLength(firstBody) };
}

interface ExplainRun {
  executionMs: number;
  jitMs: number;
  planCost: number;
  sharedHits: number;
  /** Blocks the statement wrote to temporary files (a sort or hash that spilled past work_mem). */
  tempWritten: number;
  /** Each Sort node: rows, method and where it sorted ("quicksort Memory" or "external merge Disk"). */
  sorts: string[];
  /** Index-only scans, with their heap fetches (0 once VACUUM has set the visibility map). */
  indexOnly: string[];
}

type PlanNode = Record<string, any> & { Plans?: PlanNode[] }; // eslint-disable-line @typescript-eslint/no-explicit-any

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

/**
 * Where the gradebook's time goes, measured in this run (ratios hold on a loaded machine): the
 * statement's server time with JIT on (PostgreSQL's default, what the service runs) and off,
 * interleaved, from EXPLAIN ANALYZE.
 */
async function explainGradebook(pg: Client, courseId: string, reps: number) {
  const run = async (jit: 'on' | 'off'): Promise<ExplainRun> => {
    await pg.query(`SET jit = ${jit}`);
    const { rows } = await pg.query<{ 'QUERY PLAN': unknown }>(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${GRADEBOOK_CELLS_SQL}`,
      [courseId],
    );
    await pg.query('RESET jit');
    const plan = (rows[0]['QUERY PLAN'] as PlanNode[])[0];
    const nodes = planNodes(plan.Plan as PlanNode);
    return {
      executionMs: plan['Execution Time'] as number,
      jitMs: (plan.JIT?.Timing?.Total as number | undefined) ?? 0,
      planCost: plan.Plan['Total Cost'] as number,
      sharedHits: plan.Plan['Shared Hit Blocks'] as number,
      tempWritten: plan.Plan['Temp Written Blocks'] as number,
      sorts: nodes
        .filter((n) => n['Node Type'] === 'Sort')
        .map(
          (n) =>
            `${n['Actual Rows'] * n['Actual Loops']} rows in ${n['Actual Loops']} sort(s), ${n['Sort Method']} ${n['Sort Space Type']} ${n['Sort Space Used']} kB`,
        ),
      indexOnly: nodes
        .filter((n) => n['Node Type'] === 'Index Only Scan')
        .map(
          (n) => `${n['Index Name']}: ${n['Actual Rows'] * n['Actual Loops']} rows, ${n['Heap Fetches']} heap fetches`,
        ),
    };
  };
  const on: ExplainRun[] = [];
  const off: ExplainRun[] = [];
  for (let i = 0; i < reps; i++) {
    on.push(await run('on'));
    off.push(await run('off'));
  }
  const med = (xs: number[]) => Math.round(percentile(xs, 50) * 10) / 10;
  return {
    planCost: Math.round(on[0].planCost),
    sharedHitBlocks: on[0].sharedHits,
    tempWrittenBlocks: on[0].tempWritten,
    sorts: on[0].sorts,
    indexOnlyScans: on[0].indexOnly,
    jitOn: { executionMsP50: med(on.map((r) => r.executionMs)), jitCompileMsP50: med(on.map((r) => r.jitMs)) },
    jitOff: { executionMsP50: med(off.map((r) => r.executionMs)) },
  };
}

interface RegradeThroughput {
  submissions: number;
  workerConcurrency: number;
  graded: { seconds: number; perMin: number; failures: number };
  regraded: { seconds: number; perMin: number; failures: number; changed: number };
  /** regraded/min ÷ graded/min: what regrading costs against grading the same submissions. */
  ratio: number;
}

/**
 * The same `count` submissions (hello-world's reference, one per student in turn) first graded
 * through the api, queue, one worker and its sandboxes — timed from the first POST to the last
 * finished, the baseline — then regraded in one run (POST /api/regrades, the current definition)
 * by the same worker, timed from the POST to the run's end.
 */
async function regradeThroughput(
  base: string,
  pg: Client,
  env: NodeJS.ProcessEnv,
  students: string[],
  adminToken: string,
  count: number,
): Promise<RegradeThroughput> {
  const hello = await loadExercise(join(root, 'exercises', 'hello-world'));
  const tokens = students.map(() => generateToken());
  await pg.query(
    `INSERT INTO api_tokens (id, user_id, name, token_hash)
     SELECT gen_random_uuid(), u, 'bench', h FROM unnest($1::uuid[], $2::text[]) AS t(u, h)`,
    [students, tokens.map((t) => hashToken(t))],
  );
  const worker = startWorker({
    ...env,
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    SANDBOX_POOL_SIZE: String(WORKER_CONCURRENCY),
  });
  try {
    await new Promise((r) => setTimeout(r, poolWarmUpMs(WORKER_CONCURRENCY)));
    const failed = (rows: { status: string; score: number | null }[]) =>
      rows.filter((r) => r.status !== 'graded' || r.score !== hello.maxScore).length;

    const t0 = performance.now();
    const ids = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const r = await call(base, 'POST', '/api/submissions', tokens[i % tokens.length], {
          exercise: 'hello-world',
          source: hello.reference.source,
        });
        if (r.status !== 202) throw new Error(`submission ${i}: ${r.status} ${r.body.slice(0, 200)}`);
        return (JSON.parse(r.body) as { id: string }).id;
      }),
    );
    const graded = await waitAllFinished(pg, ids, REGRADE_TIMEOUT_MS);
    const gradedS = (performance.now() - t0) / 1000;

    const t1 = performance.now();
    const started = await call(base, 'POST', '/api/regrades', adminToken, { submissions: ids, version: 'current' });
    if (started.status !== 202) throw new Error(`regrade: ${started.status} ${started.body.slice(0, 200)}`);
    const run = await waitRegradeFinished(
      base,
      adminToken,
      (JSON.parse(started.body) as { id: string }).id,
      REGRADE_TIMEOUT_MS,
    );
    const regradedS = (performance.now() - t1) / 1000;
    const regraded = await waitAllFinished(pg, ids, 60_000);

    const r1 = (x: number) => Math.round(x * 10) / 10;
    const perMin = (s: number) => r1((count / s) * 60);
    return {
      submissions: count,
      workerConcurrency: WORKER_CONCURRENCY,
      graded: { seconds: r1(gradedS), perMin: perMin(gradedS), failures: failed(graded) },
      regraded: {
        seconds: r1(regradedS),
        perMin: perMin(regradedS),
        failures: failed(regraded) + (run.total - run.done),
        changed: run.changed,
      },
      ratio: Math.round((gradedS / regradedS) * 100) / 100,
    };
  } finally {
    await stopProcess(worker);
  }
}

export async function main(): Promise<number> {
  const dbName = `dockgrader_bench_reports_${randomBytes(3).toString('hex')}`;
  const url = await createDatabase(baseDatabaseUrl(), dbName);
  const prefix = `dgbench:reports:${randomBytes(3).toString('hex')}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { DATABASE_URL: url, REDIS_PREFIX: prefix, PORT: String(port), PUBLIC_URL: base, LOG_LEVEL: 'warn' };
  const pg = new Client({ connectionString: url });
  let api: ReturnType<typeof startBuilt> | undefined;
  try {
    migrate(url);
    api = startBuilt('main', env);
    await eventually(async () => {
      if ((await fetch(`${base}/health`)).status !== 200) throw new Error('api not ready');
    }, 60_000);
    await pg.connect();

    // --- seed: a course, its roster, 20 assignments, STUDENTS × ASSIGNMENTS × ATTEMPTS graded submissions ---
    const seedStart = performance.now();
    const code = 'BENCH-RAPPORTS';
    const { rows: course } = await pg.query<{ id: string }>(
      `INSERT INTO courses (id, code, title, term) VALUES (gen_random_uuid(), $1, 'Cours de charge', '2026') RETURNING id`,
      [code],
    );
    const courseId = course[0].id;
    const { rows: prof } = await pg.query<{ id: string }>(
      `INSERT INTO users (id, email, display_name, role) VALUES (gen_random_uuid(), 'prof-charge@lycee.test', 'Prof', 'instructor') RETURNING id`,
    );
    await pg.query(
      `INSERT INTO enrolments (id, course_id, user_id, role, updated_at) VALUES (gen_random_uuid(), $1, $2, 'instructor', now())`,
      [courseId, prof[0].id],
    );
    await pg.query(
      `INSERT INTO users (id, email, display_name, role)
       SELECT gen_random_uuid(), 'rapport-' || i || '@lycee.test', 'Élève ' || lpad(i::text, 3, '0'), 'student'
       FROM generate_series(1, $1::int) i`,
      [STUDENTS],
    );
    await pg.query(
      `INSERT INTO enrolments (id, course_id, user_id, role, "group", updated_at)
       SELECT gen_random_uuid(), $1, u.id, 'student', 'TP' || (row_number() OVER (ORDER BY u.email) % 10), now()
       FROM users u WHERE u.email LIKE 'rapport-%'`,
      [courseId],
    );
    await pg.query(
      `INSERT INTO exercises (id, slug, title, version, max_points, instructions, chapter, updated_at)
       SELECT gen_random_uuid(), 'rapport-ex-' || lpad(i::text, 2, '0'), 'Exercice de charge ' || i, 'v1', 16, '# Consigne', '', now()
       FROM generate_series(1, $1::int) i`,
      [ASSIGNMENTS],
    );
    // Due dates a day apart, ending yesterday; a late day at half credit; best or last alternately.
    await pg.query(
      `INSERT INTO assignments (id, course_id, exercise_id, due_at, late_until, late_credit, max_attempts, counted, updated_at)
       SELECT gen_random_uuid(), $1, e.id, now() - ((21 - n) || ' days')::interval, now() - ((20 - n) || ' days')::interval,
              0.5, 8, CASE WHEN n % 2 = 0 THEN 'best' ELSE 'last' END::"CountedPolicy", now()
       FROM (SELECT id, row_number() OVER (ORDER BY slug)::int AS n FROM exercises WHERE slug LIKE 'rapport-ex-%') e`,
      [courseId],
    );
    // Attempt k of a student arrives (ATTEMPTS - k) × 5 h before the due date give or take a few hours:
    // the last ones late, over the limit of 8 practice, one in 50 a failed grading.
    await pg.query(
      `INSERT INTO submissions (id, user_id, exercise_id, exercise_version, source, status, created_at, started_at, finished_at,
                                assignment_id, assignment_attempt, credit, practice_reason)
       SELECT gen_random_uuid(), u.id, a.exercise_id, 'v1', 'docker run -d --name redis redis',
              (CASE WHEN random() < 0.02 THEN 'error' ELSE 'graded' END)::"SubmissionStatus",
              t.at, t.at, t.at + interval '6 seconds', a.id, k,
              CASE WHEN k > 8 THEN 0 WHEN t.at > a.due_at THEN 0.5 ELSE 1 END,
              (CASE WHEN k > 8 THEN 'attempts' END)::"PracticeReason"
       FROM enrolments en JOIN users u ON u.id = en.user_id
       CROSS JOIN assignments a CROSS JOIN generate_series(1, $2::int) k
       CROSS JOIN LATERAL (SELECT a.due_at - (($2::int - k) * 5 || ' hours')::interval
                                  + (floor(random() * 240) - 200 || ' minutes')::interval AS at) t
       WHERE en.course_id = $1 AND en.role = 'student' AND a.course_id = $1`,
      [courseId, ATTEMPTS],
    );
    // Results: later attempts fail fewer checks (variants), so best/last and the ranking mean something.
    const variants = FAIL_PATTERNS.map((p, v) => {
      const checks = checksOf(p);
      return { v, score: checks.reduce((t, c) => t + c.points, 0), checks: JSON.stringify(checks) };
    });
    await pg.query(
      `INSERT INTO results (id, submission_id, exercise_version, attempt, score, max_score, checks, transcript, notices, image_digests)
       SELECT gen_random_uuid(), s.id, 'v1', 1, v.score, 16, v.checks, $2::jsonb, '[]', '{}'
       FROM submissions s
       JOIN (SELECT (x->>'v')::int AS v, (x->>'score')::float AS score, (x->>'checks')::jsonb AS checks
             FROM jsonb_array_elements($1::jsonb) x) v
         ON v.v = least(7, greatest(0, s.assignment_attempt - 2 + abs(hashtext(s.id::text)) % 3))
       WHERE s.status = 'graded' AND s.assignment_id IS NOT NULL`,
      [JSON.stringify(variants), JSON.stringify(transcript)],
    );
    // VACUUM as well: autovacuum keeps a real table's visibility map set, which index-only scans
    // (the gradebook's cells) rely on to skip the heap; a freshly seeded table has none yet.
    await pg.query('VACUUM ANALYZE');
    const { rows: counts } = await pg.query<{ s: number; r: number }>(
      'SELECT (SELECT count(*) FROM submissions)::int AS s, (SELECT count(*) FROM results)::int AS r',
    );
    const seedMs = performance.now() - seedStart;
    const { rows: assignmentRows } = await pg.query<{ id: string }>(
      'SELECT id FROM assignments WHERE course_id = $1 ORDER BY due_at',
      [courseId],
    );
    const token = randomBytes(32).toString('base64url');
    await pg.query(
      `INSERT INTO web_sessions (id, token_hash, user_id, csrf_token, expires_at) VALUES (gen_random_uuid(), $1, $2, 'x', now() + interval '1 day')`,
      [hashToken(token), prof[0].id],
    );
    const cookie = `dg_session=${token}`;
    const assignment = (i: number) => assignmentRows[i % assignmentRows.length].id;

    // --- measures ---
    const gradebookPage = await measure(
      base,
      cookie,
      () => `/courses/${code}/gradebook`,
      (b) => b.includes('Élève 300') || STUDENTS < 300,
    );
    const gradebookJson = await measure(
      base,
      cookie,
      () => `/api/courses/${code}/gradebook`,
      (b) => b.startsWith('{'),
    );
    const gradebookCsv = await measure(
      base,
      cookie,
      () => `/api/courses/${code}/gradebook.csv`,
      (b) => b.split('\n').length >= STUDENTS + 1,
    );
    const reportPage = await measure(
      base,
      cookie,
      (i) => `/courses/${code}/assignments/${assignment(i)}/report`,
      (b) => b.includes('data-chart="histo-notes"') && b.includes('data-testid="misconceptions"'),
    );
    const reportJson = await measure(
      base,
      cookie,
      (i) => `/api/courses/${code}/assignments/${assignment(i)}/report`,
      (b) => b.includes('"checks"'),
    );

    const diagnosis = await explainGradebook(pg, courseId, 10);

    let regrade: RegradeThroughput | undefined;
    if (REGRADE > 0) {
      console.error(`regrade throughput: ${REGRADE} submissions graded, then regraded…`);
      const { rows: admin } = await pg.query<{ id: string }>(
        `INSERT INTO users (id, email, display_name, role) VALUES (gen_random_uuid(), 'admin-charge@lycee.test', 'Admin', 'admin') RETURNING id`,
      );
      const adminToken = generateToken();
      await pg.query(
        `INSERT INTO api_tokens (id, user_id, name, token_hash) VALUES (gen_random_uuid(), $1, 'bench', $2)`,
        [admin[0].id, hashToken(adminToken)],
      );
      const { rows: students } = await pg.query<{ user_id: string }>(
        `SELECT user_id FROM enrolments WHERE course_id = $1 AND role = 'student' ORDER BY user_id`,
        [courseId],
      );
      regrade = await regradeThroughput(
        base,
        pg,
        env,
        students.map((s) => s.user_id),
        adminToken,
        REGRADE,
      );
    }

    const rows: { name: string; target: number | null; m: Awaited<ReturnType<typeof measure>>; note?: string }[] = [
      { name: 'gradebook page (GET /courses/:code/gradebook)', target: 300, m: gradebookPage },
      { name: 'gradebook JSON (GET /api/…/gradebook)', target: 300, m: gradebookJson },
      { name: 'gradebook CSV (GET /api/…/gradebook.csv)', target: 1000, m: gradebookCsv },
      { name: 'assignment report page', target: 300, m: reportPage },
      { name: 'assignment report JSON', target: 300, m: reportJson },
    ];
    const result = {
      when: new Date().toISOString(),
      note: 'Sequential requests over loopback (server time plus one local round trip), after 5 warm-up requests; 2 shared cores, noisy.',
      data: {
        students: STUDENTS,
        assignments: ASSIGNMENTS,
        attemptsPerAssignment: ATTEMPTS,
        submissions: counts[0].s,
        results: counts[0].r,
        seedMs: Math.round(seedMs),
      },
      ms: Object.fromEntries(
        rows.map((r) => [
          r.name,
          r.m.stats
            ? {
                ...r.m.stats,
                bytes: r.m.bytes,
                targetP95: r.target,
                met: r.target === null || r.m.stats.p95 <= r.target,
              }
            : { status: r.m.status, note: 'not served on this branch' },
        ]),
      ),
      gradebookQuery: diagnosis,
      regrade: regrade ?? 'not measured (BENCH_REPORTS_REGRADE=0)',
    };
    const col = (s: string | number, n: number) => String(s).padStart(n);
    console.log(
      `\nreports bench: ${counts[0].s} submissions, ${counts[0].r} results (${STUDENTS} students × ${ASSIGNMENTS} assignments × ${ATTEMPTS} attempts), seeded in ${Math.round(seedMs / 1000)} s`,
    );
    console.log(
      `${'measure (ms)'.padEnd(48)} ${col('n', 4)} ${col('p50', 8)} ${col('p95', 8)} ${col('max', 8)} ${col('KiB', 7)} ${col('target p95', 11)}  met`,
    );
    for (const r of rows) {
      const s = r.m.stats;
      if (!s) {
        console.log(`${r.name.padEnd(48)} answered ${r.m.status}: not served on this branch`);
        continue;
      }
      console.log(
        `${r.name.padEnd(48)} ${col(s.n, 4)} ${col(s.p50, 8)} ${col(s.p95, 8)} ${col(s.max, 8)} ${col(Math.round((r.m.bytes ?? 0) / 1024), 7)} ${col(r.target === null ? '—' : `≤ ${r.target}`, 11)}  ${r.target === null || s.p95 <= r.target ? 'yes' : 'NO'}`,
      );
    }
    if (regrade)
      console.log(
        `\nregrade throughput, ${regrade.submissions} hello-world submissions, worker concurrency ${regrade.workerConcurrency}: ` +
          `graded ${regrade.graded.perMin}/min (${regrade.graded.seconds} s, ${regrade.graded.failures} failures), ` +
          `regraded ${regrade.regraded.perMin}/min (${regrade.regraded.seconds} s, ${regrade.regraded.failures} failures, ${regrade.regraded.changed} changed); ` +
          `regrade ÷ grade = ${regrade.ratio}`,
      );
    else console.log(`${'regrade throughput'.padEnd(48)} not measured (BENCH_REPORTS_REGRADE=0)`);
    console.log(
      `\ngradebook cells statement (EXPLAIN ANALYZE, p50 of 10, interleaved): plan cost ${diagnosis.planCost} (jit_above_cost 100000), ` +
        `${diagnosis.sharedHitBlocks} buffer hits; JIT on ${diagnosis.jitOn.executionMsP50} ms of which compiling ${diagnosis.jitOn.jitCompileMsP50} ms; ` +
        `JIT off ${diagnosis.jitOff.executionMsP50} ms; ${diagnosis.tempWrittenBlocks} temp blocks written; ` +
        `sorts: ${diagnosis.sorts.join('; ') || 'none'}; index-only: ${diagnosis.indexOnlyScans.join('; ') || 'none'}`,
    );
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/reports.json'), `${JSON.stringify(result, null, 2)}\n`);
    if (KEEP_DB) console.log(`database kept: ${url}`);
    return 0;
  } finally {
    agent.destroy();
    await pg.end().catch(() => undefined);
    if (api && api.exitCode === null) {
      api.kill('SIGTERM');
      await new Promise((r) => api!.once('exit', r));
    }
    if (!KEEP_DB) await dropDatabase(baseDatabaseUrl(), dbName);
    // Its Redis keys go too.
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
