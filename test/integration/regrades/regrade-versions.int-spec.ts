import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Test, TestingModule } from '@nestjs/testing';
import { ENV } from '../../../src/config/config.module';
import { loadEnv } from '../../../src/config/env';
import { PrismaService } from '../../../src/database/prisma.service';
import { ExercisesModule } from '../../../src/exercises/exercises.module';
import { ExercisesService } from '../../../src/exercises/exercises.service';
import { loadExercise } from '../../../src/exercises/exercise.loader';
import { Role } from '../../../src/generated/prisma/enums';
import { InfrastructureModule } from '../../../src/infrastructure.module';
import { gradingJobId } from '../../../src/queue/grading-queue.constants';
import { regradeChannel, type RegradeProgressEvent } from '../../../src/regrades/regrade-events';
import { RegradeRunsService } from '../../../src/regrades/regrade-runs.service';
import { RegradesModule } from '../../../src/regrades/regrades.module';
import { GradingRunService } from '../../../src/worker/grading-run.service';
import { GradingWorkerModule } from '../../../src/worker/grading-worker.module';
import { root } from '../../support/processes';

const SLUG = 'hello-regrade';

type Check = { id: string; passed: boolean; points: number };
const outcomes = (checks: unknown) => (checks as Check[]).map(({ id, passed, points }) => ({ id, passed, points }));

/**
 * Reproducible grades: every synced definition is stored; a regrade with `original` recomputes a
 * grade with the definition it was first given under — from the table, while the files on disk say
 * something else or do not load at all — and with `current` applies the new one. Regrade runs count
 * their progress once per submission and give the same run for the same request while it runs.
 * Real PostgreSQL, Redis and sandboxes; the test drives each grading run (no BullMQ worker).
 */
