import type { EngineStateReader } from './engine-state.reader';

/**
 * The contract between the sandbox engine and its users (the grading engine, the CLI grader,
 * benchmarks). A sandbox is a container running its own dockerd; everything a submission does
 * happens inside it. Implementations live beside this file; nothing outside src/sandbox/ talks
 * to the host engine about sandboxes.
 */

/** Why a command or a whole sandbox stopped, when it was not a normal exit. */
export type SandboxStopReason =
  | 'timeout'
  | 'output-limit'
  | 'memory-limit'
  | 'disk-limit'
  | 'lifetime'
  | 'destroyed'
  /** The host's scratch disk (under SANDBOX_ROOT) is full: ours, not the submission's quota. */
  | 'scratch-full';

/**
 * How a command stopped for a timeout or its output was ended, as a person at the terminal would
 * try: Ctrl-C (SIGINT) was enough, or the command ignored it and its processes were killed
 * (SIGKILL), or even the shell had to be killed (the next command gets a new shell).
 */
export type StopMethod = 'ctrl-c' | 'kill' | 'shell';

export interface SandboxOptions {
  /** Let inner containers reach the internet (off by default: exercises opt in). */
  egress?: boolean;
  /** Override the configured limits for this sandbox. */
  limits?: Partial<SandboxLimits>;
}

export interface SandboxLimits {
  memoryBytes: number;
  /** Memory + swap; equal to memoryBytes means no swap. */
  memorySwapBytes: number;
  /** CPU quota in cores (e.g. 1.5). */
  cpus: number;
  pidsLimit: number;
  /** Wall-clock lifetime after which the sandbox is destroyed. */
  lifetimeMs: number;
  /** Size cap of the inner /var/lib/docker and the working directory. */
  diskBytes: number;
  /** Cap of captured output per command. */
  maxOutputBytes: number;
}

export interface ExecOptions {
  /** Fed to the command's stdin, then EOF. Without it stdin is at EOF from the start. */
  stdin?: string;
  /** Allocate a pseudo-terminal (the student asked for `-t`). */
  tty?: boolean;
  timeoutMs: number;
  /** Defaults to the sandbox's maxOutputBytes. */
  maxOutputBytes?: number;
  /** Defaults to the sandbox working directory (where submitted files are placed). */
  cwd?: string;
}

export interface ExecResult {
  /** null when the command was killed (timeout, output limit, sandbox stopped). */
  exitCode: number | null;
  /** stdout and stderr interleaved as a terminal would show them, capped. */
  output: string;
  truncated: boolean;
  durationMs: number;
  stoppedBy?: SandboxStopReason;
  /** With stoppedBy `timeout` or `output-limit`: how the command was ended. */
  stoppedWith?: StopMethod;
}

export interface ShellRunOptions {
  /** Fed to the command's stdin (lines ending with a newline), then EOF. Without it: /dev/null. */
  stdin?: string;
  timeoutMs: number;
  /** Defaults to the sandbox's maxOutputBytes. */
  maxOutputBytes?: number;
}

export interface TerminalRunOptions {
  /** Lines typed at the program's prompts, in order; Ctrl-D follows them. */
  input: string[];
  timeoutMs: number;
  maxOutputBytes?: number;
}

export interface ShellRunResult extends ExecResult {
  /** The command's stdout only (capped with stderr: both count against one cap). */
  output: string;
  /** The command's stderr, kept apart from stdout (their interleaving is not kept). */
  stderr: string;
  /** The shell exited during this command (`exit`, a forced kill): the next command gets a new one. */
  shellEnded?: boolean;
}

/**
 * One persistent shell in a sandbox, as a student's terminal: `cd`, variables, functions and
 * `export` carry over from one command to the next; each command has its own stdin.
 */
export interface SandboxShell {
  /** Runs one command line (may span lines: here-documents, loops). A hanging one is interrupted (Ctrl-C, then killed). */
  run(command: string, options: ShellRunOptions): Promise<ShellRunResult>;
  /** Runs an attached `-it` line under a pseudo-terminal, typing `input` at its prompts, with this shell's state. */
  runTerminal(command: string, options: TerminalRunOptions): Promise<ExecResult>;
  /** Ends the shell and its background jobs. */
  close(): Promise<void>;
}

export interface SandboxFile {
  /** Relative path inside the working directory; no `..`, no absolute paths. */
  path: string;
  content: string;
}

/** How a command run in one of the inner engine's containers ended (a probe). */
export type ContainerExecOutcome =
  | { kind: 'exited'; code: number | null; output: string }
  /** Still running at the timeout: it was killed, `output` is what it printed until then. */
  | { kind: 'timeout'; output: string }
  /**
   * No such container (status 404), container not running (409) …: the engine's own message, in
   * English, for logs; what a student reads is said from the status.
   */
  | { kind: 'unavailable'; status?: number; message: string };

export interface InnerEngine {
  /** A reader of the engine's state and events for one replay (it caches between snapshots). */
  stateReader(startMs?: number): EngineStateReader;
  /** Runs a command in a container of the inner engine; killed if it outlives `timeoutMs`. */
  execInContainer(
    container: string,
    command: string[],
    options: { timeoutMs: number; maxOutputBytes: number },
  ): Promise<ContainerExecOutcome>;
}

export interface Sandbox {
  readonly id: string;
  /** Working directory inside the sandbox where files are placed and commands start. */
  readonly workdir: string;
  /** The sandbox's inner engine, as grading needs it: its state and commands in its containers. */
  readonly engine: InnerEngine;
  /** Runs one shell command line (`sh -c`) inside the sandbox, where `docker` talks to the inner engine. */
  exec(command: string, options: ExecOptions): Promise<ExecResult>;
  /** Opens a persistent shell in the working directory (one per replay). */
  openShell(): Promise<SandboxShell>;
  /**
   * Waits, at most `timeoutMs`, until container `name`, if it started moments ago, listens on one
   * of its exposed TCP ports: a student types `docker exec … redis-cli` seconds after `docker run`,
   * the replay in milliseconds, when the server may not answer yet.
   */
  awaitService(name: string, timeoutMs: number): Promise<void>;
  /** Writes files into the working directory. */
  putFiles(files: SandboxFile[]): Promise<void>;
  /** Why the sandbox itself is no longer usable, or undefined while it is healthy. */
  health(): Promise<SandboxStopReason | undefined>;
  /** Digests of the images present in the inner engine, by tag (for reproducible grades). */
  imageDigests(): Promise<Record<string, string>>;
}

/** Thrown when a sandbox could not be created or started: an infrastructure failure, never the student's. */
export class SandboxInfrastructureError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SandboxInfrastructureError';
  }
}

/**
 * The host's scratch disk is full: no sandbox starts (and one running is stopped) until space is
 * freed. Its code is the metric label of the failure (src/metrics/infrastructure-cause.ts).
 */
export class ScratchDiskFullError extends SandboxInfrastructureError {
  readonly code = 'ENOSPC';
}

export interface SandboxDriver {
  /** A ready sandbox (from the warm pool when one is available). */
  acquire(options?: SandboxOptions): Promise<Sandbox>;
  /** Destroys the sandbox and everything it created; safe to call twice. */
  release(sandbox: Sandbox): Promise<void>;
}
