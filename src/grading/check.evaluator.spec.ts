import { checkSchema, type CheckDefinition } from '../exercises/exercise.schema';
import {
  collectProbes,
  evaluateChecks,
  evaluateEachCheck,
  normalizeRef,
  printedOutput,
  probeKey,
  type ProbeOutcome,
} from './check.evaluator';
import type {
  ContainerState,
  EngineEvent,
  EngineSnapshot,
  ImageState,
  ReplayHistory,
  TranscriptEntry,
} from './replay.types';

function container(name: string, over: Partial<ContainerState> = {}): ContainerState {
  return {
    id: `id-${name}`,
    name,
    image: name,
    imageId: `sha256:${name}`,
    state: 'running',
    exitCode: 0,
    env: {},
    ports: [],
    mounts: [],
    networks: ['bridge'],
    restartPolicy: 'no',
    memoryBytes: 0,
    nanoCpus: 0,
    labels: {},
    ...over,
  };
}

function image(tag: string, over: Partial<ImageState> = {}): ImageState {
  return {
    id: `sha256:${tag}`,
    tags: [tag],
    cmd: null,
    entrypoint: null,
    env: {},
    exposedPorts: [],
    labels: {},
    workdir: '',
    layers: 1,
    ...over,
  };
}

function snap(
  afterCommand: number,
  containers: ContainerState[] = [],
  over: Partial<EngineSnapshot> = {},
): EngineSnapshot {
  return { afterCommand, containers, images: [], volumes: [], networks: [], ...over };
}

function event(afterCommand: number, action: string, name: string, over: Partial<EngineEvent> = {}): EngineEvent {
  return {
    afterCommand,
    timeNano: 1_000 + afterCommand * 100,
    type: 'container',
    action,
    actorId: `id-${name}`,
    name,
    image: name,
    attributes: {},
    ...over,
  };
}

function cmd(index: number, text: string, over: Partial<TranscriptEntry> = {}): TranscriptEntry {
  return {
    index,
    line: index + 1,
    text,
    tty: false,
    exitCode: 0,
    output: '',
    truncated: false,
    durationMs: 10,
    ...over,
  };
}

function check(def: Record<string, unknown>): CheckDefinition {
  return checkSchema.parse({ id: 'c', title: 'Check', points: 2, feedback: { pass: 'bravo', fail: 'raté' }, ...def });
}

function evaluate(
  def: Record<string, unknown>,
  history: Partial<ReplayHistory>,
  probes = new Map<string, ProbeOutcome>(),
) {
  const h: ReplayHistory = { initial: snap(-1), transcript: [], snapshots: [], events: [], ...history };
  return evaluateEachCheck([check(def)], { history: h, probes })[0];
}

const passes = (def: Record<string, unknown>, history: Partial<ReplayHistory>, probes?: Map<string, ProbeOutcome>) =>
  evaluate(def, history, probes).passed;

describe('evaluateChecks: outcome', () => {
  it('gives the points and the pass message when a check passes, none and the fail message otherwise', () => {
    const h = { snapshots: [snap(0, [container('redis')])] };
    expect(evaluate({ assert: { container: { name: 'redis' } } }, h)).toMatchObject({
      id: 'c',
      title: 'Check',
      passed: true,
      points: 2,
      maxPoints: 2,
      message: 'bravo',
      hidden: false,
    });
    expect(evaluate({ hidden: true, assert: { container: { name: 'mongo' } } }, h)).toMatchObject({
      passed: false,
      points: 0,
      maxPoints: 2,
      message: 'raté',
      hidden: true,
    });
  });

  it('adds partial credit check by check', () => {
    const checks = [
      check({ id: 'a', points: 3, assert: { container: { name: 'redis' } } }),
      check({ id: 'b', points: 2, assert: { container: { name: 'mongo' } } }),
      check({ id: 'd', points: 1.5, assert: { container: { name: 'redis', state: 'running' } } }),
    ];
    const out = evaluateChecks(checks, {
      history: { initial: snap(-1), transcript: [], snapshots: [snap(0, [container('redis')])], events: [] },
      probes: new Map(),
    });
    expect(out.reduce((s, c) => s + c.points, 0)).toBe(4.5);
    expect(out.map((c) => c.passed)).toEqual([true, false, true]);
  });
});

