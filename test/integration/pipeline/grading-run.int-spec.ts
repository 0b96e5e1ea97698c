import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Test, TestingModule } from '@nestjs/testing';
import { ENV } from '../../../src/config/config.module';
import { loadEnv } from '../../../src/config/env';
import { PrismaService } from '../../../src/database/prisma.service';
import { loadExercise } from '../../../src/exercises/exercise.loader';
import { InfrastructureModule } from '../../../src/infrastructure.module';
import { GradingWorkerModule } from '../../../src/worker/grading-worker.module';
import { GradingProducer } from '../../../src/queue/grading.producer';
import { GradingRunService } from '../../../src/worker/grading-run.service';
import { gradingJobId } from '../../../src/queue/grading-queue.constants';
import { SubmissionSweeper } from '../../../src/worker/submission.sweeper';
import { root } from '../../support/processes';

/**
 * The worker's guarantees without BullMQ timing in the way: one result per attempt even when the
 * same job runs twice at once, and the sweeper re-queues what Redis does not know about.
 */
describe('grading runs and the sweeper', () => {
  let moduleRef: TestingModule;
  let prisma: PrismaService;
  let userId: string;
  let exerciseId: string;
  let version: string;
  let source: string;

  beforeAll(async () => {
    const env = loadEnv({
      ...process.env,
      REDIS_PREFIX: `${process.env.REDIS_PREFIX}:run:${randomBytes(3).toString('hex')}`,
      SANDBOX_POOL_SIZE: '0',
    });
    // Compiled, not initialised: no BullMQ worker consumes the queue, so the test drives each step.
    moduleRef = await Test.createTestingModule({ imports: [InfrastructureModule, GradingWorkerModule] })
      .overrideProvider(ENV)
      .useValue(env)
      .compile();
    prisma = moduleRef.get(PrismaService);
    const hello = await loadExercise(join(root, 'exercises', 'hello-world'));
    source = hello.reference.source;
    version = hello.version;
    const ex = await prisma.exercise.upsert({
      where: { slug: 'hello-world' },
      create: { slug: 'hello-world', title: hello.definition.title, version, maxPoints: hello.maxScore },
      update: {},
    });
    exerciseId = ex.id;
    const user = await prisma.user.create({
      data: { email: `run-${randomBytes(4).toString('hex')}@test.local`, displayName: 'run' },
    });
    userId = user.id;
  });
  afterAll(async () => {
    await moduleRef?.close();
  });

  const newSubmission = () =>
    prisma.submission.create({ data: { userId, exerciseId, exerciseVersion: version, source } });

  it('the same job run twice at once stores exactly one result', async () => {
    const s = await newSubmission();
    const runs = moduleRef.get(GradingRunService);
    const jobId = gradingJobId(s.id, s.attempt);
    const outcomes = await Promise.all([runs.run(s.id, jobId), runs.run(s.id, jobId)]);
    expect(outcomes.some((o) => o.kind === 'graded')).toBe(true);
    const stored = await prisma.submission.findUniqueOrThrow({ where: { id: s.id }, include: { results: true } });
    expect(stored.status).toBe('graded');
    expect(stored.results).toHaveLength(1);
    // The score the reports read from the submission row is the stored result's, written with it.
    expect({ score: stored.score, maxScore: stored.maxScore }).toEqual({
      score: stored.results[0].score,
      maxScore: stored.results[0].maxScore,
    });
    // A third, late run (a stalled job coming back) changes nothing.
    expect(await runs.run(s.id, jobId)).toEqual({ kind: 'skipped', reason: 'already graded' });
    expect(await prisma.result.count({ where: { submissionId: s.id } })).toBe(1);
  });

  it('a job of an earlier attempt does nothing after a regrade', async () => {
    const s = await newSubmission();
    await prisma.submission.update({ where: { id: s.id }, data: { attempt: 2 } });
    const outcome = await moduleRef.get(GradingRunService).run(s.id, gradingJobId(s.id, 1));
    expect(outcome).toEqual({ kind: 'skipped', reason: 'superseded by attempt 2' });
    expect(await prisma.submission.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({
      status: 'queued',
      runs: 0,
    });
  });

  it('the sweeper enqueues a queued submission that has no job, once', async () => {
    const s = await newSubmission(); // written to PostgreSQL, never enqueued: a crash in between
    const producer = moduleRef.get(GradingProducer);
    expect(await producer.state(s.id, 1)).toBe('missing');
    const sweeper = moduleRef.get(SubmissionSweeper);
    expect(await sweeper.sweep()).toBeGreaterThanOrEqual(1);
    expect(await producer.state(s.id, 1)).toBe('waiting');
    // A second pass finds the job and adds nothing.
    const before = await producer.queue.getWaitingCount();
    await sweeper.sweep();
    expect(await producer.queue.getWaitingCount()).toBe(before);
  });
});

/**
 * An exercise that cannot be evaluated (here: a regex that does not compile, as an author's edit
 * would leave it) is its own status, with its cause kept, and the run is not retried.
 */
describe('a grading run that cannot evaluate its exercise', () => {
  let moduleRef: TestingModule;
  let prisma: PrismaService;
  let catalogue: string;

  beforeAll(async () => {
    catalogue = mkdtempSync(join(tmpdir(), 'dg-catalogue-'));
    cpSync(join(root, 'exercises', 'hello-world'), join(catalogue, 'hello-world'), { recursive: true });
    const yaml = join(catalogue, 'hello-world', 'exercise.yaml');
    const text = readFileSync(yaml, 'utf8');
    writeFileSync(yaml, text.replace(/matches: '[^']*'/, "matches: 'Hello(['"));
    const env = loadEnv({
      ...process.env,
      REDIS_PREFIX: `${process.env.REDIS_PREFIX}:internal:${randomBytes(3).toString('hex')}`,
      SANDBOX_POOL_SIZE: '0',
      EXERCISES_DIR: catalogue,
    });
    moduleRef = await Test.createTestingModule({ imports: [InfrastructureModule, GradingWorkerModule] })
      .overrideProvider(ENV)
      .useValue(env)
      .compile();
    prisma = moduleRef.get(PrismaService);
  });
  afterAll(async () => {
    await moduleRef?.close();
    rmSync(catalogue, { recursive: true, force: true });
  });

  it('ends as internal_error with the cause, not as a retried infrastructure error', async () => {
    const hello = await loadExercise(join(root, 'exercises', 'hello-world'));
    const ex = await prisma.exercise.upsert({
      where: { slug: 'hello-world' },
      create: { slug: 'hello-world', title: hello.definition.title, version: hello.version, maxPoints: hello.maxScore },
      update: {},
    });
    const user = await prisma.user.create({
      data: { email: `internal-${randomBytes(4).toString('hex')}@test.local`, displayName: 'internal' },
    });
    const s = await prisma.submission.create({
      data: { userId: user.id, exerciseId: ex.id, exerciseVersion: hello.version, source: hello.reference.source },
    });
    const runs = moduleRef.get(GradingRunService);
    const outcome = await runs.run(s.id, gradingJobId(s.id, s.attempt));
    expect(outcome).toMatchObject({ kind: 'internal', reason: expect.stringMatching(/cannot be evaluated/) });
    const stored = await prisma.submission.findUniqueOrThrow({ where: { id: s.id }, include: { results: true } });
    expect(stored.status).toBe('internal_error');
    expect(stored.errorMessage).toMatch(/regex that does not compile/);
    expect(stored.results).toEqual([]);
    expect(stored.runs).toBe(1);
    // Run again (a stalled job coming back): nothing more happens.
    expect(await runs.run(s.id, gradingJobId(s.id, s.attempt))).toEqual({
      kind: 'skipped',
      reason: 'already internal_error',
    });
  });
});
