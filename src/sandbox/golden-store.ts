import type Docker from 'dockerode';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ImageCatalog } from './image-catalog';
import type { EngineIsolation } from '../docker/engine-isolation';
import { goldenStagingName, sandboxContainerSpec, sandboxPaths } from './sandbox-container';
import { SandboxLabels, currentOwner, goldenVolumeName } from './sandbox.labels';
import { SandboxInfrastructureError } from './sandbox.types';
import { waitForInnerEngine } from './inner-engine';
import {
  prepareSandboxDirs,
  READY_FLAG,
  removeOnAbort,
  startSandboxContainer,
  STOPPING_MESSAGE,
} from './sandbox-start';

const run = promisify(execFile);

/**
 * The prepared inner /var/lib/docker holding every course image, made once per image set.
 * Sandboxes never get the store's files as their own: each receives a real copy of the small
 * metadata (the skeleton: image database, layer records, empty layer directories), and the layer
 * contents through a read-only volume the sandbox cannot make writable — its root, even with every
 * capability, is root of a user namespace, and a read-only mount handed into one is locked. A
 * write through a layer file (the hard-link clones this replaced allowed it) is impossible, not
 * detected after the fact.
 */
export class GoldenStore {
  private preparing?: Promise<string>;
  /** The store was moved aside and prepared again: its volume must be created anew. */
  private replacedStore = false;
  /** Aborted by stop(): a preparation in flight removes its container and gives up. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly docker: Docker,
    private readonly root: string,
    private readonly catalog: ImageCatalog,
    private readonly isolation: () => Promise<EngineIsolation>,
  ) {}

  /** Directory of the golden store for the current image set (not created yet maybe). */
  get dir(): string {
    return join(this.root, 'golden', this.catalog.setHash);
  }

  get dataDir(): string {
    return join(this.dir, 'docker');
  }

  /** The store's metadata with empty layer directories: what each sandbox copies. */
  get skeletonDir(): string {
    return join(this.dir, 'skeleton');
  }

  /** The engine volume that hands the layers to sandboxes read-only. */
  get volumeName(): string {
    return goldenVolumeName(this.catalog.setHash);
  }

  /** Prepares the store if missing; concurrent callers (and workers: atomic rename) share one result. */
  ensure(): Promise<string> {
    this.preparing ??= this.prepareIfMissing()
      .then(async (data) => {
        await this.ensureVolume();
        return data;
      })
      .catch((error: unknown) => {
        this.preparing = undefined;
        throw error;
      });
    return this.preparing;
  }

  /**
   * Worker shutdown: a preparation in flight (minutes: every course image is loaded) is abandoned,
   * its container removed and its staging directory deleted, before this resolves. Without it a
   * worker stopped while starting left the preparation's container running (fault suite).
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.preparing?.catch(() => undefined);
  }

  /**
   * Gives `target` (an empty directory) its own copy of the store's skeleton: a few hundred small
   * files, real copies (the inner engine rewrites its databases in place). The layers arrive
   * through the volume (sandboxContainerSpec) and the entrypoint's bind mounts.
   */
  async cloneInto(target: string, options: { background?: boolean } = {}): Promise<void> {
    await this.ensure();
    // Another worker's reaper may have removed a store it considered stale: prepare it again.
    if (!(await exists(join(this.dir, 'ready')))) {
      this.preparing = undefined;
      await this.ensure();
    }
    // Reapers keep a store that is not current for them as long as someone still clones from it.
    const now = new Date();
    await utimes(this.dir, now, now).catch(() => undefined);
    // A warm pool's copy must not take CPU from a sandbox that is grading: lowest priority.
    const args = ['-a', `${this.skeletonDir}/.`, target];
    await (options.background ? run('nice', ['-n', '19', 'cp', ...args]) : run('cp', args));
  }

  /** Creates the read-only volume of the layers when the engine does not have it yet. */
  private async ensureVolume(): Promise<void> {
    const volume = this.docker.getVolume(this.volumeName);
    const existing = await volume.inspect().catch((error: { statusCode?: number }) => {
      if (error.statusCode === 404) return undefined;
      throw error;
    });
    const device = join(this.dataDir, 'overlay2');
    if (existing?.Options?.device === device && !this.replacedStore) return;
    // A store prepared again in place: a volume still mounted holds the old directory (the mount
    // followed it when it was moved aside). The engine refuses to remove a volume in use: the
    // sandboxes of the old store must end first (an infrastructure error until then, retried).
    if (existing) {
      await volume.remove().catch((error: { statusCode?: number }) => {
        throw new SandboxInfrastructureError(
          `golden store volume ${this.volumeName} is still used by sandboxes of a replaced store`,
          { cause: error },
        );
      });
    }
    this.replacedStore = false;
    await this.docker.createVolume({
      Name: this.volumeName,
      Driver: 'local',
      // A bind mount made read-only on the host: handed into a user namespace, it stays read-only
      // (the kernel locks the flag), whatever the sandbox's capabilities.
      DriverOpts: { type: 'none', device, o: 'bind,ro' },
      Labels: { [SandboxLabels.golden]: this.catalog.setHash },
    });
  }

