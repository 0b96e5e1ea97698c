/**
 * Groups calls to a backend (a multi-row INSERT, a bulk queue add, a multi-key lookup): one call in
 * flight at a time, and the items added meanwhile leave together in the next one. The busier the
 * backend, the larger the groups; an item added alone waits for nothing (flushed on setImmediate).
 *
 * `write` settles each of its items itself (resolves or rejects their callers, or leaves them to a
 * sweeper) and must not reject.
 */
export class Batcher<T> {
  private pending: T[] = [];
  private scheduled = false;
  private flushing?: Promise<void>;

  constructor(
    private readonly write: (batch: T[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  add(item: T): void {
    this.pending.push(item);
    this.schedule();
  }

  /** Resolves once every item added so far has been written (shutdown). */
  async drain(): Promise<void> {
    while (this.flushing || this.scheduled || this.pending.length > 0) {
      this.schedule();
      await (this.flushing ?? new Promise((resolve) => setImmediate(resolve)));
    }
  }

  private schedule(): void {
    if (this.scheduled || this.flushing || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = this.write(this.pending.splice(0, this.maxBatch)).finally(() => {
        this.flushing = undefined;
        this.schedule();
      });
    });
  }
}
