import type Docker from 'dockerode';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ImageCatalog } from './image-catalog';
import { sandboxContainerSpec, sandboxPaths } from './sandbox-container';
import { SandboxLabels, currentOwner } from './sandbox.labels';
import { SandboxInfrastructureError } from './sandbox.types';
import { waitForInnerEngine } from './inner-engine';

const run = promisify(execFile);

/** The sandbox entrypoint starts dockerd only once this file exists in /var/lib/docker. */
export const READY_FLAG = '.dockgrader-ready';

/**
 * The prepared inner /var/lib/docker holding every course image, made once per image set and
 * given to each sandbox as a hard-link copy (0.1 s instead of a `docker load` per sandbox).
 * Layer files are shared by hard link: they are only ever read or unlinked by the inner engine.
 * Files the engine rewrites in place (bolt databases and other small state) are real copies.
 */
export class GoldenStore {
  private preparing?: Promise<string>;

  constructor(
    private readonly docker: Docker,
    private readonly root: string,
    private readonly catalog: ImageCatalog,
  ) {}

  /** Directory of the golden store for the current image set (not created yet maybe). */
  get dir(): string {
    return join(this.root, 'golden', this.catalog.setHash);
  }

  get dataDir(): string {
    return join(this.dir, 'docker');
  }

  /** Prepares the store if missing; concurrent callers (and workers: atomic rename) share one result. */
  ensure(): Promise<string> {
    this.preparing ??= this.prepareIfMissing().catch((error: unknown) => {
      this.preparing = undefined;
      throw error;
    });
    return this.preparing;
  }

  /**
   * Gives `target` (an empty directory) a copy of the store, on the same filesystem. Image
   * content (layers, image metadata) is shared by hard link; the rest is small and may be
   * rewritten in place by the inner engine (bolt databases…): real copies, never shared inodes.
   * The engine's metadata comes first and the ready flag is written then: dockerd starts while
   * the layer directories (most of the files) are still being linked, by parallel `cp` processes.
   * The sandbox is handed out only once the whole copy is done.
   */
  async cloneInto(target: string, options: { background?: boolean } = {}): Promise<void> {
    // A warm pool's copy must not take CPU from a sandbox that is grading: lowest priority.
    const cp = (...args: string[]) => (options.background ? run('nice', ['-n', '19', 'cp', ...args]) : run('cp', args));
    let source = await this.ensure();
    // Another worker's reaper may have removed a store it considered stale: prepare it again.
    if (!(await exists(join(this.dir, 'ready')))) {
      this.preparing = undefined;
      this.layerBuckets = undefined;
      source = await this.ensure();
    }
    // Reapers keep a store that is not current for them as long as someone still clones from it.
    const now = new Date();
    await utimes(this.dir, now, now).catch(() => undefined);

    const entries = (await readdir(source)).filter((e) => e !== READY_FLAG && e !== 'overlay2');
    const linked = entries.filter((e) => e === 'image').map((e) => join(source, e));
    const copied = entries.filter((e) => e !== 'image').map((e) => join(source, e));
    await Promise.all([
      linked.length ? cp('-al', ...linked, target) : undefined,
      copied.length ? cp('-a', ...copied, target) : undefined,
      mkdir(join(target, 'overlay2'), { mode: 0o710 }),
    ]);
    await writeFile(join(target, READY_FLAG), '');
    const buckets = await this.overlayBuckets(join(source, 'overlay2'));
    await Promise.all(
      buckets.map((names) => cp('-al', ...names.map((n) => join(source, 'overlay2', n)), join(target, 'overlay2'))),
    );
  }

  private layerBuckets?: string[][];

  /** The layer directories split into a few groups of similar file counts (computed once). */
  private async overlayBuckets(overlay: string, count = 3): Promise<string[][]> {
    if (this.layerBuckets) return this.layerBuckets;
    const { stdout } = await run('du', ['--inodes', '-s', ...(await readdir(overlay)).map((n) => join(overlay, n))], {
      maxBuffer: 1 << 20,
    });
    const sizes = stdout
      .trim()
      .split('\n')
      .map((line) => {
        const [inodes, path] = line.split('\t');
        return { name: path.slice(overlay.length + 1), inodes: Number(inodes) };
      })
      .sort((a, b) => b.inodes - a.inodes);
    const buckets = Array.from({ length: count }, () => ({ names: [] as string[], inodes: 0 }));
    for (const layer of sizes) {
      const smallest = buckets.reduce((a, b) => (b.inodes < a.inodes ? b : a));
      smallest.names.push(layer.name);
      smallest.inodes += layer.inodes;
    }
    this.layerBuckets = buckets.filter((b) => b.names.length).map((b) => b.names);
    return this.layerBuckets;
  }

  private async prepareIfMissing(): Promise<string> {
    const ready = join(this.dir, 'ready');
    if (await exists(ready)) return this.dataDir;
    await mkdir(join(this.root, 'golden'), { recursive: true, mode: 0o700 });
    const id = `golden-${this.catalog.setHash}-${randomBytes(3).toString('hex')}`;
    const staging = join(this.root, 'golden', `.tmp-${id}`);
    const paths = sandboxPaths(join(this.root, 'golden', `.tmp-${id}`), 'prep');
    await mkdir(paths.data, { recursive: true });
    await writeFile(join(paths.data, READY_FLAG), '');
    await mkdir(paths.sock, { recursive: true, mode: 0o700 });
    await mkdir(paths.work, { recursive: true });
    let container: Docker.Container | undefined;
    try {
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
      await container.start();
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
      throw error instanceof SandboxInfrastructureError
        ? error
        : new SandboxInfrastructureError('golden store preparation failed', { cause: error });
    } finally {
      if (container) await container.remove({ force: true }).catch(() => undefined);
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /**
   * Checks the store against the digest recorded at preparation. A store written through a hard
   * link (only a deliberately malicious sandbox can) is moved aside for the reaper and prepared
   * again at the next acquire. Returns false when it was tampered with.
   */
  async verify(): Promise<boolean> {
    if (!(await exists(join(this.dir, 'ready')))) return true;
    if ((await this.currentDigest()) === (await this.recordedDigest())) return true;
    this.preparing = undefined;
    this.layerBuckets = undefined;
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
