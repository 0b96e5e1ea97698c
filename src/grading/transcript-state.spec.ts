import type { EngineSnapshot, ReplayHistory, TranscriptEntry } from './replay.types';
import { transcriptWithStates } from './transcript-state';

const entry = (index: number, extra: Partial<TranscriptEntry> = {}): TranscriptEntry => ({
  index,
  line: index + 1,
  text: `cmd ${index}`,
  tty: false,
  exitCode: 0,
  output: '',
  truncated: false,
  durationMs: 1,
  ...extra,
});

const snapshot = (afterCommand: number, state: string, exitCode: number): EngineSnapshot => ({
  afterCommand,
  containers: [
    {
      id: 'c1',
      name: 'postgres',
      image: 'postgres',
      imageId: 'sha256:1',
      state,
      exitCode,
      env: { SECRET: 'x' },
      ports: [],
      mounts: [],
      networks: ['bridge'],
      restartPolicy: 'no',
      memoryBytes: 0,
      nanoCpus: 0,
      labels: {},
    },
  ],
  images: [
    {
      id: 'i',
      tags: ['postgres:latest'],
      cmd: null,
      entrypoint: null,
      env: {},
      exposedPorts: [],
      labels: {},
      workdir: '',
      layers: 1,
    },
  ],
  volumes: [{ name: 'data', driver: 'local' }],
  networks: [
    { name: 'bridge', driver: 'bridge', members: [] },
    { name: 'my_bridge', driver: 'bridge', members: [] },
  ],
});

describe('transcriptWithStates', () => {
  it('gives each command the summary of the snapshot taken after it, and none to a command that did not run', () => {
    const history: ReplayHistory = {
      initial: { ...snapshot(-1, 'running', 0), containers: [] },
      transcript: [entry(0), entry(1), entry(2, { refused: 'interdit', exitCode: null })],
      snapshots: [snapshot(0, 'running', 0), snapshot(1, 'exited', 1)],
      events: [],
    };
    const out = transcriptWithStates(history);
    expect(out[0].state?.containers).toEqual([{ name: 'postgres', image: 'postgres', state: 'running', exitCode: 0 }]);
    expect(out[1].state).toEqual({
      containers: [{ name: 'postgres', image: 'postgres', state: 'exited', exitCode: 1 }],
      images: ['postgres:latest'],
      volumes: ['data'],
      networks: ['my_bridge'],
    });
    expect(out[2].state).toBeUndefined();
    // Only the summary is stored: no environment variables (they may hold passwords).
    expect(JSON.stringify(out)).not.toContain('SECRET');
  });
});
