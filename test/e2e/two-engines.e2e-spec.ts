import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import request from 'supertest';
import { loadExercise } from '../../src/exercises/exercise.loader';
import { Role } from '../../src/generated/prisma/enums';
import { parseGradingJobId } from '../../src/queue/grading-queue.constants';
import { SandboxLabels } from '../../src/sandbox/sandbox.labels';
import { startApi, suitePrefix, userWithToken, type ApiHarness } from '../support/api-app';
import { sandboxesOwnedBy, startWorker, stopProcess, waitForStatus } from '../support/pipeline';
import { PrivateDockerd } from '../support/private-services';
import { eventually, root } from '../support/processes';
import { redisUrl } from '../support/test-env';

jest.setTimeout(300_000);

const SUBMISSIONS = 6;
/** Submitted when the second engine stops, and again once it is back. */
const STOP_SUBMISSIONS = 4;

/**
 * Workers on several Docker engines (issue #15, docs/deploy.md "Several boxes"): a second engine
 * started on this machine (test/support/private-services.ts) stands for a second worker host. One
 * worker per engine consumes the same queue; every submission must be graded exactly once, by
 * workers of both engines, and neither engine may keep a sandbox once its worker stopped. The
 * second engine gets its images as a new host would (a copy of the built images, then its worker
 * prepares its own golden store): the phase timings are printed.
 */
