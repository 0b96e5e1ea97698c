import type { ReplayHistory, TranscriptEntry } from './replay.types';

/** What a student sees of the engine after one command: enough to spot "postgres exited (1)". */
export interface EngineStateSummary {
  containers: { name: string; image: string; state: string; exitCode: number }[];
  images: string[];
  volumes: string[];
  networks: string[];
}

export type TranscriptEntryWithState = TranscriptEntry & { state?: EngineStateSummary };

/** Docker's own networks, present in every engine: not news to the student. */
const DEFAULT_NETWORKS = new Set(['bridge', 'host', 'none']);

/**
 * The transcript as stored in a result: each command with a summary of the snapshot taken right
 * after it (the full snapshots stay out of the database: they can be large and the checks have
 * already used them). Commands that did not run carry no state.
 */
export function transcriptWithStates(history: ReplayHistory): TranscriptEntryWithState[] {
  const byCommand = new Map(history.snapshots.map((s) => [s.afterCommand, s]));
  return history.transcript.map((entry) => {
    const snap = byCommand.get(entry.index);
    if (!snap) return entry;
    return {
      ...entry,
      state: {
        containers: snap.containers.map((c) => ({
          name: c.name,
          image: c.image,
          state: c.state,
          exitCode: c.exitCode,
        })),
        images: snap.images.flatMap((i) => i.tags),
        volumes: snap.volumes.map((v) => v.name),
        networks: snap.networks.map((n) => n.name).filter((n) => !DEFAULT_NETWORKS.has(n)),
      },
    };
  });
}
