import type { LoadedExercise } from '../exercises/exercise.loader';
import {
  type Sandbox,
  type SandboxDriver,
  SandboxInfrastructureError,
  type SandboxFile,
  type SandboxStopReason,
  type StopMethod,
} from '../sandbox/sandbox.types';
import { collectProbes, evaluateChecks, ExerciseEvaluationError, type CheckOutcome } from './check.evaluator';
import { runProbes } from './probe.runner';
import { STOP_TEXT } from './stop-reasons';
import type { ReplayHistory, TranscriptEntry } from './replay.types';
import { replaySubmission, type ProgressCallback } from './replayer';
import { transcriptWithStates } from './transcript-state';
import { parseSubmission, SubmissionParseError, type ParsedSubmission } from '../submission-format/submission.parser';

export interface Submission {
  /** The submitted text: commands as typed or a pasted terminal session. */
  source: string;
  /** Attached files, placed in the sandbox's working directory before the replay. */
  files?: SandboxFile[];
}

export interface GradeOptions {
  onProgress?: ProgressCallback;
  /**
   * Return the report as soon as it is known and destroy the sandbox once this settles (the worker:
   * once the result is stored). The destruction (kill, remove, delete the sandbox's copy of the
   * image store) and the warm pool's refill it triggers then neither delay the stored result nor
   * compete with storing it (measured: storing took 100-230 ms beside a destruction). The driver's
   * shutdown destroys whatever is still live. Default: destroyed before the report is returned (CLI).
   */
  releaseAfter?: Promise<unknown>;
}

/**
 * The result of grading one submission. `graded` is final, whatever the score; `error` means the
 * grading infrastructure failed (never the student's doing) and the submission should be retried;
 * `internal_error` means a bug in our code or an exercise that cannot be evaluated: retrying would
 * fail the same way, the cause is kept for us to fix.
 */
export interface GradeReport {
  status: 'graded' | 'error' | 'internal_error';
  score: number;
  maxScore: number;
  checks: CheckOutcome[];
  transcript: TranscriptEntry[];
  /** Content hash of the exercise definition and instructions used. */
  exerciseVersion: string;
  /** Digests of the images present in the sandbox when the replay started, by tag. */
  imageDigests: Record<string, string>;
  /** What happened during the replay, for the student (refused lines, timeouts, a stopped sandbox), in French. */
  notices: string[];
  /** Set when the submission could not be read: nothing was run. */
  rejected?: string;
  /** Infrastructure failure (status `error`), or the cause of an `internal_error`, stack included. */
  error?: string;
  durationMs: number;
  /** Where the time went, in ms (logged by the worker at debug level, not stored). */
  phasesMs?: Record<string, number>;
}

/** Stops caused by the submission itself: graded, with a notice. A sandbox destroyed under us is ours. */
const STUDENT_STOPS: ReadonlySet<SandboxStopReason> = new Set([
  'timeout',
  'output-limit',
  'memory-limit',
  'disk-limit',
  'lifetime',
]);

/** How a command stopped for a timeout or its output was ended, said after why. */
const STOPPED_WITH_TEXT: Record<StopMethod, string> = {
  'ctrl-c': 'arrêtée par Ctrl-C, comme dans un terminal',
  kill: "Ctrl-C ne l'a pas arrêtée (signal ignoré) : elle a été tuée (SIGKILL)",
  shell: "Ctrl-C ne l'a pas arrêtée (signal ignoré) : elle a été tuée avec le shell",
};

/** An infrastructure failure detected during grading (the sandbox vanished under the replay). */
class InfrastructureFailure extends Error {}

/**
 * Grades one submission of an exercise: acquire a sandbox → put files → replay → probes →
 * evaluate → release (always). Usable without Nest (the command-line grader); GradingService
 * wraps it for the worker.
 */
