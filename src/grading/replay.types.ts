import type { SandboxStopReason } from '../sandbox/sandbox.types';

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
  output: string;
  truncated: boolean;
  durationMs: number;
  /** Why the sandbox stopped the command (timeout, output limit …). */
  stoppedBy?: SandboxStopReason;
  /** The allowlist refused the line: it was not run. */
  refused?: string;
  /** How the line was run differently from how it was typed (`sudo` dropped …), in French. */
  notices?: string[];
  /** The shell exited during this command (`exit`): the following ones ran in a new shell. */
  shellEnded?: boolean;
  /** The line was not run because the sandbox had stopped before it. */
  skipped?: string;
}

export interface PortBinding {
  container: number;
  protocol: 'tcp' | 'udp';
  host?: number;
}

export interface MountState {
  type: string;
  /** Volume name for volumes, host path for binds. */
  source: string;
  destination: string;
}

export interface ContainerState {
  id: string;
  name: string;
  /** Image reference as given to `docker run` (Config.Image). */
  image: string;
  imageId: string;
  state: string;
  exitCode: number;
  env: Record<string, string>;
  ports: PortBinding[];
  mounts: MountState[];
  networks: string[];
  restartPolicy: string;
  memoryBytes: number;
  nanoCpus: number;
  labels: Record<string, string>;
}

export interface ImageState {
  id: string;
  /** `name:tag` references. */
  tags: string[];
  cmd: string[] | null;
  entrypoint: string[] | null;
  env: Record<string, string>;
  exposedPorts: string[];
  labels: Record<string, string>;
  workdir: string;
  /** Filesystem layers (RootFS.Layers). */
  layers: number;
}

export interface VolumeState {
  name: string;
  driver: string;
}

export interface NetworkState {
  name: string;
  driver: string;
  /** Names of attached containers. */
  members: string[];
}

export interface EngineSnapshot {
  /** Index of the command after which it was taken. */
  afterCommand: number;
  containers: ContainerState[];
  images: ImageState[];
  volumes: VolumeState[];
  networks: NetworkState[];
}

export interface EngineEvent {
  /** Index of the command during (or right after) which the event was seen. */
  afterCommand: number;
  /** Engine time in nanoseconds since the epoch (orders events within one command). */
  timeNano: number;
  type: string;
  action: string;
  actorId: string;
  /** Container, volume or network name, or image reference. */
  name?: string;
  image?: string;
  exitCode?: number;
  attributes: Record<string, string>;
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
