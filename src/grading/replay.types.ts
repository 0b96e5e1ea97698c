import type { SandboxStopReason, StopMethod } from '../sandbox/sandbox.types';
import type { EngineEvent, EngineSnapshot } from '../sandbox/engine-state.types';

// The engine's state is read in the sandbox module; checks see it through these types.
export type {
  ContainerState,
  EngineEvent,
  EngineSnapshot,
  ImageState,
  MountState,
  NetworkState,
  PortBinding,
  VolumeState,
} from '../sandbox/engine-state.types';

/**
 * What a replay records: the transcript, a snapshot of the inner engine after each command, and
 * the engine's events. Checks are pure functions of this history (plus probe results).
 */

export interface TranscriptEntry {
  /** 0-based position in the submission's commands. */
  index: number;
  /** 1-based line of the submission. */
  line: number;
  text: string;
  stdin?: string;
  tty: boolean;
  /** null when the command did not run or was killed. */
  exitCode: number | null;
  /**
   * A shell line's stdout; a terminal line's (`-it`) whole screen, where both streams are one.
   * Results stored before `stderr` existed hold stdout and stderr here, interleaved.
   */
  output: string;
  /** A shell line's stderr (absent for terminal lines, lines not run and older results). */
  stderr?: string;
  /** `output` and `stderr` together exceeded the cap: what is kept is their beginning. */
  truncated: boolean;
  durationMs: number;
  /** Why the sandbox stopped the command (timeout, output limit …). */
  stoppedBy?: SandboxStopReason;
  /** How a command stopped for a timeout or its output ended: Ctrl-C, killed, or killed with its shell. */
  stoppedWith?: StopMethod;
  /** The allowlist refused the line: it was not run. */
  refused?: string;
  /** How the line was run differently from how it was typed (`sudo` dropped …), in French. */
  notices?: string[];
  /** The shell exited during this command (`exit`): the following ones ran in a new shell. */
  shellEnded?: boolean;
  /** The line was not run because the sandbox had stopped before it. */
  skipped?: string;
}

export interface ReplayHistory {
  /** State before the first command. */
  initial: EngineSnapshot;
  transcript: TranscriptEntry[];
  snapshots: EngineSnapshot[];
  events: EngineEvent[];
  /** Set when the sandbox stopped (memory, disk, lifetime) before the end of the replay. */
  sandboxStopped?: SandboxStopReason;
}