describe('evaluateChecks: no credit for nothing', () => {
  const checks = [
    check({ id: 'started', points: 3, when: 'eventually', assert: { container: { name: 'redis', state: 'running' } } }),
    check({ id: 'cleaned', points: 2, assert: { container: { count: 0 } } }),
    check({ id: 'looked', points: 1, assert: { transcript: { command: { matches: '^docker ps' } } } }),
  ];
  const grade = (history: Partial<ReplayHistory>) =>
    evaluateChecks(checks, {
      history: { initial: snap(-1), transcript: [], snapshots: [], events: [], ...history },
      probes: new Map(),
    });

  it('gives nothing for checks that hold before any work or only look at what was typed', () => {
    const out = grade({ transcript: [cmd(0, 'docker ps -a')], snapshots: [snap(0)] });
    expect(out.map((c) => c.points)).toEqual([0, 0, 0]);
    expect(out[1]).toMatchObject({ passed: false, message: 'raté' });
    expect(out[1].detail).toMatch(/sans que le travail demandé ait été fait/);
  });

  it('counts them once the work they follow was done', () => {
    const out = grade({
      transcript: [cmd(0, 'docker run -d --name redis redis'), cmd(1, 'docker ps'), cmd(2, 'docker rm -f redis')],
      snapshots: [snap(0, [container('redis')]), snap(1, [container('redis')]), snap(2)],
    });
    expect(out.map((c) => c.points)).toEqual([3, 2, 1]);
  });

  it('counts them when the replay changed the engine, even if the work went wrong', () => {
    const out = grade({
      transcript: [cmd(0, 'docker run -d --name redis alpine'), cmd(1, 'docker ps')],
      snapshots: [snap(0), snap(1)],
      events: [event(0, 'create', 'redis')],
    });
    expect(out.map((c) => c.points)).toEqual([0, 2, 1]);
  });
});

describe('evaluateChecks: when', () => {
  const history = {
    snapshots: [
      snap(0, [container('redis')]),
      snap(1, [container('redis'), container('mongo')]),
      snap(2, [container('redis', { state: 'exited' })]),
    ],
  };

  it('final looks only at the state after the last command', () => {
    expect(passes({ assert: { container: { name: 'mongo' } } }, history)).toBe(false);
    expect(passes({ assert: { container: { name: 'redis', state: 'exited' } } }, history)).toBe(true);
  });

  it('eventually needs one snapshot, and "at the same time" is all inside one snapshot', () => {
    expect(passes({ when: 'eventually', assert: { container: { name: 'mongo' } } }, history)).toBe(true);
    expect(
      passes(
        {
          when: 'eventually',
          assert: {
            all: [
              { container: { name: 'mongo', state: 'running' } },
              { container: { name: 'redis', state: 'running' } },
            ],
          },
        },
        history,
      ),
    ).toBe(true);
    expect(
      passes(
        {
          when: 'eventually',
          assert: { all: [{ container: { name: 'mongo' } }, { container: { name: 'redis', state: 'exited' } }] },
        },
        history,
      ),
    ).toBe(false);
  });

  it('always needs every snapshot', () => {
    expect(passes({ when: 'always', assert: { container: { name: 'redis' } } }, history)).toBe(true);
    expect(passes({ when: 'always', assert: { container: { name: 'redis', state: 'running' } } }, history)).toBe(false);
    expect(
      evaluate({ when: 'always', assert: { container: { name: 'redis', state: 'running' } } }, history).detail,
    ).toMatch(/non vérifié après la commande 3/);
  });

  it('uses the initial state when no command ran', () => {
    const out = evaluateEachCheck([check({ assert: { image: { ref: 'redis' } } })], {
      history: {
        initial: snap(-1, [], { images: [image('redis:latest')] }),
        transcript: [cmd(0, 'rm -rf /', { refused: 'non', exitCode: null })],
        snapshots: [],
        events: [],
      },
      probes: new Map(),
    });
    expect(out[0].passed).toBe(true);
  });
});

