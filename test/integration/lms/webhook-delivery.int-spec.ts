import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Test, TestingModule } from '@nestjs/testing';
import { ENV } from '../../../src/config/config.module';
import { Env, loadEnv } from '../../../src/config/env';
import { PrismaService } from '../../../src/database/prisma.service';
import { loadExercise } from '../../../src/exercises/exercise.loader';
import { InfrastructureModule } from '../../../src/infrastructure.module';
import { DeliveryLogService } from '../../../src/lms/delivery-log.service';
import { GradeOutbox } from '../../../src/lms/grade.outbox';
import { IntegrationsService } from '../../../src/lms/integrations.service';
import { WebhookDeliveryProducer } from '../../../src/lms/webhook-delivery.producer';
import { WebhookWorkerModule } from '../../../src/lms/webhook-worker.module';
import { GradingRunService } from '../../../src/worker/grading-run.service';
import { gradingJobId } from '../../../src/queue/grading-queue.constants';
import { GradingWorkerModule } from '../../../src/worker/grading-worker.module';
import { deleteIntegrations } from '../../support/lms';
import { eventually, root } from '../../support/processes';
import { WebhookReceiver } from '../../support/webhook-receiver';

interface Check {
  id: string;
  title: string;
  passed: boolean;
  points: number;
  maxPoints: number;
  message: string;
  hidden?: boolean;
}

const passed = (id: string): Check => ({ id, title: id, passed: true, points: 1, maxPoints: 1, message: 'Bien.' });
const failed = (id: string, message: string): Check => ({
  id,
  title: id,
  passed: false,
  points: 0,
  maxPoints: 1,
  message,
});

/**
 * Outbound grade webhooks over real HTTP, with the real webhook worker (BullMQ, PostgreSQL): the
 * outbox row committed with a result is delivered, signed, to a receiver that verifies it — through
 * outages, Retry-After, 410, timeouts, lost jobs and secret rotation. Retries are fast here
 * (WEBHOOK_RETRY_SCHEDULE_SECONDS); the schedule itself is unit-tested.
 */
