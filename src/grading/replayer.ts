import type { Sandbox, SandboxStopReason } from '../sandbox/sandbox.types';
import { checkCommandLine } from './command-policy';
import { dockerInvocations, withoutTty } from './docker-flags';
import { EngineStateRecorder } from './engine-state.recorder';
import type { EngineEvent, EngineSnapshot, ReplayHistory, TranscriptEntry } from './replay.types';
import type { ParsedCommand } from './submission.parser';

/** Called before each command: `i` is 1-based ("command i of n"). */
export type ProgressCallback = (i: number, n: number, command: ParsedCommand) => void;

export interface ReplayOptions {
  commandTimeoutMs: number;
  maxOutputBytes?: number;
  onProgress?: ProgressCallback;
  /** Filled in when given: time spent running the commands and recording the engine's state (profiling). */
  timings?: ReplayTimings;
}

export interface ReplayTimings {
  execMs: number;
  recordMs: number;
}

/** Stops that end the sandbox itself, not just one command: the replay cannot go on. */
const SANDBOX_STOPS: ReadonlySet<SandboxStopReason> = new Set(['memory-limit', 'disk-limit', 'lifetime', 'destroyed']);

/** Where the replay keeps the shell's working directory and exported variables between lines. */
const SHELL_STATE = '/tmp/.dockgrader-shell';

/**
 * Each line runs in its own `sh -c`; this wrapper carries `cd` and `export` over from one line to
 * the next, as one terminal would, and keeps the line's exit status.
 */
export function wrapLine(line: string, stateDir = SHELL_STATE): string {
  return [
    `[ -r ${stateDir}/env ] && . ${stateDir}/env`,
    `[ -r ${stateDir}/cwd ] && cd "$(cat ${stateDir}/cwd)"`,
    line,
    '__dockgrader_status=$?',
    `mkdir -p ${stateDir} && export -p > ${stateDir}/env && pwd > ${stateDir}/cwd`,
    'exit $__dockgrader_status',
  ].join('\n');
}

/**
 * Replays parsed commands one by one in a sandbox, recording the transcript, the inner engine's
 * state after each command and its events. A failing or refused command does not stop the
 * replay; a sandbox that stopped (memory, disk, lifetime) does.
 */
export async function replaySubmission(
  sandbox: Sandbox,
  commands: ParsedCommand[],
  options: ReplayOptions,
): Promise<ReplayHistory> {
  const recorder = new EngineStateRecorder(sandbox.inner);
  const initial = await recorder.snapshot(-1);
  const transcript: TranscriptEntry[] = [];
  const snapshots: EngineSnapshot[] = [];
  const events: EngineEvent[] = [];
  let sandboxStopped: SandboxStopReason | undefined;

  for (const [index, command] of commands.entries()) {
    const base = { index, line: command.line, text: command.text, stdin: command.stdin, tty: command.tty };
    if (sandboxStopped) {
      transcript.push({
        ...base,
        exitCode: null,
        output: '',
        truncated: false,
        durationMs: 0,
        skipped: `le bac à sable s'était arrêté (${sandboxStopped})`,
      });
      continue;
    }
    options.onProgress?.(index + 1, commands.length, command);
    const decision = checkCommandLine(command.text);
    if (!decision.allowed) {
      transcript.push({
        ...base,
        exitCode: null,
        output: '',
        truncated: false,
        durationMs: 0,
        refused: refusalReason(decision.reason, command, commands[index - 1]),
      });
      continue;
    }
    const plan = execPlan(command);
    base.tty = plan.tty;
    const execStart = performance.now();
    const result = await sandbox.exec(wrapLine(plan.line), {
      stdin: plan.stdin,
      tty: plan.tty,
      timeoutMs: options.commandTimeoutMs,
      maxOutputBytes: options.maxOutputBytes,
    });
    if (options.timings) options.timings.execMs += performance.now() - execStart;
    transcript.push({
      ...base,
      exitCode: result.exitCode,
      output: result.output.replace(/\r\n/g, '\n'),
      truncated: result.truncated,
      durationMs: result.durationMs,
      stoppedBy: result.stoppedBy,
    });
    if (result.stoppedBy && SANDBOX_STOPS.has(result.stoppedBy)) {
      sandboxStopped = (await sandbox.health()) ?? undefined;
      if (sandboxStopped) continue;
    }
    const recordStart = performance.now();
    try {
      events.push(...(await recorder.events(index)));
      snapshots.push(await recorder.snapshot(index));
      if (options.timings) options.timings.recordMs += performance.now() - recordStart;
    } catch (error) {
      // The inner engine stopped answering: either the sandbox died (say why) or this is ours to report.
      sandboxStopped = await sandbox.health();
      if (!sandboxStopped) throw error;
    }
  }
  return { initial, transcript, snapshots, events, sandboxStopped };
}

function refusalReason(reason: string, command: ParsedCommand, previous: ParsedCommand | undefined): string {
  if (previous && dockerInvocations(previous.text).some((d) => d.interactive)) {
    return `${reason}. Si cette ligne devait être tapée dans la commande interactive au-dessus, écrivez-la « <<< ${command.text} » (voir le format des soumissions)`;
  }
  return reason;
}

/**
 * How a line is run. An attached `docker run|exec -it` reads its input from the student's lines:
 * those are piped in, as `docker exec -i` (without `-t`), then EOF. Typing into a pseudo-terminal
 * ahead of the program is unreliable (a program entering raw mode, like redis-cli, flushes input
 * typed before it was ready), while piped input reaches it intact and EOF ends it like Ctrl-D.
 * Detached (`-dit`) and output-only (`-t`) commands keep their terminal.
 */
export function execPlan(command: ParsedCommand): { line: string; stdin?: string; tty: boolean } {
  const attached = dockerInvocations(command.text).some((d) => d.tty && d.interactive && !d.detach);
  if (attached) return { line: withoutTty(command.text), stdin: command.stdin ?? '', tty: false };
  return { line: command.text, stdin: command.stdin, tty: command.tty };
}
