import type Docker from 'dockerode';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { SandboxLabels } from './sandbox.labels';
import { SandboxInfrastructureError } from './sandbox.types';

/** The one bridge network egress sandboxes sit on (shared, labelled, left in place). */
export const EGRESS_NETWORK = 'dockgrader-egress';
/** Our own iptables chains (filter table): forwarded traffic and traffic to the host itself. */
export const EGRESS_FORWARD_CHAIN = 'DOCKGRADER-EGRESS';
export const EGRESS_INPUT_CHAIN = 'DOCKGRADER-EGRESS-IN';
/** Comment on every rule we install: `iptables -S | grep dockgrader-egress` finds them all. */
export const EGRESS_MARKER = 'dockgrader-egress';

/** Destinations an egress sandbox never reaches: private, shared, link-local and loopback ranges. */
export const BLOCKED_RANGES = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  '100.64.0.0/10',
  '127.0.0.0/8',
];

/** Used when the host's own resolvers are private (unreachable by design from the egress network). */
export const PUBLIC_RESOLVERS = ['1.1.1.1', '9.9.9.9'];

export interface EgressNetworkInfo {
  id: string;
  name: string;
  subnet: string;
  gateway: string;
}

export type Runner = (command: string, args: string[], stdin?: string) => Promise<string>;

const runCommand: Runner = (command, args, stdin) =>
  new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: 15_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
    if (stdin !== undefined) child.stdin?.end(stdin);
  });

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function intToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** `a.b.c.d/n` → its network address in CIDR form, as iptables prints it. */
export function networkOf(cidr: string): string {
  const [ip, bits] = cidr.split('/');
  const n = Number(bits);
  const size = 2 ** (32 - n);
  return `${intToIp(Math.floor(ipToInt(ip) / size) * size)}/${n}`;
}

function inRange(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipToInt(ip) / size) === Math.floor(ipToInt(net) / size);
}

export function isPrivateAddress(ip: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(ip) ? BLOCKED_RANGES.some((range) => inRange(ip, range)) : true;
}

/** The host's own IPv4 addresses and on-link subnets not already covered by BLOCKED_RANGES. */
export function hostDestinations(): string[] {
  const out = new Set<string>();
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family !== 'IPv4' || isPrivateAddress(a.address)) continue;
      out.add(`${a.address}/32`);
      if (a.cidr) out.add(networkOf(a.cidr));
    }
  }
  return [...out].sort();
}

/** Nameservers for egress sandboxes: the host's, when public; else well-known public resolvers. */
export async function egressResolvers(resolvConf = '/etc/resolv.conf'): Promise<string[]> {
  const text = await readFile(resolvConf, 'utf8').catch(() => '');
  const servers = [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]).filter((ip) => !isPrivateAddress(ip));
  return servers.length > 0 ? servers : PUBLIC_RESOLVERS;
}

/** Rules of our chains, in `iptables -S` form (so the installed state can be compared). */
export function egressRules(network: EgressNetworkInfo, hostDests: string[]): { forward: string[]; input: string[] } {
  const tag = `-m comment --comment ${EGRESS_MARKER}`;
  const f = EGRESS_FORWARD_CHAIN;
  const i = EGRESS_INPUT_CHAIN;
  const drops = [`${network.gateway}/32`, network.subnet, ...hostDests, ...BLOCKED_RANGES];
  return {
    forward: [
      `-A ${f} -m conntrack --ctstate RELATED,ESTABLISHED ${tag} -j RETURN`,
      ...[...new Set(drops)].map((d) => `-A ${f} -d ${d} ${tag} -j DROP`),
      // Everything else (the internet) goes on to Docker's own rules; its counter proves it in tests.
      `-A ${f} ${tag} -j RETURN`,
    ],
    input: [`-A ${i} -m conntrack --ctstate RELATED,ESTABLISHED ${tag} -j RETURN`, `-A ${i} ${tag} -j DROP`],
  };
}

function jumpRule(subnet: string, target: string): string[] {
  return ['-s', subnet, '-m', 'comment', '--comment', EGRESS_MARKER, '-j', target];
}

/**
 * The egress network and its host firewall. Egress sandboxes sit on one labelled bridge network
 * (inter-container communication disabled); every packet from its subnet goes through our
 * chains, jumped to from DOCKER-USER (forwarded traffic) and INPUT (traffic to the host itself):
 * the internet is allowed, the host, its LAN, private ranges and other sandboxes are not.
 * Any failure throws SandboxInfrastructureError: never an egress sandbox without its rules.
 */
