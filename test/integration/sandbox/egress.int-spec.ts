import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { DockerSandbox } from '../../../src/sandbox/docker-sandbox';
import { EGRESS_FORWARD_CHAIN, EGRESS_MARKER, EGRESS_NETWORK, EgressFirewall } from '../../../src/sandbox/egress';
import type { DockerSandboxDriver } from '../../../src/sandbox/sandbox.driver';
import { SandboxInfrastructureError } from '../../../src/sandbox/sandbox.types';
import { expectAllRefused, HOST_SERVICE_REPLY, makeDriver, tcpAttempts, withHostService } from './sandbox-fixture';

jest.setTimeout(240_000);

/** The IPv4 address of the host's default-route interface. */
function hostPrimaryIp(): string {
  const line = readFileSync('/proc/net/route', 'utf8')
    .split('\n')
    .slice(1)
    .find((l) => l.split(/\s+/)[1] === '00000000');
  const iface = line!.split(/\s+/)[0];
  return networkInterfaces()[iface]!.find((a) => a.family === 'IPv4')!.address;
}

/** Packets that went through our forward chain and were let out (its final RETURN rule). */
function allowedCounter(): number {
  const lines = execFileSync('iptables', ['-w', '-L', EGRESS_FORWARD_CHAIN, '-v', '-x', '-n'], { encoding: 'utf8' })
    .trim()
    .split('\n');
  return Number(lines[lines.length - 1].trim().split(/\s+/)[0]);
}

const sh = (sandbox: DockerSandbox, line: string, timeoutMs = 60_000) => sandbox.exec(line, { timeoutMs });

describe('egress sandboxes (real Docker, host iptables)', () => {
  let driver: DockerSandboxDriver;
  let gateway: string;

  async function withSandboxes(
    count: number,
    egress: boolean,
    body: (...sandboxes: DockerSandbox[]) => Promise<void>,
  ): Promise<void> {
    const sandboxes: DockerSandbox[] = [];
    try {
      for (let i = 0; i < count; i++) sandboxes.push((await driver.acquire({ egress })) as DockerSandbox);
      await body(...sandboxes);
    } finally {
      await Promise.all(sandboxes.map((s) => driver.release(s)));
    }
  }

  beforeAll(async () => {
    driver = makeDriver();
    await driver.golden.ensure();
    const network = await driver.egress.ensure();
    gateway = network.gateway;
  });

  afterAll(async () => {
    await driver.shutdown();
  });

  it('an egress sandbox has a default route and an interface; a default sandbox has neither', async () => {
    const probe =
      "ls /sys/class/net | tr '\\n' ' '; echo; awk '$2 == \"00000000\" { print \"default via \" $1 }' /proc/net/route";
    await withSandboxes(1, false, async (plain) => {
      const out = (await sh(plain, probe)).output;
      // Only the loopback and the inner engine's own bridge (docker0, inside the sandbox).
      expect(out.split('\n')[0].trim().split(' ').sort()).toEqual(['docker0', 'lo']);
      expect(out).not.toContain('default via');
    });
    await withSandboxes(1, true, async (open) => {
      const out = (await sh(open, probe)).output;
      expect(out.split('\n')[0].trim().split(' ')).toContain('eth0');
      expect(out).toContain('default via eth0');
      // A public address is routed out through the egress interface, from an inner container too.
      const route = await sh(open, 'docker run --rm --network host alpine ip route get 1.1.1.1');
      expect(route.output).toMatch(/1\.1\.1\.1 via \S+ dev eth0/);
      // …and our rules let it go (no internet on this machine: it cannot be answered here).
      const before = allowedCounter();
      await sh(open, 'curl -s -m 2 telnet://1.1.1.1:80 </dev/null; echo rc=$?');
      expect(allowedCounter()).toBeGreaterThan(before);
      // Public resolvers, not the host's private one.
      expect((await sh(open, 'cat /etc/resolv.conf')).output).not.toMatch(/nameserver (10|127|172|192\.168)\./);
    });
  });

  it("cannot reach the host's services, from the sandbox or from an inner container", async () => {
    const { connections } = await withHostService(async (port) => {
      const targets = [`${gateway}:${port}`, `${hostPrimaryIp()}:${port}`, '172.17.0.1:' + port, `${gateway}:5432`];
      await withSandboxes(1, true, async (open) => {
        const fromShell = await sh(open, tcpAttempts(targets));
        const fromContainer = await sh(
          open,
          `docker run --rm alpine sh -c '${targets
            .map((t) => `wget -T 3 -qO- http://${t}/; echo "${t} rc=$?"`)
            .join('; ')}'`,
        );
        for (const r of [fromShell, fromContainer]) {
          expect(r.output).not.toContain(HOST_SERVICE_REPLY);
          expectAllRefused(r.output, targets);
        }
      });
    });
    expect(connections).toBe(0);
  });

  it('cannot reach another egress sandbox; inner `docker run -p` still works', async () => {
    await withSandboxes(2, true, async (a, b) => {
      const started = await sh(
        b,
        'docker run -d -p 8080:80 nginx >/dev/null && sleep 1 && curl -s -m 5 http://127.0.0.1:8080/',
      );
      expect(started.output).toContain('Welcome to nginx!');
      const bIp = (await b.container.inspect()).NetworkSettings.Networks[EGRESS_NETWORK].IPAddress;
      expect(bIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const probe = await sh(
        a,
        `curl -s -m 3 http://${bIp}:8080/; echo rc=$?; docker run --rm alpine wget -T 3 -qO- http://${bIp}:8080/; echo rc=$?`,
      );
      expect(probe.output).not.toContain('Welcome to nginx!');
      expect(probe.output).not.toMatch(/rc=0\b/);
    });
  });

  it('rules are idempotent and marked; without working iptables no egress sandbox is created', async () => {
    await driver.egress.ensure();
    await driver.egress.ensure();
    for (const chain of ['DOCKER-USER', 'INPUT']) {
      const jumps = execFileSync('iptables', ['-w', '-S', chain], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes(`--comment ${EGRESS_MARKER}`));
      expect(jumps).toHaveLength(1);
    }
    const docker = new Docker();
    const broken = new EgressFirewall(docker, () => Promise.reject(new Error('iptables: command not found')));
    const real = driver.egress;
    Object.assign(driver, { egress: broken });
    try {
      await expect(driver.acquire({ egress: true })).rejects.toThrow(SandboxInfrastructureError);
      await expect(driver.acquire({ egress: true })).rejects.toThrow(/iptables/);
    } finally {
      Object.assign(driver, { egress: real });
    }
    const egressContainers = await docker.listContainers({
      all: true,
      filters: { label: ['org.dockgrader.role=egress-sandbox'] },
    });
    expect(egressContainers).toHaveLength(0);
  });
});
