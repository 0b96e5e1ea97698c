import type Docker from 'dockerode';
import { constants } from 'node:fs';
import { lchown, lstat, mkdir, open, readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { pingOnNewConnection } from '../docker/engine-ping';
import { addedBytes, SCRATCH_MIN_FREE_BYTES, scratchFreeBytes } from './disk-usage';
import { containerState, DockerInnerEngine } from './inner-engine';
import { SANDBOX_USER, SANDBOX_WORKDIR, type SandboxPaths } from './sandbox-container';
import { runExec } from './sandbox-exec';
import { ShellSession } from './sandbox-shell';
import { runTerminal } from './sandbox-terminal';
import type {
  ExecOptions,
  ExecResult,
  Sandbox,
  SandboxFile,
  SandboxLimits,
  SandboxShell,
  SandboxStopReason,
  ShellRunOptions,
  ShellRunResult,
  TerminalRunOptions,
} from './sandbox.types';

export interface DockerSandboxParts {
  id: string;
  container: Docker.Container;
  inner: Docker;
  paths: SandboxPaths;
  limits: SandboxLimits;
  /** The golden store's data, for the disk watchdog's baseline. */
  goldenDataDir: string;
  /** On the egress network (never pooled). */
  egress?: boolean;
  /** Host ids of the sandbox's unprivileged user, owner of the files placed in its working directory. */
  user: { uid: number; gid: number };
}

/** How long the inner engine may take to answer a ping before the sandbox counts as gone (it answers in ms when alive). */
const INNER_PING_MS = 10_000;

/** A container started longer ago than this had the student's typing time to get ready: no wait. */
const SERVICE_SETTLING_MS = 15_000;

/** TCP ports in LISTEN state (st 0A) in /proc/net/tcp{,6} text. */
export function listeningPorts(tables: string): Set<number> {
  const ports = new Set<number>();
  for (const line of tables.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[3] !== '0A') continue;
    const port = Number.parseInt(fields[1]?.split(':').pop() ?? '', 16);
    if (Number.isInteger(port)) ports.add(port);
  }
  return ports;
}

/** One live sandbox: a host container running a dockerd, its directories and its watchdogs. */
export class DockerSandbox implements Sandbox {
  readonly workdir = SANDBOX_WORKDIR;
  readonly id: string;
  readonly container: Docker.Container;
  readonly inner: Docker;
  readonly engine: DockerInnerEngine;
  readonly paths: SandboxPaths;
  readonly limits: SandboxLimits;
  readonly egress: boolean;
  private readonly goldenDataDir: string;
  private readonly user: { uid: number; gid: number };
  private stopReason?: SandboxStopReason;
  private onStop!: (reason: SandboxStopReason) => void;
  /** Resolves when the sandbox is stopped by a watchdog or destroyed. */
  readonly stopped: Promise<SandboxStopReason>;
  private lifetimeTimer?: NodeJS.Timeout;
  private diskTimer?: NodeJS.Timeout;
  private diskPolling = false;
  private diskPollMs = 2000;
  private lastDiskCheck = 0;
  lastDiskBytes = 0;

  constructor(parts: DockerSandboxParts) {
    ({
      id: this.id,
      container: this.container,
      inner: this.inner,
      paths: this.paths,
      limits: this.limits,
      goldenDataDir: this.goldenDataDir,
      user: this.user,
    } = parts);
    this.egress = parts.egress ?? false;
    this.engine = new DockerInnerEngine(this.inner, (pid) => this.killAsRoot(pid));
    this.stopped = new Promise((resolve) => (this.onStop = resolve));
  }

  /** Starts the wall-clock lifetime and the disk watchdog (from acquire, not from pool creation). */
  arm(diskPollMs: number): void {
    this.diskPollMs = diskPollMs;
    this.lifetimeTimer = setTimeout(() => void this.stop('lifetime'), this.limits.lifetimeMs);
    this.lifetimeTimer.unref();
    this.diskTimer = setInterval(() => void this.checkDisk(), diskPollMs);
    this.diskTimer.unref();
  }

  disarm(): void {
    clearTimeout(this.lifetimeTimer);
    clearInterval(this.diskTimer);
  }

  /** Stops the sandbox's container (kill) and records why; commands in flight end with that reason. */
  async stop(reason: SandboxStopReason): Promise<void> {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.disarm();
    this.onStop(reason);
    await this.container.kill().catch(() => undefined);
  }

