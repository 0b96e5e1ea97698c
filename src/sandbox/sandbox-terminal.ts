import type Docker from 'dockerode';
import type { Duplex } from 'node:stream';
import { killSessionTree } from './process-tree';
import { SANDBOX_USER_HOME } from './sandbox-container';
import type { ExecResult, SandboxStopReason, StopMethod } from './sandbox.types';

/**
 * Runs an attached `-it` line under a pseudo-terminal and types the student's lines into it as a
 * person would: each one after the program shows its prompt (or after the terminal went quiet),
 * then Ctrl-D when everything was typed; at the timeout, Ctrl-C, then a kill if it was ignored.
 * Verified recipe: ../shared/notes/environment.md, "Real terminals for -it lines" (typing ahead
 * fails: redis-cli's raw mode discards typeahead).
 */

/** The last line of output looks like a prompt waiting for input. */
const PROMPT = /(?:[#$>%]|\[y\/N\]|\(y\/n\)|\?) ?$/i;
/** Fallback when no prompt is recognised: the terminal has been quiet this long. */
const QUIET_MS = 400;
/**
 * The same fallback while the program has printed nothing yet: that silence means it has not
 * started (a container starting on a loaded machine), not that it waits. Typed then, the line is
 * lost by a program that turns raw mode on (redis-cli: seen with the machine at load 12, the key
 * never set); a `docker attach` to a shell whose prompt was printed before waits this long.
 */
const FIRST_QUIET_MS = 3000;
/** Longest wait for a prompt before typing anyway. */
const PROMPT_TIMEOUT_MS = 10_000;
/** How long a program has to end after the Ctrl-C typed at its timeout before it is killed. */
const CTRL_C_GRACE_MS = 1500;
/** A cursor-position query: redis-cli and busybox ash block until the terminal answers it. */
const CURSOR_QUERY = '\x1b[6n';

export interface RunTerminalArgs {
  container: Docker.Container;
  /** User of the sandbox image the line runs as (never root). */
  user: string;
  /** Shell command run by bash in the terminal (it sources the persistent shell's state first). */
  command: string;
  env: string[];
  cwd: string;
  /** Lines typed, in order (without their newline). */
  input: string[];
  timeoutMs: number;
  maxOutputBytes: number;
  sandboxStopped: Promise<SandboxStopReason>;
}

export async function runTerminal(args: RunTerminalArgs): Promise<ExecResult> {
  const started = Date.now();
  const exec = await args.container.exec({
    Cmd: ['/usr/local/bin/dockgrader-exec', args.command],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    User: args.user,
    Env: [`DOCKGRADER_CWD=${args.cwd}`, `HOME=${SANDBOX_USER_HOME}`, 'TERM=xterm', ...args.env],
  });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true } as never)) as unknown as Duplex;
  await exec.resize({ h: 24, w: 80 }).catch(() => undefined);
  let raw = '';
  let truncated = false;
  let lastData = Date.now();
  let sawNewline = true;
  let stopped: SandboxStopReason | undefined;
  let stoppedWith: StopMethod | undefined;
  let done = false;
  const ended = new Promise<void>((resolve) => {
    const end = () => {
      done = true;
      resolve();
    };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  });
  stream.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    lastData = Date.now();
    if (text.includes('\n')) sawNewline = true;
    for (let i = text.indexOf(CURSOR_QUERY); i >= 0; i = text.indexOf(CURSOR_QUERY, i + 1)) {
      if (!done) stream.write('\x1b[1;1R');
    }
    if (raw.length + text.length > args.maxOutputBytes) {
      raw += text.slice(0, Math.max(0, args.maxOutputBytes - raw.length));
      truncated = true;
      stopped ??= 'output-limit';
    } else raw += text;
  });
  const deadline = started + args.timeoutMs;
  void args.sandboxStopped.then((r) => (stopped ??= r));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** Waits until the program waits for input; false when it ended or the command must stop. */
  const ready = async (): Promise<boolean> => {
    const since = Date.now();
    for (;;) {
      if (done || stopped) return false;
      if (Date.now() > deadline) {
        stopped = 'timeout';
        return false;
      }
      const lastLine = cleanTerminalOutput(raw).split('\n').pop() ?? '';
      if (sawNewline && PROMPT.test(lastLine) && Date.now() - lastData >= 30) return true;
      const quiet = raw === '' ? FIRST_QUIET_MS : QUIET_MS;
      if (Date.now() - lastData >= quiet || Date.now() - since > PROMPT_TIMEOUT_MS) return true;
      await sleep(20);
    }
  };
  for (const line of args.input) {
    if (!(await ready())) break;
    sawNewline = false;
    stream.write(`${line}\r`);
  }
  // Everything typed: Ctrl-D at the next prompt, as the student would close the program.
  for (let tries = 0; tries < 3 && (await ready()); tries++) {
    stream.write('\x04');
    await Promise.race([ended, sleep(1000)]);
  }
  if (!done && !stopped) {
    const left = deadline - Date.now();
    if (left > 0) await Promise.race([ended, sleep(left)]);
    if (!done) stopped ??= 'timeout';
  }
  if (stopped) {
    // As the student would: Ctrl-C first (the terminal turns it into SIGINT for the program, or
    // docker passes it on to the container's terminal); killed only if that did not end it.
    if (!done && (stopped === 'timeout' || stopped === 'output-limit')) {
      stream.write('\x03');
      await Promise.race([ended, sleep(CTRL_C_GRACE_MS)]);
      stoppedWith = done ? 'ctrl-c' : 'kill';
    }
    const pid = await exec
      .inspect()
      .then((i) => i.Pid)
      .catch(() => 0);
    if (pid > 0) await killSessionTree(pid, args.container);
    await Promise.race([ended, sleep(1000)]);
  }
  stream.destroy();
  const info = await exec.inspect().catch(() => undefined);
  return {
    exitCode: stopped ? null : (info?.ExitCode ?? null),
    output: cleanTerminalOutput(raw),
    truncated,
    durationMs: Date.now() - started,
    ...(stopped ? { stoppedBy: stopped } : {}),
    ...(stoppedWith ? { stoppedWith } : {}),
  };
}

/**
 * What a person would read on the screen, as text: escape sequences removed, a line redrawn after
 * `\r` keeps its last version, `\r\n` is a newline, other control characters dropped.
 */
export function cleanTerminalOutput(raw: string): string {
  /* eslint-disable no-control-regex -- matching terminal control characters is the point */
  const text = raw
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '') // OSC (window title …)
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '') // CSI (colours, cursor moves, the 6n query)
    .replace(/\x1b[()][A-Za-z0-9]/g, '')
    .replace(/\x1b[=>78]/g, '')
    .replace(/\r+\n/g, '\n');
  return text
    .split('\n')
    .map((l) => {
      const i = l.lastIndexOf('\r', l.length - 1);
      return (i >= 0 ? l.slice(i + 1) : l).replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
    })
    .join('\n');
  /* eslint-enable no-control-regex */
}
