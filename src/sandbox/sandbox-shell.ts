import type Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { killSessionTree, signalSessionTree } from './process-tree';
import { SANDBOX_USER_HOME } from './sandbox-container';
import type { SandboxStopReason, ShellRunOptions, ShellRunResult, StopMethod } from './sandbox.types';

/**
 * One bash per replay, reading its commands from the exec's stdin, as a terminal's shell reads what
 * is typed: `cd`, variables, functions and `export` persist because it is the same process.
 *
 * Protocol (everything below is written by us, never by a student line):
 *   `\n__dg_read <cmd bytes> <stdin bytes>\n<cmd><stdin>__dg_run 2>&$__dg_e {__dg_e}>&- <stdin-redirect>; __dg_end $?\n`
 * `__dg_read` reads the command and its stdin with `read -N` (exact bytes, so a student line cannot
 * end early or smuggle shell lines), `__dg_run` evals it (its own stdin: /dev/null or the given
 * input, never the command stream), `__dg_end` prints `\x1e<nonce> <status> <t0> <t1>` on stdout
 * and `\x1e<nonce> -` on stderr: the command's stdout and stderr arrive as the exec's two streams,
 * each complete at its marker. The nonce is random per shell; the next command is only written
 * after both markers, so a command that reads the stream finds nothing there. `__dg_e` is the
 * shell's own stderr, saved at start: a line's `exec 2>/dev/null` lasts for that line only (as the
 * `2>&1` that merged the streams before), and the marker always reaches the stream. Ctrl-C: SIGINT
 * to the shell and its processes; the shell's INT trap returns from `__dg_run` (a builtin loop is
 * interrupted too), then `__dg_end` still runs.
 */

const BOOTSTRAP = (nonce: string): string =>
  [
    'set +o history 2>/dev/null',
    `__dg_n=${nonce}`,
    'exec {__dg_e}>&2',
    // Ctrl-C ends the current command, not the shell: interactive bash does that, a script would
    // exit. Re-armed after each command: once the trap has returned from a wait for a child, bash
    // (5.2) no longer runs it inside a builtin-only loop until it is set again.
    "__dg_arm() { trap - INT; trap 'return 130 2>/dev/null' INT; }",
    '__dg_arm',
    // Host habits (docs/submission-format.md): `sudo docker …` runs `docker …`, Git Bash's `winpty` runs what follows.
    'sudo() { while [ "${1#-}" != "$1" ]; do case "$1" in -u|-g|-h|-p|-C) shift;; esac; shift; done; "$@"; }',
    'winpty() { "$@"; }',
    // Clearing the screen has nothing to replay; without a terminal `clear` would fail ("TERM environment variable not set").
    'clear() { :; }',
    '__dg_read() { local LC_ALL=C; IFS= read -r -N "$1" __dg_cmd; __dg_in=; if [ "$2" -gt 0 ]; then IFS= read -r -N "$2" __dg_in; fi; __dg_t0=$EPOCHREALTIME; }',
    '__dg_run() { eval "$__dg_cmd"; }',
    `__dg_end() { printf '\\036%s -\\n' "$__dg_n" >&2; printf '\\036%s %s %s %s\\n' "$__dg_n" "$1" "$__dg_t0" "$EPOCHREALTIME"; __dg_arm; }`,
    // A terminal line (-it) runs in its own exec: it gets this shell's variables, functions and directory.
    '__dg_dump() { umask 077; mkdir -p "$1" && { declare -p; declare -f; printf \'cd -- %q\\n\' "$PWD"; } >"$1/state" 2>/dev/null; }',
    '',
  ].join('\n');

/** A command's end as `__dg_end` reported it. */
interface Finished {
  status: number;
  durationMs: number;
}

/** The cap a command's stdout and stderr share. */
interface OutputBudget {
  left: number;
  truncated: boolean;
}

/**
 * What one of the shell's streams (stdout or stderr) carried for the current command, up to the
 * marker `__dg_end` prints on it. The marker may straddle two chunks: the last bytes stay
 * unattributed until the next chunk tells.
 */
class StreamCapture {
  private readonly chunks: Buffer[] = [];
  private tail: Buffer = Buffer.alloc(0);
  /** The marker line's fields after the nonce, once the marker was seen. */
  fields?: string[];

  constructor(
    private readonly marker: Buffer,
    private readonly budget: OutputBudget,
  ) {}

  push(data: Buffer): void {
    if (this.fields) return; // after the marker: a background job writing, nobody's output
    const scan = Buffer.concat([this.tail, data]);
    const at = scan.indexOf(this.marker);
    const end = at >= 0 ? scan.indexOf(0x0a, at) : -1;
    if (at >= 0 && end < 0) {
      this.tail = scan; // marker started, its line not complete yet
      return;
    }
    const output = at >= 0 ? scan.subarray(0, at) : scan.subarray(0, Math.max(0, scan.length - this.marker.length));
    this.tail = at >= 0 ? Buffer.alloc(0) : scan.subarray(output.length);
    this.keep(output);
    if (at >= 0)
      this.fields = scan
        .subarray(at + this.marker.length, end)
        .toString('latin1')
        .trim()
        .split(' ');
  }

