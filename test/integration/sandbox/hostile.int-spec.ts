import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { DockerSandbox } from '../../../src/sandbox/docker-sandbox';
import { innerContainersPidsLimit } from '../../../src/sandbox/sandbox-container';
import type { DockerSandboxDriver } from '../../../src/sandbox/sandbox.driver';
import type { ExecResult } from '../../../src/sandbox/sandbox.types';
import { expectAllRefused, HOST_SERVICE_REPLY, makeDriver, tcpAttempts, withHostService } from './sandbox-fixture';

jest.setTimeout(240_000);

const MB = 1024 * 1024;

/**
 * Each hostile submission runs in a real sandbox with small limits. The assertions are about
 * containment (the host, the golden store and other sandboxes are untouched) and about the
 * status the grading engine receives.
 */
describe('hostile submissions', () => {
  let driver: DockerSandboxDriver;
  let goldenDigest: string;
  const limits = {
    memoryBytes: 512 * MB,
    memorySwapBytes: 512 * MB,
    pidsLimit: 300,
    diskBytes: 300 * MB,
    maxOutputBytes: 64 * 1024,
  };

  async function inSandbox(body: (sandbox: DockerSandbox) => Promise<void>): Promise<void> {
    const sandbox = (await driver.acquire({ limits })) as DockerSandbox;
    try {
      await body(sandbox);
    } finally {
      await driver.release(sandbox);
    }
  }

  beforeAll(async () => {
    driver = makeDriver({ diskPollMs: 500 });
    await driver.golden.ensure();
    goldenDigest = await driver.golden.currentDigest();
  });

  afterAll(async () => {
    await driver.shutdown();
  });

  it('fork bomb: stopped by the timeout, bounded by the pids limit', async () => {
    await inSandbox(async (sandbox) => {
      const bomb = await sandbox.exec('f(){ f|f& }; f; sleep 30', { timeoutMs: 5000 });
      // Stopped either way: by the timeout, or first by the output cap when its "Cannot fork"
      // messages fill it.
      expect(bomb.exitCode).toBeNull();
      expect(['timeout', 'output-limit']).toContain(bomb.stoppedBy);
      // The session was killed from the host: the sandbox can fork again.
      const after = await sandbox.exec('docker run --rm busybox echo still-alive', { timeoutMs: 30_000 });
      expect(after.output).toBe('still-alive\n');
      // In an inner container the bomb is bounded by the inner containers' share of the sandbox's
      // pids, not the host's: the shell and the inner engine keep room to work.
      const inner = await sandbox.exec(
        "docker run -d --name bomb alpine sh -c 'f(){ f|f& }; f; sleep 1000' >/dev/null; sleep 3; " +
          'cat /sys/fs/cgroup/pids/docker/pids.max /sys/fs/cgroup/pids/docker/pids.current; echo done',
        { timeoutMs: 30_000 },
      );
      const [max, current] = inner.output.split('\n').map(Number);
      expect(max).toBe(innerContainersPidsLimit(limits.pidsLimit));
      expect(current).toBeGreaterThan(max - 10);
      expect(inner.output).toContain('done');
      const removed = await sandbox.exec('docker rm -f bomb', { timeoutMs: 30_000 });
      expect(removed).toMatchObject({ exitCode: 0, output: 'bomb\n' });
    });
  });

  it('memory hog: killed by the sandbox memory limit, reported as memory-limit', async () => {
    await inSandbox(async (sandbox) => {
      const hog = await sandbox.exec('head -c 2000m /dev/zero | tail', { timeoutMs: 60_000 });
      expect(hog.stoppedBy).toBe('memory-limit');
      expect(hog.exitCode).toBeNull();
      const innerHog = await sandbox.exec('docker run --rm alpine sh -c "head -c 2000m /dev/zero | tail"', {
        timeoutMs: 60_000,
      });
      expect(innerHog.exitCode === 137 || innerHog.stoppedBy === 'memory-limit').toBe(true);
      expect(await sandbox.health()).toBeUndefined();
      expect((await sandbox.exec('docker run --rm busybox echo ok', { timeoutMs: 30_000 })).output).toBe('ok\n');
    });
  });

  it('disk filler: the sandbox is stopped with disk-limit', async () => {
    await inSandbox(async (sandbox) => {
      const fill = await sandbox.exec('docker run --rm alpine dd if=/dev/zero of=/fill bs=1M count=3000', {
        timeoutMs: 120_000,
      });
      expect(fill).toMatchObject({ exitCode: null, stoppedBy: 'disk-limit' });
      expect(await sandbox.health()).toBe('disk-limit');
    });
  });

  it('output flood: capped and reported as output-limit', async () => {
    await inSandbox(async (sandbox) => {
      const flood = await sandbox.exec('docker run --rm alpine yes', { timeoutMs: 30_000 });
      expect(flood).toMatchObject({ exitCode: null, truncated: true, stoppedBy: 'output-limit' });
      expect(flood.output.length).toBe(64 * 1024);
    });
  });

  it('endless command: stopped by the timeout, the sandbox stays usable', async () => {
    await inSandbox(async (sandbox) => {
      expect(await sandbox.exec('while :; do :; done', { timeoutMs: 2000 })).toMatchObject({
        exitCode: null,
        stoppedBy: 'timeout',
      });
      expect(await sandbox.exec('docker run -it alpine sh', { timeoutMs: 2000, tty: true })).toMatchObject({
        stoppedBy: 'timeout',
      });
      expect((await sandbox.exec('echo alive', { timeoutMs: 10_000 })).output).toBe('alive\n');
    });
  });

  it('docker run --privileged -v /:/host finds none of the host files', async () => {
    const markerName = `dockgrader-hostile-${randomBytes(4).toString('hex')}`;
    const markerDir = `/var/lib/${markerName}`;
    await mkdir(markerDir);
    await writeFile(`${markerDir}/secret`, 'host secret');
    try {
      await inSandbox(async (sandbox) => {
        const privileged = await sandbox.exec(
          `docker run --rm --privileged -v /:/host alpine sh -c 'ls /host/var/lib; cat /host/var/lib/${markerName}/secret'`,
          { timeoutMs: 30_000 },
        );
        const plain = await sandbox.exec(
          `docker run --rm -v /:/host alpine sh -c 'cat /host/var/lib/${markerName}/secret'`,
          { timeoutMs: 60_000 },
        );
        const search = await sandbox.exec(
          `docker run --rm -v /:/host alpine sh -c 'find /host -name "${markerName}*" 2>/dev/null | wc -l'`,
          { timeoutMs: 60_000 },
        );
        const shell = await sandbox.exec(
          `find / -xdev -name "${markerName}*" 2>/dev/null | wc -l; cat ${markerDir}/secret`,
          { timeoutMs: 60_000 },
        );
        for (const r of [privileged, plain, shell]) expect(r.output).not.toContain('host secret');
        // With the sandbox's own root at /host, the real host file system is simply not there.
        expect(plain.exitCode).not.toBe(0);
        expect(search.output.trim()).toBe('0');
        expect(shell.output.split('\n')[0]).toBe('0');
      });
    } finally {
      await rm(markerDir, { recursive: true, force: true });
    }
  });

  it("cannot read the host's disk through a device node", async () => {
    const dev = (await stat('/')).dev;
    const major = (dev >> 8) & 0xfff;
    const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
    await inSandbox(async (sandbox) => {
      const raw = await sandbox.exec(
        `echo "b ${major}:${minor} r" > /sys/fs/cgroup/devices/devices.allow; mknod /dev/hostdisk b ${major} ${minor}; head -c 4096 /dev/hostdisk 2>/dev/null | wc -c`,
        { timeoutMs: 30_000 },
      );
      expect(raw.output.trim().split('\n').pop()).toBe('0');
    });
  });

  it("cannot reach the host's Docker engine", async () => {
    const hostId = (await new Docker().info()).ID as string;
    await inSandbox(async (sandbox) => {
      const local = await sandbox.exec('curl -s --unix-socket /var/run/docker.sock http://docker/info', {
        timeoutMs: 30_000,
      });
      expect(local.output).not.toContain(hostId);
      const tcp = await sandbox.exec(
        'curl -s -m 3 http://172.17.0.1:2375/info; curl -s -m 3 http://172.17.0.1:2376/info; echo rc=$?',
        { timeoutMs: 30_000 },
      );
      expect(tcp.output).not.toContain(hostId);
      expect(tcp.output).toMatch(/rc=[1-9]/);
    });
  });

  it("cannot reach the network, the host's services or a listener on the docker bridge", async () => {
    const { connections } = await withHostService(async (port) => {
      await inSandbox(async (sandbox) => {
        const targets = [
          `172.17.0.1:${port}`,
          `127.0.0.1:${port}`,
          '127.0.0.1:5432',
          '127.0.0.1:6379',
          '1.1.1.1:80',
          'deb.debian.org:80',
        ];
        const fromShell = await sandbox.exec(tcpAttempts(targets), { timeoutMs: 60_000 });
        const fromContainer = await sandbox.exec(
          `docker run --rm alpine sh -c 'wget -T 3 -qO- http://172.17.0.1:${port}/ ; echo rc=$?; wget -T 3 -qO- http://deb.debian.org/ ; echo rc=$?'`,
          { timeoutMs: 60_000 },
        );
        for (const r of [fromShell, fromContainer]) expect(r.output).not.toContain(HOST_SERVICE_REPLY);
        expectAllRefused(fromShell.output, targets);
        expect(fromContainer.output).not.toContain('rc=0');
      });
    });
    expect(connections).toBe(0);
  });

  it("cannot reach another sandbox's engine", async () => {
    const other = (await driver.acquire()) as DockerSandbox;
    try {
      await other.exec('docker run -d --name victim alpine sleep 600', { timeoutMs: 30_000 });
      await inSandbox(async (sandbox) => {
        const probe = await sandbox.exec(
          `curl -s -m 3 --unix-socket ${other.paths.socketPath} http://docker/containers/json; echo rc=$?; ls ${other.paths.dir}; docker ps -a --format '{{.Names}}'`,
          { timeoutMs: 30_000 },
        );
        expect(probe.output).not.toContain('victim');
        expect(probe.output).toMatch(/rc=[1-9]/);
      });
      expect((await other.exec("docker ps --format '{{.Names}}'", { timeoutMs: 10_000 })).output).toBe('victim\n');
    } finally {
      await driver.release(other);
    }
  });

  it('writing into a hard-linked layer through the inner engine is detected, and the store rebuilt', async () => {
    // Own sandbox root: the attack really alters that golden store, which others must not share.
    const root = `/var/lib/dockgrader/test-tamper-${randomBytes(3).toString('hex')}`;
    const isolated = makeDriver({ root });
    try {
      await isolated.golden.ensure();
      const sandbox = await isolated.acquire();
      try {
        const attack = await sandbox.exec(
          `docker run --rm -v /var/lib/docker:/d alpine sh -c 'for f in $(find /d/overlay2 -path "*/diff/etc/passwd"); do echo "intruder:x:0:0::/:/bin/sh" >> "$f"; done; echo done'`,
          { timeoutMs: 60_000 },
        );
        expect(attack.output).toContain('done');
      } finally {
        await isolated.release(sandbox);
      }
      expect(await isolated.golden.verify()).toBe(false);
      const fresh = await isolated.acquire();
      try {
        expect(
          (
            await fresh.exec('docker run --rm debian grep -c intruder /etc/passwd', { timeoutMs: 30_000 })
          ).output.trim(),
        ).toBe('0');
      } finally {
        await isolated.release(fresh);
      }
      expect(await isolated.golden.verify()).toBe(true);
    } finally {
      await isolated.shutdown();
      await rm(root, { recursive: true, force: true });
    }
  });

  it('afterwards: a new sandbox works and the golden store is unchanged', async () => {
    const result: ExecResult = await (async () => {
      const sandbox = await driver.acquire();
      try {
        return await sandbox.exec('docker run --rm hello-world', { timeoutMs: 30_000 });
      } finally {
        await driver.release(sandbox);
      }
    })();
    expect(result.output).toContain('Hello from Docker!');
    expect(await driver.golden.currentDigest()).toBe(goldenDigest);
  });
});