  private async prepareIfMissing(): Promise<string> {
    const ready = join(this.dir, 'ready');
    const isolation = await this.isolation();
    if (await exists(ready)) {
      // Prepared for an engine with other ids (e.g. before user namespaces were turned on): its
      // files belong to another root, unusable here. Moved aside for the reaper, prepared again.
      if ((await stat(this.dataDir)).uid === isolation.rootUid) return this.dataDir;
      await rename(this.dir, join(this.root, 'golden', `.tmp-other-engine-${Date.now()}`));
      this.replacedStore = true;
    }
    await mkdir(join(this.root, 'golden'), { recursive: true, mode: 0o700 });
    const suffix = randomBytes(3).toString('hex');
    const id = `golden-${this.catalog.setHash}-${suffix}`;
    const staging = join(this.root, 'golden', goldenStagingName(this.catalog.setHash, suffix));
    const paths = sandboxPaths(staging, 'prep');
    await prepareSandboxDirs(paths, isolation);
    let container: Docker.Container | undefined;
    const removed = removeOnAbort(this.stopping.signal, () => container);
    try {
      this.stopping.signal.throwIfAborted();
      container = await this.docker.createContainer(
        sandboxContainerSpec({
          id,
          image: this.catalog.sandbox.tag,
          paths,
          limits: {
            memoryBytes: 2 ** 31,
            memorySwapBytes: 2 ** 31,
            cpus: 2,
            pidsLimit: 4096,
            lifetimeMs: 0,
            diskBytes: 0,
            maxOutputBytes: 0,
          },
          labels: {
            [SandboxLabels.sandbox]: id,
            [SandboxLabels.owner]: currentOwner(),
            [SandboxLabels.role]: 'golden',
            [SandboxLabels.deadline]: String(Date.now() + 30 * 60_000),
          },
        }),
      );
      this.stopping.signal.throwIfAborted();
      await startSandboxContainer(container, paths, isolation);
      const inner = await waitForInnerEngine(paths.socketPath, container, 60_000);
      // One `docker save` of every course tag: shared layers travel once.
      const tags = this.catalog.course.flatMap((i) => i.tags);
      // getImages (GET /images/get?names=…) exists in dockerode but not in its type definitions.
      const exporter = this.docker as unknown as {
        getImages(opts: { names: string[] }): Promise<NodeJS.ReadableStream>;
      };
      const tarball = await exporter.getImages({ names: tags });
      const loading = await inner.loadImage(tarball, { quiet: true });
      await new Promise<void>((resolve, reject) =>
        inner.modem.followProgress(loading, (err: Error | null) => (err ? reject(err) : resolve())),
      );
      const present = new Set((await inner.listImages()).flatMap((i) => i.RepoTags ?? []));
      const missing = tags.filter((t) => !present.has(t));
      if (missing.length)
        throw new SandboxInfrastructureError(`golden store: images missing after load: ${missing.join(', ')}`);
      // A clean dockerd shutdown leaves consistent databases behind.
      await container.stop({ t: 30 });
      await container.remove({ force: true });
      container = undefined;
      await rm(join(paths.data, READY_FLAG), { force: true });
      const digest = await digestTree(paths.data);
      await writeFile(join(paths.dir, 'digest'), digest);
      await makeSkeleton(paths.data, join(paths.dir, 'skeleton'));
      await writeFile(join(paths.dir, 'ready'), new Date().toISOString());
      await rm(paths.work, { recursive: true, force: true });
      await rm(paths.sock, { recursive: true, force: true });
      try {
        await rename(paths.dir, this.dir);
      } catch (error) {
        // Another worker finished first: keep its store, drop ours.
        if (!(await exists(ready))) throw error;
      }
      return this.dataDir;
    } catch (error) {
      if (this.stopping.signal.aborted)
        throw new SandboxInfrastructureError(`golden store preparation abandoned: ${STOPPING_MESSAGE}`, {
          cause: error,
        });
      throw error instanceof SandboxInfrastructureError
        ? error
        : new SandboxInfrastructureError('golden store preparation failed', { cause: error });
    } finally {
      await removed();
      if (container) await container.remove({ force: true }).catch(() => undefined);
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /**
   * Checks the store against the digest recorded at preparation. Sandboxes cannot write it (it
   * reaches them read-only); this is defence in depth against anything else on the host. A
   * changed store is moved aside for the reaper and prepared again at the next acquire.
   * Returns false when it had changed.
   */
  async verify(): Promise<boolean> {
    if (!(await exists(join(this.dir, 'ready')))) return true;
    if ((await this.currentDigest()) === (await this.recordedDigest())) return true;
    this.preparing = undefined;
    await rename(this.dir, join(this.root, 'golden', `.tmp-tampered-${Date.now()}`)).catch(() => undefined);
    return false;
  }

  /** Digest of the store's content as it is now (paths, modes, sizes, file contents). */
  async currentDigest(): Promise<string> {
    return digestTree(this.dataDir);
  }

  /** Digest recorded when the store was prepared. */
  async recordedDigest(): Promise<string> {
    return (await readFile(join(this.dir, 'digest'), 'utf8')).trim();
  }
}

/**
 * The store without its layers' contents: every file but those under overlay2/<layer>/diff/, each
 * layer's diff directory kept empty (the sandbox's entrypoint binds the real one over it).
 */
async function makeSkeleton(data: string, skeleton: string): Promise<void> {
  await run('cp', ['-a', data, skeleton]);
  await run('find', [
    join(skeleton, 'overlay2'),
    '-mindepth',
    '3',
    '-maxdepth',
    '3',
    '-path',
    '*/diff/*',
    '-exec',
    'rm',
    '-rf',
    '{}',
    '+',
  ]);
}

/** sha256 over every file's path, mode, size and content, in a child process (tens of MB/s of hashing). */
export async function digestTree(dir: string): Promise<string> {
  const script =
    'cd "$1" && find . \\( -type f -o -type l -o -type d \\) -printf "%p %m %s %l\\n" | LC_ALL=C sort | sha256sum | cut -c1-64; ' +
    'find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum | sha256sum | cut -c1-64';
  const { stdout } = await run('bash', ['-c', script, 'digest', dir], { maxBuffer: 1 << 20 });
  return stdout.trim().split('\n').join(':');
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
