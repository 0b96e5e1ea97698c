import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadEnv } from '../../src/config/env';
import { PrismaService } from '../../src/database/prisma.service';
import { loadExercise } from '../../src/exercises/exercise.loader';
import { IntegrationsService } from '../../src/lms/integrations.service';
import { suitePrefix } from '../support/api-app';
import { deleteIntegrations } from '../support/lms';
import { startWorker, stopProcess } from '../support/pipeline';
import { eventually, root } from '../support/processes';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * A worker process killed with SIGKILL while its delivery request is in flight (the receiver has
 * the request and has not answered): the attempt's lease ends, another worker's sweeper queues the
 * next attempt, and the receiver gets the message again with the same webhook-id — applied once.
 */
describe('webhook delivery survives a killed worker', () => {
  const prefix = suitePrefix('hook-kill');
  const env = loadEnv({ ...process.env, REDIS_PREFIX: prefix });
  const prisma = new PrismaService(env);
  let receiver: WebhookReceiver;
  const integrations: string[] = [];
  const workers: ReturnType<typeof startWorker>[] = [];
  // Short timeout and sweep: the lease (timeout + 10 s) ends quickly and is noticed within a second.
  const workerEnv = {
    REDIS_PREFIX: prefix,
    SANDBOX_POOL_SIZE: '0',
    WEBHOOK_TIMEOUT_MS: '2000',
    WEBHOOK_SWEEP_INTERVAL_SECONDS: '1',
    WEBHOOK_RETRY_SCHEDULE_SECONDS: '1,1,1',
  };

  afterAll(async () => {
    for (const w of workers) await stopProcess(w, 'SIGKILL');
    await receiver?.close();
    await deleteIntegrations(prisma, integrations);
    await prisma.$disconnect();
  });

  it('is retried after the kill and accepted exactly once by webhook-id', async () => {
    const secrets = await new IntegrationsService(prisma).create({ name: 'École', webhookUrl: 'http://127.0.0.1:9/x' });
    integrations.push(secrets.id);
    receiver = await WebhookReceiver.start([secrets.webhookSecret]);
    await prisma.integration.update({ where: { id: secrets.id }, data: { webhookUrl: receiver.url } });
    receiver.plan({ kind: 'hang' }); // the first request never gets an answer: the worker dies waiting

    const hello = await loadExercise(join(root, 'exercises', 'hello-world'));
    const exercise = await prisma.exercise.upsert({
      where: { slug: 'hello-world' },
      create: { slug: 'hello-world', title: 'hello', version: hello.version, maxPoints: hello.maxScore },
      update: {},
    });
    const user = await prisma.user.create({
      data: {
        email: `kill-${randomBytes(3).toString('hex')}@lycee.test`,
        displayName: 'Élève',
        lmsId: `integration:${secrets.id}`,
        lmsUserId: `u-${randomBytes(3).toString('hex')}`,
      },
    });
    const submission = await prisma.submission.create({
      data: { userId: user.id, exerciseId: exercise.id, exerciseVersion: hello.version, source: 'x', status: 'graded' },
    });
    // An outbox row whose job never reached Redis: the first worker's sweeper queues it.
    const delivery = await prisma.webhookDelivery.create({
      data: {
        integrationId: secrets.id,
        submissionId: submission.id,
        event: 'submission.graded',
        sequence: 1,
        body: JSON.stringify({ type: 'submission.graded', data: { submissionId: submission.id, score: 3 } }),
        nextRetryAt: new Date(Date.now() - 10_000),
      },
    });

    const first = startWorker(workerEnv);
    workers.push(first);
    await eventually(async () => {
      if (receiver.for(delivery.id).length === 0) throw new Error('first attempt not received yet');
    }, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${first.output().slice(-2000)}`);
    });
    first.kill('SIGKILL');
    await eventually(async () => {
      if (first.exitCode === null && first.signalCode === null) throw new Error('still running');
    }, 10_000);
    const claimed = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(claimed).toMatchObject({ status: 'pending', attempts: 1 });

    const second = startWorker(workerEnv);
    workers.push(second);
    const done = await eventually(async () => {
      const d = await prisma.webhookDelivery.findUniqueOrThrow({
        where: { id: delivery.id },
        include: { attemptLog: true },
      });
      if (d.status !== 'delivered') throw new Error(`delivery is ${d.status} after ${d.attempts} attempt(s)`);
      return d;
    }, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${second.output().slice(-2000)}`);
    });
    // The killed attempt left no log line; the next one did, and succeeded.
    expect(done.attempts).toBe(2);
    expect(done.attemptLog.map((a) => [a.number, a.httpStatus])).toEqual([[2, 200]]);

    // The stalled BullMQ job of attempt 1 may run again on the second worker: its claim is stale.
    await new Promise((r) => setTimeout(r, 3000));
    const received = receiver.for(delivery.id);
    expect(received).toHaveLength(2);
    expect(new Set(received.map((r) => r.body)).size).toBe(1); // the same bytes both times
    expect(received.every((r) => r.verified)).toBe(true);
    expect([...receiver.accepted.keys()].filter((id) => id === delivery.id)).toHaveLength(1);
    expect(receiver.accepted.size).toBe(1);
  }, 180_000);
});
