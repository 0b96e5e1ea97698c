/**
 * Sandbox start-up benchmark (npm run bench:sandbox). Needs the host engine and the images from
 * scripts/build-images.sh. Prints a table and writes bench/results/sandbox.json.
 * Env: BENCH_COLD_RUNS (default 10), BENCH_WARM_RUNS (10), BENCH_NAIVE_RUNS (3).
 */
import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadEnv } from '../src/config/env';
import { type ImageCatalog, loadImageCatalog, repositoryManifestPath } from '../src/sandbox/image-catalog';
import { imageSetHash } from '../src/sandbox/image-hash';
import { prepareSandboxDirs, startSandboxContainer } from '../src/sandbox/sandbox-start';
import { waitForInnerEngine } from '../src/sandbox/inner-engine';
import { sandboxConfigFromEnv } from '../src/sandbox/sandbox.config';
import { sandboxContainerSpec, sandboxPaths } from '../src/sandbox/sandbox-container';
import { SandboxLabels, currentOwner } from '../src/sandbox/sandbox.labels';
import { DockerSandboxDriver } from '../src/sandbox/sandbox.driver';

const docker = new Docker();
const config = { ...sandboxConfigFromEnv(loadEnv()), poolSize: 0 };
const catalog = loadImageCatalog(repositoryManifestPath);
const runs = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [Math.round(performance.now() - t0), value];
}

function driverFor(cat: ImageCatalog, poolSize = 0): DockerSandboxDriver {
  return new DockerSandboxDriver(docker, { ...config, poolSize }, cat, (m, e) => console.error(m, e));
}

/** Cold starts: acquire with no pool, until the inner engine answers with every image present. */
async function coldStarts(driver: DockerSandboxDriver, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const [ms, sandbox] = await timed(() => driver.acquire());
    times.push(ms);
    await driver.release(sandbox);
  }
  return times;
}

/** The baseline: a sandbox with an empty engine, then `docker save | docker load` of the same images. */
async function naiveStart(driver: DockerSandboxDriver): Promise<number> {
  const id = `naive-${Date.now().toString(36)}`;
  const paths = sandboxPaths(config.root, id);
  const isolation = await driver.isolation();
  await prepareSandboxDirs(paths, isolation);
  const t0 = performance.now();
  const container = await docker.createContainer(
    sandboxContainerSpec({
      id,
      image: catalog.sandbox.tag,
      paths,
      limits: config.limits,
      labels: {
        [SandboxLabels.sandbox]: id,
        [SandboxLabels.owner]: currentOwner(),
        [SandboxLabels.deadline]: String(Date.now() + 600_000),
      },
    }),
  );
  try {
    await startSandboxContainer(container, paths, isolation);
    const inner = await waitForInnerEngine(paths.socketPath, container, 30_000);
    const exporter = docker as unknown as { getImages(o: { names: string[] }): Promise<NodeJS.ReadableStream> };
    const tarball = await exporter.getImages({ names: catalog.course.flatMap((i) => i.tags) });
    const loading = await inner.loadImage(tarball, { quiet: true });
    await new Promise<void>((resolve, reject) =>
      inner.modem.followProgress(loading, (err: Error | null) => (err ? reject(err) : resolve())),
    );
    return Math.round(performance.now() - t0);
  } finally {
    await container.remove({ force: true });
    await rm(paths.dir, { recursive: true, force: true });
  }
}

async function idleMemoryMb(driver: DockerSandboxDriver): Promise<number> {
  const sandbox = await driver.acquire();
  try {
    await new Promise((r) => setTimeout(r, 5000));
    const container = docker.getContainer((sandbox as unknown as { container: Docker.Container }).container.id);
    const stats = (await container.stats({ stream: false })) as unknown as {
      memory_stats: { usage: number; stats: Record<string, number> };
    };
    const m = stats.memory_stats;
    // What `docker stats` shows: usage minus reclaimable page cache.
    return Math.round((m.usage - (m.stats.total_inactive_file ?? m.stats.inactive_file ?? 0)) / 1024 / 1024);
  } finally {
    await driver.release(sandbox);
  }
}

