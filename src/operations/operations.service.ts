import { Injectable } from '@nestjs/common';
import { hostname } from 'node:os';
import { AggregatorRegistry } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { GradingProducer } from '../queue/grading.producer';
import type { WorkerBeat } from './worker-beat';
import { WorkerRegistry } from './worker-registry.service';

export interface OperationsReport {
  queue: Record<string, number>;
  workers: Array<Omit<WorkerBeat, 'metrics'> & { ageSeconds: number }>;
  /** Summed over live workers; target: warm sandboxes the pools aim to keep now. */
  sandboxes: { ready: number; inUse: number; creating: number; target: number };
  imageSets: string[];
  recentErrors: Array<{ worker: string; at: string; cause: string; message: string }>;
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children'] as const;

/** What an operator looks at (api role): queue depth, workers, sandboxes, recent failures; and /metrics. */
@Injectable()
export class OperationsService {
  constructor(
    private readonly metrics: MetricsService,
    private readonly producer: GradingProducer,
    private readonly workers: WorkerRegistry,
  ) {
    this.metrics.registry.setDefaultLabels({ process: `api ${hostname()}:${process.pid}` });
  }

  async queueCounts(): Promise<Record<string, number>> {
    return this.producer.queue.getJobCounts(...QUEUE_STATES);
  }

  /** The api's metrics and the live workers', in Prometheus text (one series per process). */
  async prometheusText(): Promise<string> {
    const [counts, alive] = await Promise.all([this.queueCounts(), this.workers.alive()]);
    for (const [state, value] of Object.entries(counts)) this.metrics.queueJobs.set({ state }, value);
    this.metrics.workersAlive.set(alive.length);
    const own = await this.metrics.registry.getMetricsAsJSON();
    return AggregatorRegistry.aggregate([own, ...alive.map((b) => b.metrics)]).metrics();
  }

  async report(): Promise<OperationsReport> {
    const [queue, alive] = await Promise.all([this.queueCounts(), this.workers.alive()]);
    const now = Date.now();
    const sandboxes = { ready: 0, inUse: 0, creating: 0, target: 0 };
    for (const b of alive) {
      sandboxes.ready += b.sandboxes.ready;
      sandboxes.inUse += b.sandboxes.inUse;
      sandboxes.creating += b.sandboxes.creating;
      sandboxes.target += b.sandboxes.target ?? b.sandboxes.ready;
    }
    return {
      queue,
      workers: alive.map(({ metrics: _metrics, ...beat }) => ({
        ...beat,
        ageSeconds: Math.round((now - Date.parse(beat.beatAt)) / 1000),
      })),
      sandboxes,
      imageSets: [...new Set(alive.flatMap((b) => (b.imageSet ? [b.imageSet] : [])))],
      recentErrors: alive
        .flatMap((b) => b.recentErrors.map((e) => ({ worker: b.id, ...e })))
        .sort((a, b) => b.at.localeCompare(a.at))
        .slice(0, 20),
    };
  }
}
