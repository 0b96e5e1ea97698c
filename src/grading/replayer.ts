import type { ExecResult, Sandbox, SandboxStopReason, ShellRunResult } from '../sandbox/sandbox.types';
import type { OptionalTool } from '../sandbox/sandbox-tools';
import { checkCommandLine } from './command-policy';
import { skippedAfterStop } from './stop-reasons';
import { dockerInvocations } from '../submission-format/docker-flags';
import type { EngineEvent, EngineSnapshot, ReplayHistory, TranscriptEntry } from './replay.types';
import type { ParsedCommand } from '../submission-format/submission.parser';

/** Called before each command: `i` is 1-based ("command i of n"). */
export type ProgressCallback = (i: number, n: number, command: ParsedCommand) => void;

export interface ReplayOptions {
  commandTimeoutMs: number;
  /** What the exercise allows beyond the docker CLI (`allow:`), for the command policy. */
  allow?: readonly OptionalTool[];
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
/** Longest wait for a just-started server before a `docker exec` into it (postgres initialising its data takes seconds). */
const SERVICE_WAIT_MS = 10_000;

const SANDBOX_STOPS: ReadonlySet<SandboxStopReason> = new Set([
  'memory-limit',
  'disk-limit',
  'lifetime',
  'destroyed',
  'scratch-full',
]);

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
  const recorder = sandbox.engine.stateReader();
  const initial = await recorder.snapshot(-1);
  const transcript: TranscriptEntry[] = [];
  const snapshots: EngineSnapshot[] = [];
  const events: EngineEvent[] = [];
  let sandboxStopped: SandboxStopReason | undefined;
  const shell = await sandbox.openShell();
  try {
    for (const [index, command] of commands.entries()) {
      const base = { index, line: command.line, text: command.text, stdin: command.stdin, tty: command.tty };
      // A line that did not run: in the transcript with why, no output, no exit code.
      const notRun = (why: Pick<TranscriptEntry, 'skipped' | 'refused'>): TranscriptEntry => ({
        ...base,
        exitCode: null,
        output: '',
        truncated: false,
        durationMs: 0,
        ...why,
      });
      if (sandboxStopped) {
        transcript.push(notRun({ skipped: skippedAfterStop(sandboxStopped) }));
        continue;
      }
      options.onProgress?.(index + 1, commands.length, command);
      const decision = checkCommandLine(command.text, { allow: options.allow });
      if (!decision.allowed) {
        transcript.push(notRun({ refused: refusalReason(decision.reason, command, commands[index - 1]) }));
        continue;
      }
      const plan = runPlan(command);
      const notices = decision.notices;
      await awaitServicesOf(sandbox, command.text);
      const execStart = performance.now();
      // A terminal line has one screen (no stderr apart) and never ends the replay's shell.
      const result: ExecResult & Partial<Pick<ShellRunResult, 'stderr' | 'shellEnded'>> = plan.terminal
        ? await shell.runTerminal(command.text, {
            input: plan.input,
            timeoutMs: options.commandTimeoutMs,
            maxOutputBytes: options.maxOutputBytes,
          })
        : await shell.run(command.text, {
            stdin: command.stdin,
            timeoutMs: options.commandTimeoutMs,
            maxOutputBytes: options.maxOutputBytes,
          });
      if (options.timings) options.timings.execMs += performance.now() - execStart;
      transcript.push({
        ...base,
        tty: plan.terminal || base.tty,
        exitCode: result.exitCode,
        output: result.output.replace(/\r\n/g, '\n'),
        ...(result.stderr !== undefined ? { stderr: result.stderr.replace(/\r\n/g, '\n') } : {}),
        truncated: result.truncated,
        durationMs: result.durationMs,
        stoppedBy: result.stoppedBy,
        ...(result.stoppedWith ? { stoppedWith: result.stoppedWith } : {}),
        ...(result.shellEnded ? { shellEnded: true } : {}),
        ...(notices.length ? { notices } : {}),
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
  } finally {
    await shell.close();
  }
  return { initial, transcript, snapshots, events, sandboxStopped };
}

/**
 * Before a `docker exec` into a server the replay started moments ago (`docker run -d redis`, then
 * `docker exec -it redis redis-cli`): wait until it listens, as the student's typing time let it.
 * Replayed at once, redis-cli met a server not yet up on a loaded machine ("not connected>", the
 * key never set: a correct session lost its points). Bounded; no wait for a container running for
 * a while or exposing no port.
 */
async function awaitServicesOf(sandbox: Sandbox, line: string): Promise<void> {
  for (const d of dockerInvocations(line)) {
    if (d.subcommand === 'exec' && d.target && /^[\w.-]+$/.test(d.target))
      await sandbox.awaitService(d.target, SERVICE_WAIT_MS);
  }
}

function refusalReason(reason: string, command: ParsedCommand, previous: ParsedCommand | undefined): string {
  if (previous && dockerInvocations(previous.text).some((d) => d.interactive)) {
    return `${reason}. Si cette ligne devait être tapée dans la commande interactive au-dessus, écrivez-la « <<< ${command.text} » (voir le format des soumissions)`;
  }
  return reason;
}

/**
 * How a line is run. An attached interactive docker command (`docker run -it`, `exec -it`,
 * `start -ai`, `attach`) runs under a pseudo-terminal, as the student ran it, with its input lines
 * typed at the program's prompts; everything else runs in the replay's shell with its input (if
 * any) as stdin.
 */
export function runPlan(command: ParsedCommand): { terminal: boolean; input: string[] } {
  const terminal = dockerInvocations(command.text).some(
    (d) => d.interactive && !d.detach && (d.tty || d.subcommand === 'start' || d.subcommand === 'attach'),
  );
  if (!terminal) return { terminal: false, input: [] };
  const input = command.stdin === undefined ? [] : command.stdin.replace(/\n$/, '').split('\n');
  return { terminal, input };
}