  async checkDisk(): Promise<number> {
    if (this.diskPolling || this.stopReason) return this.lastDiskBytes;
    this.diskPolling = true;
    try {
      this.lastDiskCheck = Date.now();
      if (await this.scratchFull()) return this.lastDiskBytes;
      this.lastDiskBytes = await addedBytes(this.goldenDataDir, [this.paths.data, this.paths.work]);
      if (this.lastDiskBytes > this.limits.diskBytes) await this.stop('disk-limit');
      return this.lastDiskBytes;
    } finally {
      this.diskPolling = false;
    }
  }

  /**
   * The host's scratch disk is full: the sandbox is stopped as `scratch-full`, an infrastructure
   * stop (retried), before a write failing with ENOSPC is graded as the student's mistake.
   */
  private async scratchFull(): Promise<boolean> {
    const free = await scratchFreeBytes(this.paths.dir).catch(() => Number.POSITIVE_INFINITY);
    if (free >= SCRATCH_MIN_FREE_BYTES) return false;
    await this.stop('scratch-full');
    return true;
  }

  async exec(command: string, options: ExecOptions): Promise<ExecResult> {
    if (this.stopReason) {
      return { exitCode: null, output: '', truncated: false, durationMs: 0, stoppedBy: this.stopReason };
    }
    const result = await runExec({
      container: this.container,
      command,
      user: SANDBOX_USER,
      cwd: options.cwd ?? this.workdir,
      stdin: options.stdin,
      tty: options.tty ?? false,
      timeoutMs: options.timeoutMs,
      maxOutputBytes: options.maxOutputBytes ?? this.limits.maxOutputBytes,
      sandboxStopped: this.stopped,
      oomKills: () => this.oomKills(),
    });
    // A command that filled the disk between two polls: say so now rather than at the next one.
    if (!this.stopReason && Date.now() - this.lastDiskCheck > this.diskPollMs)
      await this.checkDisk().catch(() => undefined);
    if (this.stopReason && !result.stoppedBy) result.stoppedBy = this.stopReason;
    return result;
  }

  /** Kills a process of the sandbox (a probe left running in a student's container). */
  private async killAsRoot(pid: number): Promise<void> {
    await this.execAsRoot(`kill -KILL ${Math.trunc(pid)}`);
  }

  /** One command of ours as the sandbox's root (never a student's line). */
  private execAsRoot(command: string): Promise<ExecResult> {
    return runExec({
      container: this.container,
      command,
      user: 'root',
      cwd: '/',
      tty: false,
      timeoutMs: 5000,
      maxOutputBytes: 256 * 1024,
      sandboxStopped: this.stopped,
      oomKills: () => this.oomKills(),
    });
  }

