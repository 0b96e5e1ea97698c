import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { MetricsService } from '../metrics/metrics.service';
import { GradingProcessor } from '../worker/grading.processor';
import { GradingRunService } from '../worker/grading-run.service';
import { RedisService } from '../redis/redis.service';
import { SANDBOX_DRIVER } from '../sandbox/sandbox.module';
import type { DockerSandboxDriver } from '../sandbox/sandbox.driver';
import { BEAT_INTERVAL_MS, BEAT_TTL_SECONDS, beatKeyPrefix, type WorkerBeat } from './worker-beat';

/**
 * Worker role: publishes this process's state and metrics to Redis every BEAT_INTERVAL_MS. The api
 * reads the beats for /health/ready (a worker is alive), /metrics (aggregated) and the operations
 * page, so workers need no port of their own and may run on any host that reaches Redis.
 */
@Injectable()
export class WorkerHeartbeatService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHeartbeatService.name);
  private readonly host = hostname();
  private readonly id = `${this.host}:${process.pid}`;
  private readonly startedAt = new Date().toISOString();
  private timer?: NodeJS.Timeout;
  /**
   * Its own connection: the shared client is closed when modules are destroyed, before the
   * shutdown hook that removes this worker's beat runs.
   */
  private readonly client: Redis;

  constructor(
    private readonly redis: RedisService,
    private readonly metrics: MetricsService,
    private readonly processor: GradingProcessor,
    private readonly runs: GradingRunService,
    @Inject(SANDBOX_DRIVER) private readonly driver: DockerSandboxDriver,
    @Inject(ENV) private readonly env: Env,
  ) {
    this.metrics.registry.setDefaultLabels({ process: `worker ${this.id}` });
    this.client = new Redis({ ...this.redis.connectionOptions(), lazyConnect: true });
    this.client.on('error', () => undefined); // a failed beat is logged in beat()
  }

  private get key(): string {
    return `${beatKeyPrefix(this.redis.prefix)}${this.id}`;
  }

  onApplicationBootstrap(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), BEAT_INTERVAL_MS);
    this.timer.unref();
  }

  async beat(): Promise<void> {
    try {
      const sandboxes = this.driver.stats();
      for (const [state, value] of Object.entries({
        ready: sandboxes.ready,
        in_use: sandboxes.inUse,
        creating: sandboxes.creating,
      }))
        this.metrics.sandboxes.set({ state }, value);
      this.metrics.sandboxPoolTarget.set(sandboxes.target);
      const beat: WorkerBeat = {
        id: this.id,
        host: this.host,
        pid: process.pid,
        engine: this.env.DOCKER_HOST,
        startedAt: this.startedAt,
        beatAt: new Date().toISOString(),
        jobs: this.processor.activeJobIds(),
        unavailable: this.processor.unavailableReason(),
        sandboxes,
        imageSet: this.driver.imageSet,
        recentErrors: this.runs.recentInfrastructureErrors,
        metrics: await this.metrics.registry.getMetricsAsJSON(),
      };
      await this.client.set(this.key, JSON.stringify(beat), 'EX', BEAT_TTL_SECONDS);
    } catch (err) {
      this.logger.warn(`heartbeat not published: ${(err as Error).message}`);
    }
  }

  /** A stopped worker leaves at once rather than when its beat goes stale. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.client.del(this.key).catch(() => undefined);
    this.client.disconnect();
  }
}
