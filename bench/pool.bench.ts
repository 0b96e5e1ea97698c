/**
 * Warm pool under a deadline spike (npm run bench:pool): the fixed pool (SANDBOX_POOL_SIZE warm
 * sandboxes, always) against the adaptive one (src/sandbox/pool-sizer.ts), in the same run, on
 * the real engine and sandboxes. Prints a table and writes bench/results/pool.json.
 *
 * One simulated worker per variant, as the grading worker runs: a local queue, WORKER_CONCURRENCY
 * slots, and the pool adapted every 2 s from the backlog (as PoolAutoscalerService does). Each
 * submission: wait in the queue, acquire a sandbox, run its first command (`docker version`
 * against the inner engine: the moment a student's first line could run), then a short grading
 * (`docker run --rm hello-world`), release. Arrivals are evenly spread over the spike.
 *
 * Figures: time to first command (arrival → first command done) p50/p95/max, graded/min over the
 * spike, and the pool's target before, during and after (the adaptive pool shrinking when idle).
 * Arrivals come in bursts of BENCH_BURST submissions (1: evenly spread), as a class submitting
 * together before a deadline.
 *
 * Conclusive on a shared machine by design: the neighbours' load moves one spike's figures by
 * several times (3.6× between two runs of the same variant), so one spike per variant says
 * nothing. Each round runs both variants back to back, in alternating order (fixed first, then
 * adaptive first: a load that drifts over the run favours neither), and the comparison is made
 * within rounds: per round the ratio adaptive / fixed, then the median of those ratios with their
 * range, and how many rounds each variant won. Each variant's own figures are given as the median
 * over rounds with their range, next to the load average each spike started under.
 * Env: BENCH_SPIKE_JOBS (24), BENCH_SPIKE_SECONDS (12), BENCH_BURST (1), BENCH_ROUNDS (5), BENCH_CONCURRENCY (2),
 * BENCH_IDLE_SECONDS (20: the adaptive pool's idle time, shortened to see it shrink).
 */
import Docker from 'dockerode';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadEnv } from '../src/config/env';
import { loadImageCatalog, repositoryManifestPath } from '../src/sandbox/image-catalog';
import { type SandboxConfig, sandboxConfigFromEnv } from '../src/sandbox/sandbox.config';
import { DockerSandboxDriver } from '../src/sandbox/sandbox.driver';

const docker = new Docker();
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const JOBS = num('BENCH_SPIKE_JOBS', 24);
const SPIKE_MS = num('BENCH_SPIKE_SECONDS', 12) * 1000;
const ROUNDS = num('BENCH_ROUNDS', 5);
const BURST = Math.max(1, num('BENCH_BURST', 1));
const CONCURRENCY = num('BENCH_CONCURRENCY', 2);
const IDLE_SECONDS = num('BENCH_IDLE_SECONDS', 20);
const ADAPT_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface SpikeResult {
  variant: 'fixed' | 'adaptive';
  round: number;
  firstCommandMs: number[];
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  gradedPerMin: number;
  warmHits: number;
  targetBefore: number;
  targetMaxDuring: number;
  targetAfterIdle: number;
  /** One-minute load average when the spike started: the noise this spike ran under. */
  loadAtStart: number;
}