describe('evaluateChecks: containers', () => {
  const c = container('web', {
    image: 'nginx:latest',
    state: 'running',
    env: { POSTGRES_PASSWORD: 'secret', EMPTY: '' },
    ports: [{ container: 80, protocol: 'tcp', host: 8081 }],
    mounts: [
      { type: 'volume', source: 'logs', destination: '/var/log/nginx' },
      { type: 'bind', source: '/work', destination: '/usr/share/nginx/html' },
    ],
    networks: ['my_bridge'],
    restartPolicy: 'unless-stopped',
    memoryBytes: 256 * 1024 * 1024,
    nanoCpus: 500_000_000,
    labels: { app: 'cours' },
  });
  const h = { snapshots: [snap(0, [c, container('old', { state: 'exited', exitCode: 1 })])] };
  const ok = (q: Record<string, unknown>) => passes({ assert: { container: { name: 'web', ...q } } }, h);

  it.each([
    [{ image: 'nginx' }, true],
    [{ image: 'docker.io/library/nginx:latest' }, true],
    [{ image: 'nginx:1.25' }, false],
    [{ image: { matches: '^nginx(:.+)?$' } }, true],
    [{ state: ['running', 'paused'] }, true],
    [{ state: 'paused' }, false],
    [{ env: { POSTGRES_PASSWORD: { exists: true }, EMPTY: '' } }, true],
    [{ env: { POSTGRES_PASSWORD: 'autre' } }, false],
    [{ env: { ABSENT: { exists: false } } }, true],
    [{ env: { ABSENT: { matches: '.*' } } }, false],
    [{ ports: [{ container: 80 }] }, true],
    [{ ports: [{ container: 80, host: 8081 }] }, true],
    [{ ports: [{ container: 80, host: 8080 }] }, false],
    [{ ports: [{ container: 80, protocol: 'udp' }] }, false],
    [{ mounts: [{ type: 'volume', source: 'logs', destination: '/var/log/nginx/' }] }, true],
    [{ mounts: [{ type: 'bind', destination: '/usr/share/nginx/html' }] }, true],
    [{ mounts: [{ type: 'volume', destination: '/usr/share/nginx/html' }] }, false],
    [{ networks: ['my_bridge'] }, true],
    [{ networks: ['bridge'] }, false],
    [{ restartPolicy: 'unless-stopped' }, true],
    [{ restartPolicy: 'always' }, false],
    [{ memoryBytes: { max: 268435456 } }, true],
    [{ memoryBytes: { min: 1 << 30 } }, false],
    [{ nanoCpus: 500000000 }, true],
    [{ labels: { app: { contains: 'cou' } } }, true],
    [{ exitCode: { not: 0 } }, false],
  ])('%j → %s', (q, expected) => {
    expect(ok(q)).toBe(expected);
  });

  it('matches by name patterns and counts matching containers', () => {
    expect(passes({ assert: { container: { name: { matches: '^(web|old)$' }, count: 2 } } }, h)).toBe(true);
    expect(passes({ assert: { container: { state: 'exited', exitCode: { not: 0 } } } }, h)).toBe(true);
    expect(passes({ assert: { container: { count: 0 } } }, h)).toBe(false);
    expect(passes({ assert: { container: { count: 0 } } }, { snapshots: [snap(0)] })).toBe(true);
    expect(passes({ assert: { container: { state: 'running', count: { max: 1 } } } }, h)).toBe(true);
  });

  it('treats absent as "no container with these fields"', () => {
    expect(passes({ assert: { container: { name: 'redis', state: 'absent' } } }, h)).toBe(true);
    expect(passes({ assert: { container: { name: 'web', state: 'absent' } } }, h)).toBe(false);
    expect(passes({ assert: { container: { name: 'old', state: ['absent', 'exited'] } } }, h)).toBe(true);
  });
});