describe('workers on two Docker engines', () => {
  const prefix = suitePrefix('two-engines');
  const workerEnv = {
    REDIS_PREFIX: prefix,
    WORKER_CONCURRENCY: '1',
    // One warm sandbox per worker, fixed: a sandbox on each engine that the worker's stop must destroy.
    SANDBOX_POOL_SIZE: '1',
    SANDBOX_POOL_ADAPTIVE: 'false',
  };
  let api: ApiHarness;
  let engine: PrivateDockerd | undefined;
  const workers: ReturnType<typeof startWorker>[] = [];

  beforeAll(async () => {
    api = await startApi({ REDIS_PREFIX: prefix });
  });

  afterAll(async () => {
    for (const w of workers) await stopProcess(w);
    await engine?.destroy();
    await api?.close();
    const redis = new Redis(redisUrl());
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('grades one queue on both engines, each submission once, and leaves no sandbox on either', async () => {
    const timings: Record<string, number> = {};
    const timed = async <T>(name: string, step: () => Promise<T> | T): Promise<T> => {
      const t0 = Date.now();
      try {
        return await step();
      } finally {
        timings[name] = (Date.now() - t0) / 1000;
      }
    };
    const second = await timed('second engine started', () => PrivateDockerd.create());
    engine = second;
    await timed('images copied to it', () => second.loadCatalogImages());
    const sandboxRoot = second.sandboxRoot();
    const helloWorld = await loadExercise(join(root, 'exercises', 'hello-world'));

    const admin = await userWithToken(api, Role.admin);
    const student = await userWithToken(api, Role.student);
    const operations = async () =>
      (
        await request(api.app.getHttpServer())
          .get('/api/admin/operations')
          .set('Authorization', `Bearer ${admin.token}`)
          .expect(200)
      ).body as {
        workers: Array<{
          pid: number;
          engine: string;
          jobs: string[];
          unavailable?: string;
          recentErrors: Array<{ cause: string; message: string }>;
        }>;
      };

    // A worker beats only once its sandbox engine is ready (golden store prepared, pool started).
    const sharedWorker = startWorker(workerEnv);
    const secondWorker = startWorker({ ...workerEnv, DOCKER_HOST: second.host, SANDBOX_ROOT: sandboxRoot });
    workers.push(sharedWorker, secondWorker);
    const engineOf = new Map<number, string>();
    await timed('both workers ready (golden stores prepared)', () =>
      eventually(
        async () => {
          const report = await operations();
          if (report.workers.length < 2)
            throw new Error(`${report.workers.length} worker(s) beating\n${secondWorker.output().slice(-2000)}`);
          for (const w of report.workers) engineOf.set(w.pid, w.engine);
        },
        240_000,
        1000,
      ),
    );
    expect(engineOf.get(secondWorker.pid!)).toBe(second.host);
    expect(engineOf.get(sharedWorker.pid!)).not.toBe(second.host);

    /** `count` reference solutions queued at once (so idle workers all take some). */
    const submit = (count: number, source = helloWorld.reference.source) =>
      Promise.all(
        Array.from({ length: count }, async () => {
          const res = await request(api.app.getHttpServer())
            .post('/api/submissions')
            .set('Authorization', `Bearer ${student.token}`)
            .send({ exercise: 'hello-world', source, files: helloWorld.reference.files });
          expect(res.status).toBe(202);
          return res.body.id as string;
        }),
      );
    /**
     * Exactly once in the database: one result per submission, its first attempt, full marks. A
     * wrong grade is printed whole (transcript, notices, the workers' last lines): an
     * infrastructure failure graded as the student's shows there.
     */
    const expectGradedOnce = async (ids: string[]) => {
      for (const id of ids) await waitForStatus(api.prisma, id, ['graded', 'error'], 200_000);
      for (const id of ids) {
        const stored = await waitForStatus(api.prisma, id, ['graded', 'error']);
        if (stored.status !== 'graded' || stored.results.some((r) => r.score !== helloWorld.maxScore))
          process.stdout.write(
            `submission ${id} ${stored.status} (runs ${stored.runs}, ${stored.errorMessage ?? ''}):\n${JSON.stringify(
              stored.results.map((r) => ({ score: r.score, notices: r.notices, transcript: r.transcript })),
              null,
              1,
            )}\nshared worker:\n${sharedWorker.output().slice(-3000)}\nsecond worker:\n${secondWorker.output().slice(-6000)}\n`,
          );
        expect({ id, results: stored.results.map((r) => ({ attempt: r.attempt, score: r.score })) }).toEqual({
          id,
          results: [{ attempt: 1, score: helloWorld.maxScore }],
        });
      }
    };

    // One queue, both engines.
    await timed('submissions graded', async () => expectGradedOnce(await submit(SUBMISSIONS)));

    // Who graded what, from the workers' own metrics as /metrics aggregates them (one series per
    // process): both engines graded some, and the gradings add up to the submissions, none twice.
    const gradedBy = await eventually(
      async () => {
        const text = (await request(api.app.getHttpServer()).get('/metrics').expect(200)).text;
        const perEngine = new Map<string, number>();
        for (const line of text.split('\n')) {
          if (!line.startsWith('dockgrader_grading_duration_seconds_count{')) continue;
          const pid = Number(/process="worker [^"]*:(\d+)"/.exec(line)?.[1]);
          const outcome = /outcome="([^"]+)"/.exec(line)?.[1];
          const key = `${engineOf.get(pid) ?? `unknown worker ${pid}`} ${outcome}`;
          perEngine.set(key, (perEngine.get(key) ?? 0) + Number(line.split(' ').pop()));
        }
        const total = [...perEngine.values()].reduce((a, b) => a + b, 0);
        if (total < SUBMISSIONS) throw new Error(`metrics show ${total} gradings so far`);
        return Object.fromEntries(perEngine);
      },
      30_000,
      1000,
    );
    const sharedHost = engineOf.get(sharedWorker.pid!)!;
    expect(Object.keys(gradedBy).sort()).toEqual([`${second.host} graded`, `${sharedHost} graded`].sort());
    expect(gradedBy[`${second.host} graded`] + gradedBy[`${sharedHost} graded`]).toBe(SUBMISSIONS);
    for (const w of (await operations()).workers)
      expect({ pid: w.pid, errors: w.recentErrors }).toEqual({ pid: w.pid, errors: [] });

    // The second engine stops (SIGTERM, as at its host's shutdown) while its worker grades: that
    // job is handed back and graded by the other engine's worker, never graded from a dying sandbox
    // (a zero for the student); the second worker takes no job while its engine is down, says why
    // in the operations report, and takes jobs again once the engine is back.
    const beatOf = async (pid: number) => (await operations()).workers.find((w) => w.pid === pid);
    // A container left running (full marks still) keeps the sandbox's engine shutting down for its
    // stop timeout: the window in which the commands that follow are refused while the engine
    // still answers on the connections already open (a 0/6 was stored so, src/docker/engine-ping.ts).
    const keepsRunning = helloWorld.reference.source.replace(
      '$ docker run hello-world',
      '$ docker run -d busybox sleep 600\n$ docker run hello-world',
    );
    expect(keepsRunning).not.toBe(helloWorld.reference.source);
    const cut = await submit(STOP_SUBMISSIONS, keepsRunning);
    const caught = await timed('second worker grading', () =>
      eventually(
        async () => {
          const jobs = (await beatOf(secondWorker.pid!))?.jobs ?? [];
          const ids = jobs.map((j) => parseGradingJobId(j)?.submissionId).filter((id) => id && cut.includes(id));
          const running = await api.prisma.submission.findMany({
            where: { id: { in: ids as string[] }, status: 'running' },
            select: { id: true },
          });
          if (running.length === 0) throw new Error(`second worker grades none of ${cut.join(', ')}: ${jobs}`);
          return running[0].id;
        },
        120_000,
        100,
      ),
    );
    await timed('second engine stopped', () => second.stop());
    await timed('graded with the second engine down', () => expectGradedOnce(cut));
    const runs = await api.prisma.submission.findUniqueOrThrow({ where: { id: caught }, select: { runs: true } });
    expect(runs.runs).toBeGreaterThan(1); // graded again elsewhere, not from the dying sandbox
    // Handed back without using an attempt: the engine was seen down, not as answering on an old connection.
    expect(secondWorker.output()).toContain(
      `submission ${caught}: infrastructure failure, will retry: Docker engine unreachable`,
    );
    // A beat every 5 s: the reason shows within two.
    await eventually(
      async () => {
        const beat = await beatOf(secondWorker.pid!);
        if (!/Docker engine unreachable/.test(beat?.unavailable ?? ''))
          throw new Error(
            `second worker's beat says ${JSON.stringify(beat?.unavailable)}\n${secondWorker.output().slice(-4000)}`,
          );
      },
      12_000,
      500,
    );
    // What the interrupted run met (printed: which check caught the engine going away).
    const interrupted = ((await beatOf(secondWorker.pid!))?.recentErrors ?? []).map((e) => e.message);
    await timed('second engine restarted, its worker taking jobs', async () => {
      await second.start();
      await eventually(
        async () => {
          const beat = await beatOf(secondWorker.pid!);
          if (!beat || beat.unavailable) throw new Error(`second worker still unavailable: ${beat?.unavailable}`);
        },
        60_000,
        500,
      );
    });
    await timed('graded after the restart', async () => expectGradedOnce(await submit(STOP_SUBMISSIONS)));

    // A stopped worker destroys its sandboxes (the warm one included) on its own engine.
    await timed('workers stopped', async () => {
      for (const w of workers) await stopProcess(w);
    });
    expect(await sandboxesOwnedBy(sharedWorker.pid!)).toEqual([]);
    expect((await second.docker(['ps', '-aq', '--filter', `label=${SandboxLabels.sandbox}`])).trim()).toBe('');
    expect(readdirSync(join(sandboxRoot, 'run'))).toEqual([]);

    await timed('second engine stopped and removed', () => second.destroy());
    engine = undefined;
    expect(existsSync(second.dir)).toBe(false);
    expect(existsSync(`/sys/class/net/${second.bridge}`)).toBe(false);

    process.stdout.write(
      `two engines: graded ${JSON.stringify(gradedBy)}; seconds: ${Object.entries(timings)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')}; the second worker's run cut by the stop: ${JSON.stringify(interrupted)}\n`,
    );
  });
});
