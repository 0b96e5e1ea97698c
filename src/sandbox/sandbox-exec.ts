import type Docker from 'dockerode';
import type { Duplex } from 'node:stream';
import { killSessionTree } from './process-tree';
import { SANDBOX_USER_HOME } from './sandbox-container';
import type { ExecResult, SandboxStopReason } from './sandbox.types';

/** Collects a command's output up to a byte cap, remembering whether anything was dropped. */
class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly max: number) {}

  /** Returns false once the cap is exceeded. */
  push(chunk: Buffer): boolean {
    const room = this.max - this.size;
    if (chunk.length > room) {
      if (room > 0) this.chunks.push(chunk.subarray(0, room));
      this.size = this.max;
      this.truncated = true;
      return false;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Splits Docker's multiplexed exec stream (8-byte header: stream type, 3 zero bytes, big-endian
 * length) into payloads, in arrival order: stdout and stderr interleaved as a terminal shows them.
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  *push(chunk: Buffer): Generator<Buffer> {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const length = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + length) break;
      yield this.pending.subarray(8, 8 + length);
      this.pending = this.pending.subarray(8 + length);
    }
  }
}

export interface RunExecArgs {
  container: Docker.Container;
  command: string;
  /** User of the sandbox image the command runs as (never root for student lines). */
  user: string;
  cwd: string;
  stdin?: string;
  tty: boolean;
  timeoutMs: number;
  maxOutputBytes: number;
  /** Resolves with a reason when the whole sandbox stops meanwhile (disk limit, lifetime). */
  sandboxStopped: Promise<SandboxStopReason>;
  /** Number of OOM kills in the sandbox's memory cgroup so far, when readable. */
  oomKills: () => Promise<number | undefined>;
}

/** Runs one command line through /usr/local/bin/dockgrader-exec (own session, cwd, OOM score). */
export async function runExec(args: RunExecArgs): Promise<ExecResult> {
  const started = Date.now();
  const oomBefore = await args.oomKills();
  const exec = await args.container.exec({
    Cmd: ['/usr/local/bin/dockgrader-exec', args.command],
    AttachStdin: args.stdin !== undefined,
    AttachStdout: true,
    AttachStderr: true,
    Tty: args.tty,
    User: args.user,
    Env: [`DOCKGRADER_CWD=${args.cwd}`, `HOME=${SANDBOX_USER_HOME}`],
  });
  const stream = (await exec.start({
    hijack: true,
    stdin: args.stdin !== undefined,
    Tty: args.tty,
  } as never)) as unknown as Duplex;
  const output = new CappedOutput(args.maxOutputBytes);
  const decoder = args.tty ? undefined : new FrameDecoder();
  let stoppedBy: SandboxStopReason | undefined;

  const ended = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  let stop!: (reason: SandboxStopReason) => void;
  const stopped = new Promise<SandboxStopReason>((resolve) => (stop = resolve));
  stream.on('data', (chunk: Buffer) => {
    if (stoppedBy) return;
    const payloads = decoder ? [...decoder.push(chunk)] : [chunk];
    for (const p of payloads) if (!output.push(p)) return stop('output-limit');
  });
  if (args.stdin !== undefined) {
    // Half-close after the data: the command sees EOF, like `cmd <<< input`.
    stream.write(args.stdin);
    stream.end();
  }
  const timer = setTimeout(() => stop('timeout'), args.timeoutMs);
  // A background process (`nginx &`) can hold the output pipe after the command exited: the
  // exec is then done although the stream never ends. Poll its state, keep a short grace for EOF.
  let polling = true;
  const exited = (async () => {
    while (polling) {
      await new Promise((r) => setTimeout(r, 250));
      const running = await exec
        .inspect()
        .then((i) => i.Running)
        .catch(() => false);
      if (!running) {
        await Promise.race([ended, new Promise((r) => setTimeout(r, 300))]);
        return;
      }
    }
  })();
  const outcome = await Promise.race([
    ended.then(() => undefined),
    exited.then(() => undefined),
    stopped,
    args.sandboxStopped,
  ]);
  polling = false;
  clearTimeout(timer);

  if (outcome) {
    stoppedBy = outcome;
    const pid = await exec
      .inspect()
      .then((i) => i.Pid)
      .catch(() => 0);
    if (pid > 0) await killSessionTree(pid, args.container);
    // Background processes that left the session may still hold the pipe: don't wait for them.
    await Promise.race([ended, new Promise((r) => setTimeout(r, 1000))]);
    stream.destroy();
  } else {
    stream.destroy();
  }
  const info = await exec.inspect().catch(() => undefined);
  // A command's background processes end with it (a fork bomb, `sleep &` holding the pipe), as
  // when a non-interactive session closes; containers started with `docker run -d` are the inner
  // engine's, not the session's, and keep running.
  if (!outcome && info?.Pid) await killSessionTree(info.Pid, args.container);
  let exitCode = stoppedBy ? null : (info?.ExitCode ?? null);
  if (!stoppedBy && exitCode === 137) {
    const oomAfter = await args.oomKills();
    if (oomBefore !== undefined && oomAfter !== undefined && oomAfter > oomBefore) stoppedBy = 'memory-limit';
  }
  if (stoppedBy === 'memory-limit') exitCode = null;
  return {
    exitCode,
    output: output.text(),
    truncated: output.truncated,
    durationMs: Date.now() - started,
    ...(stoppedBy ? { stoppedBy } : {}),
  };
}
