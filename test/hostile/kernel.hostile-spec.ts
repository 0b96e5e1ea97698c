import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { attemptHostWrite, HARMLESS_SYSCTL, hostileCase, run, specDriver, statusOf } from './hostile-case';

/**
 * The host's kernel and the sandbox's privileges: root inside a sandbox (its shell runs as `eleve`,
 * its inner containers run as root of the sandbox's user namespace) never reaches the host.
 */

/** An inner container holding every capability the sandbox can hand out, unconfined. */
const ALL_CAPS =
  'docker run --rm --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined ' +
  '--security-opt apparmor=unconfined --security-opt systempaths=unconfined';

/** Prints `<path> WRITABLE|no` for each argument, as the kernel's access(2) answers for the caller. */
const ACCESS_PROBE =
  'use POSIX; for (@ARGV) { print "$_ ", (POSIX::access($_, POSIX::W_OK) ? "WRITABLE" : "no"), "\\n" }\n';

const d = specDriver();

describe('host kernel settings', () => {
  hostileCase('sysctl written from the student shell', 'user namespace; unprivileged shell', d, async (sandbox) => {
    const result = await attemptHostWrite(sandbox, (value, setting) => `echo ${value} > ${setting}; echo rc=$?; id -u`);
    expect(result.output).toMatch(/Permission denied/);
    expect(result.output.trim().split('\n').pop()).toBe('1000');
    return statusOf(result);
  });

  hostileCase(
    'sysctl written by root of an inner container with every capability',
    'user namespace',
    d,
    async (sandbox) => {
      const result = await attemptHostWrite(
        sandbox,
        (value) => `${ALL_CAPS} alpine sh -c 'echo ${value} > ${HARMLESS_SYSCTL}; echo rc=$?'`,
      );
      return statusOf(result);
    },
  );

  hostileCase(
    'sysctl written through a proc mounted read-write in an inner container',
    'user namespace (sysctls belong to the initial one)',
    d,
    async (sandbox) => {
      const result = await attemptHostWrite(
        sandbox,
        (value) =>
          `${ALL_CAPS} alpine sh -c 'mkdir -p /p && mount -t proc proc /p; echo mounted=$?; echo ${value} > /p/sys/kernel/printk_ratelimit; echo rc=$?'`,
      );
      return statusOf(result);
    },
  );

  hostileCase(
    'sysrq-trigger, core_pattern, sysfs: not writable anywhere (checked with access(2), never written)',
    'user namespace: host-root files, initial-namespace sysctls',
    d,
    async (sandbox) => {
      // Busybox's and dash's `test -w` answer yes to any root: ask the kernel (perl's access(2),
      // as the student and as root of an inner container with every capability, proc and sysfs
      // mounted afresh there too).
      const targets = [
        '/proc/sysrq-trigger',
        '/proc/sys/kernel/core_pattern',
        '/proc/sys/kernel/modprobe',
        '/sys/kernel/mm/transparent_hugepage/enabled',
        '/sys/kernel/uevent_helper',
      ];
      const fresh = ['/tmp/p/sysrq-trigger', '/tmp/p/sys/kernel/core_pattern', '/tmp/s/kernel/uevent_helper'];
      await sandbox.putFiles([{ path: 'access.pl', content: ACCESS_PROBE }]);
      const shell = await run(sandbox, `perl access.pl ${targets.join(' ')}`);
      const inner = await run(
        sandbox,
        `${ALL_CAPS} -v /:/sbx alpine sh -c 'mkdir -p /sbx/tmp/p /sbx/tmp/s; mount -t proc proc /sbx/tmp/p; mount -t sysfs sysfs /sbx/tmp/s; chroot /sbx perl /work/access.pl ${targets.join(' ')} ${fresh.join(' ')}'`,
      );
      for (const r of [shell]) expect(r.output.trim().split('\n')).toHaveLength(targets.length);
      for (const r of [shell, inner]) {
        expect(r.output).toContain('/proc/sys/kernel/core_pattern no');
        expect(r.output).not.toContain('WRITABLE');
      }
      return statusOf(shell, inner);
    },
  );

  hostileCase(
    "the sandbox's own cgroup limits cannot be raised",
    'cgroup delegation: directories only, limit files stay the host root',
    d,
    async (sandbox) => {
      const limitFile = `/sys/fs/cgroup/memory/docker/${sandbox.container.id}/memory.limit_in_bytes`;
      const before = (await readFile(limitFile, 'utf8').catch(() => 'absent')).trim();
      const result = await run(
        sandbox,
        `${ALL_CAPS} -v /sys/fs/cgroup:/cg alpine sh -c 'echo -1 > /cg/memory/memory.limit_in_bytes; echo rc=$?; mkdir -p /m && mount -t cgroup -o memory none /m; echo mounted=$?'`,
      );
      const own = await run(sandbox, 'echo -1 > /sys/fs/cgroup/memory/memory.limit_in_bytes; echo rc=$?');
      expect(result.output).toMatch(/rc=[1-9]/);
      expect(result.output).toMatch(/mounted=[1-9]/);
      expect(own.output).toMatch(/rc=[1-9]/);
      expect((await readFile(limitFile, 'utf8').catch(() => 'absent')).trim()).toBe(before);
      return statusOf(result, own);
    },
  );

  hostileCase(
    'loading a kernel module from an inner container with SYS_MODULE',
    'user namespace (modules need the initial one)',
    d,
    async (sandbox) => {
      const result = await run(
        sandbox,
        `${ALL_CAPS} alpine sh -c 'head -c 4096 /dev/zero > /m.ko; insmod /m.ko; echo rc=$?'`,
      );
      expect(result.output).toMatch(/rc=[1-9]/);
      // EPERM where the kernel loads modules (a user namespace cannot); ENOSYS where it has none.
      expect(result.output).toMatch(/Operation not permitted|not support/);
      return statusOf(result);
    },
  );
});