export async function gradeSubmission(
  driver: SandboxDriver,
  exercise: LoadedExercise,
  submission: Submission,
  options: GradeOptions = {},
): Promise<GradeReport> {
  const started = Date.now();
  const def = exercise.definition;
  const base = {
    maxScore: exercise.maxScore,
    exerciseVersion: exercise.version,
    imageDigests: {} as Record<string, string>,
    notices: [] as string[],
  };
  let parsed: ParsedSubmission;
  try {
    parsed = parseSubmission(submission.source, { maxCommands: def.sandbox.maxCommands });
  } catch (error) {
    if (!(error instanceof SubmissionParseError)) throw error;
    const checks = def.checks.map((c): CheckOutcome => ({
      id: c.id,
      title: c.title,
      passed: false,
      points: 0,
      maxPoints: c.points,
      message: c.feedback.fail,
      hidden: c.hidden,
    }));
    return {
      ...base,
      status: 'graded',
      score: 0,
      checks,
      transcript: [],
      rejected: error.message,
      notices: [`Soumission illisible, rien n'a été exécuté : ${error.message}`],
      durationMs: Date.now() - started,
    };
  }

  let sandbox: Sandbox | undefined;
  const phasesMs: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string): void => {
    const now = performance.now();
    phasesMs[name] = Math.round(now - mark);
    mark = now;
  };
  try {
    sandbox = await driver.acquire({ egress: def.sandbox.egress });
    phase('acquire');
    base.imageDigests = await sandbox.imageDigests();
    if (submission.files && submission.files.length > 0) await sandbox.putFiles(submission.files);
    phase('prepare');
    const timings = { execMs: 0, recordMs: 0 };
    const history = await replaySubmission(sandbox, parsed.commands, {
      commandTimeoutMs: def.sandbox.commandTimeoutSeconds * 1000,
      // A version stored before `allow` existed has none: nothing allowed, as then.
      allow: def.allow ?? [],
      onProgress: options.onProgress,
      timings,
    });
    phase('replay');
    phasesMs.exec = Math.round(timings.execMs);
    phasesMs.record = Math.round(timings.recordMs);
    if (history.sandboxStopped && !STUDENT_STOPS.has(history.sandboxStopped)) {
      throw new InfrastructureFailure(`the sandbox stopped during the replay (${history.sandboxStopped})`);
    }
    const probes = history.sandboxStopped ? new Map() : await runProbes(sandbox, collectProbes(def.checks));
    phase('probes');
    // A failure of ours the commands may have met without the watchdog seeing it yet (the host's
    // scratch disk filled between two polls): checked before anything is graded.
    const health = history.sandboxStopped ? undefined : await sandbox.health();
    if (health && !STUDENT_STOPS.has(health))
      throw new InfrastructureFailure(`the sandbox was not usable after the replay (${health})`);
    const checks = evaluateChecks(def.checks, { history, probes });
    const score = checks.reduce((s, c) => s + c.points, 0);
    phase('evaluate');
    return {
      ...base,
      status: 'graded',
      score,
      checks,
      transcript: transcriptWithStates(history),
      notices: [...parsed.notices, ...noticesOf(history)],
      durationMs: Date.now() - started,
      phasesMs,
    };
  } catch (error) {
    // Anything here is not the student's doing: their outcomes (timeouts, limits) are recorded, not thrown.
    const internal = isInternalError(error);
    const reason = internal ? `internal error: ${withCauses(error)}\n${stackOf(error)}` : withCauses(error);
    return {
      ...base,
      status: internal ? 'internal_error' : 'error',
      score: 0,
      checks: [],
      transcript: [],
      error: reason,
      durationMs: Date.now() - started,
    };
  } finally {
    if (sandbox) {
      const live = sandbox;
      const release = () => driver.release(live).catch(() => undefined);
      if (options.releaseAfter) void options.releaseAfter.then(release, release);
      else await release();
    }
  }
}

function noticesOf(history: ReplayHistory): string[] {
  const notices: string[] = [];
  for (const e of history.transcript) {
    const where = `Ligne ${e.line} (« ${shorten(e.text)} »)`;
    for (const n of e.notices ?? []) notices.push(`${where} : ${n}`);
    if (e.shellEnded && e.index < history.transcript.length - 1)
      notices.push(
        `${where} : le shell s'est terminé (exit) ; les lignes suivantes ont été exécutées dans un nouveau terminal (dossier courant et variables remis à zéro)`,
      );
    if (e.refused) notices.push(`${where} refusée, non exécutée : ${e.refused}`);
    else if (e.skipped) notices.push(`${where} non exécutée : ${e.skipped}`);
    else if (e.stoppedBy)
      notices.push(
        `${where} interrompue : ${STOP_TEXT[e.stoppedBy]}${e.stoppedBy === 'timeout' ? ` (après ${Math.round(e.durationMs / 1000)} s)` : ''}${e.stoppedWith ? ` ; ${STOPPED_WITH_TEXT[e.stoppedWith]}` : ''}`,
      );
    else if (e.truncated) notices.push(`${where} : sortie tronquée`);
  }
  if (history.sandboxStopped) {
    notices.push(
      `Le bac à sable s'est arrêté (${STOP_TEXT[history.sandboxStopped]}) : les commandes suivantes n'ont pas été exécutées et les vérifications finales portent sur l'état atteint.`,
    );
  }
  return notices;
}

function shorten(full: string): string {
  const first = full.split('\n')[0];
  const text = first === full ? full : `${first} …`;
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/**
 * A bug in our code (TypeError, ReferenceError …) or an exercise that cannot be evaluated: not an
 * infrastructure failure, which is anything else (the host engine, a sandbox, the network) and is
 * worth retrying.
 */
export function isInternalError(error: unknown): boolean {
  if (error instanceof SandboxInfrastructureError || error instanceof InfrastructureFailure) return false;
  return (
    error instanceof ExerciseEvaluationError ||
    error instanceof TypeError ||
    error instanceof ReferenceError ||
    error instanceof RangeError ||
    error instanceof SyntaxError
  );
}

function stackOf(error: unknown): string {
  return error instanceof Error && error.stack ? error.stack.split('\n').slice(1, 8).join('\n') : '';
}

/** "message: cause: cause …", so a stored error says what actually failed. */
function withCauses(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  while (e && parts.length < 4) {
    parts.push(e instanceof Error ? e.message : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(': ');
}
