// First: lets the generated Prisma client's './x.js' imports load from TypeScript sources.
import '../cli/resolve-ts';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { loadEnv } from '../src/config/env';
import { PrismaService } from '../src/database/prisma.service';
import { loadExercise } from '../src/exercises/exercise.loader';
import { IntegrationsService } from '../src/lms/integrations.service';
import { WEBHOOK_QUEUE, WebhookJobName, webhookJobId } from '../src/lms/webhook-queue.constants';
import { GRADING_QUEUE, GradingJobName, gradingJobId } from '../src/queue/grading-queue.constants';
import { nodeFlagsOf } from '../test/support/processes';
import { WebhookReceiver } from '../test/support/webhook-receiver';
import { percentile } from './http-load';

/**
 * The webhook delivery benchmark (issue 17): (1) deliveries per second from the outbox to a local
 * receiver that verifies each signature, and the latency from the outbox row committed to the
 * receiver; (2) graded/min of real gradings (hello-world, real sandboxes) with a receiver answering
 * at once against one taking 10 s per request, in the same run (fast, slow, fast: the ratio is to
 * the mean of the two fast rounds, so drift on this shared machine shows). Its own database and
 * Redis prefix, removed at the end.
 */
const root = resolve(__dirname, '..');
const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 1000);
const GRADINGS = Number(process.env.BENCH_WEBHOOK_GRADINGS ?? 8);
const PACED_EVENTS = Number(process.env.BENCH_WEBHOOK_PACED_EVENTS ?? 40);
const PACE_MS = 250;
const SLOW_MS = Number(process.env.BENCH_WEBHOOK_SLOW_MS ?? 10_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function main(): Promise<number> {
  const baseEnv = loadEnv();
  const loadAtStart = loadavg()[0];
  const id = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dbName = `dockgrader_bench_${id}`;
  const adminUrl = new URL(baseEnv.DATABASE_URL);
  adminUrl.pathname = '/postgres';
  const dbUrl = new URL(baseEnv.DATABASE_URL);
  dbUrl.pathname = `/${dbName}`;
  const prefix = `dgbench:${id}`;
  const pg = new Client({ connectionString: adminUrl.toString() });
  await pg.connect();
  await pg.query(`CREATE DATABASE "${dbName}"`);
  const env = loadEnv({ ...process.env, DATABASE_URL: dbUrl.toString(), REDIS_PREFIX: prefix });
  const prisma = new PrismaService(env);
  const connection = { host: new URL(env.REDIS_URL).hostname, port: Number(new URL(env.REDIS_URL).port || 6379) };
  const hooks = new Queue(WEBHOOK_QUEUE, { connection, prefix });
  const grading = new Queue(GRADING_QUEUE, { connection, prefix });
  let worker: ChildProcess | undefined;
  let receiver: WebhookReceiver | undefined;
  const cleanUp = async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker!.once('exit', r));
    }
    await receiver?.close();
    await hooks.close();
    await grading.close();
    await prisma.$disconnect();
    await pg.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
    await pg.end();
    const redis = new Redis(env.REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  };
  try {
    execFileSync('bash', ['scripts/prisma.sh', 'migrate', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: dbUrl.toString() },
      stdio: 'pipe',
    });
    const hello = await loadExercise(join(root, 'exercises', 'hello-world'));
    const exercise = await prisma.exercise.create({
      data: { slug: 'hello-world', title: hello.definition.title, version: hello.version, maxPoints: hello.maxScore },
    });
    const integrations = new IntegrationsService(prisma);
    const secrets = await integrations.create({ name: 'bench', webhookUrl: 'http://127.0.0.1:9/x' });
    receiver = await WebhookReceiver.start([secrets.webhookSecret]);
    await prisma.integration.update({ where: { id: secrets.id }, data: { webhookUrl: receiver.url } });
    const user = await prisma.user.create({
      data: { email: 'bench@lycee.test', displayName: 'bench', lmsId: `integration:${secrets.id}`, lmsUserId: 'b1' },
    });

    worker = spawn(process.execPath, [...nodeFlagsOf('worker'), join(root, 'dist', 'worker.js')], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: dbUrl.toString(),
        REDIS_PREFIX: prefix,
        LOG_LEVEL: 'warn',
        SANDBOX_POOL_SIZE: '0',
        WEBHOOK_TIMEOUT_MS: String(SLOW_MS + 5000),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    // Ready when a first delivery got through (the worker's start-up is not the figure measured).
    const warm = randomUUID();
    await prisma.webhookDelivery.create({
      data: { id: warm, integrationId: secrets.id, event: 'bench.warmup', sequence: -1, body: '{}' },
    });
    await hooks.add(WebhookJobName.Deliver, { deliveryId: warm, attempt: 1 }, { jobId: webhookJobId(warm, 1) });
    for (let i = 0; receiver.accepted.size === 0; i++) {
      if (i > 1200) throw new Error('the worker delivered nothing within 2 min');
      await sleep(100);
    }

    // 1. Deliveries per second and latency: rows committed in batches of 100, each batch's jobs queued at once.
    const committedAt = new Map<string, number>();
    const startA = Date.now();
    for (let i = 0; i < EVENTS; i += 100) {
      const rows = Array.from({ length: Math.min(100, EVENTS - i) }, (_, k) => ({
        id: randomUUID(),
        integrationId: secrets.id,
        event: 'bench.event',
        sequence: i + k,
        body: JSON.stringify({ type: 'bench.event', data: { n: i + k } }),
      }));
      await prisma.webhookDelivery.createMany({ data: rows });
      const at = Date.now();
      for (const r of rows) committedAt.set(r.id, at);
      await hooks.addBulk(
        rows.map((r) => ({
          name: WebhookJobName.Deliver,
          data: { deliveryId: r.id, attempt: 1 },
          opts: { jobId: webhookJobId(r.id, 1), removeOnComplete: true },
        })),
      );
    }
    const deadline = Date.now() + 300_000;
    while (receiver.accepted.size < EVENTS + 1 && Date.now() < deadline) await sleep(100);
    const latencies = [...committedAt].flatMap(([rid, at]) => {
      const got = receiver!.for(rid)[0];
      return got ? [got.at - at] : [];
    });
    const lastAt = Math.max(...receiver.requests.map((r) => r.at));
    const delivery = {
      events: EVENTS,
      received: receiver.accepted.size - 1,
      allVerified: receiver.requests.every((r) => r.verified),
      perSecond: Math.round(((receiver.accepted.size - 1) / ((lastAt - startA) / 1000)) * 10) / 10,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.max(...latencies),
    };

    // 1b. Latency at a steady pace (events as grading produces them, a few per second): no queue
    // builds up, so this is the time from the row committed to the receiver for one event.
    const paced: number[] = [];
    for (let i = 0; i < PACED_EVENTS; i++) {
      const rid = randomUUID();
      await prisma.webhookDelivery.create({
        data: { id: rid, integrationId: secrets.id, event: 'bench.paced', sequence: i, body: JSON.stringify({ n: i }) },
      });
      const at = Date.now();
      await hooks.add(WebhookJobName.Deliver, { deliveryId: rid, attempt: 1 }, { jobId: webhookJobId(rid, 1) });
      while (receiver.for(rid).length === 0 && Date.now() - at < 30_000) await sleep(5);
      const got = receiver.for(rid)[0];
      if (got) paced.push(got.at - at);
      await sleep(PACE_MS);
    }
    const steady = {
      events: PACED_EVENTS,
      everyMs: PACE_MS,
      p50Ms: percentile(paced, 50),
      p99Ms: percentile(paced, 99),
    };

    // 2. graded/min with a fast receiver, a slow one (SLOW_MS per request), then fast again.
    const round = async (label: string, slow: boolean) => {
      receiver!.otherwise = slow ? { kind: 'slow', ms: SLOW_MS } : { kind: 'ok' };
      const ids: string[] = [];
      const t0 = Date.now();
      for (let i = 0; i < GRADINGS; i++) {
        const s = await prisma.submission.create({
          data: {
            userId: user.id,
            exerciseId: exercise.id,
            exerciseVersion: hello.version,
            source: hello.reference.source,
          },
        });
        await prisma.lmsSubmission.create({
          data: { submissionId: s.id, integrationId: secrets.id, messageId: `m-${s.id}`, externalUserId: 'b1' },
        });
        ids.push(s.id);
      }
      await grading.addBulk(
        ids.map((sid) => ({
          name: GradingJobName.Grade,
          data: { submissionId: sid },
          opts: { jobId: gradingJobId(sid, 1) },
        })),
      );
      const until = Date.now() + 600_000;
      for (;;) {
        const done = await prisma.submission.count({
          where: { id: { in: ids }, status: { in: ['graded', 'error', 'internal_error'] } },
        });
        if (done === ids.length) break;
        if (Date.now() > until) throw new Error(`${label}: gradings not done in 10 min`);
        await sleep(200);
      }
      const last = await prisma.submission.aggregate({ where: { id: { in: ids } }, _max: { finishedAt: true } });
      const graded = await prisma.submission.count({ where: { id: { in: ids }, status: 'graded' } });
      const minutes = (last._max.finishedAt!.getTime() - t0) / 60_000;
      const pendingHooks = await prisma.webhookDelivery.count({
        where: { submissionId: { in: ids }, status: 'pending' },
      });
      return {
        label,
        graded,
        perMinute: Math.round((graded / minutes) * 10) / 10,
        webhooksStillPendingAtEnd: pendingHooks,
      };
    };
    const rounds = [
      await round('fast receiver', false),
      await round(`receiver taking ${SLOW_MS / 1000} s`, true),
      await round('fast receiver (again)', false),
    ];
    const fastMean = (rounds[0].perMinute + rounds[2].perMinute) / 2;
    const ratio = Math.round((rounds[1].perMinute / fastMean) * 100) / 100;

    const result = {
      date: new Date().toISOString(),
      // This machine is shared: its load says how much of the figures is the machine.
      host: { cores: cpus().length, loadAverage1m: { atStart: loadAtStart, atEnd: loadavg()[0] } },
      delivery,
      steady,
      grading: { gradingsPerRound: GRADINGS, rounds, slowOverFastRatio: ratio },
    };
    console.log('\nwebhook deliveries (outbox → local receiver, signatures verified)');
    console.table([
      {
        events: delivery.events,
        received: delivery.received,
        'per s': delivery.perSecond,
        'p50 ms': delivery.p50Ms,
        'p99 ms': delivery.p99Ms,
        'max ms': delivery.maxMs,
      },
    ]);
    console.log(`one event every ${PACE_MS} ms (steady pace): p50 ${steady.p50Ms} ms, p99 ${steady.p99Ms} ms`);
    console.log(`graded/min, ${GRADINGS} hello-world gradings per round (same worker, same run)`);
    console.table(
      rounds.map((r) => ({
        round: r.label,
        graded: r.graded,
        'graded/min': r.perMinute,
        'webhooks pending at end': r.webhooksStillPendingAtEnd,
      })),
    );
    console.log(`slow receiver / fast receiver (mean of both fast rounds): ${ratio}`);
    console.log(
      `load average (1 min) at start ${loadAtStart.toFixed(1)}, at end ${loadavg()[0].toFixed(1)}, ${cpus().length} cores`,
    );
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(
      process.env.BENCH_RESULT_FILE ?? join(root, 'bench/results/webhooks.json'),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    return 0;
  } finally {
    await cleanUp();
  }
}
