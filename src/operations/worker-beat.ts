import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/** What a worker process publishes every few seconds (Redis key `<prefix>:workers:<host>:<pid>`). */
export interface WorkerBeat {
  id: string;
  host: string;
  pid: number;
  /** The Docker engine its sandboxes run on (DOCKER_HOST). */
  engine: string;
  startedAt: string;
  beatAt: string;
  /** Grading jobs running now. */
  jobs: string[];
  /** Set while it takes no job because its host cannot start sandboxes (engine down, scratch full). */
  unavailable?: string;
  /** target: warm sandboxes the (adaptive) pool aims to keep now. */
  sandboxes: { ready: number; inUse: number; creating: number; target?: number };
  /** Content hash of the image set its sandboxes are made from. */
  imageSet?: string;
  recentErrors: Array<{ at: string; cause: string; message: string }>;
  /** Its Prometheus metrics (prom-client JSON), aggregated into the api's /metrics. */
  metrics: Array<MetricObjectWithValues<MetricValue<string>>>;
}

/** A beat older than this means the worker is gone (or stuck): /health/ready and workers_alive. */
export const BEAT_FRESH_MS = 30_000;
/** How often a worker beats; the key expires after three missed beats more than the freshness window. */
export const BEAT_INTERVAL_MS = 5_000;
export const BEAT_TTL_SECONDS = 60;

export function beatKeyPrefix(redisPrefix: string): string {
  return `${redisPrefix}:workers:`;
}