  /** The command's text on this stream; without a marker (killed), what was held back is its output too. */
  finish(): string {
    const at = this.tail.indexOf(this.marker);
    if (!this.fields) this.keep(at >= 0 ? this.tail.subarray(0, at) : this.tail);
    this.tail = Buffer.alloc(0);
    return Buffer.concat(this.chunks).toString('utf8');
  }

  private keep(bytes: Buffer): void {
    if (!bytes.length) return;
    if (bytes.length > this.budget.left) {
      if (this.budget.left > 0) this.chunks.push(Buffer.from(bytes.subarray(0, this.budget.left)));
      this.budget.left = 0;
      this.budget.truncated = true;
    } else {
      this.chunks.push(Buffer.from(bytes));
      this.budget.left -= bytes.length;
    }
  }
}

interface Pending {
  out: StreamCapture;
  err: StreamCapture;
  budget: OutputBudget;
  resolve: (finished: Finished | undefined) => void;
}

export interface ShellSessionArgs {
  container: Docker.Container;
  /** User of the sandbox image the shell runs as (never root: student lines run in it). */
  user: string;
  cwd: string;
  sandboxStopped: Promise<SandboxStopReason>;
  oomKills: () => Promise<number | undefined>;
  defaultMaxOutputBytes: number;
}

/** A persistent bash in a sandbox; restarted (state lost, as a new terminal) if it exits. */
export class ShellSession {
  readonly nonce = randomBytes(16).toString('hex');
  private exec?: Docker.Exec;
  private stream?: Duplex;
  private pid = 0;
  private alive = false;
  private pending?: Pending;
  private readonly marker = Buffer.from(`\x1e${this.nonce} `);
  private ended?: Promise<void>;
  /** How many times the shell had to be started (1 normally; more after `exit` or a forced kill). */
  starts = 0;

  constructor(private readonly args: ShellSessionArgs) {}

  /** Directory (under /tmp, a tmpfs) where this shell may keep what it hands to terminal lines. */
  get stateDir(): string {
    return `/tmp/.dockgrader-${this.nonce}`;
  }

  private async start(): Promise<void> {
    this.starts += 1;
    this.pid = 0;
    const exec = await this.args.container.exec({
      Cmd: ['/usr/local/bin/dockgrader-exec', 'exec bash --norc --noprofile'],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      User: this.args.user,
      Env: [`DOCKGRADER_CWD=${this.args.cwd}`, `HOME=${SANDBOX_USER_HOME}`],
    });
    const stream = (await exec.start({ hijack: true, stdin: true, Tty: false } as never)) as unknown as Duplex;
    this.exec = exec;
    this.stream = stream;
    this.alive = true;
    let header: Buffer = Buffer.alloc(0);
    let want = 0;
    let type = 0;
    // Docker's multiplexed frames: stdout (1) and stderr (2), each ending a command at its marker.
    stream.on('data', (chunk: Buffer) => {
      let buf = header.length ? Buffer.concat([header, chunk]) : chunk;
      header = Buffer.alloc(0);
      while (buf.length) {
        if (want === 0) {
          if (buf.length < 8) {
            header = Buffer.from(buf);
            return;
          }
          type = buf[0];
          want = buf.readUInt32BE(4);
          buf = buf.subarray(8);
          continue;
        }
        const take = buf.subarray(0, want);
        want -= take.length;
        buf = buf.subarray(take.length);
        if (type === 1 || type === 2) this.onFrame(type, take);
      }
    });
    this.ended = new Promise<void>((resolve) => {
      const done = () => {
        this.alive = false;
        this.pending?.resolve(undefined);
        resolve();
      };
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', done);
    });
    stream.write(BOOTSTRAP(this.nonce));
  }

  private onFrame(type: 1 | 2, data: Buffer): void {
    const p = this.pending;
    if (!p) return; // a background job writing between commands: nobody's output
    (type === 1 ? p.out : p.err).push(data);
    if (p.out.fields && p.err.fields) {
      const [status, t0, t1] = p.out.fields;
      p.resolve({ status: Number(status), durationMs: Math.round((Number(t1) - Number(t0)) * 1000) });
    }
  }

