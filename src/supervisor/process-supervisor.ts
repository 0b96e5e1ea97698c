import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, fstatSync } from 'node:fs';
import { join } from 'node:path';

/** One supervised process: a name (`api`, `worker-1`), what to run and its environment. */
export interface ChildSpec {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface SupervisorEvents {
  /** A child started (also after a restart). */
  started(name: string, pid: number): void;
  /** A child exited on its own; `reason` is its exit code or signal and its last line of stderr. */
  crashed(name: string, reason: string, restartInMs: number): void;
}

/** First restart delay; doubles per consecutive crash up to MAX_BACKOFF_MS. */
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/** A child that ran this long before dying is restarted quickly again: the crash was not at start. */
const STABLE_AFTER_MS = 60_000;

interface Running {
  spec: ChildSpec;
  child?: ChildProcess;
  startedAt: number;
  failures: number;
  restartTimer?: NodeJS.Timeout;
}

/** The last line of a log file that is not a JSON log record: the one line a process prints when it dies. */
export function lastPlainLine(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, 8192);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer
      .toString('utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    return lines.reverse().find((l) => !l.startsWith('{'));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Runs the service's processes (`npm start`): restarts a child that dies with exponential backoff
 * and says why, and stops them all on request. Each child's stdout and stderr go straight to its own log
 * file under `logDir` (not through a pipe: a child outlives a dead supervisor long enough to stop
 * cleanly, and writing to a broken pipe would kill it first); each gets an IPC channel so it stops itself should the supervisor vanish
 * (src/bootstrap.ts). Children run in their own process group: a Ctrl-C on the terminal reaches the
 * supervisor only, which then stops them in order rather than all at once.
 */
export class ProcessSupervisor {
  private readonly children = new Map<string, Running>();
  private stopping = false;
  /** Every pid a worker ever had: its sandboxes carry it (the final sweep checks them). */
  readonly pids: number[] = [];

  constructor(
    private readonly logDir: string,
    private readonly events: SupervisorEvents,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  logFile(name: string): string {
    return join(this.logDir, `${name}.log`);
  }

  start(spec: ChildSpec): void {
    const running: Running = { spec, startedAt: 0, failures: 0 };
    this.children.set(spec.name, running);
    this.spawn(running);
  }

  pidOf(name: string): number | undefined {
    return this.children.get(name)?.child?.pid;
  }

  private spawn(running: Running): void {
    const { spec } = running;
    const log = openSync(this.logFile(spec.name), 'a');
    const child = spawn(process.execPath, spec.args, {
      env: spec.env,
      stdio: ['ignore', log, log, 'ipc'],
      detached: true,
    });
    closeSync(log); // the child holds its own copy
    running.child = child;
    running.startedAt = Date.now();
    child.on('error', () => undefined); // reported by 'exit'
    child.once('exit', (code, signal) => this.exited(running, child, code, signal));
    if (child.pid) {
      this.pids.push(child.pid);
      this.events.started(spec.name, child.pid);
    }
  }

  private exited(running: Running, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (running.child === child) running.child = undefined;
    if (this.stopping) return;
    const ranMs = Date.now() - running.startedAt;
    running.failures = ranMs >= STABLE_AFTER_MS ? 1 : running.failures + 1;
    const delay = Math.min(FIRST_BACKOFF_MS * 2 ** (running.failures - 1), MAX_BACKOFF_MS);
    const how = signal ? `killed by ${signal}` : `exit code ${code}`;
    // The reason a child gives for dying is its last plain line (a one-line startup failure).
    const said = signal ? undefined : lastPlainLine(this.logFile(running.spec.name));
    this.events.crashed(running.spec.name, said ? `${how}: ${said}` : how, delay);
    running.restartTimer = setTimeout(() => {
      running.restartTimer = undefined;
      if (!this.stopping) this.spawn(running);
    }, delay);
  }

  /**
   * Graceful stop: SIGTERM to every child (each drains or hands its jobs back and destroys its
   * sandboxes), SIGKILL to those still running at `deadlineMs`. Resolves once all have exited.
   */
  async stop(deadlineMs: number): Promise<{ killed: string[] }> {
    this.stopping = true;
    for (const r of this.children.values()) clearTimeout(r.restartTimer);
    const live = [...this.children.values()].filter((r) => r.child);
    for (const r of live) r.child?.kill('SIGTERM');
    const killed: string[] = [];
    const timer = setTimeout(() => {
      for (const r of live)
        if (r.child) {
          killed.push(r.spec.name);
          r.child.kill('SIGKILL');
        }
    }, deadlineMs);
    await Promise.all(live.map((r) => (r.child ? new Promise((res) => r.child?.once('exit', res)) : undefined)));
    clearTimeout(timer);
    return { killed };
  }

  /** Second Ctrl-C: SIGKILL everything now. */
  kill(): void {
    this.stopping = true;
    for (const r of this.children.values()) {
      clearTimeout(r.restartTimer);
      r.child?.kill('SIGKILL');
    }
  }
}
