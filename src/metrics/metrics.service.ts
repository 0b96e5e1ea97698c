import { Global, Injectable, Module } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every metric name starts with this (docs/operations.md lists them). */
export const METRIC_PREFIX = 'dockgrader_';

/**
 * This process's Prometheus metrics (prom-client). Both roles declare the same set; each records
 * what it does (the api: HTTP and intake; a worker: gradings and sandboxes). Workers publish theirs
 * with their heartbeat and the api's /metrics aggregates them (src/operations/), so Prometheus
 * scrapes one target however many workers run, wherever they run.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'HTTP requests by route pattern, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly submissions = new Counter({
    name: `${METRIC_PREFIX}submissions_total`,
    help: 'Submissions received: outcome accepted or refused, with the reason of a refusal',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });

  readonly gradingDuration = new Histogram({
    name: `${METRIC_PREFIX}grading_duration_seconds`,
    help: 'One grading run (sandbox acquired to result stored), by exercise and outcome (graded or error)',
    labelNames: ['exercise', 'outcome'] as const,
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
    registers: [this.registry],
  });

  readonly sandboxAcquire = new Histogram({
    name: `${METRIC_PREFIX}sandbox_acquire_seconds`,
    help: 'Time a grading waited for its sandbox (warm from the pool, or created on demand)',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });

  readonly sandboxes = new Gauge({
    name: `${METRIC_PREFIX}sandboxes`,
    help: 'Sandboxes of this worker by state: ready (warm pool), in_use, creating',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly sandboxPoolTarget = new Gauge({
    name: `${METRIC_PREFIX}sandbox_pool_target`,
    help: 'Warm sandboxes this worker aims to keep now (the adaptive pool follows demand; fixed: SANDBOX_POOL_SIZE)',
    registers: [this.registry],
  });

  readonly infrastructureErrors = new Counter({
    name: `${METRIC_PREFIX}infrastructure_errors_total`,
    help: 'Grading runs that failed for an infrastructure reason (retried, then status error), by cause',
    labelNames: ['cause'] as const,
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: `${METRIC_PREFIX}queue_jobs`,
    help: 'Grading queue jobs by state (read from Redis at each scrape by the api)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly workersAlive = new Gauge({
    name: `${METRIC_PREFIX}workers_alive`,
    help: 'Worker processes whose heartbeat is younger than 30 s',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
  }
}

/** The metrics registry of this process, available everywhere without importing the module. */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