describe('evaluateChecks: images, volumes, networks', () => {
  const h = {
    snapshots: [
      snap(0, [], {
        images: [
          image('monimage:v1', {
            cmd: ['-c', '3'],
            entrypoint: ['ping'],
            env: { A: '1' },
            exposedPorts: ['80/tcp'],
            labels: { auteur: 'jean' },
            workdir: '/app',
            layers: 4,
          }),
          image('redis:latest'),
        ],
        volumes: [{ name: 'logs', driver: 'local' }],
        networks: [
          { name: 'my_bridge', driver: 'bridge', members: ['cont1', 'cont2'] },
          { name: 'bridge', driver: 'bridge', members: [] },
        ],
      }),
    ],
  };
  it.each([
    [
      {
        image: {
          ref: 'monimage:v1',
          cmd: ['-c', '3'],
          entrypoint: ['ping'],
          env: { A: '1' },
          exposedPorts: ['80'],
          labels: { auteur: 'jean' },
          workdir: '/app/',
          layers: { min: 3 },
        },
      },
      true,
    ],
    [{ image: { ref: 'monimage:v1', cmd: ['-c'] } }, false],
    [{ image: { ref: 'monimage:v1', entrypoint: ['sh'] } }, false],
    [{ image: { ref: 'monimage' } }, false],
    [{ image: { ref: 'redis' } }, true],
    [{ image: { ref: 'mongo', present: false } }, true],
    [{ image: { ref: 'redis', present: false } }, false],
    [{ volume: { name: 'logs' } }, true],
    [{ volume: { name: 'logs', driver: 'nfs' } }, false],
    [{ volume: { name: { matches: '^data' }, present: false } }, true],
    [{ network: { name: 'my_bridge', driver: 'bridge', members: ['cont1', 'cont2'] } }, true],
    [{ network: { name: 'my_bridge', members: ['cont3'] } }, false],
    [{ network: { name: 'autre', present: false } }, true],
  ])('%j → %s', (a, expected) => {
    expect(passes({ assert: a }, h)).toBe(expected);
  });
});