  /** Runs one command line in the shell; see ShellRunOptions. */
  async run(command: string, options: ShellRunOptions): Promise<ShellRunResult> {
    const started = Date.now();
    if (!this.alive) await this.start();
    const oomBefore = await this.args.oomKills();
    const budget: OutputBudget = { left: options.maxOutputBytes ?? this.args.defaultMaxOutputBytes, truncated: false };
    let resolveMarker!: Pending['resolve'];
    const marker = new Promise<Finished | undefined>((r) => (resolveMarker = r));
    this.pending = {
      out: new StreamCapture(this.marker, budget),
      err: new StreamCapture(this.marker, budget),
      budget,
      resolve: resolveMarker,
    };
    const pending = this.pending;

    // The parser gives stdin as lines each ending with "\n"; a here-string adds that last newline back.
    const stdin = options.stdin ? options.stdin.replace(/\n$/, '') : undefined;
    const cmd = Buffer.from(command);
    const input = Buffer.from(stdin ?? '');
    const redirect = stdin !== undefined && options.stdin ? '<<<"$__dg_in"' : '</dev/null';
    this.stream!.write(
      Buffer.concat([
        Buffer.from(`\n__dg_read ${cmd.length} ${input.length}\n`),
        cmd,
        input,
        Buffer.from(`__dg_run 2>&$__dg_e {__dg_e}>&- ${redirect}; __dg_end $?\n`),
      ]),
    );

    let stoppedBy: SandboxStopReason | undefined;
    let stoppedWith: StopMethod | undefined;
    let overflow: () => void = () => undefined;
    const overflowed = new Promise<'output-limit'>((r) => (overflow = () => r('output-limit')));
    const overflowCheck = setInterval(() => budget.truncated && overflow(), 50);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), options.timeoutMs)));
    const outcome = await Promise.race([marker, timedOut, overflowed, this.args.sandboxStopped]);
    clearTimeout(timer);
    clearInterval(overflowCheck);

    let finished: Finished | undefined;
    let shellEnded = false;
    if (typeof outcome === 'string') {
      stoppedBy = outcome;
      if (outcome === 'timeout' || outcome === 'output-limit') {
        ({ finished, how: stoppedWith } = await this.interrupt(marker));
        if (!finished) shellEnded = true;
      } else {
        this.alive = false;
        shellEnded = true;
      }
    } else if (outcome === undefined) {
      shellEnded = true; // `exit`, `exec …`, `set -e` then a failure: the shell is gone
    } else finished = outcome;
    this.pending = undefined;
    let exitCode: number | null = finished && !stoppedBy ? finished.status : null;
    if (shellEnded && !stoppedBy) {
      exitCode = await this.exec!.inspect()
        .then((i) => i.ExitCode ?? null)
        .catch(() => null);
    }
    if (!stoppedBy && exitCode === 137) {
      const oomAfter = await this.args.oomKills();
      if (oomBefore !== undefined && oomAfter !== undefined && oomAfter > oomBefore) stoppedBy = 'memory-limit';
      if (stoppedBy) exitCode = null;
    }
    return {
      exitCode,
      output: pending.out.finish(),
      stderr: pending.err.finish(),
      truncated: budget.truncated,
      durationMs: finished && !stoppedBy ? finished.durationMs : Date.now() - started,
      ...(stoppedBy ? { stoppedBy } : {}),
      ...(stoppedWith ? { stoppedWith } : {}),
      ...(shellEnded ? { shellEnded } : {}),
    };
  }

  /**
   * Ctrl-C as a terminal would (SIGINT to the shell and its processes), then SIGKILL to its
   * processes, then the shell itself; says which one ended the command. `finished` is the marker
   * when the shell survived.
   */
  private async interrupt(
    marker: Promise<Finished | undefined>,
  ): Promise<{ finished: Finished | undefined; how: StopMethod }> {
    const within = (ms: number) =>
      Promise.race([marker, new Promise<'late'>((r) => setTimeout(() => r('late'), ms).unref())]);
    const id = this.args.container.id;
    await this.readPid();
    await signalSessionTree(this.pid, id, 'SIGINT');
    let got = await within(1500);
    if (got !== 'late') return { finished: got, how: 'ctrl-c' };
    // Ignored (`trap '' INT`, a program that catches it): its processes are killed, the shell kept.
    await signalSessionTree(this.pid, id, 'SIGKILL', { spareRoot: true });
    got = await within(1500);
    if (got !== 'late') return { finished: got, how: 'kill' };
    await killSessionTree(this.pid, this.args.container);
    this.alive = false;
    this.stream?.destroy();
    return { finished: undefined, how: 'shell' };
  }

  private async readPid(): Promise<void> {
    if (this.pid || !this.exec) return;
    this.pid = await this.exec
      .inspect()
      .then((i) => i.Pid ?? 0)
      .catch(() => 0);
  }

  /**
   * Writes this shell's variables, functions and directory where a terminal line can source them;
   * returns the file. Internal: not a student command.
   */
  async dumpState(timeoutMs: number): Promise<string> {
    const r = await this.run(`__dg_dump ${this.stateDir}`, { timeoutMs, maxOutputBytes: 4096 });
    if (r.exitCode !== 0)
      throw new Error(`could not hand the shell's state to a terminal line: ${r.output}${r.stderr}`);
    return `${this.stateDir}/state`;
  }

  /** Ends the shell and everything it still runs (background jobs). */
  async close(): Promise<void> {
    if (!this.exec) return;
    this.pending = undefined;
    if (this.alive) await this.readPid();
    if (this.alive && this.pid) await killSessionTree(this.pid, this.args.container).catch(() => 0);
    this.stream?.destroy();
    this.alive = false;
    await Promise.race([this.ended, new Promise((r) => setTimeout(r, 500))]);
  }
}
