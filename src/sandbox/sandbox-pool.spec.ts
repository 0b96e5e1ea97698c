import type { DockerSandbox } from './docker-sandbox';
import { SandboxPool } from './sandbox-pool';

/** The pool's scheduling only: sandboxes here are plain tokens, created when the test says so. */
function harness(size: number, refillDelayMs = 0) {
  const pending: Array<{ resolve: (s: DockerSandbox) => void; reject: (e: Error) => void }> = [];
  const destroyed: string[] = [];
  const errors: unknown[] = [];
  let made = 0;
  const pool = new SandboxPool(
    size,
    () => new Promise<DockerSandbox>((resolve, reject) => pending.push({ resolve, reject })),
    async (s) => void destroyed.push(s.id),
    (e) => errors.push(e),
    refillDelayMs,
  );
  const finishNext = async () => {
    const next = pending.shift();
    if (!next) throw new Error('no sandbox is being created');
    next.resolve({ id: `s${++made}` } as DockerSandbox);
    await new Promise((r) => setImmediate(r));
  };
  return { pool, pending, destroyed, errors, finishNext };
}

describe('SandboxPool', () => {
  it('fills up to its size and hands out warm sandboxes first', async () => {
    const h = harness(2);
    h.pool.refill();
    expect(h.pending).toHaveLength(2);
    await h.finishNext();
    await h.finishNext();
    expect(h.pool.available).toBe(2);
    expect((await h.pool.take())?.id).toBe('s1');
    expect(h.pool.available).toBe(1);
  });

  it('replaces a taken sandbox only after refillDelayMs, or at once when refill() is called (grading ended)', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const h = harness(1, 5000);
      h.pool.refill();
      await h.finishNext();
      await h.pool.take();
      expect(h.pending).toHaveLength(0);
      jest.advanceTimersByTime(4999);
      expect(h.pending).toHaveLength(0);
      jest.advanceTimersByTime(1);
      expect(h.pending).toHaveLength(1);

      const h2 = harness(1, 5000);
      h2.pool.refill();
      await h2.finishNext();
      await h2.pool.take();
      h2.pool.refill();
      expect(h2.pending).toHaveLength(1);
      jest.advanceTimersByTime(10_000);
      expect(h2.pending).toHaveLength(1); // the timer was cancelled: no second sandbox
    } finally {
      jest.useRealTimers();
    }
  });

  it('lets an acquire wait for the sandbox being warmed instead of starting another', async () => {
    const h = harness(1);
    h.pool.refill();
    const taken = h.pool.take();
    expect(h.pending).toHaveLength(1);
    await h.finishNext();
    expect((await taken)?.id).toBe('s1');
    expect(h.pool.available).toBe(0);
  });

  it('answers undefined when nothing is warming, and when the warming fails', async () => {
    const h = harness(0);
    expect(await h.pool.take()).toBeUndefined();

    const f = harness(1);
    f.pool.refill();
    const taken = f.pool.take();
    f.pending.shift()!.reject(new Error('engine down'));
    expect(await taken).toBeUndefined();
    expect(f.errors).toHaveLength(1);
  });

  it('on drain releases waiters, destroys warm sandboxes and those finishing afterwards', async () => {
    const h = harness(2);
    h.pool.refill();
    await h.finishNext();
    const drained = h.pool.drain();
    await h.finishNext();
    await drained;
    expect(h.destroyed.sort()).toEqual(['s1', 's2']);
    h.pool.refill();
    expect(h.pending).toHaveLength(0);
  });

  it('on drain waits until a sandbox that finished warming meanwhile is destroyed, not only started to be', async () => {
    let finishCreate!: (s: DockerSandbox) => void;
    let finishDestroy!: () => void;
    const destroyed: string[] = [];
    const pool = new SandboxPool(
      1,
      () => new Promise<DockerSandbox>((resolve) => (finishCreate = resolve)),
      (s) =>
        new Promise<void>((resolve) => {
          finishDestroy = () => {
            destroyed.push(s.id);
            resolve();
          };
        }),
      () => undefined,
    );
    pool.refill();
    let drainedYet = false;
    const drained = pool.drain().then(() => (drainedYet = true));
    finishCreate({ id: 'late' } as DockerSandbox);
    await new Promise((r) => setTimeout(r, 120)); // past drain's polling of the warm-ups
    expect(drainedYet).toBe(false); // the worker would exit here, leaving the sandbox running
    finishDestroy();
    await drained;
    expect(destroyed).toEqual(['late']);
  });

  it('grows to a raised target at once and destroys only warm surplus when it is lowered', async () => {
    const h = harness(1);
    h.pool.refill();
    await h.finishNext();
    h.pool.setTarget(3);
    expect(h.pool.target).toBe(3);
    expect(h.pending).toHaveLength(2);
    await h.finishNext();
    await h.finishNext();
    expect(h.pool.available).toBe(3);
    const taken = await h.pool.take(); // handed out: never destroyed by a shrink
    h.pool.setTarget(0);
    await new Promise((r) => setImmediate(r));
    expect(h.pool.available).toBe(0);
    expect(h.destroyed.sort()).toEqual(['s2', 's3']);
    expect(taken?.id).toBe('s1');
  });

  it('does not keep a sandbox that finished warming after the target was lowered', async () => {
    const h = harness(2);
    h.pool.refill();
    await h.finishNext();
    h.pool.setTarget(1);
    await h.finishNext();
    expect(h.pool.available).toBe(1);
    expect(h.destroyed).toEqual(['s2']);
  });
});