describe('evaluateChecks: events, transcript and sequences', () => {
  // postgres dies after command 2; the student reads the logs (3), removes it (4), reruns it with a password (5).
  const history: Partial<ReplayHistory> = {
    transcript: [
      cmd(0, 'docker run -d --name mongo mongo'),
      cmd(1, 'docker run -d --name postgres postgres'),
      cmd(2, 'docker container ls'),
      cmd(3, 'docker logs postgres', {
        output: 'Error: Database is uninitialized and superuser password is not specified.',
      }),
      cmd(4, 'docker rm postgres'),
      cmd(5, 'docker run -d --name postgres -e POSTGRES_PASSWORD=x postgres'),
      cmd(6, 'nc -l 80', { refused: 'non autorisé', exitCode: null }),
    ],
    events: [
      event(0, 'start', 'mongo'),
      event(1, 'start', 'postgres'),
      event(2, 'die', 'postgres', { exitCode: 1 }),
      event(4, 'destroy', 'postgres'),
      event(5, 'start', 'postgres', { timeNano: 1600 }),
      event(5, 'exec_start: redis-cli get cle', 'redis'),
    ],
    snapshots: [
      snap(0, [container('mongo')]),
      snap(1, [container('mongo'), container('postgres')]),
      snap(2, [container('mongo'), container('postgres', { state: 'exited', exitCode: 1 })]),
      snap(3, [container('mongo'), container('postgres', { state: 'exited', exitCode: 1 })]),
      snap(4, [container('mongo')]),
      snap(5, [container('mongo'), container('postgres', { env: { POSTGRES_PASSWORD: 'x' } })]),
    ],
  };
  const diedThenFixed = [
    { event: { action: 'die', name: 'postgres', exitCode: { not: 0 } } },
    { container: { name: 'postgres', state: 'running', env: { POSTGRES_PASSWORD: { exists: true } } } },
  ];

  it('orders a die event before a later state', () => {
    expect(passes({ sequence: diedThenFixed }, history)).toBe(true);
    expect(passes({ sequence: [...diedThenFixed].reverse() }, history)).toBe(false);
  });

  it('fails a sequence whose first step never happened and says which step', () => {
    const out = evaluate(
      { sequence: [{ event: { action: 'die', name: 'mongo' } }, { container: { name: 'mongo' } }] },
      history,
    );
    expect(out.passed).toBe(false);
    expect(out.detail).toMatch(/étape 1 sur 2 jamais observée/);
  });

  it('orders transcript steps against events and state', () => {
    expect(
      passes(
        {
          sequence: [
            { transcript: { command: { contains: 'logs postgres' } } },
            { container: { name: 'postgres', state: 'running', env: { POSTGRES_PASSWORD: 'x' } } },
          ],
        },
        history,
      ),
    ).toBe(true);
    expect(
      passes(
        {
          sequence: [
            { container: { name: 'postgres', env: { POSTGRES_PASSWORD: 'x' } } },
            { transcript: { command: { contains: 'logs' } } },
          ],
        },
        history,
      ),
    ).toBe(false);
    expect(
      passes(
        {
          sequence: [
            { event: { action: 'die', name: 'postgres' } },
            { transcript: { command: { contains: 'logs postgres' } } },
          ],
        },
        history,
      ),
    ).toBe(true);
  });

  it('needs each step strictly later than the previous one', () => {
    const same = [{ container: { name: 'mongo' } }, { container: { name: 'mongo' } }, { container: { name: 'mongo' } }];
    expect(passes({ sequence: same }, history)).toBe(true);
    const tooMany = Array.from({ length: 7 }, () => ({ container: { name: 'mongo' } }));
    expect(passes({ sequence: tooMany }, history)).toBe(false);
  });

  it('orders events seen during the same command by engine time', () => {
    const h = { ...history, events: [event(0, 'start', 'a', { timeNano: 5 }), event(0, 'die', 'a', { timeNano: 9 })] };
    expect(
      passes({ sequence: [{ event: { action: 'start', name: 'a' } }, { event: { action: 'die', name: 'a' } }] }, h),
    ).toBe(true);
    expect(
      passes({ sequence: [{ event: { action: 'die', name: 'a' } }, { event: { action: 'start', name: 'a' } }] }, h),
    ).toBe(false);
  });

  it('evaluates events inside a compound step over the window since the previous step', () => {
    const step2 = {
      all: [{ event: { action: 'start', name: 'postgres' } }, { container: { name: 'postgres', state: 'running' } }],
    };
    expect(passes({ sequence: [{ event: { action: 'die', name: 'postgres' } }, step2] }, history)).toBe(true);
    const never = { all: [{ event: { action: 'start', name: 'mongo' } }, { container: { name: 'postgres' } }] };
    expect(passes({ sequence: [{ event: { action: 'die', name: 'postgres' } }, never] }, history)).toBe(false);
  });

  it('reads events as "has happened by then" under when', () => {
    expect(passes({ assert: { event: { action: 'die', name: 'postgres', exitCode: 1 } } }, history)).toBe(true);
    expect(passes({ assert: { event: { action: 'die', name: 'mongo' } } }, history)).toBe(false);
    expect(passes({ assert: { not: { event: { action: 'kill' } } } }, history)).toBe(true);
    expect(passes({ when: 'always', assert: { not: { event: { action: 'die' } } } }, history)).toBe(false);
    expect(passes({ assert: { event: { action: 'exec_start', name: 'redis' } } }, history)).toBe(true);
    expect(passes({ assert: { event: { action: { contains: 'get cle' } } } }, history)).toBe(true);
    expect(passes({ assert: { event: { type: 'image', action: 'die' } } }, history)).toBe(false);
    expect(passes({ assert: { event: { action: 'start', image: 'postgres:latest' } } }, history)).toBe(true);
  });

  it('matches the transcript on command, exit code and output, never on refused lines', () => {
    expect(
      passes(
        {
          assert: {
            transcript: { command: { matches: 'docker\\s+logs\\s+postgres' }, output: { contains: 'password' } },
          },
        },
        history,
      ),
    ).toBe(true);
    expect(passes({ assert: { transcript: { command: { contains: 'logs' }, exitCode: 1 } } }, history)).toBe(false);
    expect(passes({ assert: { transcript: { command: { contains: 'nc' } } } }, history)).toBe(false);
  });

  it('matches output on what the command printed on stdout and stderr, as a terminal shows both', () => {
    // `docker exec essai2 ls /test.txt`: ls's message is the exec's stderr (ephemeral-container's check).
    const ls = cmd(0, 'docker exec essai2 ls /test.txt', {
      exitCode: 1,
      output: '',
      stderr: 'ls: /test.txt: No such file or directory\n',
    });
    const noSuchFile = { transcript: { command: { contains: 'exec' }, output: { matches: 'No such file' } } };
    expect(passes({ assert: noSuchFile }, { transcript: [ls] })).toBe(true);
    expect(passes({ assert: noSuchFile }, { transcript: [{ ...ls, stderr: '' }] })).toBe(false);
    // A line left open on stdout does not run into stderr's first line.
    expect(printedOutput({ output: 'sans-fin', stderr: 'err\n' })).toBe('sans-fin\nerr\n');
    expect(printedOutput({ output: 'a\n', stderr: 'b\n' })).toBe('a\nb\n');
    expect(printedOutput({ output: 'ancien format\n' })).toBe('ancien format\n');
  });
});