async function main(): Promise<void> {
  const driver = driverFor(catalog);
  const [goldenMs] = await timed(() => driver.golden.ensure());
  const goldenMb = Number(execFileSync('du', ['-sm', driver.golden.dataDir]).toString().split('\t')[0]);

  console.log('cold starts…');
  const cold = await coldStarts(driver, runs('BENCH_COLD_RUNS', 10));

  console.log('warm acquires…');
  const pooled = driverFor(catalog, 1);
  const warm: number[] = [];
  for (let i = 0; i < runs('BENCH_WARM_RUNS', 10); i++) {
    pooled.pool.refill();
    await pooled.pool.waitUntilWarm(1);
    const [ms, sandbox] = await timed(() => pooled.acquire());
    warm.push(ms);
    await pooled.release(sandbox);
  }
  await pooled.shutdown();

  console.log('naive baseline (fresh engine + docker load)…');
  const naive: number[] = [];
  for (let i = 0; i < runs('BENCH_NAIVE_RUNS', 3); i++) naive.push(await naiveStart(driver));

  console.log('idle memory…');
  const idleMemMb = await idleMemoryMb(driver);

  console.log('cold start vs image set size…');
  const bySize: { images: string[]; storeMb: number; coldP50Ms: number }[] = [];
  const subsets = [
    ['hello-world'],
    ['hello-world', 'alpine', 'busybox', 'debian'],
    ['hello-world', 'alpine', 'busybox', 'debian', 'redis', 'nginx', 'mongo'],
  ];
  for (const names of subsets) {
    const course = catalog.course.filter((i) => names.includes(i.name));
    const sub: ImageCatalog = {
      ...catalog,
      course,
      setHash: imageSetHash([catalog.sandbox.hash, ...course.map((i) => i.hash), 'bench-subset']),
    };
    const subDriver = driverFor(sub);
    await subDriver.golden.ensure();
    const storeMb = Number(execFileSync('du', ['-sm', subDriver.golden.dataDir]).toString().split('\t')[0]);
    bySize.push({ images: names, storeMb, coldP50Ms: percentile(await coldStarts(subDriver, 5), 50) });
    await rm(subDriver.golden.dir, { recursive: true, force: true });
  }
  bySize.push({ images: catalog.course.map((i) => i.name), storeMb: goldenMb, coldP50Ms: percentile(cold, 50) });

  console.log('concurrent cold starts…');
  const concurrency: { sandboxes: number; p50Ms: number; maxMs: number; wallMs: number }[] = [];
  for (const k of [1, 2, 4, 8]) {
    const [wallMs, results] = await timed(() =>
      Promise.all(Array.from({ length: k }, () => timed(() => driver.acquire()))),
    );
    const times = results.map(([ms]) => ms);
    concurrency.push({ sandboxes: k, p50Ms: percentile(times, 50), maxMs: Math.max(...times), wallMs });
    await Promise.all(results.map(([, s]) => driver.release(s)));
  }
  await driver.shutdown();

  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, loadAverage1m: Number(loadavg()[0].toFixed(2)) },
    courseImages: catalog.course.map((i) => i.name),
    goldenStoreMb: goldenMb,
    goldenPrepareMs: goldenMs,
    coldRuns: cold,
    coldP50Ms: percentile(cold, 50),
    coldP95Ms: percentile(cold, 95),
    warmP50Ms: percentile(warm, 50),
    warmRuns: warm,
    naiveRuns: naive,
    naiveP50Ms: percentile(naive, 50),
    speedupVsNaive: Number((percentile(naive, 50) / percentile(cold, 50)).toFixed(1)),
    idleMemMb,
    coldBySize: bySize,
    coldByConcurrency: concurrency,
  };
  await mkdir(join(__dirname, 'results'), { recursive: true });
  await writeFile(join(__dirname, 'results', 'sandbox.json'), `${JSON.stringify(result, null, 2)}\n`);

  console.log('\nSandbox benchmark (targets: cold p50 ≤ 1000 ms, ≥ 10× naive, warm p50 ≤ 50 ms, idle ≤ 100 MB)');
  console.table({
    'cold start p50 (ms)': result.coldP50Ms,
    'cold start p95 (ms)': result.coldP95Ms,
    'warm acquire p50 (ms)': result.warmP50Ms,
    'naive start p50 (ms)': result.naiveP50Ms,
    'speed-up vs naive': result.speedupVsNaive,
    'idle memory (MB)': result.idleMemMb,
    'golden store (MB)': result.goldenStoreMb,
    'load average (1 min)': result.machine.loadAverage1m,
  });
  console.table(bySize.map((b) => ({ images: b.images.length, 'store MB': b.storeMb, 'cold p50 ms': b.coldP50Ms })));
  console.table(concurrency);
  console.log('written bench/results/sandbox.json');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