export class EgressFirewall {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly docker: Docker,
    private readonly run: Runner = runCommand,
  ) {}

  /** The network (created on first use) with its rules asserted. Serialised within the process. */
  ensure(): Promise<EgressNetworkInfo> {
    const next = this.chain.then(async () => {
      const network = await this.network(true);
      await this.assertRules(network!);
      return network!;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** The reaper's periodic check: puts the rules back if the network exists. */
  reassert(): Promise<boolean> {
    const next = this.chain.then(async () => {
      const network = await this.network(false);
      if (network) await this.assertRules(network);
      return network !== undefined;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async network(create: boolean): Promise<EgressNetworkInfo | undefined> {
    let inspect: Docker.NetworkInspectInfo | undefined;
    try {
      inspect = (await this.docker.getNetwork(EGRESS_NETWORK).inspect()) as Docker.NetworkInspectInfo;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) {
        throw new SandboxInfrastructureError('cannot inspect the egress network', { cause: error });
      }
      if (!create) return undefined;
      try {
        await this.docker.createNetwork({
          Name: EGRESS_NETWORK,
          Driver: 'bridge',
          CheckDuplicate: true,
          Labels: { [SandboxLabels.role]: 'egress-network' },
          Options: {
            'com.docker.network.bridge.enable_icc': 'false',
            'com.docker.network.bridge.name': 'dg-egress0',
          },
        });
      } catch (createError) {
        // Another worker created it meanwhile: fine, inspect below.
        if ((createError as { statusCode?: number }).statusCode !== 409) {
          throw new SandboxInfrastructureError('cannot create the egress network', { cause: createError });
        }
      }
      inspect = (await this.docker.getNetwork(EGRESS_NETWORK).inspect()) as Docker.NetworkInspectInfo;
    }
    const config = inspect.IPAM?.Config?.[0];
    if (
      inspect.Labels?.[SandboxLabels.role] !== 'egress-network' ||
      inspect.Options?.['com.docker.network.bridge.enable_icc'] !== 'false' ||
      !config?.Subnet ||
      !config.Gateway ||
      !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(config.Subnet)
    ) {
      throw new SandboxInfrastructureError(
        `network ${EGRESS_NETWORK} exists but is not ours (label ${SandboxLabels.role}=egress-network, icc disabled, one IPv4 subnet): remove it`,
      );
    }
    return { id: inspect.Id, name: EGRESS_NETWORK, subnet: networkOf(config.Subnet), gateway: config.Gateway };
  }

  private async iptables(args: string[], stdin?: string, command = 'iptables'): Promise<string> {
    try {
      return await this.run(command, ['-w', ...args], stdin);
    } catch (error) {
      throw new SandboxInfrastructureError(
        `sandbox egress needs working iptables on the host (root, Docker's DOCKER-USER chain): ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /** Installs our chains (atomically, only when they differ) and the two jumps; removes stale jumps. */
  async assertRules(network: EgressNetworkInfo): Promise<void> {
    const forward = await this.iptables(['-S', 'FORWARD']);
    if (!forward.split('\n').includes('-A FORWARD -j DOCKER-USER')) {
      throw new SandboxInfrastructureError(
        "sandbox egress needs Docker's DOCKER-USER chain in FORWARD (host dockerd with iptables enabled)",
      );
    }
    const wanted = egressRules(network, hostDestinations());
    const current = async (chain: string): Promise<string[]> =>
      (await this.iptables(['-S', chain]).catch(() => ''))
        .split('\n')
        .filter((line) => line.startsWith('-A '))
        .map((line) => line.trim());
    const [curForward, curInput] = await Promise.all([current(EGRESS_FORWARD_CHAIN), current(EGRESS_INPUT_CHAIN)]);
    const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((line, k) => line === b[k]);
    if (!same(curForward, wanted.forward) || !same(curInput, wanted.input)) {
      // iptables-restore --noflush replaces only the chains it declares, in one transaction:
      // there is no moment with half the rules.
      const script = [
        '*filter',
        `:${EGRESS_FORWARD_CHAIN} - [0:0]`,
        `:${EGRESS_INPUT_CHAIN} - [0:0]`,
        ...wanted.forward,
        ...wanted.input,
        'COMMIT',
        '',
      ].join('\n');
      await this.iptables(['--noflush'], script, 'iptables-restore');
    }
    for (const [parent, target] of [
      ['DOCKER-USER', EGRESS_FORWARD_CHAIN],
      ['INPUT', EGRESS_INPUT_CHAIN],
    ] as const) {
      const rule = jumpRule(network.subnet, target);
      const listed = (await this.iptables(['-S', parent])).split('\n').map((line) => line.trim());
      const mine = `-A ${parent} ${rule.join(' ')}`;
      if (listed[1] !== mine) {
        // Ours must come first (before DOCKER-USER's RETURN and any ACCEPT in INPUT).
        await this.iptables(['-I', parent, '1', ...rule]);
      }
      // Drop our stale jumps (an old subnet). Only lines with our marker and one of our chains as
      // target are ever deleted, by their exact spec. A lower duplicate of the current jump is
      // harmless (our chain only drops or returns) and stays: deleting by spec would hit the first.
      const after = (await this.iptables(['-S', parent])).split('\n').map((line) => line.trim());
      const ours = after.filter(
        (line) =>
          line !== mine &&
          line.includes(`--comment ${EGRESS_MARKER} `) &&
          (line.endsWith(`-j ${EGRESS_FORWARD_CHAIN}`) || line.endsWith(`-j ${EGRESS_INPUT_CHAIN}`)),
      );
      for (const line of ours) await this.iptables(['-D', ...line.split(/\s+/).slice(1)]);
    }
  }
}