describe('privileges asked of the inner engine', () => {
  hostileCase(
    'docker run --privileged',
    'user namespace (the kernel refuses a privileged container)',
    d,
    async (sandbox) => {
      const result = await attemptHostWrite(
        sandbox,
        (value) => `docker run --rm --privileged alpine sh -c 'echo ${value} > ${HARMLESS_SYSCTL}'; echo rc=$?`,
      );
      return statusOf(result);
    },
  );

  hostileCase('docker run --cap-add ALL', 'capability bounding set; user namespace', d, async (sandbox) => {
    const all = await run(sandbox, 'docker run --rm --cap-add ALL alpine true; echo rc=$?');
    expect(all.output).toMatch(/rc=[1-9]/);
    return statusOf(all);
  });

  hostileCase(
    'docker run -v /:/host finds none of the host files',
    'mount namespace of the sandbox',
    d,
    async (sandbox) => {
      const markerName = `dockgrader-hostile-${randomBytes(4).toString('hex')}`;
      const markerDir = `/var/lib/${markerName}`;
      await mkdir(markerDir);
      await writeFile(`${markerDir}/secret`, 'host secret');
      try {
        const plain = await run(
          sandbox,
          `docker run --rm -v /:/host alpine sh -c 'cat /host/var/lib/${markerName}/secret'`,
        );
        const search = await run(
          sandbox,
          `${ALL_CAPS} -v /:/host alpine sh -c 'find /host -name "${markerName}*" 2>/dev/null | wc -l'`,
        );
        const shell = await run(
          sandbox,
          `find / -xdev -name "${markerName}*" 2>/dev/null | wc -l; cat ${markerDir}/secret`,
        );
        for (const r of [plain, search, shell]) expect(r.output).not.toContain('host secret');
        expect(plain.exitCode).not.toBe(0);
        expect(search.output.trim()).toBe('0');
        expect(shell.output.split('\n')[0]).toBe('0');
        return statusOf(plain, search, shell);
      } finally {
        await rm(markerDir, { recursive: true, force: true });
      }
    },
  );

  hostileCase(
    "docker run --pid=host sees the sandbox's processes, not the host's",
    'pid namespace of the sandbox',
    d,
    async (sandbox) => {
      // A host process with a recognisable command line.
      const marker = String(900000 + Math.floor(Math.random() * 99999));
      const sleeper = spawn('sleep', [marker], { stdio: 'ignore' });
      try {
        // `[x]` keeps the pattern from matching the command lines that carry it.
        const pattern = `sleep ${marker.slice(0, -1)}[${marker.slice(-1)}]`;
        const result = await run(
          sandbox,
          `${ALL_CAPS} --pid=host alpine sh -c 'ps -o args | grep -c "${pattern}"; ps -o args | grep -c "[d]ockerd"'`,
        );
        const [found, dockerd] = result.output.trim().split('\n').map(Number);
        expect(found).toBe(0);
        expect(dockerd).toBeGreaterThanOrEqual(1);
        return statusOf(result);
      } finally {
        sleeper.kill('SIGKILL');
      }
    },
  );

  hostileCase(
    'docker run --device with the host disk',
    'device cgroup and user namespace (no mknod)',
    d,
    async (sandbox) => {
      const dev = (await stat('/')).dev;
      const major = (dev >> 8) & 0xfff;
      const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
      const viaDevice = await run(
        sandbox,
        'docker run --rm --device /dev/vda:/dev/x alpine head -c 512 /dev/x | wc -c',
      );
      const viaMknod = await run(
        sandbox,
        `${ALL_CAPS} alpine sh -c 'mknod /hostdisk b ${major} ${minor}; echo mknod=$?; head -c 4096 /hostdisk 2>/dev/null | wc -c'`,
      );
      expect(viaDevice.output.trim().split('\n').pop()).toBe('0');
      expect(viaMknod.output.trim().split('\n').pop()).toBe('0');
      return statusOf(viaDevice, viaMknod);
    },
  );

  hostileCase(
    'docker run --userns=host stays in the sandbox user namespace',
    'user namespace of the sandbox engine',
    d,
    async (sandbox) => {
      const result = await run(sandbox, `${ALL_CAPS} --userns=host alpine cat /proc/self/uid_map`);
      // Root inside maps to an unprivileged host id, never to 0 over the whole range.
      expect(result.output).not.toMatch(/^\s*0\s+0\s+4294967295/m);
      expect(result.output).toMatch(/^\s*0\s+[1-9]\d*\s+\d+/m);
      return statusOf(result);
    },
  );

  hostileCase(
    "the inner engine's socket mounted into a container and used",
    'same inner engine, same user namespace',
    d,
    async (sandbox) => {
      // The sandbox's own docker CLI, run as root of an inner container, drives the inner engine.
      const result = await attemptHostWrite(
        sandbox,
        (value) =>
          `docker run --rm -v /run/dockgrader/docker.sock:/var/run/docker.sock -v /:/sbx alpine chroot /sbx docker -H unix:///var/run/docker.sock run --rm ${ALL_CAPS.replace('docker run --rm ', '')} alpine sh -c 'echo ${value} > ${HARMLESS_SYSCTL}; echo rc=$?'`,
      );
      return statusOf(result);
    },
  );

  hostileCase(
    'a setuid-root binary made by an inner container and run by the student',
    'user namespace',
    d,
    async (sandbox) => {
      await run(
        sandbox,
        "docker run --rm -v /work:/w alpine sh -c 'mkdir /w/suid && cp /bin/busybox /w/suid/ && chmod 4755 /w/suid/busybox'",
      );
      const result = await attemptHostWrite(
        sandbox,
        (value) => `/work/suid/busybox sh -c 'id -u; echo ${value} > ${HARMLESS_SYSCTL}; echo rc=$?'`,
      );
      // Host-side, the file belongs to the sandbox's mapped root, not to the host root.
      const owner = (await stat(`${sandbox.paths.work}/suid/busybox`)).uid;
      expect(owner).toBeGreaterThan(0);
      return statusOf(result);
    },
  );

  hostileCase('a setuid binary in an inner image run by a non-root user', 'user namespace', d, async (sandbox) => {
    const result = await attemptHostWrite(
      sandbox,
      (value, setting) =>
        "mkdir -p suid && printf 'FROM alpine\\nRUN mkdir /suid && cp /bin/busybox /suid/ && chmod 4755 /suid/busybox\\nUSER 1000\\n' > suid/Dockerfile && " +
        `docker build -q -t suid suid >/dev/null && docker run --rm suid /suid/busybox sh -c 'id -u; echo ${value} > ${setting}; echo rc=$?'`,
      120_000,
    );
    return statusOf(result);
  });
});
