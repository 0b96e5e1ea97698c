/**
 * How many warm sandboxes one worker keeps: the adaptive pool's policy, a pure function of the
 * demand it sees and the host's room, so its rules are tested without Docker.
 *
 * Why these rules: a warm sandbox saves its grading the sandbox start (~1 s of CPU on the
 * critical path) but holds memory while it waits (an idle inner dockerd). Useful warm sandboxes
 * never exceed the worker's concurrency: at most that many gradings start at once.
 * - Jobs waiting in the queue: each of this worker's slots takes one as soon as it is free, so
 *   every slot should find a warm sandbox (its share of the backlog, up to its concurrency).
 * - No backlog: as many as were busy at once recently (a class submits in bursts before a
 *   deadline: the next burst is likely as large), and at least as many as are busy on average
 *   (Little's law: arrival rate × grading time, rounded up), so the next arrivals find one.
 * - Nothing arrived for `idleSeconds`: back to the configured floor, memory returned.
 * - Never more than the memory available allows (keeping a reserve), nor than `max`.
 */
export interface PoolDemand {
  /** Grading jobs waiting in the shared queue (all workers). */
  waiting: number;
  /** Live workers sharing that queue (at least this one). */
  workers: number;
  /** Gradings this worker started per minute, over the recent window. */
  startsPerMinute: number;
  /** Mean grading time on this worker, seconds (a default before the first one ends). */
  meanGradingSeconds: number;
  /** Most gradings this worker ran at once over the recent window. */
  peakInUse: number;
  /** Seconds since this worker last started a grading or saw a job waiting. */
  idleSeconds: number;
}

export interface PoolRoom {
  /** The configured floor (SANDBOX_POOL_SIZE): kept even when idle. */
  min: number;
  /** The configured ceiling (SANDBOX_POOL_MAX, or the worker's concurrency). */
  max: number;
  /** Gradings this worker runs at once (WORKER_CONCURRENCY). */
  concurrency: number;
  /** Memory the host has available now, MB (warm sandboxes already counted as used). */
  availableMb: number;
  /** Memory never given to warm sandboxes, MB (gradings and everything else need it). */
  reserveMb: number;
  /** What one warm sandbox holds, MB (measured: bench:sandbox "idle memory"). */
  warmSandboxMb: number;
  /** Warm sandboxes this worker holds now (their memory is inside the host's used memory). */
  ready: number;
  /** Seconds without demand after which the pool returns to its floor. */
  idleSeconds: number;
}

export function poolTarget(demand: PoolDemand, room: PoolRoom): number {
  const byMemory = room.ready + Math.floor(Math.max(0, room.availableMb - room.reserveMb) / room.warmSandboxMb);
  let want: number;
  if (demand.waiting > 0) want = Math.ceil(demand.waiting / Math.max(1, demand.workers));
  else if (demand.idleSeconds >= room.idleSeconds) want = 0;
  else want = Math.max(demand.peakInUse, Math.ceil((demand.startsPerMinute / 60) * demand.meanGradingSeconds));
  // The floor is honoured even when memory is short: it is what the operator asked for.
  return Math.max(room.min, Math.min(want, room.concurrency, room.max, byMemory));
}

/** Recent grading starts and durations of one worker: the demand side of poolTarget. */
export class DemandWindow {
  private starts: number[] = [];
  /** (time, gradings running just after it started), one per start: the recent peak. */
  private concurrency: Array<[number, number]> = [];
  private inUse = 0;
  private durations: number[] = [];
  private lastActivity: number;

  constructor(
    private readonly windowMs = 60_000,
    private readonly defaultGradingSeconds = 5,
    private readonly now: () => number = Date.now,
  ) {
    this.lastActivity = -Infinity;
  }

  /** A grading started (a sandbox was acquired). */
  started(): void {
    const t = this.now();
    this.starts.push(t);
    this.inUse++;
    this.concurrency.push([t, this.inUse]);
    this.lastActivity = t;
  }

  /** A grading's sandbox was given back after `seconds`. */
  ended(seconds: number): void {
    this.inUse = Math.max(0, this.inUse - 1);
    this.durations.push(seconds);
    if (this.durations.length > 50) this.durations.shift();
  }

  /** Jobs were seen waiting: the worker is not idle, whatever it started. */
  sawBacklog(): void {
    this.lastActivity = this.now();
  }

  demand(waiting: number, workers: number): PoolDemand {
    const t = this.now();
    this.starts = this.starts.filter((s) => s > t - this.windowMs);
    this.concurrency = this.concurrency.filter(([s]) => s > t - this.windowMs);
    const mean = this.durations.length
      ? this.durations.reduce((a, b) => a + b, 0) / this.durations.length
      : this.defaultGradingSeconds;
    return {
      waiting,
      workers,
      startsPerMinute: (this.starts.length * 60_000) / this.windowMs,
      meanGradingSeconds: mean,
      peakInUse: this.concurrency.reduce((m, [, n]) => Math.max(m, n), this.inUse),
      idleSeconds: (t - this.lastActivity) / 1000,
    };
  }
}
