import type Docker from 'dockerode';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { DockerSandbox } from './docker-sandbox';
import { EgressFirewall, egressResolvers } from './egress';
import {
  type EngineIsolation,
  ROOT_ENGINE_REFUSAL,
  ROOT_ENGINE_WARNING,
  hostIds,
  inspectEngineIsolation,
} from '../docker/engine-isolation';
import { pingOnNewConnection } from '../docker/engine-ping';
import { GoldenStore } from './golden-store';
import { prepareSandboxDirs, removeOnAbort, startSandboxContainer, STOPPING_MESSAGE } from './sandbox-start';
import type { ImageCatalog } from './image-catalog';
import { waitForInnerEngine } from './inner-engine';
import { resolveLimits, type SandboxConfig } from './sandbox.config';
import {
  BACKGROUND_CPU_SHARES,
  FOREGROUND_CPU_SHARES,
  SANDBOX_USER_ID,
  sandboxContainerSpec,
  sandboxPaths,
} from './sandbox-container';
import { SandboxLabels, currentOwner } from './sandbox.labels';
import { SandboxPool } from './sandbox-pool';
import { DemandWindow, poolTarget } from './pool-sizer';
import { freemem } from 'node:os';
import { SandboxReaper } from './sandbox-reaper';
import { SCRATCH_MIN_FREE_BYTES, scratchFreeBytes } from './disk-usage';
import {
  type Sandbox,
  type SandboxDriver,
  SandboxInfrastructureError,
  type SandboxLimits,
  ScratchDiskFullError,
  type SandboxOptions,
} from './sandbox.types';

const run = promisify(execFile);

/**
 * Memory one warm sandbox holds, MB: measured idle memory (docs/sandbox.md, 34 MB) plus what its
 * container and inner dockerd add under the engine, rounded up — the adaptive pool's unit.
 */
const WARM_SANDBOX_MB = 64;

/** Longest wait for space on a full scratch disk before a creation fails (see waitForScratchSpace). */
const SCRATCH_WAIT_MS = 60_000;

/** Creates Docker-in-Docker sandboxes on the host engine, from a warm pool when it can. */
export class DockerSandboxDriver implements SandboxDriver {
  readonly golden: GoldenStore;
  readonly reaper: SandboxReaper;
  readonly pool: SandboxPool;
  readonly egress: EgressFirewall;
  /** Recent gradings of this worker: the adaptive pool's demand signal. */
  readonly demand = new DemandWindow();
  private readonly live = new Map<string, DockerSandbox>();
  private readonly acquiredAt = new Map<string, number>();
  private readonly releasing = new Map<string, Promise<void>>();
  /**
   * Sandboxes whose removal failed (their engine did not answer): retried at each reaper interval
   * and at shutdown, rather than forgotten until their deadline passes.
   */
  private readonly unremoved = new Map<string, DockerSandbox>();
  private retryTimer?: NodeJS.Timeout;
  /** Aborted at shutdown: no sandbox starts any more, those being started are removed. */
  private readonly stopping = new AbortController();
  /** Creations in flight, not live yet: shutdown waits until each is live (then released) or gone. */
  private readonly creating = new Set<Promise<DockerSandbox>>();
  private verifyTimer?: NodeJS.Timeout;
  private isolationCheck?: Promise<EngineIsolation>;

  constructor(
    private readonly docker: Docker,
    private readonly config: SandboxConfig,
    private readonly catalog: ImageCatalog,
    private readonly log: (message: string, error?: unknown) => void = () => undefined,
  ) {
    this.golden = new GoldenStore(docker, config.root, catalog, () => this.isolation());
    this.egress = new EgressFirewall(docker);
    this.reaper = new SandboxReaper(
      docker,
      config.root,
      (id) => this.live.has(id),
      () => catalog.setHash,
      () => this.reassertEgress(),
    );
    this.pool = new SandboxPool(
      config.poolSize,
      () => this.create(config.limits, false, { background: true }),
      (sandbox) => this.release(sandbox),
      (error) => this.log('warm pool: sandbox creation failed', error),
      config.poolRefillDelayMs,
    );
  }