describe('evaluateChecks: probes', () => {
  const probe = {
    probe: { container: 'redis', command: ['redis-cli', 'get', 'cle'], output: { matches: '^"?42"?\\s*$' } },
  };
  const http = { http: { url: 'http://localhost:8081/', body: { contains: 'Bienvenue' } } };
  const keyOf = (a: Record<string, unknown>) => probeKey(check({ assert: a }).assert as never);

  it('collects each distinct probe once, with schema defaults', () => {
    const checks = [
      check({ id: 'a', assert: probe }),
      check({ id: 'b', assert: { all: [probe, { not: http }] } }),
      check({ id: 'd', sequence: [http, { container: { name: 'x' } }] }),
    ];
    const found = collectProbes(checks);
    expect(found).toHaveLength(2);
    expect(found[0]).toEqual({ probe: { ...probe.probe, exitCode: 0, timeoutSeconds: 10 } });
  });

  it('passes on the expected exit code and output, fails on an error or a wrong answer', () => {
    const h = { snapshots: [snap(0)] };
    expect(passes({ assert: probe }, h, new Map([[keyOf(probe), { code: 0, output: '"42"\n' }]]))).toBe(true);
    expect(passes({ assert: probe }, h, new Map([[keyOf(probe), { code: 0, output: '(nil)\n' }]]))).toBe(false);
    expect(passes({ assert: probe }, h, new Map([[keyOf(probe), { code: 1, output: '"42"' }]]))).toBe(false);
    expect(
      passes(
        { assert: probe },
        h,
        new Map([[keyOf(probe), { code: null, output: '', error: 'No such container: redis' }]]),
      ),
    ).toBe(false);
    expect(
      evaluate(
        { assert: probe },
        h,
        new Map([[keyOf(probe), { code: null, output: '', error: 'No such container: redis' }]]),
      ).detail,
    ).toMatch(/No such container/);
    expect(passes({ assert: probe }, h)).toBe(false);
  });

  it('checks HTTP status and body', () => {
    const h = { snapshots: [snap(0)] };
    expect(passes({ assert: http }, h, new Map([[keyOf(http), { code: 200, output: '<h1>Bienvenue</h1>' }]]))).toBe(
      true,
    );
    expect(passes({ assert: http }, h, new Map([[keyOf(http), { code: 404, output: 'Bienvenue' }]]))).toBe(false);
    expect(
      passes({ assert: http }, h, new Map([[keyOf(http), { code: null, output: '', error: 'connection refused' }]])),
    ).toBe(false);
  });
});

describe('normalizeRef', () => {
  it.each([
    ['redis', 'redis:latest'],
    ['redis:7', 'redis:7'],
    ['docker.io/library/redis', 'redis:latest'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['jean/app:v1', 'jean/app:v1'],
  ])('%s → %s', (ref, normalized) => {
    expect(normalizeRef(ref)).toBe(normalized);
  });
});
