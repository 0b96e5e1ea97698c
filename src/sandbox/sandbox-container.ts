import type Docker from 'dockerode';
import { join } from 'node:path';
import type { SandboxLimits } from './sandbox.types';

/** Where one sandbox's host directories live; all under the sandbox root, one filesystem. */
export interface SandboxPaths {
  dir: string;
  /** Inner /var/lib/docker (its own copy of the golden store's skeleton; layers come read-only). */
  data: string;
  /** 0700 directory holding the inner engine's only socket. */
  sock: string;
  socketPath: string;
  /** The working directory, /work inside. */
  work: string;
}

export function sandboxPaths(root: string, id: string): SandboxPaths {
  const dir = join(root, 'run', id);
  return {
    dir,
    data: join(dir, 'docker'),
    sock: join(dir, 'sock'),
    socketPath: join(dir, 'sock', 'docker.sock'),
    work: join(dir, 'work'),
  };
}

/**
 * Name of the staging directory (under `<root>/golden/`) where a golden store is prepared: the
 * deepest sandbox directory the engine makes, so its socket bounds SANDBOX_ROOT's length
 * (src/config/env.ts, checked in sandbox.config.spec.ts).
 */
export function goldenStagingName(setHash: string, suffix: string): string {
  return `.tmp-golden-${setHash}-${suffix}`;
}

export const SANDBOX_WORKDIR = '/work';

/**
 * Student lines run as this user of the sandbox image (uid 1000, group docker): the inner engine's
 * socket is all the course needs; root would also reach /proc/sys and /sys directly.
 */
export const SANDBOX_USER = 'eleve';
export const SANDBOX_USER_ID = 1000;
export const SANDBOX_USER_HOME = '/home/eleve';

/** Where a sandbox sees the store's layers (read-only): the entrypoint binds them into its own copy. */
export const GOLDEN_LAYERS_MOUNT = '/var/lib/dockgrader-golden';

/**
 * Processes (threads count) kept for the sandbox itself — its shell, dockerd, containerd and the
 * shims — out of its pids limit: inner containers share the rest, so a fork bomb in one of them
 * cannot leave the student's shell unable to fork (`sh: Cannot fork`) or the engine unable to
 * answer. A quarter of the limit, at least 48, at most 256.
 */
export function innerContainersPidsLimit(pidsLimit: number): number {
  return pidsLimit - Math.min(256, Math.max(48, Math.floor(pidsLimit / 4)));
}

/**
 * CPU weights. A sandbox warming up in the pool (inner dockerd starting) runs at the lowest weight
 * so that it only takes CPU a grading sandbox leaves idle; it gets the normal weight when handed out.
 */
export const FOREGROUND_CPU_SHARES = 1024;
export const BACKGROUND_CPU_SHARES = 2;

/**
 * The host container spec of a sandbox. Never --privileged (it fails here and hands over every
 * host device): all capabilities but SYS_RESOURCE, unconfined seccomp/AppArmor/system paths,
 * which is what a nested dockerd needs. No network by default: inner bridges, name resolution
 * and `-p` on the sandbox's own loopback all work inside its network namespace.
 */
export function sandboxContainerSpec(args: {
  id: string;
  image: string;
  paths: SandboxPaths;
  limits: SandboxLimits;
  labels: Record<string, string>;
  registryMirror?: string;
  /** Egress: the network to join and a resolv.conf (host path) listing public resolvers. */
  egress?: { network: string; resolvConf: string };
  /** CPU weight (Docker CpuShares): BACKGROUND_CPU_SHARES while it waits in the warm pool. */
  cpuShares?: number;
  /** The golden store's read-only layer volume (absent while the store itself is prepared). */
  goldenVolume?: string;
}): Docker.ContainerCreateOptions {
  const { id, image, paths, limits, labels, egress } = args;
  const env = [`DOCKGRADER_INNER_PIDS=${innerContainersPidsLimit(limits.pidsLimit)}`];
  if (args.registryMirror) env.push(`DOCKGRADER_REGISTRY_MIRROR=${args.registryMirror}`);
  // With a network, inner containers need the inner engine's NAT to reach it.
  if (egress) env.push('DOCKGRADER_INNER_IPTABLES=true');
  return {
    name: `dockgrader-sbx-${id}`,
    Image: image,
    Hostname: 'sandbox',
    Labels: labels,
    Env: env,
    HostConfig: {
      // tini as PID 1: the inner containerd shims are re-parented to it and must be reaped.
      Init: true,
      NetworkMode: egress?.network ?? 'none',
      CapAdd: ['ALL'],
      CapDrop: ['SYS_RESOURCE'],
      SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
      // The API spelling of the CLI's `--security-opt systempaths=unconfined`: the nested runc
      // must mount its own /proc and /sys; masked /proc paths make that fail.
      MaskedPaths: [],
      ReadonlyPaths: [],
      // Nothing the submission writes may land on the host's overlay (unbounded): the root is
      // read-only, scratch space is tmpfs (counted in the memory limit), data is in paths.dir (watched).
      ReadonlyRootfs: true,
      Tmpfs: {
        '/run': 'rw,exec,nosuid,size=64m',
        '/tmp': 'rw,exec,nosuid,nodev,size=256m',
        '/var/tmp': 'rw,nosuid,nodev,size=64m',
        '/etc/docker': 'rw,size=1m',
        '/root': 'rw,nosuid,nodev,size=16m',
        [SANDBOX_USER_HOME]: `rw,nosuid,nodev,size=16m,uid=${SANDBOX_USER_ID},gid=${SANDBOX_USER_ID},mode=0700`,
        '/var/log': 'rw,nosuid,nodev,size=16m',
      },
      Binds: [
        `${paths.data}:/var/lib/docker`,
        `${paths.sock}:/run/dockgrader`,
        `${paths.work}:${SANDBOX_WORKDIR}`,
        // Real resolvers rather than Docker's 127.0.0.11: the inner engine copies them to inner
        // containers (it drops loopback resolvers).
        ...(egress ? [`${egress.resolvConf}:/etc/resolv.conf:ro`] : []),
      ],
      Mounts: args.goldenVolume
        ? [{ Type: 'volume', Source: args.goldenVolume, Target: GOLDEN_LAYERS_MOUNT, ReadOnly: true }]
        : [],
      Memory: limits.memoryBytes,
      MemorySwap: limits.memorySwapBytes,
      NanoCpus: Math.round(limits.cpus * 1e9),
      CpuShares: args.cpuShares ?? FOREGROUND_CPU_SHARES,
      PidsLimit: limits.pidsLimit,
      // No OomScoreAdj below 0: runc cannot lower it without CAP_SYS_RESOURCE (dropped, absent
      // from the bounding set). Student commands raise theirs to 500 instead (exec.sh), so a memory
      // hog is killed before the engine that must report on it.
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
    },
  };
}
