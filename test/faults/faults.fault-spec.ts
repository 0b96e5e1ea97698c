import { ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Docker from 'dockerode';
import { Pool } from 'pg';
import { SandboxLabels } from '../../src/sandbox/sandbox.labels';
import { createDatabase, migrate } from '../support/database';
import { PrivateDockerd, PrivatePostgres, PrivateRedis } from '../support/private-services';
import { eventually, freePort, root, startBuilt, waitForExit } from '../support/processes';
import { HoldingProxy } from '../support/holding-proxy';
import { signedHeaders, WebhookReceiver } from '../support/webhook-receiver';

/**
 * The fault suite (issue #18, `npm run test:faults`): a steady load of submissions against the
 * built api and two workers on PRIVATE PostgreSQL and Redis (test/support/private-services.ts),
 * one fault injected per phase and recovered, then every accepted submission followed to its end.
 * Prints one table (fault × sent / accepted / graded once / lost / duplicated / error / API 5xx /
 * documented 503 / wrong score) and writes bench/results/faults.json.
 *
 * Clients behave as a real one does: a submission is retried with its Idempotency-Key (LMS: its
 * webhook-id) after a 503, a 5xx or a cut connection, honouring Retry-After. "Lost" is a submission
 * the API accepted that never reached graded/error, or one the client gave up on; "duplicated" a
 * key that produced two submissions, or a submission with two results.
 *
 * Knobs: FAULTS_RATE (submissions per second, default 0.5; the nightly setting is 2),
 * FAULTS_PHASE_SECONDS (load per phase, default 30; nightly 120), FAULTS_ONLY (comma-separated
 * parts of phase names: `clock,Redis` runs the two phases whose names contain them).
 */
const RATE = Number(process.env.FAULTS_RATE ?? 0.5);
const PHASE_SECONDS = Number(process.env.FAULTS_PHASE_SECONDS ?? 30);
const ONLY = process.env.FAULTS_ONLY?.split(',');
const SOURCE = 'docker run hello-world';
/** What SOURCE earns (ran-hello-world 3 + saw-message 1 of 6): any other score is a failure of ours graded as the student's. */
const SOURCE_SCORE = 4;
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
/** Size of worker 1's scratch disk: a few dozen sandboxes' directories (about 2 MB each for hello-world). */
const SCRATCH_MB = 256;

interface Sent {
  phase: string;
  key: string;
  id?: string;
  /** The client gave up (no accepted answer after its retries). */
  gaveUp?: boolean;
  lms?: boolean;
  /** Sent to this course assignment (the clock phase: credit must come from the database's time). */
  assignment?: string;
}

interface PhaseStats {
  fault: string;
  sent: number;
  accepted: number;
  gradedOnce: number;
  lost: number;
  duplicated: number;
  error: number;
  api5xx: number;
  documented503: number;
  /** Graded with another score than SOURCE earns: a failure of ours graded as the student's. */
  wrongScore: number;
  notes: string[];
  /** Webhook phase: grades to deliver, delivered, delivered more than once, attempts. */
  webhooks?: { graded: number; delivered: number; deliveredTwice: number; attempts: number };
  /** Clock phase: submissions received before the deadline but not at full credit. */
  notCredited?: number;
  /** Api-kill phase: submissions the sweeper re-queued (stored, never queued by the killed api). */
  requeued?: number;
  /** Scratch phase: worker log lines naming the full disk. */
  scratchReports?: number;
}

type Proc = ChildProcess & { output: () => string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault suite', () => {
  it('loses nothing, grades nothing twice and answers no unexpected 5xx under each fault', async () => {
    const pg = await PrivatePostgres.create();
    let redis: PrivateRedis | undefined;
    let apiRedis: HoldingProxy | undefined;
    let engine: PrivateDockerd | undefined;
    let receiver: WebhookReceiver | undefined;
    let api: Proc | undefined;
    const workers: (Proc | undefined)[] = [];
    const workerPids = new Set<number>();
    const logDir = mkdtempSync(join(tmpdir(), 'dg-faults-logs-'));
    process.stdout.write(`workers' logs: ${logDir}\n`);
    try {
      redis = await PrivateRedis.create();
      // The api reaches Redis through a proxy that can hold its traffic (the api-kill phase).
      apiRedis = await HoldingProxy.start(redis.port);
      // Worker 1 grades on an engine of its own (issue #15: workers on two engines), the one the
      // engine phase restarts; worker 0 on the shared engine, which the suite never stops.
      engine = await PrivateDockerd.create();
      engine.loadCatalogImages();
      const privateSandboxRoot = engine.sandboxRoot();
      // Worker 1's scratch disk (its sandboxes' directories, SANDBOX_ROOT/run) is a small tmpfs of
      // its own, which the disk-full phase fills: never the machine's disk. engine.destroy()
      // unmounts it with the engine's other mounts.
      const scratch = join(privateSandboxRoot, 'run');
      mkdirSync(scratch);
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SCRATCH_MB}m,mode=0755`, 'dg-faults-scratch', scratch]);
      const onPrivateEngine = { DOCKER_HOST: engine.host, SANDBOX_ROOT: privateSandboxRoot };

      const databaseUrl = await createDatabase(pg.url(), 'dockgrader');
      migrate(databaseUrl);
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const adminToken = `dg_faults_${randomBytes(24).toString('base64url')}`;
      const env: NodeJS.ProcessEnv = {
        NODE_ENV: 'test',
        LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? 'warn',
        DATABASE_URL: databaseUrl,
        DATABASE_POOL_SIZE: '5',
        REDIS_URL: redis.url,
        REDIS_PREFIX: 'dgfaults',
        PORT: String(port),
        PUBLIC_URL: base,
        DOCKGRADER_ADMIN_TOKEN: adminToken,
        SUBMISSION_RATE_LIMIT: '100000',
        SWEEPER_INTERVAL_SECONDS: '3',
        GRADING_LOCK_MS: '5000',
        GRADING_STALLED_INTERVAL_MS: '5000',
        GRADING_BACKOFF_MS: '1000',
        GRADING_MAX_ATTEMPTS: '4',
        WORKER_CONCURRENCY: '1',
        SANDBOX_POOL_SIZE: '0',
        WEBHOOK_RETRY_SCHEDULE_SECONDS: '2,4,8,15,30,60,120',
        WEBHOOK_SWEEP_INTERVAL_SECONDS: '5',
      };
      // A pool, not one client: the PostgreSQL phase cuts every connection, a pool opens new ones.
      const db = new Pool({ connectionString: databaseUrl, max: 2 });
      db.on('error', () => undefined);

      const startApiProc = async () => {
        api = startBuilt('main', { ...env, REDIS_URL: apiRedis!.url });
        await eventually(async () => {
          const r = await fetch(`${base}/health/live`);
          if (r.status !== 200) throw new Error(`api not live: ${r.status}`);
        }, 60_000);
      };
      const startWorkerProc = (i: number, extra: NodeJS.ProcessEnv = {}) => {
        const w = startBuilt('worker', { ...env, ...(i === 1 ? onPrivateEngine : {}), ...extra });
        // Each worker's log, as it goes (a run that stalls is read while it stalls).
        const log = createWriteStream(join(logDir, `worker${i}-${w.pid}.log`));
        w.stdout?.pipe(log);
        w.stderr?.pipe(log);
        workers[i] = w;
        if (w.pid) workerPids.add(w.pid);
        return w;
      };
      await startApiProc();
      startWorkerProc(0);
      startWorkerProc(1);

      // --- who submits: one student (bearer), one LMS integration whose grades go to a receiver ---
      const asAdmin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
      /** A user made by the admin, and a bearer token of theirs. */
      const userWithToken = async (email: string, role: 'student' | 'instructor'): Promise<string> => {
        const user = await (
          await fetch(`${base}/api/admin/users`, {
            method: 'POST',
            headers: asAdmin,
            body: JSON.stringify({ email, role }),
          })
        ).json();
        const { token } = await (
          await fetch(`${base}/api/admin/users/${user.id}/tokens`, { method: 'POST', headers: asAdmin, body: '{}' })
        ).json();
        return token as string;
      };
      const studentToken = await userWithToken('eleve-fautes@lycee.test', 'student');
      const integration = await (
        await fetch(`${base}/api/admin/integrations`, {
          method: 'POST',
          headers: asAdmin,
          body: JSON.stringify({ name: 'LMS pannes', webhookUrl: 'http://127.0.0.1:9/none' }),
        })
      ).json();
      // An instructor's course with the student enrolled: the clock phase submits to an assignment.
      const profToken = await userWithToken('prof-fautes@lycee.test', 'instructor');
      const asProf = { authorization: `Bearer ${profToken}` };
      await fetch(`${base}/api/courses`, {
        method: 'POST',
        headers: { ...asProf, 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'FAUTES', title: 'Cours des pannes' }),
      });
      await fetch(`${base}/api/courses/FAUTES/roster`, {
        method: 'PUT',
        headers: { ...asProf, 'content-type': 'text/csv' },
        body: 'email,name,group\neleve-fautes@lycee.test,Élève Pannes,TP1\n',
      });
      /** An assignment of hello-world due `dueInSeconds` from now (no late window: late counts 0). */
      const assignmentDueIn = async (dueInSeconds: number): Promise<string> => {
        const res = await fetch(`${base}/api/courses/FAUTES/assignments`, {
          method: 'POST',
          headers: { ...asProf, 'content-type': 'application/json' },
          body: JSON.stringify({
            exercise: 'hello-world',
            dueAt: new Date(Date.now() + dueInSeconds * 1000).toISOString(),
          }),
        });
        if (res.status !== 201) throw new Error(`assignment not created: ${res.status} ${await res.text()}`);
        return ((await res.json()) as { id: string }).id;
      };
      receiver = await WebhookReceiver.start([integration.webhookSecret]);
      await fetch(`${base}/api/admin/integrations/${integration.id}`, {
        method: 'PATCH',
        headers: asAdmin,
        body: JSON.stringify({ webhookUrl: receiver.url }),
      });

      // --- the load: one submission every 1/RATE s, each retried by its client until accepted ---
      const sent: Sent[] = [];
      const statuses = new Map<string, { api5xx: number; documented503: number; other: Record<string, number> }>();
      const count = (phase: string, status: number, retryAfter: string | null) => {
        const s = statuses.get(phase) ?? { api5xx: 0, documented503: 0, other: {} };
        statuses.set(phase, s);
        if (status === 503 && retryAfter) s.documented503++;
        else if (status >= 500) s.api5xx++;
        else s.other[status] = (s.other[status] ?? 0) + 1;
      };
      const submitOne = async (item: Sent): Promise<void> => {
        const body = item.lms
          ? JSON.stringify({ exercise: 'hello-world', source: SOURCE, user: { id: 'lms-eleve-1' } })
          : item.assignment
            ? JSON.stringify({ assignment: item.assignment, source: SOURCE })
            : JSON.stringify({ exercise: 'hello-world', source: SOURCE });
        const deadline = Date.now() + 180_000;
        while (Date.now() < deadline) {
          try {
            const res = item.lms
              ? await fetch(`${base}/api/lms/${integration.id}/submissions`, {
                  method: 'POST',
                  headers: {
                    'content-type': 'application/json',
                    ...signedHeaders(integration.inboundSecret, item.key, body),
                  },
                  body,
                  signal: AbortSignal.timeout(15_000),
                })
              : await fetch(`${base}/api/submissions`, {
                  method: 'POST',
                  headers: {
                    authorization: `Bearer ${studentToken}`,
                    'content-type': 'application/json',
                    'idempotency-key': item.key,
                  },
                  body,
                  signal: AbortSignal.timeout(15_000),
                });
            const retryAfter = res.headers.get('retry-after');
            count(item.phase, res.status, retryAfter);
            if (res.status === 200 || res.status === 202) {
              item.id = ((await res.json()) as { id: string }).id;
              return;
            }
            await res.arrayBuffer().catch(() => undefined);
            await sleep(retryAfter ? Number(retryAfter) * 1000 : 1000);
          } catch {
            // Connection refused or cut (the api was killed): the client retries with the same key.
            await sleep(1000);
          }
        }
        item.gaveUp = true;
      };
      const inflight: Promise<void>[] = [];
      const load = async (phase: string, seconds: number, lms = false, assignment?: string) => {
        const until = Date.now() + seconds * 1000;
        while (Date.now() < until) {
          const item: Sent = { phase, key: lms ? `msg_${randomUUID()}` : randomUUID(), lms, assignment };
          sent.push(item);
          inflight.push(submitOne(item));
          await sleep(1000 / RATE);
        }
      };
      /** When each phase ran: the workers' log lines are told apart by their time. */
      const windows = new Map<string, { from: number; to: number }>();
      const selected = (name: string) => !ONLY || ONLY.some((o) => name.includes(o));
      /** Runs `fault` while the load runs: it starts 5 s into the phase. */
      const phase = async (
        name: string,
        fault: () => Promise<void>,
        submit: { lms?: boolean; assignment?: string } = {},
      ) => {
        if (!selected(name)) return;
        process.stdout.write(`fault phase: ${name}\n`);
        const from = Date.now();
        await Promise.all([load(name, PHASE_SECONDS, submit.lms, submit.assignment), sleep(5000).then(fault)]);
        windows.set(name, { from, to: Date.now() });
      };
      const notes = new Map<string, string[]>();
      const note = (p: string, text: string) => notes.set(p, [...(notes.get(p) ?? []), text]);

      const runningOn = async (): Promise<number> =>
        Number((await db.query(`SELECT count(*) AS n FROM submissions WHERE status = 'running'`)).rows[0].n);

      // Sandboxes seen on the private engine: proof that the second engine's worker grades too. Its
      // golden store's preparation (role golden) is not one: warm-up ends once it is done.
      const seenOnPrivate = new Set<string>();
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const ids = await engine!
            .docker(['ps', '-q', '--filter', `label=${SandboxLabels.role}=sandbox`])
            .catch(() => '');
          for (const id of ids.trim().split('\n').filter(Boolean)) seenOnPrivate.add(id);
          await sleep(1000);
        }
      })();

      // --- warm-up: worker 1 prepares its image store on the private engine before it grades ---
      process.stdout.write('fault phase: warm-up (until worker 1 grades on the private engine)\n');
      for (const until = Date.now() + 300_000; seenOnPrivate.size === 0 && Date.now() < until;) {
        const item: Sent = { phase: 'warm-up (both engines)', key: randomUUID() };
        sent.push(item);
        inflight.push(submitOne(item));
        await sleep(5000);
      }

      // --- the phases ---
      await phase('none (baseline)', async () => undefined);

      await phase('PostgreSQL stopped 20 s', async () => {
        pg.stop();
        await sleep(20_000);
        await pg.start();
      });

      await phase('Redis stopped 20 s', async () => {
        await redis!.stop();
        await sleep(20_000);
        await redis!.start();
      });

      await phase('worker SIGKILLed mid-job 3×', async () => {
        for (let k = 0; k < 3; k++) {
          // Wait until a job runs, then kill a worker (the one that has it, or its twin: either holds one).
          await eventually(
            async () => {
              if ((await runningOn()) === 0) throw new Error('no running job yet');
            },
            30_000,
            200,
          ).catch(() => note('worker SIGKILLed mid-job 3×', `kill ${k + 1}: no job was running`));
          const i = k % 2;
          const w = workers[i]!;
          w.kill('SIGKILL');
          await waitForExit(w, 10_000);
          startWorkerProc(i); // as the supervisor does
          await sleep(3000);
        }
      });

      const apiKillPhase = 'api SIGKILLed between storing and queueing';
      const apiKills = 2;
      await phase(apiKillPhase, async () => {
        for (let k = 0; k < apiKills; k++) {
          // The api's Redis traffic held: intake admits without the limiter (its 1 s deadline),
          // stores the row, answers 202 and waits on the queue. One submission accepted so is
          // surely between storing and queueing: the api dies there; only the sweeper can queue it.
          apiRedis!.hold();
          const caught: Sent = { phase: apiKillPhase, key: randomUUID() };
          sent.push(caught);
          await submitOne(caught);
          api!.kill('SIGKILL');
          await waitForExit(api!, 10_000);
          apiRedis!.pass();
          await startApiProc();
          await sleep(4000);
        }
      });

      await phase('Docker engine restarted mid-grading', async () => {
        // Wait until worker 1 has a sandbox on its engine, then restart that engine under it.
        const sandboxesThere = async () =>
          (await engine!.docker(['ps', '-q', '--filter', `label=${SandboxLabels.sandbox}`])).trim();
        await eventually(
          async () => {
            if (!(await sandboxesThere())) throw new Error('no sandbox on the private engine yet');
          },
          60_000,
          200,
        ).catch(() => note('Docker engine restarted mid-grading', 'no sandbox was running at the restart'));
        await engine!.stop();
        await sleep(3000);
        await engine!.start();
      });

      // Due 2 minutes after the phase's last submission is received: a worker reading its own clock
      // (5 minutes ahead) would find every one late and count it 0.
      const clockPhase = 'worker clock 5 min ahead';
      const clockAssignment = selected(clockPhase) ? await assignmentDueIn(PHASE_SECONDS + 120) : undefined;
      await phase(
        clockPhase,
        async () => {
          if (!existsSync(LIBFAKETIME)) {
            note('worker clock 5 min ahead', 'libfaketime missing (apt-get install faketime): not run');
            return;
          }
          // Both workers replaced by one whose clock is 5 minutes ahead (libfaketime, monotonic clock untouched).
          for (const i of [0, 1]) {
            workers[i]!.kill('SIGTERM');
            await waitForExit(workers[i]!, 90_000).catch(() => workers[i]!.kill('SIGKILL'));
          }
          startWorkerProc(0, {
            LD_PRELOAD: LIBFAKETIME,
            FAKETIME: '+5m',
            FAKETIME_DONT_FAKE_MONOTONIC: '1',
            FAKETIME_NO_CACHE: '1',
          });
          await sleep((PHASE_SECONDS - 5) * 1000);
          workers[0]!.kill('SIGTERM');
          await waitForExit(workers[0]!, 90_000).catch(() => workers[0]!.kill('SIGKILL'));
          startWorkerProc(0);
          startWorkerProc(1);
        },
        { assignment: clockAssignment },
      );

      await phase('sandbox scratch disk full 20 s', async () => {
        // Worker 1's scratch filled to the last byte (dd stops at ENOSPC), then freed: its
        // sandboxes must end as infrastructure errors (retried, elsewhere or later), never a grade.
        const filler = join(scratch, 'filler');
        spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M'], { stdio: 'ignore' });
        const free = Number(execFileSync('df', ['--output=avail', '-B1M', scratch]).toString().split('\n')[1]);
        note('sandbox scratch disk full 20 s', `worker 1's scratch filled: ${free} MB free of ${SCRATCH_MB}`);
        await sleep(20_000);
        rmSync(filler);
      });

      await phase(
        'webhook receiver down, then back',
        async () => {
          // Down until it has refused several deliveries (grades of this phase arrive after the
          // backlog), then back: each must still be delivered, once.
          receiver!.otherwise = { kind: 'drop' };
          const dropped = () => receiver!.requests.filter((r) => r.answered === null).length;
          await eventually(
            async () => {
              if (dropped() < 5) throw new Error(`${dropped()} deliveries refused so far`);
            },
            600_000,
            1000,
          ).catch(() => note('webhook receiver down, then back', `only ${dropped()} deliveries refused while down`));
          await sleep(5000);
          receiver!.otherwise = { kind: 'ok' };
        },
        { lms: true },
      );

      // --- drain: every accepted submission reaches graded or error ---
      await Promise.all(inflight);
      const ids = sent.filter((s) => s.id).map((s) => s.id!);
      await eventually(
        async () => {
          const open = Number(
            (
              await db.query(
                `SELECT count(*) AS n FROM submissions WHERE id = ANY($1::uuid[]) AND status NOT IN ('graded','error','internal_error')`,
                [ids],
              )
            ).rows[0].n,
          );
          if (open > 0) throw new Error(`${open} submissions still open`);
        },
        Number(process.env.FAULTS_DRAIN_SECONDS ?? 900) * 1000,
        2000,
      ).catch((e: Error) => process.stdout.write(`drain: ${e.message}\n`));
      // Webhooks of the last grades: give the retry schedule time to deliver.
      const lmsIds = sent.filter((s) => s.lms && s.id).map((s) => s.id!);
      await eventually(
        async () => {
          if (receiver!.accepted.size < lmsIds.length)
            throw new Error(`${receiver!.accepted.size}/${lmsIds.length} webhooks`);
        },
        300_000,
        2000,
      ).catch((e: Error) => process.stdout.write(`webhooks: ${e.message}\n`));

      polling = false;
      await poller;

      // --- the figures ---
      const rows = (
        await db.query(
          `SELECT s.id, s.status, s.idempotency_key AS key, s.created_at, s.started_at, s.finished_at,
                  s.credit, s.practice_reason, s.error_message,
                  (SELECT count(*) FROM results r WHERE r.submission_id = s.id) AS results,
                  (SELECT count(*) FROM results r WHERE r.submission_id = s.id AND r.score <> $1) AS short
             FROM submissions s`,
          [SOURCE_SCORE],
        )
      ).rows as {
        id: string;
        status: string;
        key: string | null;
        results: string;
        short: string;
        created_at: Date;
        finished_at: Date | null;
        credit: number | null;
        practice_reason: string | null;
        error_message: string | null;
      }[];
      const byId = new Map(rows.map((r) => [r.id, r]));
      const keyCount = new Map<string, number>();
      for (const r of rows) if (r.key) keyCount.set(r.key, (keyCount.get(r.key) ?? 0) + 1);
      const lmsLinks = (await db.query(`SELECT message_id, count(*) AS n FROM lms_submissions GROUP BY message_id`))
        .rows as {
        message_id: string;
        n: string;
      }[];
      const lmsCount = new Map(lmsLinks.map((l) => [l.message_id, Number(l.n)]));

      // The workers' log lines (pino JSON: time, msg), to count what they said during each phase.
      const logLines = readdirSync(logDir).flatMap((f) =>
        readFileSync(join(logDir, f), 'utf8')
          .split('\n')
          .flatMap((l) => {
            try {
              const { time, msg } = JSON.parse(l) as { time: number; msg: string };
              return [{ time, msg, file: f }];
            } catch {
              return [];
            }
          }),
      );
      /** Log lines matching `re` during phase `p` (and the 30 s after it: retries and sweeps that follow its fault). */
      const saidDuring = (p: string, re: RegExp) => {
        const w = windows.get(p);
        return w ? logLines.filter((l) => l.time >= w.from && l.time <= w.to + 30_000 && re.test(l.msg)) : [];
      };

      const phases = [...new Set(sent.map((s) => s.phase))];
      const table: PhaseStats[] = phases.map((p) => {
        const items = sent.filter((s) => s.phase === p);
        const st = statuses.get(p) ?? { api5xx: 0, documented503: 0, other: {} };
        const stats: PhaseStats = {
          fault: p,
          sent: items.length,
          accepted: items.filter((s) => s.id).length,
          gradedOnce: 0,
          lost: 0,
          duplicated: 0,
          error: 0,
          api5xx: st.api5xx,
          documented503: st.documented503,
          wrongScore: 0,
          notes: notes.get(p) ?? [],
        };
        const rowsOf = items.map((s) => (s.id ? byId.get(s.id) : undefined)).filter((r) => r !== undefined);
        for (const s of items) {
          const row = s.id ? byId.get(s.id) : undefined;
          const copies = s.lms ? (lmsCount.get(s.key) ?? 0) : (keyCount.get(s.key) ?? 0);
          if (copies > 1 || (row && Number(row.results) > 1)) stats.duplicated++;
          if (row && Number(row.short) > 0) stats.wrongScore++;
          if (!row || s.gaveUp) stats.lost++;
          else if (row.status === 'graded' && Number(row.results) === 1) stats.gradedOnce++;
          else if (row.status === 'error' || row.status === 'internal_error') stats.error++;
          else stats.lost++;
        }
        if (p.startsWith('webhook')) {
          const perMessage = new Map<string, number>();
          for (const r of receiver!.requests)
            if (r.answered !== null && r.answered < 300) perMessage.set(r.id, (perMessage.get(r.id) ?? 0) + 1);
          stats.webhooks = {
            graded: rowsOf.filter((r) => r.status === 'graded').length,
            delivered: receiver!.accepted.size,
            deliveredTwice: [...perMessage.values()].filter((n) => n > 1).length,
            attempts: receiver!.requests.length,
          };
          stats.notes.push(
            `webhooks: ${stats.webhooks.delivered} of ${stats.webhooks.graded} grades delivered, ` +
              `${stats.webhooks.deliveredTwice} delivered twice, ${stats.webhooks.attempts} attempts`,
          );
        }
        if (p.startsWith('worker clock')) {
          const skew = rowsOf
            .filter((r) => r.finished_at)
            .map((r) => (r.finished_at!.getTime() - r.created_at.getTime()) / 1000);
          stats.notes.push(
            `finished − received (s): max ${Math.max(0, ...skew).toFixed(0)}, min ${Math.min(...skew).toFixed(0)}`,
          );
          stats.notCredited = rowsOf.filter((r) => r.credit !== 1 || r.practice_reason !== null).length;
          stats.notes.push(
            `assignment due 2 min after the last submission: ${rowsOf.length - stats.notCredited} of ${rowsOf.length} at full credit`,
          );
        }
        if (p.startsWith('api SIGKILLed')) {
          const requeued = saidDuring(p, /^re-queued \d+ submission/).reduce(
            (n, l) => n + Number(/^re-queued (\d+)/.exec(l.msg)![1]),
            0,
          );
          stats.requeued = requeued;
          stats.notes.push(
            `killed ${apiKills}× with a submission stored and its queueing held; the sweeper re-queued ${requeued}`,
          );
        }
        if (p.startsWith('sandbox scratch')) {
          // The full disk is named as such (health: takes no job; a start: ScratchDiskFullError), never a grade.
          stats.scratchReports = saidDuring(p, /scratch disk full/).length;
          stats.notes.push(`worker log lines naming the full scratch disk: ${stats.scratchReports}`);
          const errors = rowsOf.filter((r) => r.status === 'error').map((r) => r.error_message ?? '');
          if (errors.length) stats.notes.push(`error status: ${[...new Set(errors)].join(' | ')}`);
        }
        return stats;
      });

      // Workers stop as an operator stops them (SIGTERM): a warm sandbox still held by a running
      // worker is not a leak, one left after a graceful stop is.
      for (const w of workers) {
        if (!w || w.exitCode !== null || w.signalCode !== null) continue;
        w.kill('SIGTERM');
        await waitForExit(w, 90_000).catch(() => w.kill('SIGKILL'));
      }
      // Sandboxes our workers left on the engine (killed ones included): counted, then removed.
      const docker = new Docker();
      const left = (await docker.listContainers({ all: true, filters: { label: [SandboxLabels.owner] } })).filter((c) =>
        [...workerPids].some((pid) => c.Labels[SandboxLabels.owner] === `${hostname()}:${pid}`),
      );
      const leftOnPrivate = (await engine.docker(['ps', '-aq', '--filter', `label=${SandboxLabels.sandbox}`]))
        .trim()
        .split('\n')
        .filter(Boolean);

      // A leftover says whose it was and what it was doing; the workers' logs go beside it.
      const leftovers = [
        ...left.map(
          (c) =>
            `shared engine: ${c.Names[0]} ${c.Labels[SandboxLabels.role]} ${c.Labels[SandboxLabels.owner]} ${c.State}`,
        ),
        ...(leftOnPrivate.length
          ? (
              await engine.docker([
                'inspect',
                '--format',
                `private engine: {{.Name}} {{index .Config.Labels "${SandboxLabels.role}"}} {{index .Config.Labels "${SandboxLabels.owner}"}} created {{.Created}} {{.State.Status}}`,
                ...leftOnPrivate,
              ])
            )
              .trim()
              .split('\n')
          : []),
      ];
      if (leftovers.length)
        process.stdout.write(`sandboxes left behind:\n  ${leftovers.join('\n  ')}\nworkers' logs: ${logDir}\n`);

      const fuzzFile = resolve(root, 'bench/results/fuzz.json');
      const report = {
        at: new Date().toISOString(),
        settings: { rate: RATE, phaseSeconds: PHASE_SECONDS },
        phases: table,
        notRun: [] as { fault: string; why: string }[],
        sandboxesLeftBehind: { sharedEngine: left.length, privateEngine: leftOnPrivate.length },
        sandboxesSeenOnPrivateEngine: seenOnPrivate.size,
        fuzz: existsSync(fuzzFile) ? (await import(fuzzFile)).default : undefined,
      };
      for (const c of left)
        await docker
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch(() => undefined);

      const head = [
        'fault',
        'sent',
        'accepted',
        'graded once',
        'lost',
        'duplicated',
        'error',
        'API 5xx',
        '503 (Retry-After)',
        'wrong score',
      ];
      const lines = table.map((t) =>
        [
          t.fault,
          t.sent,
          t.accepted,
          t.gradedOnce,
          t.lost,
          t.duplicated,
          t.error,
          t.api5xx,
          t.documented503,
          t.wrongScore,
        ].map(String),
      );
      const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
      const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
      const printed = [
        fmt(head),
        fmt(widths.map((w) => '-'.repeat(w))),
        ...lines.map(fmt),
        ...table.flatMap((t) => t.notes.map((n) => `  ${t.fault}: ${n}`)),
        ...report.notRun.map((n) => `  not run: ${n.fault} (${n.why})`),
        `  sandboxes left behind by our workers: ${left.length} on the shared engine, ${leftOnPrivate.length} on the private one`,
        `  sandboxes seen on the private engine (worker 1): ${seenOnPrivate.size}`,
      ].join('\n');
      process.stdout.write(`\n${printed}\n`);
      const out = join(root, 'bench/results');
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'faults.json'), `${JSON.stringify(report, null, 2)}\n`);
      writeFileSync(join(out, 'faults.txt'), `${printed}\n`);
      await db.end().catch(() => undefined);

      expect(report.sandboxesLeftBehind).toEqual({ sharedEngine: 0, privateEngine: 0 });
      expect(seenOnPrivate.size).toBeGreaterThan(0);
      expect(
        table.map((t) => ({
          fault: t.fault,
          lost: t.lost,
          duplicated: t.duplicated,
          api5xx: t.api5xx,
          wrongScore: t.wrongScore,
        })),
      ).toEqual(table.map((t) => ({ fault: t.fault, lost: 0, duplicated: 0, api5xx: 0, wrongScore: 0 })));
      // An infrastructure fault is retried until graded; only a full scratch disk may outlast the
      // retries (then `error`, with its reason, never a grade).
      expect(table.filter((t) => !t.fault.startsWith('sandbox scratch')).map((t) => [t.fault, t.error])).toEqual(
        table.filter((t) => !t.fault.startsWith('sandbox scratch')).map((t) => [t.fault, 0]),
      );
      const at = (prefix: string) => table.find((t) => t.fault.startsWith(prefix));
      const pgPhase = at('PostgreSQL');
      if (pgPhase) expect(pgPhase.documented503).toBeGreaterThan(0);
      const clock = at('worker clock');
      if (clock && existsSync(LIBFAKETIME)) expect(clock.notCredited).toBe(0);
      const killed = at('api SIGKILLed');
      if (killed) expect(killed.requeued).toBeGreaterThanOrEqual(apiKills);
      const scratchPhase = at('sandbox scratch');
      if (scratchPhase) expect(scratchPhase.scratchReports).toBeGreaterThan(0);
      const hooks = at('webhook')?.webhooks;
      if (hooks) expect(hooks).toEqual({ ...hooks, delivered: hooks.graded, deliveredTwice: 0 });
      // Every assertion held: the workers' logs are not needed to read a failure.
      rmSync(logDir, { recursive: true, force: true });
    } finally {
      for (const w of workers) if (w && w.exitCode === null) w.kill('SIGKILL');
      if (api && api.exitCode === null) api.kill('SIGKILL');
      await receiver?.close();
      await apiRedis?.close();
      await engine?.destroy();
      await redis?.destroy();
      pg.destroy();
    }
  });
});