describe('grade webhooks', () => {
  let webhooks: TestingModule;
  let env: Env;
  let prisma: PrismaService;
  let integrationsSvc: IntegrationsService;
  let exerciseId: string;
  let version: string;
  const receivers: WebhookReceiver[] = [];
  const integrations: string[] = [];

  beforeAll(async () => {
    env = loadEnv({
      ...process.env,
      REDIS_PREFIX: `${process.env.REDIS_PREFIX}:hooks:${randomBytes(3).toString('hex')}`,
      WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.3,0.3,0.3',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_SWEEP_INTERVAL_SECONDS: '1',
      PUBLIC_URL: 'https://grader.example.fr',
      SANDBOX_POOL_SIZE: '0',
      SANDBOX_ALLOW_ROOT_ENGINE: 'true',
    });
    webhooks = await Test.createTestingModule({ imports: [InfrastructureModule, WebhookWorkerModule] })
      .overrideProvider(ENV)
      .useValue(env)
      .compile();
    await webhooks.init(); // starts the delivery worker and the sweeper
    prisma = webhooks.get(PrismaService);
    integrationsSvc = new IntegrationsService(prisma);
    const hello = await loadExercise(join(root, 'exercises', 'hello-world'));
    version = hello.version;
    const ex = await prisma.exercise.upsert({
      where: { slug: 'hello-world' },
      create: { slug: 'hello-world', title: hello.definition.title, version, maxPoints: hello.maxScore },
      update: {},
    });
    exerciseId = ex.id;
  });
  afterAll(async () => {
    for (const r of receivers) await r.close();
    if (prisma) await deleteIntegrations(prisma, integrations);
    await webhooks?.close();
  });

  /** An integration whose webhook points at a fresh receiver holding its secret. */
  async function school(name: string) {
    const secrets = await integrationsSvc.create({ name, webhookUrl: 'http://127.0.0.1:9/unset' });
    integrations.push(secrets.id);
    const receiver = await WebhookReceiver.start([secrets.webhookSecret]);
    receivers.push(receiver);
    await prisma.integration.update({ where: { id: secrets.id }, data: { webhookUrl: receiver.url } });
    return { ...secrets, receiver };
  }

  /** A submission that came through the integration, as the inbound route stores it. */
  async function lmsSubmission(integrationId: string, externalUserId = 'moodle-7') {
    const user = await prisma.user.create({
      data: {
        email: `${externalUserId}-${randomBytes(3).toString('hex')}@lycee.test`,
        displayName: 'Élève',
        lmsId: `integration:${integrationId}`,
        lmsUserId: `${externalUserId}-${randomBytes(3).toString('hex')}`,
      },
    });
    const s = await prisma.submission.create({
      data: {
        userId: user.id,
        exerciseId,
        exerciseVersion: version,
        source: 'docker run hello-world',
        status: 'running',
      },
    });
    await prisma.lmsSubmission.create({
      data: {
        submissionId: s.id,
        integrationId,
        messageId: `in_${s.id}`,
        externalUserId: user.lmsUserId!,
        assignment: 'tp-1',
      },
    });
    return { id: s.id, email: user.email, externalUserId: user.lmsUserId! };
  }

  /** Stores a result and its outbox row in one transaction, as GradingRunService does, then queues. */
  async function storeResult(
    submissionId: string,
    attempt: number,
    checks: Check[],
    schedule = true,
  ): Promise<string[]> {
    const score = checks.filter((c) => c.passed).length;
    const ids = await prisma.$transaction(async (tx) => {
      await tx.submission.update({ where: { id: submissionId }, data: { attempt, status: 'graded' } });
      await tx.result.create({
        data: {
          submissionId,
          attempt,
          exerciseVersion: version,
          score,
          maxScore: checks.length,
          checks: checks as object[],
          transcript: [],
          imageDigests: {},
        },
      });
      return webhooks.get(GradeOutbox).recordGraded(tx, {
        submissionId,
        attempt,
        score,
        maxScore: checks.length,
        checks,
        exerciseVersion: version,
      });
    });
    if (schedule) webhooks.get(WebhookDeliveryProducer).scheduleSoon(ids);
    return ids;
  }

  const delivery = (id: string) =>
    prisma.webhookDelivery.findUniqueOrThrow({
      where: { id },
      include: { attemptLog: { orderBy: { number: 'asc' } } },
    });
  const settled = (id: string, timeoutMs = 20_000) =>
    eventually(async () => {
      const d = await delivery(id);
      if (d.status === 'pending') throw new Error(`delivery ${id} still pending after ${d.attempts} attempts`);
      return d;
    }, timeoutMs);

  it('sends the signed submission.graded payload; down for two tries then up: delivered exactly once', async () => {
    const s1 = await school('down-then-up');
    const sub = await lmsSubmission(s1.id);
    s1.receiver.plan({ kind: 'drop' }, { kind: 'status', status: 502 });
    const [id] = await storeResult(sub.id, 1, [passed('conteneur'), failed('port', 'Le port 8080 n’est pas publié.')]);

    const d = await settled(id);
    expect(d.status).toBe('delivered');
    expect(d.attempts).toBe(3);
    expect(d.attemptLog.map((a) => a.httpStatus)).toEqual([null, 502, 200]);
    expect(d.attemptLog[0].response).toMatch(/ECONNRESET|socket|other side closed|terminated/i);

    const got = s1.receiver.for(id);
    expect(got).toHaveLength(3);
    expect(got.every((r) => r.verified)).toBe(true);
    expect(new Set(got.map((r) => r.body)).size).toBe(1); // the same bytes on every try
    expect(s1.receiver.accepted.size).toBe(1);
    expect(s1.receiver.accepted.get(id)).toEqual({
      type: 'submission.graded',
      timestamp: expect.any(String),
      data: {
        submissionId: sub.id,
        user: { id: sub.externalUserId, email: sub.email },
        exercise: 'hello-world',
        assignment: 'tp-1',
        score: 1,
        maxScore: 2,
        status: 'graded',
        feedback: {
          passed: 1,
          total: 2,
          failed: [{ id: 'port', title: 'port', message: 'Le port 8080 n’est pas publié.' }],
        },
        exerciseVersion: version,
        gradedAt: expect.any(String),
        url: `https://grader.example.fr/api/submissions/${sub.id}`,
        sequence: 1,
      },
    });
  });

  it('honours Retry-After on 503 and 429 instead of the schedule', async () => {
    const s = await school('busy');
    s.receiver.plan({ kind: 'status', status: 503, retryAfter: '2' }, { kind: 'status', status: 429, retryAfter: '1' });
    const [id] = await storeResult((await lmsSubmission(s.id)).id, 1, [passed('a')]);
    const d = await settled(id);
    expect(d.status).toBe('delivered');
    const at = s.receiver.for(id).map((r) => r.at);
    expect(at).toHaveLength(3);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(1900); // the schedule alone would wait 0.24-0.36 s
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(900);
  });

  it('410 Gone ends the delivery and disables the endpoint until an admin re-enables it', async () => {
    const s = await school('gone');
    s.receiver.plan({ kind: 'status', status: 410 });
    const [first] = await storeResult((await lmsSubmission(s.id)).id, 1, [passed('a')]);
    const d = await settled(first);
    expect(d).toMatchObject({ status: 'failed', attempts: 1, lastStatus: 410 });
    const integration = await integrationsSvc.get(s.id);
    expect(integration.webhookDisabledAt).not.toBeNull();
    expect(integration.webhookDisabledReason).toMatch(/410/);

    // Disabled: a new grade is not sent, and the log says why.
    const [second] = await storeResult((await lmsSubmission(s.id)).id, 1, [passed('a')]);
    const d2 = await settled(second);
    expect(d2.status).toBe('failed');
    expect(d2.lastResponse).toMatch(/endpoint disabled/);
    expect(s.receiver.requests).toHaveLength(1);

    // Re-enabled by an admin, then redelivered: it arrives.
    await integrationsSvc.update(s.id, { webhookEnabled: true });
    await new DeliveryLogService(prisma, webhooks.get(WebhookDeliveryProducer)).redeliver(second);
    expect((await settled(second)).status).toBe('delivered');
    expect(s.receiver.accepted.has(second)).toBe(true);
  });

  it('ends on other 4xx without retrying, and after the schedule is spent', async () => {
    const s = await school('refuses');
    s.receiver.plan({ kind: 'status', status: 400, body: 'x'.repeat(5000) });
    const [bad] = await storeResult((await lmsSubmission(s.id)).id, 1, [passed('a')]);
    const d = await settled(bad);
    expect(d).toMatchObject({ status: 'failed', attempts: 1, lastStatus: 400 });
    expect(d.lastResponse!.length).toBeLessThanOrEqual(501); // an excerpt, not the page
    await new Promise((r) => setTimeout(r, 1500));
    expect(s.receiver.for(bad)).toHaveLength(1);

    s.receiver.otherwise = { kind: 'status', status: 500 };
    const [spent] = await storeResult((await lmsSubmission(s.id)).id, 1, [passed('a')]);
    const d2 = await settled(spent);
    expect(d2).toMatchObject({ status: 'failed', attempts: 4, lastStatus: 500 }); // 3 delays: 4 attempts
    expect(s.receiver.for(spent)).toHaveLength(4);
  });

  it('a receiver that hangs is cut at the timeout and tried again', async () => {
    const s = await school('hangs');
    s.receiver.plan({ kind: 'hang' });
    const [id] = await storeResult((await lmsSubmission(s.id)).id, 1, [passed('a')]);
    const d = await settled(id);
    expect(d.status).toBe('delivered');
    expect(d.attemptLog[0]).toMatchObject({ httpStatus: null, response: 'no answer within 1000 ms' });
    expect(d.attemptLog[0].durationMs).toBeGreaterThanOrEqual(950);
  });

  it('rotation: both secrets sign for 24 h, so a receiver holding either verifies', async () => {
    const s = await school('rotates');
    const oldSecret = s.webhookSecret;
    const rotated = await integrationsSvc.rotate(s.id, 'webhook');
    const withNew = await WebhookReceiver.start([rotated.webhookSecret]);
    receivers.push(withNew);
    s.receiver.secrets = [oldSecret]; // the school has not switched yet
    const [id1] = await storeResult((await lmsSubmission(s.id)).id, 1, [passed('a')]);
    expect((await settled(id1)).status).toBe('delivered');
    expect(s.receiver.for(id1)[0].signature.split(' ')).toHaveLength(2);
    await integrationsSvc.update(s.id, { webhookUrl: withNew.url }); // now it has
    const [id2] = await storeResult((await lmsSubmission(s.id)).id, 1, [passed('a')]);
    expect((await settled(id2)).status).toBe('delivered');
    expect(withNew.for(id2)[0].verified).toBe(true);
    // After the grace period only the new secret signs: the old receiver would refuse.
    await prisma.integration.update({ where: { id: s.id }, data: { webhookPreviousUntil: new Date(Date.now() - 1) } });
    s.receiver.secrets = [oldSecret];
    await integrationsSvc.update(s.id, { webhookUrl: s.receiver.url });
    const [id3] = await storeResult((await lmsSubmission(s.id)).id, 1, [passed('a')]);
    await eventually(async () => expect(s.receiver.for(id3).length).toBeGreaterThan(0), 10_000);
    expect(s.receiver.for(id3)[0]).toMatchObject({ verified: false, answered: 401 });
    expect(s.receiver.for(id3)[0].signature.split(' ')).toHaveLength(1);
  });

  it('a regrade sends a new event (sequence grows) only when the grade changed', async () => {
    const s = await school('regrades');
    const sub = await lmsSubmission(s.id);
    const [first] = await storeResult(sub.id, 1, [passed('a'), failed('b', 'Raté.')]);
    expect((await settled(first)).status).toBe('delivered');
    expect(await storeResult(sub.id, 2, [passed('a'), failed('b', 'Raté, autrement dit.')])).toEqual([]);
    const [changed] = await storeResult(sub.id, 3, [passed('a'), passed('b')]);
    expect((await settled(changed)).status).toBe('delivered');
    const sequences = s.receiver.requests.map(
      (r) => (JSON.parse(r.body) as { data: { sequence: number } }).data.sequence,
    );
    expect(sequences).toEqual([1, 3]);
  });

  it('no event for a submission made outside an integration', async () => {
    const user = await prisma.user.create({
      data: { email: `web-${randomBytes(3).toString('hex')}@test.local`, displayName: 'web' },
    });
    const sub = await prisma.submission.create({
      data: { userId: user.id, exerciseId, exerciseVersion: version, source: 'x' },
    });
    expect(await storeResult(sub.id, 1, [passed('a')])).toEqual([]);
    await prisma.submission.delete({ where: { id: sub.id } });
    await prisma.user.delete({ where: { id: user.id } });
  });

  it('the sweeper delivers an outbox row whose job never reached Redis', async () => {
    const s = await school('lost-job');
    const [id] = await storeResult((await lmsSubmission(s.id)).id, 1, [passed('a')], false);
    const d = await settled(id, 15_000);
    expect(d.status).toBe('delivered');
    expect(s.receiver.accepted.has(id)).toBe(true);
  });

  it('the delivery log lists attempts, filters failed, and redelivers with the same webhook-id', async () => {
    const s = await school('log');
    s.receiver.plan({ kind: 'status', status: 422, body: 'champ manquant' });
    // One after the other: the receiver's planned 422 answers the first request it gets, which must be bad's.
    const [bad] = await storeResult((await lmsSubmission(s.id)).id, 1, [passed('a')]);
    await settled(bad);
    const [good] = await storeResult((await lmsSubmission(s.id)).id, 1, [passed('a')]);
    await settled(good);
    const log = new DeliveryLogService(prisma, webhooks.get(WebhookDeliveryProducer));
    const failedOnly = await log.list({ integrationId: s.id }, { status: 'failed', limit: 20 });
    expect(failedOnly.items.map((d) => d.id)).toEqual([bad]);
    expect(failedOnly.items[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastStatus: 422,
      nextRetryAt: null,
      attemptLog: [{ number: 1, httpStatus: 422, response: 'champ manquant' }],
    });
    expect(JSON.stringify(await log.list({ integrationId: s.id }, { limit: 20 }))).not.toContain('whsec_');
    await log.redeliver(bad);
    await expect(log.redeliver(bad)).rejects.toThrow(/already pending/);
    expect((await settled(bad)).status).toBe('delivered');
    expect(new Set(s.receiver.for(bad).map((r) => r.id))).toEqual(new Set([bad]));
    expect(s.receiver.for(bad)).toHaveLength(2);
  });

  it('the grading run writes the outbox row in its result transaction (real sandbox, hello-world)', async () => {
    const grading = await Test.createTestingModule({ imports: [InfrastructureModule, GradingWorkerModule] })
      .overrideProvider(ENV)
      .useValue(env)
      .compile(); // not initialised: the test drives the run
    try {
      const s = await school('grading-run');
      const sub = await lmsSubmission(s.id);
      const hello = await loadExercise(join(root, 'exercises', 'hello-world'));
      await prisma.submission.update({
        where: { id: sub.id },
        data: { status: 'queued', source: hello.reference.source },
      });
      const outcome = await grading.get(GradingRunService).run(sub.id, gradingJobId(sub.id, 1));
      expect(outcome).toMatchObject({ kind: 'graded', score: hello.maxScore });
      const rows = await prisma.webhookDelivery.findMany({ where: { submissionId: sub.id } });
      expect(rows).toHaveLength(1);
      const d = await settled(rows[0].id, 30_000);
      expect(d.status).toBe('delivered');
      expect(s.receiver.accepted.get(rows[0].id)).toMatchObject({ data: { score: hello.maxScore, sequence: 1 } });
      // Run again (a stalled job): no second result, no second event.
      await grading.get(GradingRunService).run(sub.id, gradingJobId(sub.id, 1));
      expect(await prisma.webhookDelivery.count({ where: { submissionId: sub.id } })).toBe(1);
    } finally {
      await grading.close();
    }
  }, 180_000);
});