describe('exercise versions and regrade runs', () => {
  let moduleRef: TestingModule;
  let prisma: PrismaService;
  let catalogue: string;
  let yamlPath: string;
  let principal: { id: string; role: Role; email: string };
  const published: string[] = [];
  let v2Text = '';
  let redisPrefix: string;

  beforeAll(async () => {
    catalogue = mkdtempSync(join(tmpdir(), 'dg-regrade-'));
    cpSync(join(root, 'exercises', 'hello-world'), join(catalogue, SLUG), { recursive: true });
    yamlPath = join(catalogue, SLUG, 'exercise.yaml');
    writeFileSync(yamlPath, readFileSync(yamlPath, 'utf8').replace(/^slug: hello-world$/m, `slug: ${SLUG}`));
    redisPrefix = `${process.env.REDIS_PREFIX}:regrade:${randomBytes(3).toString('hex')}`;
    const env = loadEnv({
      ...process.env,
      REDIS_PREFIX: redisPrefix,
      SANDBOX_POOL_SIZE: '0',
      EXERCISES_DIR: catalogue,
    });
    // Compiled, not initialised: no BullMQ worker consumes the queue, so the test runs each job.
    moduleRef = await Test.createTestingModule({
      imports: [InfrastructureModule, GradingWorkerModule, ExercisesModule, RegradesModule],
    })
      .overrideProvider(ENV)
      .useValue(env)
      .compile();
    prisma = moduleRef.get(PrismaService);
    // The sync unpublishes what is not in its catalogue: put the run's database back afterwards.
    published.push(
      ...(await prisma.exercise.findMany({ where: { published: true }, select: { slug: true } })).map((e) => e.slug),
    );
    const user = await prisma.user.create({
      data: {
        email: `regrader-${randomBytes(4).toString('hex')}@test.local`,
        displayName: 'regrader',
        role: Role.instructor,
      },
    });
    principal = { id: user.id, role: Role.instructor, email: user.email };
  });

  afterAll(async () => {
    await prisma?.exercise.updateMany({ where: { slug: { in: published } }, data: { published: true } });
    await moduleRef?.close();
    rmSync(catalogue, { recursive: true, force: true });
  });

  /** Runs every queued job of the given submissions, as a worker would. */
  async function gradeQueued(ids: string[]): Promise<void> {
    const runs = moduleRef.get(GradingRunService);
    for (const id of ids) {
      const s = await prisma.submission.findUniqueOrThrow({ where: { id } });
      const outcome = await runs.run(id, gradingJobId(id, s.attempt));
      expect(outcome.kind).toBe('graded');
    }
  }

  const latest = (id: string) =>
    prisma.result.findFirstOrThrow({ where: { submissionId: id }, orderBy: { attempt: 'desc' } });

  it('recomputes the first grade exactly with `original`, applies the new definition with `current`', async () => {
    const exercises = moduleRef.get(ExercisesService);
    await exercises.syncCatalogue();
    const v1 = await loadExercise(join(catalogue, SLUG));
    const exercise = await prisma.exercise.findUniqueOrThrow({ where: { slug: SLUG } });
    expect(exercise.version).toBe(v1.version);
    const stored1 = await prisma.exerciseVersion.findUniqueOrThrow({
      where: { exerciseId_hash: { exerciseId: exercise.id, hash: v1.version } },
    });
    expect(stored1).toMatchObject({ source: v1.source, maxPoints: 6 });
    // A second sync of the same files stores nothing new.
    await exercises.syncCatalogue();
    expect(await prisma.exerciseVersion.count({ where: { exerciseId: exercise.id } })).toBe(1);

    const wrong = v1.wrong.find((w) => w.file.endsWith('wrong-ps-sans-a.sh'))!;
    const subs = await Promise.all(
      [v1.reference.source, wrong.source].map((source) =>
        prisma.submission.create({
          data: { userId: principal.id, exerciseId: exercise.id, exerciseVersion: v1.version, source },
        }),
      ),
    );
    const ids = subs.map((s) => s.id);
    await gradeQueued(ids);
    const first = await Promise.all(ids.map(latest));
    expect(first.map((r) => [r.score, r.maxScore])).toEqual([
      [6, 6],
      [4, 6],
    ]);
    expect(first.every((r) => r.exerciseVersionId === stored1.id)).toBe(true);
    // The images of last term: a rebuilt image since must be said, not fail the regrade.
    const digests = first[0].imageDigests as Record<string, string>;
    const tag = Object.keys(digests).find((t) => t.startsWith('hello-world'))!;
    expect(tag).toBeDefined();
    await prisma.result.update({
      where: { id: first[0].id },
      data: { imageDigests: { ...digests, [tag]: 'sha256:0000000000000000000000000000' } },
    });

    // The author changes the definition: the first check is now worth 5 points (max 8).
    writeFileSync(yamlPath, readFileSync(yamlPath, 'utf8').replace(/points: 3\n/, 'points: 5\n'));
    await exercises.syncCatalogue();
    const v2 = await loadExercise(join(catalogue, SLUG));
    expect(v2.version).not.toBe(v1.version);
    expect(v2.maxScore).toBe(8);
    expect(await prisma.exerciseVersion.count({ where: { exerciseId: exercise.id } })).toBe(2);

    // Progress is published on the run's channel, after each item commits.
    const events: RegradeProgressEvent[] = [];
    const sub = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const runs = moduleRef.get(RegradeRunsService);
    try {
      const original = await runs.start(principal, { kind: 'exercise', slug: SLUG }, 'original');
      expect(original).toMatchObject({
        created: true,
        run: { total: 2, done: 0, status: 'running', version: 'original' },
      });
      await sub.subscribe(regradeChannel(redisPrefix, original.run.id));
      sub.on('message', (_c, m: string) => events.push(JSON.parse(m) as RegradeProgressEvent));
      // Clicked twice: the same run, nothing queued again.
      const again = await runs.start(principal, { kind: 'exercise', slug: SLUG }, 'original');
      expect(again).toMatchObject({ created: false, run: { id: original.run.id }, requeued: [] });
      expect((await prisma.submission.findUniqueOrThrow({ where: { id: ids[0] } })).attempt).toBe(2);

      await gradeQueued(ids);
      const recomputed = await Promise.all(ids.map(latest));
      for (const [i, r] of recomputed.entries()) {
        expect(r.attempt).toBe(2);
        expect([r.score, r.maxScore]).toEqual([first[i].score, first[i].maxScore]);
        expect(outcomes(r.checks)).toEqual(outcomes(first[i].checks));
        expect(r.exerciseVersion).toBe(v1.version);
        expect(r.exerciseVersionId).toBe(stored1.id);
      }
      expect((recomputed[0].notices as string[]).join(' ')).toMatch(
        /Les images du bac à sable ont changé.*hello-world/,
      );
      expect(recomputed[1].notices as string[]).not.toContainEqual(expect.stringMatching(/images/));
      const done = await runs.get(original.run.id);
      expect(done).toMatchObject({ status: 'finished', total: 2, done: 2, changed: 0 });
      expect(done.items.every((i) => i.outcome === 'graded' && !i.changed && i.checks.length === 0)).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      expect(events.map((e) => e.done)).toEqual([1, 2]);
      expect(events[1]).toMatchObject({ status: 'finished', total: 2 });
      // Finished: a request for the same submissions starts a new run.
      const third = await runs.start(principal, { kind: 'submissions', ids: [ids[1]] }, 'current');
      expect(third.created).toBe(true);
      await gradeQueued([ids[1]]);
    } finally {
      sub.disconnect();
    }

    // `current`: the new definition's score, and the difference per check.
    const current = await runs.start(principal, { kind: 'exercise', slug: SLUG }, 'current');
    await gradeQueued(ids);
    const regraded = await Promise.all(ids.map(latest));
    expect(regraded.map((r) => [r.score, r.maxScore])).toEqual([
      [8, 8],
      [6, 8],
    ]);
    expect(regraded.every((r) => r.exerciseVersion === v2.version)).toBe(true);
    const view = await runs.get(current.run.id);
    // The second submission was already regraded with the new definition (the third run): unchanged.
    expect(view).toMatchObject({ status: 'finished', done: 2, changed: 1 });
    expect(view.items.find((i) => i.submissionId === ids[1])).toMatchObject({ changed: false, checks: [] });
    const item = view.items.find((i) => i.submissionId === ids[0])!;
    expect(item.before).toMatchObject({ score: 6, maxScore: 6, version: v1.version });
    expect(item.after).toMatchObject({ score: 8, maxScore: 8, version: v2.version });
    expect(item.checks).toEqual([
      {
        id: 'ran-hello-world',
        title: expect.any(String),
        before: { passed: true, points: 3 },
        after: { passed: true, points: 5 },
      },
    ]);

    // Last term's grade, once the files on disk no longer even load: still recomputed, from the table.
    v2Text = readFileSync(yamlPath, 'utf8');
    writeFileSync(yamlPath, 'slug: [broken');
    await runs.start(principal, { kind: 'submission', id: ids[1] }, 'original');
    await gradeQueued([ids[1]]);
    const lastTerm = await latest(ids[1]);
    expect([lastTerm.score, lastTerm.maxScore, lastTerm.exerciseVersion]).toEqual([4, 6, v1.version]);
    expect(outcomes(lastTerm.checks)).toEqual(outcomes(first[1].checks));
    // Every result is kept as history.
    expect(await prisma.result.count({ where: { submissionId: ids[1] } })).toBe(5);
  });

  it('a version graded before versions were stored: an internal error while the files are broken, then the current one with a notice', async () => {
    const runs = moduleRef.get(RegradeRunsService);
    const exercise = await prisma.exercise.findUniqueOrThrow({ where: { slug: SLUG } });
    // A grade from before this table existed: its version was never stored.
    const legacy = await prisma.submission.create({
      data: {
        userId: principal.id,
        exerciseId: exercise.id,
        exerciseVersion: 'legacy-version',
        source: 'docker run hello-world',
        status: 'graded',
        results: {
          create: {
            attempt: 1,
            exerciseVersion: 'legacy-version',
            score: 4,
            maxScore: 6,
            checks: [],
            transcript: [],
            imageDigests: {},
          },
        },
      },
    });
    // The files are still broken (previous test): nothing to grade with. Not retried, and the run still ends.
    const broken = await runs.start(principal, { kind: 'submission', id: legacy.id }, 'original');
    const outcome = await moduleRef.get(GradingRunService).run(legacy.id, gradingJobId(legacy.id, 2));
    expect(outcome.kind).toBe('internal');
    expect(await runs.get(broken.run.id)).toMatchObject({
      status: 'finished',
      done: 1,
      items: [{ outcome: 'error', after: null }],
    });

    writeFileSync(yamlPath, v2Text);
    await runs.start(principal, { kind: 'submission', id: legacy.id }, 'original');
    await gradeQueued([legacy.id]);
    const r = await latest(legacy.id);
    expect([r.score, r.maxScore, r.attempt]).toEqual([6, 8, 3]);
    expect(r.notices as string[]).toContainEqual(
      expect.stringMatching(/^La version demandée de l'exercice \(legacy-versi\) n'est pas conservée/),
    );
  });
});
