import type { DockerSandbox } from './docker-sandbox';

/**
 * Warm sandboxes, started ahead of demand, for default options only.
 *
 * When to refill: warming a sandbox (hard-link copy, container and inner dockerd start) costs about
 * a second of CPU, even at the lowest priority it slows a grading running beside it on a small host
 * (measured: +150 to +300 ms on a 1-2 s exercise on 2 cores). So taking a sandbox does not refill
 * at once: the refill starts when a grading ends (`release` calls refill) or, for a long grading,
 * `refillDelayMs` after the take. An acquire that finds the pool empty while a sandbox is warming
 * waits for that one rather than starting a second.
 *
 * Its size is a target the adaptive sizer moves (src/sandbox/pool-sizer.ts): raised, it warms the
 * difference at once (jobs are waiting, or about to); lowered, it destroys the surplus warm
 * sandboxes (their memory goes back to the host) — never one handed out.
 */
export class SandboxPool {
  private readonly ready: DockerSandbox[] = [];
  /** Acquires waiting for a sandbox being warmed; undefined means: create your own. */
  private readonly waiters: Array<(sandbox: DockerSandbox | undefined) => void> = [];
  private filling = 0;
  /** Sandboxes being destroyed because the pool will not keep them (drain waits for them). */
  private readonly discarding = new Set<Promise<void>>();
  private closed = false;
  private refillTimer?: NodeJS.Timeout;

  constructor(
    private size: number,
    private readonly create: () => Promise<DockerSandbox>,
    private readonly destroy: (sandbox: DockerSandbox) => Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly refillDelayMs = 0,
  ) {}

  /** How many warm sandboxes the pool keeps now. */
  get target(): number {
    return this.size;
  }

  /** Moves the target: warms up to a higher one now, destroys the warm surplus above a lower one. */
  setTarget(size: number): void {
    const next = Math.max(0, Math.floor(size));
    if (next === this.size || this.closed) return;
    const grew = next > this.size;
    this.size = next;
    if (grew) return this.refill();
    const surplus = this.ready.splice(next, this.ready.length - next);
    for (const sandbox of surplus) void this.discard(sandbox);
  }

  get available(): number {
    return this.ready.length;
  }

  /** Sandboxes being warmed now. */
  get warming(): number {
    return this.filling;
  }

  /** A warm sandbox, or the one being warmed once it is ready; undefined when there is neither. */
  async take(): Promise<DockerSandbox | undefined> {
    const sandbox = this.ready.shift();
    this.scheduleRefill();
    if (sandbox) return sandbox;
    if (this.filling <= this.waiters.length) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private scheduleRefill(): void {
    if (this.refillDelayMs <= 0) return this.refill();
    if (this.refillTimer || this.closed) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      this.refill();
    }, this.refillDelayMs);
    this.refillTimer.unref();
  }

  refill(): void {
    clearTimeout(this.refillTimer);
    this.refillTimer = undefined;
    while (!this.closed && this.ready.length + this.filling < this.size) void this.fillOne();
  }

  private async fillOne(): Promise<void> {
    this.filling++;
    let sandbox: DockerSandbox | undefined;
    try {
      sandbox = await this.create();
    } catch (error) {
      this.onError(error);
    } finally {
      this.filling--;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter(sandbox);
    else if (sandbox && this.closed) await this.discard(sandbox);
    else if (sandbox && this.ready.length >= this.size) {
      // The target was lowered while this one warmed: not kept.
      await this.discard(sandbox);
    } else if (sandbox) this.ready.push(sandbox);
  }

  /**
   * Destroys a sandbox the pool will not keep, and remembers it until it is gone: drain() waits
   * for these too, or a sandbox finishing its warm-up during a worker's shutdown would be left
   * running when the process exits (found by the fault suite: one left after a graceful stop).
   */
  private async discard(sandbox: DockerSandbox): Promise<void> {
    const gone = this.destroy(sandbox).catch((error: unknown) => this.onError(error));
    this.discarding.add(gone);
    try {
      await gone;
    } finally {
      this.discarding.delete(gone);
    }
  }

  /** Resolves once `count` sandboxes are warm (benchmarks, tests); gives up after timeoutMs. */
  async waitUntilWarm(count = this.size, timeoutMs = 120_000): Promise<void> {
    this.refill();
    const deadline = Date.now() + timeoutMs;
    while (this.ready.length < Math.min(count, this.size) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
  }

  async drain(): Promise<void> {
    this.closed = true;
    clearTimeout(this.refillTimer);
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
    while (this.filling > 0) await new Promise((r) => setTimeout(r, 50));
    await Promise.all([...this.discarding, ...this.ready.splice(0).map((s) => this.destroy(s))]);
  }
}
