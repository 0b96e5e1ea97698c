import { Role } from '../../src/generated/prisma/enums';
import { GradingProducer } from '../../src/queue/grading.producer';
import { startApi, suitePrefix, userWithToken, type ApiHarness } from '../support/api-app';
import { eventually, freePort, startBuilt, waitForExit } from '../support/processes';

jest.setTimeout(120_000);

/**
 * A rolling restart during a deadline peak: the api process (dist/main.js) gets SIGTERM while
 * submissions pour in over keep-alive connections and a student watches a live event stream.
 */
describe('api process shutdown (SIGTERM under load)', () => {
  // The in-process harness creates the user and reads back; no worker runs (none may re-queue
  // what the stopping process would have lost).
  const env = { REDIS_PREFIX: suitePrefix('api-shutdown') };
  let harness: ApiHarness;

  beforeAll(async () => {
    harness = await startApi(env);
  });

  afterAll(async () => {
    await harness.close();
  });

  it('answers every request it took, loses no submission or job, ends event streams, exits 0', async () => {
    const student = await userWithToken(harness, Role.student);
    const port = await freePort();
    const api = startBuilt('main', {
      ...env,
      PORT: String(port),
      SUBMISSION_RATE_LIMIT: '100000',
      API_SHUTDOWN_GRACE_SECONDS: '20',
    });
    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${student.token}`, 'content-type': 'application/json' };
    try {
      await eventually(async () => {
        const res = await fetch(`${base}/health`);
        if (res.status !== 200) throw new Error(`health answered ${res.status}`);
      });
      const submit = () =>
        fetch(`${base}/api/submissions`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ exercise: 'hello-world', source: 'docker run hello-world' }),
        });
      const first = await submit();
      expect(first.status).toBe(202);
      const watched = ((await first.json()) as { id: string }).id;
      const stream = await fetch(`${base}/api/submissions/${watched}/events`, { headers });
      expect(stream.status).toBe(200);
      const streamEnded = stream.text(); // resolves when the server ends the stream

      const accepted: string[] = [watched];
      const statuses: number[] = [];
      const networkErrors: string[] = [];
      let signalled = false;
      // Sixteen clients submitting back to back until the server is gone for each of them.
      const client = async (): Promise<void> => {
        for (;;) {
          let res: Response;
          try {
            res = await submit();
          } catch (error) {
            networkErrors.push(String((error as Error).cause ?? error));
            return;
          }
          statuses.push(res.status);
          const body = (await res.json()) as { id?: string };
          if (res.status === 202 && body.id) accepted.push(body.id);
          if (!signalled && accepted.length >= 200) {
            signalled = true;
            api.kill('SIGTERM');
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, client));

      expect(await waitForExit(api, 40_000)).toBe(0);
      await expect(streamEnded).resolves.toContain('event: queued');
      expect(statuses.filter((s) => s !== 202)).toEqual([]);
      expect(networkErrors).toHaveLength(16);
      expect(api.output()).not.toContain('were cut');
      // Every 202 is a row and a job; no row exists that its client was not told about.
      const rows = await harness.prisma.submission.findMany({ where: { userId: student.id }, select: { id: true } });
      expect(rows.map((r) => r.id).sort()).toEqual([...accepted].sort());
      const producer = harness.app.get(GradingProducer);
      const states = await Promise.all(accepted.map((id) => producer.state(id, 1)));
      expect(states.filter((s) => s !== 'waiting')).toEqual([]);
    } finally {
      if (api.exitCode === null) {
        api.kill('SIGKILL');
        await waitForExit(api).catch(() => undefined);
      }
    }
  });
});