async function spike(variant: 'fixed' | 'adaptive', round: number, base: SandboxConfig): Promise<SpikeResult> {
  const config: SandboxConfig = {
    ...base,
    adaptivePool:
      variant === 'adaptive'
        ? { max: CONCURRENCY, idleSeconds: IDLE_SECONDS, reserveMb: 1024, concurrency: CONCURRENCY }
        : undefined,
  };
  const driver = new DockerSandboxDriver(docker, config, loadImageCatalog(repositoryManifestPath), (m, e) =>
    console.error(m, e),
  );
  await driver.init();
  await driver.pool.waitUntilWarm();
  const targetBefore = driver.pool.target;

  const queue: { arrivedAt: number }[] = [];
  const firstCommandMs: number[] = [];
  let warmHits = 0;
  let arrived = 0;
  let done = 0;
  let targetMaxDuring = targetBefore;
  const adapter = setInterval(() => {
    targetMaxDuring = Math.max(targetMaxDuring, driver.adaptPool(queue.length, 1));
  }, ADAPT_MS);

  const loadAtStart = loadavg()[0];
  const t0 = performance.now();
  const arrivals = (async () => {
    for (let i = 0; i < JOBS; i++) {
      const due = t0 + (Math.floor(i / BURST) * BURST * SPIKE_MS) / JOBS;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      queue.push({ arrivedAt: performance.now() });
      arrived++;
    }
  })();
  const slot = async () => {
    while (arrived < JOBS || queue.length > 0) {
      const job = queue.shift();
      if (!job) {
        await sleep(10);
        continue;
      }
      if (driver.pool.available > 0) warmHits++;
      const sandbox = await driver.acquire();
      try {
        const first = await sandbox.exec('docker version --format "{{.Server.Version}}"', { timeoutMs: 30_000 });
        if (first.exitCode !== 0) throw new Error(`first command failed: ${first.output}`);
        firstCommandMs.push(performance.now() - job.arrivedAt);
        const rest = await sandbox.exec('docker run --rm hello-world', { timeoutMs: 60_000 });
        if (rest.exitCode !== 0) throw new Error(`grading command failed: ${rest.output}`);
      } finally {
        await driver.release(sandbox);
      }
      done++;
    }
  };
  await Promise.all([arrivals, ...Array.from({ length: CONCURRENCY }, slot)]);
  const spikeMs = performance.now() - t0;

  // After the spike: nothing arrives; the adaptive pool returns to its floor after its idle time
  // (the fixed pool's target never moves: no wait).
  if (variant === 'adaptive') await sleep((IDLE_SECONDS + 2) * 1000 + ADAPT_MS);
  clearInterval(adapter);
  const targetAfterIdle = driver.adaptPool(0, 1);
  await driver.shutdown();

  return {
    variant,
    round,
    firstCommandMs: firstCommandMs.map(Math.round),
    p50Ms: Math.round(percentile(firstCommandMs, 50)),
    p95Ms: Math.round(percentile(firstCommandMs, 95)),
    maxMs: Math.round(Math.max(...firstCommandMs)),
    gradedPerMin: Math.round((done / spikeMs) * 60_000 * 10) / 10,
    warmHits,
    targetBefore,
    targetMaxDuring,
    targetAfterIdle,
    loadAtStart: Math.round(loadAtStart * 10) / 10,
  };
}

/** Median and range of a few values (one per round). */
interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

