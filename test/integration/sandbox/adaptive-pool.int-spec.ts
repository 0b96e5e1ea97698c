import Docker from 'dockerode';
import type { DockerSandboxDriver } from '../../../src/sandbox/sandbox.driver';
import { currentOwner, SandboxLabels } from '../../../src/sandbox/sandbox.labels';
import { makeDriver } from './sandbox-fixture';

const hostDocker = new Docker();
const IDLE_SECONDS = 15;
jest.setTimeout(240_000);

/** Containers of this process's sandboxes on the host engine (the golden store's excluded). */
async function ownSandboxes(): Promise<number> {
  const list = await hostDocker.listContainers({
    filters: { label: [`${SandboxLabels.owner}=${currentOwner()}`, `${SandboxLabels.role}=sandbox`] },
  });
  return list.length;
}

/**
 * The adaptive warm pool on the real engine: it grows to the worker's concurrency when jobs wait,
 * keeps a burst's worth, and after its idle time destroys the surplus down to its floor.
 */
describe('adaptive warm pool (real Docker)', () => {
  let driver: DockerSandboxDriver;

  beforeAll(async () => {
    driver = makeDriver({
      poolSize: 0,
      // Long enough that a loaded CI machine's acquire-exec-release is not mistaken for idleness.
      adaptivePool: { max: 2, idleSeconds: IDLE_SECONDS, reserveMb: 0, concurrency: 2 },
    });
    await driver.golden.ensure();
  });
  afterAll(async () => {
    await driver.shutdown();
  });

  it('grows when jobs wait, serves them warm, and shrinks to its floor when idle', async () => {
    expect(driver.adaptPool(0, 1)).toBe(0);
    expect(await ownSandboxes()).toBe(0);

    // Five jobs waiting, one worker: as many warm sandboxes as slots, not five.
    expect(driver.adaptPool(5, 1)).toBe(2);
    await driver.pool.waitUntilWarm(2, 120_000);
    expect(driver.stats()).toMatchObject({ ready: 2, target: 2 });
    expect(await ownSandboxes()).toBe(2);
    // Shared with two other live workers: its share is two of five, rounded up.
    expect(driver.adaptPool(5, 3)).toBe(2);

    // Both slots take a warm sandbox at once (a burst of two).
    const [a, b] = await Promise.all([driver.acquire(), driver.acquire()]);
    expect((await a.exec('docker version --format "{{.Server.Version}}"', { timeoutMs: 30_000 })).exitCode).toBe(0);
    await Promise.all([driver.release(a), driver.release(b)]);

    // No backlog now, but two ran at once a moment ago: two stay warm.
    expect(driver.adaptPool(0, 1)).toBe(2);
    await driver.pool.waitUntilWarm(2, 120_000);
    expect(driver.stats().ready).toBe(2);

    // Idle for longer than idleSeconds: back to the floor (0), the warm ones destroyed.
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000 + 500));
    expect(driver.adaptPool(0, 1)).toBe(0);
    const deadline = Date.now() + 30_000;
    while ((await ownSandboxes()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await ownSandboxes()).toBe(0);
    expect(driver.stats()).toMatchObject({ ready: 0, target: 0 });
  });

  it('keeps a fixed pool at its size whatever the backlog', async () => {
    const fixed = makeDriver({ poolSize: 1, adaptivePool: undefined });
    try {
      expect(fixed.adaptPool(50, 1)).toBe(1);
      expect(fixed.pool.target).toBe(1);
    } finally {
      await fixed.shutdown();
    }
  });
});