  /**
   * The engine's isolation, checked once: an engine without a user namespace is refused (its
   * sandboxes' root would be the host's) unless the operator explicitly allowed it.
   */
  isolation(): Promise<EngineIsolation> {
    this.isolationCheck ??= inspectEngineIsolation(this.docker)
      .then((isolation) => {
        if (!isolation.userns) {
          if (!this.config.allowRootEngine) throw new SandboxInfrastructureError(ROOT_ENGINE_REFUSAL);
          this.log(ROOT_ENGINE_WARNING);
        }
        return isolation;
      })
      .catch((error: unknown) => {
        this.isolationCheck = undefined;
        throw error instanceof SandboxInfrastructureError
          ? error
          : new SandboxInfrastructureError('the sandbox engine could not be inspected', { cause: error });
      });
    return this.isolationCheck;
  }

  /** Worker start: check the engine, reap leftovers, prepare the golden store, start the pool and the periodic reaper. */
  async init(): Promise<void> {
    await this.isolation();
    await this.reaper.sweep();
    await this.golden.ensure();
    this.reaper.start(this.config.reaperIntervalMs, (error) => this.log('reaper sweep failed', error));
    this.retryTimer = setInterval(() => void this.removeUnremoved(), this.config.reaperIntervalMs);
    this.retryTimer.unref();
    if (this.config.goldenVerifyMs > 0) {
      this.verifyTimer = setInterval(() => {
        this.golden
          .verify()
          .then(
            (intact) =>
              intact || this.log('golden image store had changed on the host: moved aside, will be prepared again'),
          )
          .catch((error: unknown) => this.log('golden store verification failed', error));
      }, this.config.goldenVerifyMs);
      this.verifyTimer.unref();
    }
    this.pool.refill();
  }

  /** Content hash of the image set sandboxes are made from. */
  get imageSet(): string | undefined {
    return this.catalog.setHash;
  }

  /**
   * How many sandboxes each of the driver's maps holds: live ones, handed out ones (their
   * acquisition time), those being released. A long-running worker must forget each sandbox once
   * released, or its maps grow with every grading.
   */
  bookkeeping(): { live: number; acquired: number; releasing: number } {
    return { live: this.live.size, acquired: this.acquiredAt.size, releasing: this.releasing.size };
  }

  /** Sandboxes of this process: warm in the pool, handed out (grading or being destroyed), being warmed. */
  stats(): { ready: number; inUse: number; creating: number; target: number } {
    const ready = this.pool.available;
    return {
      ready,
      inUse: Math.max(0, this.live.size - ready),
      creating: this.pool.warming,
      target: this.pool.target,
    };
  }

  /**
   * The adaptive pool's step: a new target from the queue's backlog, this worker's recent
   * gradings and the memory available now (src/sandbox/pool-sizer.ts). A fixed pool keeps its size.
   */
  adaptPool(waiting: number, workers: number): number {
    const adaptive = this.config.adaptivePool;
    if (!adaptive) return this.pool.target;
    if (waiting > 0) this.demand.sawBacklog();
    const target = poolTarget(this.demand.demand(waiting, workers), {
      min: this.config.poolSize,
      max: adaptive.max,
      concurrency: adaptive.concurrency,
      availableMb: freemem() / 2 ** 20,
      reserveMb: adaptive.reserveMb,
      warmSandboxMb: WARM_SANDBOX_MB,
      ready: this.pool.available + this.pool.warming,
      idleSeconds: adaptive.idleSeconds,
    });
    this.pool.setTarget(target);
    return target;
  }

  async acquire(options: SandboxOptions = {}): Promise<Sandbox> {
    const limits = resolveLimits(this.config.limits, options.limits);
    // Egress sandboxes are always cold: the warm pool holds network-less sandboxes only.
    const isDefault = !options.egress && (!options.limits || Object.keys(options.limits).length === 0);
    let sandbox = isDefault ? await this.pool.take() : undefined;
    if (sandbox && (await sandbox.health())) {
      void this.release(sandbox);
      sandbox = undefined;
    }
    if (sandbox) this.toForeground(sandbox);
    this.demand.started();
    sandbox ??= await this.create(limits, options.egress === true);
    this.acquiredAt.set(sandbox.id, Date.now());
    sandbox.arm(this.config.diskPollMs);
    return sandbox;
  }

  /**
   * A warm sandbox leaves the background: normal CPU weight. Not awaited (the engine takes ~30 ms
   * and the first command need not wait): weight only matters when the CPU is contended, and a
   * sandbox left at the low weight still grades correctly, only slower.
   */
  private toForeground(sandbox: DockerSandbox): void {
    sandbox.container
      .update({ CpuShares: FOREGROUND_CPU_SHARES })
      .catch((error: unknown) => this.log(`sandbox ${sandbox.id}: CPU weight not raised`, error));
  }

