import type { DockerSandbox } from '../../src/sandbox/docker-sandbox';
import { innerContainersPidsLimit } from '../../src/sandbox/sandbox-container';
import { HOSTILE_LIMITS, hostileCase, run, specDriver, statusOf } from './hostile-case';

/** Exhaustion: every limit stops the submission, reports why, and leaves the sandbox's neighbours working. */

const d = specDriver({ diskPollMs: 500 });

// A neighbour grading at the same time: after each attack it must still work, as fast as ever.
let witness: DockerSandbox;
beforeAll(async () => {
  witness = (await d().acquire()) as DockerSandbox;
});
afterAll(async () => {
  await d().release(witness);
});
afterEach(async () => {
  const alive = await witness.exec('docker run --rm busybox echo alive', { timeoutMs: 30_000 });
  expect(alive).toMatchObject({ exitCode: 0, output: 'alive\n' });
});

describe('resource exhaustion', () => {
  hostileCase(
    'fork bomb in the shell and in an inner container',
    'pids limit (inner containers capped below the sandbox)',
    d,
    async (sandbox) => {
      const bomb = await sandbox.exec('f(){ f|f& }; f; sleep 30', { timeoutMs: 5000 });
      expect(bomb.exitCode).toBeNull();
      expect(['timeout', 'output-limit']).toContain(bomb.stoppedBy);
      expect((await run(sandbox, 'docker run --rm busybox echo still-alive')).output).toBe('still-alive\n');
      // The bomb fills the inner containers' share: wait for it (up to 20 s on a loaded machine).
      const inner = await run(
        sandbox,
        "docker run -d --name bomb alpine sh -c 'f(){ f|f& }; f; sleep 1000' >/dev/null; " +
          'max=$(cat /sys/fs/cgroup/pids/docker/pids.max); for i in $(seq 40); do ' +
          'cur=$(cat /sys/fs/cgroup/pids/docker/pids.current); [ "$cur" -gt $((max - 10)) ] && break; sleep 0.5; done; ' +
          'echo $max; echo $cur; echo done',
      );
      const [max, current] = inner.output.split('\n').map(Number);
      expect(max).toBe(innerContainersPidsLimit(HOSTILE_LIMITS.pidsLimit!));
      expect(current).toBeGreaterThan(max - 10);
      expect((await run(sandbox, 'docker rm -f bomb')).output).toBe('bomb\n');
      return bomb.stoppedBy!;
    },
  );

  hostileCase(
    'memory hog in the shell and in an inner container',
    'memory limit of the sandbox',
    d,
    async (sandbox) => {
      const hog = await run(sandbox, 'dd if=/dev/zero of=/dev/null bs=2000M count=1');
      expect(hog).toMatchObject({ exitCode: null, stoppedBy: 'memory-limit' });
      const innerHog = await run(
        sandbox,
        'docker run --rm alpine sh -c "dd if=/dev/zero of=/dev/null bs=2000M count=1"',
      );
      expect(innerHog.exitCode === 137 || innerHog.stoppedBy === 'memory-limit').toBe(true);
      expect(await sandbox.health()).toBeUndefined();
      expect((await run(sandbox, 'docker run --rm busybox echo ok')).output).toBe('ok\n');
      return 'memory-limit';
    },
  );

  hostileCase('disk filled from an inner container', 'disk watchdog', d, async (sandbox) => {
    const fill = await run(sandbox, 'docker run --rm alpine dd if=/dev/zero of=/fill bs=1M count=3000', 120_000);
    expect(fill).toMatchObject({ exitCode: null, stoppedBy: 'disk-limit' });
    expect(await sandbox.health()).toBe('disk-limit');
    return statusOf(fill);
  });

  hostileCase('a huge build context', 'disk watchdog', d, async (sandbox) => {
    const build = await run(
      sandbox,
      'mkdir -p ctx && dd if=/dev/zero of=ctx/big bs=1M count=400 2>/dev/null; printf "FROM alpine\\nCOPY big /big\\n" > ctx/Dockerfile; docker build -q ctx',
      120_000,
    );
    expect(build).toMatchObject({ exitCode: null, stoppedBy: 'disk-limit' });
    return statusOf(build);
  });

  hostileCase('output flood', 'output cap per command', d, async (sandbox) => {
    const flood = await run(sandbox, 'docker run --rm alpine yes');
    expect(flood).toMatchObject({ exitCode: null, truncated: true, stoppedBy: 'output-limit' });
    expect(flood.output.length).toBe(64 * 1024);
    return statusOf(flood);
  });

  hostileCase(
    'endless loop, and an interactive shell left open',
    'timeout per command (session killed from the host)',
    d,
    async (sandbox) => {
      const loop = await sandbox.exec('while :; do :; done', { timeoutMs: 2000 });
      expect(loop).toMatchObject({ exitCode: null, stoppedBy: 'timeout' });
      expect(await sandbox.exec('docker run -it alpine sh', { timeoutMs: 2000, tty: true })).toMatchObject({
        stoppedBy: 'timeout',
      });
      expect((await run(sandbox, 'echo alive')).output).toBe('alive\n');
      return statusOf(loop);
    },
  );

  hostileCase(
    'a container that ignores SIGTERM',
    'docker stop kills after its grace; release kills the sandbox',
    d,
    async (sandbox) => {
      const stop = await run(
        sandbox,
        "docker run -d --name stubborn alpine sh -c 'trap \"\" TERM; while :; do sleep 1; done' >/dev/null; docker stop -t 1 stubborn; docker inspect -f '{{.State.Running}}' stubborn",
      );
      expect(stop.output).toBe('stubborn\nfalse\n');
      // A second one is left running: release must still leave nothing behind (checked by the harness).
      await run(sandbox, 'docker run -d alpine sh -c \'trap "" TERM; sleep 1000\' >/dev/null');
      return statusOf(stop);
    },
  );

  hostileCase('a swarm of zombies', 'timeout; pids limit; the sandbox is destroyed whole', d, async (sandbox) => {
    // The children exit at once; their parent execs into sleep, which never reaps them.
    const swarm = await sandbox.exec("sh -c 'for i in $(seq 150); do true & done; exec sleep 30'", { timeoutMs: 3000 });
    expect(swarm.stoppedBy).toBe('timeout');
    const inner = await run(
      sandbox,
      "docker run -d alpine sh -c 'for i in $(seq 100); do true & done; exec sleep 1000' >/dev/null; echo started",
    );
    expect(inner.output).toBe('started\n');
    expect((await run(sandbox, 'echo alive')).output).toBe('alive\n');
    return statusOf(swarm);
  });
});