  async awaitService(name: string, timeoutMs: number): Promise<void> {
    const info = await this.inner
      .getContainer(name)
      .inspect()
      .catch(() => undefined);
    if (!info?.State.Running || !info.State.Pid) return;
    if (Date.now() - Date.parse(info.State.StartedAt) > SERVICE_SETTLING_MS) return;
    const ports = new Set(
      Object.keys(info.Config.ExposedPorts ?? {})
        .filter((p) => p.endsWith('/tcp'))
        .map((p) => Number.parseInt(p, 10)),
    );
    if (!ports.size) return;
    const deadline = Date.now() + timeoutMs;
    // The container's sockets, read in its network namespace through its main process (pid as the sandbox sees it).
    const pid = Math.trunc(info.State.Pid);
    while (Date.now() < deadline && !this.stopReason) {
      const tables = await this.execAsRoot(`cat /proc/${pid}/net/tcp /proc/${pid}/net/tcp6 2>/dev/null`);
      if (tables.exitCode === null && tables.stoppedBy) return;
      if ([...listeningPorts(tables.output)].some((p) => ports.has(p))) return;
      if (!tables.output) return; // the process is gone: nothing will listen
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async openShell(): Promise<SandboxShell> {
    const session = new ShellSession({
      container: this.container,
      user: SANDBOX_USER,
      cwd: this.workdir,
      sandboxStopped: this.stopped,
      oomKills: () => this.oomKills(),
      defaultMaxOutputBytes: this.limits.maxOutputBytes,
    });
    const stopped = (): ShellRunResult => ({
      exitCode: null,
      output: '',
      stderr: '',
      truncated: false,
      durationMs: 0,
      stoppedBy: this.stopReason,
    });
    return {
      run: async (command: string, options: ShellRunOptions): Promise<ShellRunResult> => {
        if (this.stopReason) return stopped();
        return this.afterCommand(await session.run(command, options));
      },
      runTerminal: async (command: string, options: TerminalRunOptions): Promise<ExecResult> => {
        if (this.stopReason) return stopped();
        const state = await session.dumpState(10_000);
        const result = await runTerminal({
          container: this.container,
          user: SANDBOX_USER,
          // The line runs in a bash given the persistent shell's variables, functions and directory.
          command: `exec bash --norc --noprofile -c '. ${state} 2>/dev/null; stty rows 24 cols 80 2>/dev/null; eval "$DOCKGRADER_LINE"'`,
          env: [`DOCKGRADER_LINE=${command}`],
          cwd: this.workdir,
          input: options.input,
          timeoutMs: options.timeoutMs,
          maxOutputBytes: options.maxOutputBytes ?? this.limits.maxOutputBytes,
          sandboxStopped: this.stopped,
        });
        return this.afterCommand(result);
      },
      close: () => session.close(),
    };
  }

  /** A command that filled the disk between two polls: say so now rather than at the next one. */
  private async afterCommand<R extends ExecResult>(result: R): Promise<R> {
    if (!this.stopReason && Date.now() - this.lastDiskCheck > this.diskPollMs)
      await this.checkDisk().catch(() => undefined);
    if (this.stopReason && !result.stoppedBy) result.stoppedBy = this.stopReason;
    return result;
  }

  /**
   * Host-side writes into the bind-mounted workdir (no exec, no tar round trip), owned by the
   * sandbox's user, who may edit or remove them as on their own machine. The directory is the
   * sandbox's: each component is created or checked one by one and never followed if it is a
   * link, and the file is created exclusively, so a link planted there cannot send a write
   * elsewhere on the host. The grading engine places files before any command runs.
   */
  async putFiles(files: SandboxFile[]): Promise<void> {
    for (const file of files) {
      const rel = normalize(file.path);
      if (isAbsolute(file.path) || rel.startsWith('..') || rel === '.' || rel.includes('\0')) {
        throw new Error(`refusing file path outside the working directory: ${file.path}`);
      }
      const parts = rel.split('/').filter(Boolean);
      let dir = this.paths.work;
      for (const part of parts.slice(0, -1)) {
        dir = join(dir, part);
        const info = await lstat(dir).catch(() => undefined);
        if (!info) {
          await mkdir(dir, { mode: 0o755 });
          await lchown(dir, this.user.uid, this.user.gid);
        } else if (!info.isDirectory()) {
          throw new Error(`refusing file path through a link or a file: ${file.path}`);
        }
      }
      const target = join(dir, parts[parts.length - 1]);
      const handle = await open(
        target,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o644,
      );
      try {
        await handle.writeFile(file.content);
        await handle.chown(this.user.uid, this.user.gid);
      } finally {
        await handle.close();
      }
    }
  }

  async health(): Promise<SandboxStopReason | undefined> {
    if (this.stopReason) return this.stopReason;
    const state = await containerState(this.container);
    if (!state) return 'destroyed';
    if (!state.Running) return state.OOMKilled ? 'memory-limit' : 'destroyed';
    if (await this.scratchFull()) return 'scratch-full';
    // The host engine's shutdown stops the sandbox's engine: while that takes (seconds), the host
    // still reports the sandbox running and the inner engine answers on the connections already
    // open, but refuses the student's commands. Graded, that would be a zero for our failure (seen
    // with two engines: 0/6 for a reference solution); a new connection tells.
    const answers = await pingOnNewConnection(this.inner, INNER_PING_MS).then(
      () => true,
      () => false,
    );
    if (answers) return undefined;
    // An inner engine killed for memory takes the sandbox with it: the student's limit, not ours.
    const after = await containerState(this.container);
    return after && !after.Running && after.OOMKilled ? 'memory-limit' : 'destroyed';
  }

  async imageDigests(): Promise<Record<string, string>> {
    const digests: Record<string, string> = {};
    for (const image of await this.inner.listImages()) {
      for (const tag of image.RepoTags ?? []) if (tag !== '<none>:<none>') digests[tag] = image.Id;
    }
    return digests;
  }

  /** OOM kills counted by the host's memory cgroup of this sandbox (cgroup v1, cgroupfs driver). */
  private async oomKills(): Promise<number | undefined> {
    try {
      const text = await readFile(`/sys/fs/cgroup/memory/docker/${this.container.id}/memory.oom_control`, 'utf8');
      const match = /oom_kill (\d+)/.exec(text);
      return match ? Number(match[1]) : undefined;
    } catch {
      return undefined;
    }
  }
}