const METRICS = [
  { key: 'p50Ms', label: 'first cmd p50', unit: 's', lowerIsBetter: true },
  { key: 'p95Ms', label: 'first cmd p95', unit: 's', lowerIsBetter: true },
  { key: 'gradedPerMin', label: 'graded/min', unit: '', lowerIsBetter: false },
] as const;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}`;
const show = (m: (typeof METRICS)[number], v: number) => (m.unit === 's' ? seconds(v) : v.toFixed(1));
const cell = (m: (typeof METRICS)[number], s: Spread) =>
  `${show(m, s.median)}${m.unit && ` ${m.unit}`} (${show(m, s.min)}–${show(m, s.max)})`;

export async function main(): Promise<number> {
  const base = { ...sandboxConfigFromEnv(loadEnv()), poolSize: num('SANDBOX_POOL_SIZE', 1) };
  const rounds: Record<'fixed' | 'adaptive', SpikeResult>[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternating order (fixed first in odd rounds): a drifting load favours neither variant.
    const order = round % 2 ? (['fixed', 'adaptive'] as const) : (['adaptive', 'fixed'] as const);
    const pair = {} as Record<'fixed' | 'adaptive', SpikeResult>;
    for (const variant of order) {
      console.log(
        `round ${round}/${ROUNDS}: ${variant} pool, ${JOBS} submissions in ${SPIKE_MS / 1000} s, bursts of ${BURST}…`,
      );
      pair[variant] = await spike(variant, round, base);
    }
    rounds.push(pair);
  }

  const perVariant = (variant: 'fixed' | 'adaptive') => {
    const rs = rounds.map((r) => r[variant]);
    return {
      variant,
      p50Ms: spread(rs.map((r) => r.p50Ms)),
      p95Ms: spread(rs.map((r) => r.p95Ms)),
      gradedPerMin: spread(rs.map((r) => r.gradedPerMin)),
      warmHitRate: Math.round((rs.reduce((a, r) => a + r.warmHits, 0) / (rs.length * JOBS)) * 100) / 100,
      loadAtStart: spread(rs.map((r) => r.loadAtStart)),
      targetBefore: rs[0].targetBefore,
      targetMaxDuring: Math.max(...rs.map((r) => r.targetMaxDuring)),
      targetAfterIdle: rs[rs.length - 1].targetAfterIdle,
    };
  };
  const summary = [perVariant('fixed'), perVariant('adaptive')];
  // Paired within each round: what the comparison rests on.
  const paired = METRICS.map((m) => {
    const ratios = rounds.map((r) => r.adaptive[m.key] / r.fixed[m.key]);
    const adaptiveWins = rounds.filter((r) =>
      m.lowerIsBetter ? r.adaptive[m.key] < r.fixed[m.key] : r.adaptive[m.key] > r.fixed[m.key],
    ).length;
    return { metric: m.key, label: m.label, ratio: spread(ratios), adaptiveWins, rounds: rounds.length };
  });

  console.log('');
  console.log('round | order            | load fixed / adaptive | p95 fixed / adaptive | graded/min fixed / adaptive');
  for (const [i, r] of rounds.entries())
    console.log(
      `${String(i + 1).padEnd(5)} | ${(i % 2 ? 'adaptive, fixed' : 'fixed, adaptive').padEnd(16)} | ${`${r.fixed.loadAtStart} / ${r.adaptive.loadAtStart}`.padEnd(21)} | ${`${seconds(r.fixed.p95Ms)} s / ${seconds(r.adaptive.p95Ms)} s`.padEnd(20)} | ${r.fixed.gradedPerMin} / ${r.adaptive.gradedPerMin}`,
    );
  console.log('');
  console.log(`median over ${rounds.length} rounds (min–max):`);
  console.log(
    `pool      | ${METRICS.map((m) => m.label.padEnd(22)).join(' | ')} | warm hits | target before → max → after idle`,
  );
  for (const s of summary)
    console.log(
      `${s.variant.padEnd(9)} | ${METRICS.map((m) => cell(m, s[m.key]).padEnd(22)).join(' | ')} | ${`${Math.round(s.warmHitRate * 100)} %`.padEnd(9)} | ${s.targetBefore} → ${s.targetMaxDuring} → ${s.targetAfterIdle}`,
    );
  console.log(
    `adaptive / fixed, paired by round: ${paired
      .map((p) => {
        const { ratio } = p;
        return `${p.label} ×${ratio.median.toFixed(2)} (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}), adaptive better in ${p.adaptiveWins}/${p.rounds}`;
      })
      .join('; ')}`,
  );
  const out = join(__dirname, 'results');
  await mkdir(out, { recursive: true });
  await writeFile(
    join(out, 'pool.json'),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        machine: { cores: cpus().length, memoryMb: Math.round(totalmem() / 2 ** 20), loadavg: loadavg() },
        spike: { jobs: JOBS, seconds: SPIKE_MS / 1000, burst: BURST, concurrency: CONCURRENCY, rounds: ROUNDS },
        summary,
        paired,
        runs: rounds.flatMap((r) => [r.fixed, r.adaptive]),
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`written ${join(out, 'pool.json')}`);
  return 0;
}
