import type { DockerSandbox } from './docker-sandbox';

/** Warm sandboxes, started ahead of demand and refilled in the background, for default options only. */
export class SandboxPool {
  private readonly ready: DockerSandbox[] = [];
  private filling = 0;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly create: () => Promise<DockerSandbox>,
    private readonly destroy: (sandbox: DockerSandbox) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  get available(): number {
    return this.ready.length;
  }

  /** A ready sandbox if one is warm; starts refilling either way. */
  take(): DockerSandbox | undefined {
    const sandbox = this.ready.shift();
    this.refill();
    return sandbox;
  }

  refill(): void {
    while (!this.closed && this.ready.length + this.filling < this.size) {
      this.filling++;
      this.create()
        .then((sandbox) => (this.closed ? this.destroy(sandbox) : void this.ready.push(sandbox)))
        .catch((error: unknown) => this.onError(error))
        .finally(() => this.filling--);
    }
  }

  /** Resolves once `count` sandboxes are warm (benchmarks, tests); gives up after timeoutMs. */
  async waitUntilWarm(count = this.size, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.ready.length < Math.min(count, this.size) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
  }

  async drain(): Promise<void> {
    this.closed = true;
    while (this.filling > 0) await new Promise((r) => setTimeout(r, 50));
    await Promise.all(this.ready.splice(0).map((s) => this.destroy(s)));
  }
}
