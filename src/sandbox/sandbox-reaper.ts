import type Docker from 'dockerode';
import { hostname } from 'node:os';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SandboxLabels, goldenVolumeName, parseOwner } from './sandbox.labels';

export interface ReapReport {
  containers: number;
  networks: number;
  dirs: number;
}

/** Grace after a deadline, and minimum age of an orphan directory, before the reaper touches it. */
const GRACE_MS = 60_000;

function ownerIsDead(owner: string | undefined): boolean {
  const parsed = parseOwner(owner);
  if (!parsed || parsed.host !== hostname()) return false; // another machine's worker: only its deadline counts
  if (parsed.pid === process.pid) return false;
  try {
    process.kill(parsed.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes what killed workers left behind: labelled containers and networks whose owner process
 * is dead or whose deadline passed, and sandbox directories no container uses any more.
 * Runs when a worker starts and periodically after.
 */
export class SandboxReaper {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly docker: Docker,
    private readonly root: string,
    private readonly isLive: (id: string) => boolean,
    private readonly currentGoldenHash: () => string | undefined,
    /** Re-asserts the egress firewall rules (shared, idempotent); its failure fails the sweep. */
    private readonly reassertEgress: () => Promise<void> = async () => undefined,
  ) {}

  start(intervalMs: number, onError: (error: unknown) => void): void {
    this.timer = setInterval(() => void this.sweep().catch(onError), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private expired(labels: Record<string, string> | undefined, now: number): boolean {
    const id = labels?.[SandboxLabels.sandbox];
    if (!id || this.isLive(id)) return false;
    const deadline = Number(labels?.[SandboxLabels.deadline]);
    return ownerIsDead(labels?.[SandboxLabels.owner]) || (Number.isFinite(deadline) && deadline + GRACE_MS < now);
  }

  async sweep(): Promise<ReapReport> {
    const now = Date.now();
    const report: ReapReport = { containers: 0, networks: 0, dirs: 0 };
    const containers = await this.docker.listContainers({ all: true, filters: { label: [SandboxLabels.sandbox] } });
    const inUse = new Set<string>();
    for (const info of containers) {
      if (this.expired(info.Labels, now)) {
        await this.docker
          .getContainer(info.Id)
          .remove({ force: true, v: true })
          .catch(() => undefined);
        report.containers++;
        // Its directory goes with it, without the grace below: nothing else uses that id.
        const dir = join(this.root, 'run', info.Labels[SandboxLabels.sandbox]);
        if (await stat(dir).catch(() => undefined)) {
          await rm(dir, { recursive: true, force: true }).catch(() => undefined);
          report.dirs++;
        }
      } else {
        inUse.add(info.Labels[SandboxLabels.sandbox]);
      }
    }
    const networks = await this.docker.listNetworks({ filters: { label: [SandboxLabels.sandbox] } });
    for (const info of networks) {
      if (this.expired(info.Labels, now)) {
        await this.docker
          .getNetwork(info.Id)
          .remove()
          .catch(() => undefined);
        report.networks++;
      }
    }
    report.dirs += await this.sweepDirs(
      join(this.root, 'run'),
      (id) => !inUse.has(id) && !this.isLive(id),
      now,
      GRACE_MS,
    );
    const current = this.currentGoldenHash();
    // Another image set's store goes once nobody cloned from it for an hour (workers of another
    // version may still use it) and no sandbox still mounts its layer volume (the engine refuses
    // to remove a volume in use); a staging directory once no preparation can still be running.
    report.dirs += await this.sweepDirs(
      join(this.root, 'golden'),
      (name) => current !== undefined && name !== current && !name.startsWith('.'),
      now,
      60 * GRACE_MS,
      (name) => this.removeGoldenVolume(name),
    );
    report.dirs += await this.sweepDirs(
      join(this.root, 'golden'),
      (name) => name.startsWith('.tmp-'),
      now,
      30 * GRACE_MS,
    );
    await this.reassertEgress();
    return report;
  }

  /** False when a sandbox still uses the store's volume. */
  private async removeGoldenVolume(setHash: string): Promise<boolean> {
    try {
      await this.docker.getVolume(goldenVolumeName(setHash)).remove();
      return true;
    } catch (error) {
      return (error as { statusCode?: number }).statusCode === 404;
    }
  }

  private async sweepDirs(
    parent: string,
    removable: (name: string) => boolean,
    now: number,
    minAgeMs: number,
    release: (name: string) => Promise<boolean> = async () => true,
  ): Promise<number> {
    let removed = 0;
    const names = await readdir(parent).catch(() => [] as string[]);
    for (const name of names) {
      if (!removable(name)) continue;
      const dir = join(parent, name);
      const info = await stat(dir).catch(() => undefined);
      // A directory younger than the grace may belong to a sandbox being created right now.
      if (!info || now - info.mtimeMs < minAgeMs) continue;
      if (!(await release(name))) continue;
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      removed++;
    }
    return removed;
  }
}

/**
 * One sweep for a process that owns no sandbox (the supervisor after its workers exited): everything
 * whose owner is dead or whose deadline passed goes; returns how many containers were removed.
 */
export async function sweepAbandonedSandboxes(docker: Docker, root: string): Promise<number> {
  const report = await new SandboxReaper(
    docker,
    root,
    () => false,
    () => undefined,
  ).sweep();
  return report.containers;
}