  /**
   * A new sandbox, started, with every course image present in its engine (not yet armed).
   * `background`: made for the warm pool, at the lowest CPU priority (copy and container) until
   * acquire() hands it out, so warming never slows a submission being graded.
   */
  async create(limits: SandboxLimits, egress = false, options: { background?: boolean } = {}): Promise<DockerSandbox> {
    if (this.stopping.signal.aborted) throw new SandboxInfrastructureError(`no new sandbox: ${STOPPING_MESSAGE}`);
    await this.waitForScratchSpace();
    const creation = this.start(limits, egress, options);
    this.creating.add(creation);
    try {
      return await creation;
    } finally {
      this.creating.delete(creation);
    }
  }

  /**
   * Why this host cannot start a sandbox now, or undefined when it can: its Docker engine does not
   * answer within 3 s, or its scratch disk is below the minimum. The worker stops taking jobs
   * while a reason holds (GradingProcessor), so jobs go to workers whose host can grade them.
   */
  async unavailableReason(): Promise<string | undefined> {
    try {
      // A new connection: an engine shutting down still answers on the kept-alive ones (see pingOnNewConnection).
      await pingOnNewConnection(this.docker, 3000);
    } catch (err) {
      return `Docker engine unreachable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
    const free = await scratchFreeBytes(join(this.config.root, 'run')).catch(() => Number.POSITIVE_INFINITY);
    if (free < SCRATCH_MIN_FREE_BYTES) return `sandbox scratch disk full (${Math.floor(free / 2 ** 20)} MB free)`;
    return undefined;
  }

  /**
   * A full scratch disk: the creation waits for space (polled each second, up to
   * SCRATCH_WAIT_MS), then refuses with its own error rather than an ENOSPC halfway through.
   * Waiting, not failing at once: a worker failing each job in a millisecond would take the whole
   * queue and burn every job's attempts to `error` while other workers could grade them (the
   * fault suite saw 64 submissions end so in 16 s); this one holds one job and takes no other.
   */
  private async waitForScratchSpace(): Promise<void> {
    const runDir = join(this.config.root, 'run');
    await mkdir(runDir, { recursive: true });
    const until = Date.now() + SCRATCH_WAIT_MS;
    for (;;) {
      const free = await scratchFreeBytes(runDir);
      if (free >= SCRATCH_MIN_FREE_BYTES) return;
      if (this.stopping.signal.aborted || Date.now() >= until)
        throw new ScratchDiskFullError(
          `sandbox scratch disk full: ${Math.floor(free / 2 ** 20)} MB free under ${runDir}, ${SCRATCH_MIN_FREE_BYTES / 2 ** 20} MB needed`,
        );
      await sleep(1000, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
  }

  private async start(
    limits: SandboxLimits,
    egress: boolean,
    options: { background?: boolean },
  ): Promise<DockerSandbox> {
    const isolation = await this.isolation();
    const goldenData = await this.golden.ensure();
    // Network and firewall first: any failure here means no sandbox, never an unfiltered one.
    const network = egress ? await this.egress.ensure() : undefined;
    const id = randomBytes(6).toString('hex');
    const paths = sandboxPaths(this.config.root, id);
    const labels = {
      [SandboxLabels.sandbox]: id,
      [SandboxLabels.owner]: currentOwner(),
      [SandboxLabels.role]: egress ? 'egress-sandbox' : 'sandbox',
      // Pooled sandboxes wait before their lifetime starts: the label allows for one lifetime of waiting.
      [SandboxLabels.deadline]: String(Date.now() + 2 * limits.lifetimeMs),
    };
    let container: Docker.Container | undefined;
    let cloning: Promise<void> | undefined;
    const removed = removeOnAbort(this.stopping.signal, () => container);
    try {
      await prepareSandboxDirs(paths, isolation);
      const resolvConf = join(paths.dir, 'resolv.conf');
      if (network) {
        const servers = await egressResolvers();
        await writeFile(resolvConf, servers.map((s) => `nameserver ${s}\n`).join(''), { mode: 0o644 });
      }
      // The copy and the container's creation and start are independent (the entrypoint waits for
      // the ready flag before starting dockerd): overlap them.
      cloning = this.golden.cloneInto(paths.data, options);
      cloning.catch(() => undefined);
      container = await this.docker.createContainer(
        sandboxContainerSpec({
          id,
          image: this.catalog.sandbox.tag,
          paths,
          limits,
          labels,
          registryMirror: this.config.registryMirror,
          egress: network ? { network: network.name, resolvConf } : undefined,
          cpuShares: options.background ? BACKGROUND_CPU_SHARES : FOREGROUND_CPU_SHARES,
          goldenVolume: this.golden.volumeName,
        }),
      );
      this.stopping.signal.throwIfAborted();
      await startSandboxContainer(container, paths, isolation, cloning);
      const inner = await waitForInnerEngine(paths.socketPath, container, 30_000);
      this.stopping.signal.throwIfAborted();
      const sandbox = new DockerSandbox({
        id,
        container,
        inner,
        paths,
        limits,
        goldenDataDir: goldenData,
        egress,
        user: hostIds(isolation, SANDBOX_USER_ID),
      });
      this.live.set(id, sandbox);
      return sandbox;
    } catch (error) {
      await container?.remove({ force: true }).catch(() => undefined);
      // A copy still running would recreate what we remove.
      await cloning?.catch(() => undefined);
      await rm(paths.dir, { recursive: true, force: true }).catch(() => undefined);
      if (this.stopping.signal.aborted)
        throw new SandboxInfrastructureError(`sandbox ${id} abandoned: ${STOPPING_MESSAGE}`, { cause: error });
      throw error instanceof SandboxInfrastructureError
        ? error
        : new SandboxInfrastructureError(`sandbox ${id} failed to start`, { cause: error });
    } finally {
      await removed();
    }
  }

  /**
   * The reaper's check of the egress firewall. If the rules cannot be put back, egress sandboxes
   * still running are stopped: none runs with an unfiltered network.
   */
  private async reassertEgress(): Promise<void> {
    try {
      await this.egress.reassert();
    } catch (error) {
      const egressSandboxes = [...this.live.values()].filter((s) => s.egress);
      await Promise.all(egressSandboxes.map((s) => s.stop('destroyed')));
      throw error;
    }
  }

  /** Destroys the container and the directories; a second call waits for the first. */
  release(sandbox: Sandbox): Promise<void> {
    const existing = this.releasing.get(sandbox.id);
    if (existing) return existing;
    const acquired = this.acquiredAt.get(sandbox.id);
    if (acquired !== undefined) {
      this.acquiredAt.delete(sandbox.id);
      this.demand.ended((Date.now() - acquired) / 1000);
    }
    const done = this.destroy(sandbox as DockerSandbox).finally(() => this.releasing.delete(sandbox.id));
    this.releasing.set(sandbox.id, done);
    // A grading ended: the CPU it used is free for warming its successor.
    this.pool.refill();
    return done;
  }

  private async destroy(sandbox: DockerSandbox): Promise<void> {
    try {
      sandbox.disarm();
      await sandbox.stop('destroyed');
      await sandbox.container.remove({ force: true, v: true }).catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 404) throw error;
      });
      this.unremoved.delete(sandbox.id);
      // What the submission added (images, containers): at the lowest priority, as the warm pool's
      // copy, so the next grading does not wait behind the previous one's cleanup.
      await run('nice', ['-n', '19', 'rm', '-rf', '--one-file-system', sandbox.paths.dir]);
    } catch (error) {
      this.unremoved.set(sandbox.id, sandbox);
      throw error;
    } finally {
      this.live.delete(sandbox.id);
    }
  }

  /** Removes again the sandboxes whose removal failed; each stays listed until it is gone. */
  private async removeUnremoved(): Promise<void> {
    await Promise.all(
      [...this.unremoved.values()].map((s) =>
        this.destroy(s).catch((error: unknown) => this.log(`sandbox ${s.id}: not removed yet`, error)),
      ),
    );
  }

  /**
   * Worker shutdown: empty the pool and destroy every sandbox, those still being created (a job
   * handed back after the grace period, a warm-up) and the golden store's preparation included:
   * their containers are removed at once and their creations awaited, so the process never exits
   * with one running. Also called when a stop arrives while the worker starts.
   */
  async shutdown(): Promise<void> {
    this.reaper.stop();
    clearInterval(this.verifyTimer);
    this.stopping.abort();
    await Promise.all([
      this.pool.drain(),
      this.golden.stop(),
      ...[...this.creating].map((c) => c.catch(() => undefined)),
    ]);
    await Promise.all(
      [...this.live.values()].map((s) => this.release(s).catch((error: unknown) => this.log('release failed', error))),
    );
    clearInterval(this.retryTimer);
    await this.removeUnremoved();
  }
}
