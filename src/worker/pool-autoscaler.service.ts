import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { GradingProducer } from '../queue/grading.producer';
import { WorkerRegistry } from '../operations/worker-registry.service';
import { SANDBOX_DRIVER } from '../sandbox/sandbox.module';
import type { DockerSandboxDriver } from '../sandbox/sandbox.driver';

/** How often the warm pool's target is reconsidered: fast enough to meet a deadline's spike. */
export const POOL_ADAPT_INTERVAL_MS = 2000;

/**
 * Worker role: feeds the adaptive warm pool its outside signal — the grading queue's backlog and
 * how many workers share it — every POOL_ADAPT_INTERVAL_MS. The policy itself is in
 * src/sandbox/pool-sizer.ts; a fixed pool (SANDBOX_POOL_ADAPTIVE=false) ignores it.
 */
@Injectable()
export class PoolAutoscalerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PoolAutoscalerService.name);
  private timer?: NodeJS.Timeout;
  private failing = false;

  constructor(
    private readonly producer: GradingProducer,
    private readonly registry: WorkerRegistry,
    @Inject(SANDBOX_DRIVER) private readonly driver: DockerSandboxDriver,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.step(), POOL_ADAPT_INTERVAL_MS);
    this.timer.unref();
  }

  async step(): Promise<number | undefined> {
    try {
      const counts = await this.producer.queue.getJobCounts('waiting', 'prioritized');
      const workers = (await this.registry.alive()).length;
      const target = this.driver.adaptPool((counts.waiting ?? 0) + (counts.prioritized ?? 0), Math.max(1, workers));
      this.failing = false;
      return target;
    } catch (error) {
      // Redis unreachable: the pool keeps its current target; said once, not every 2 s.
      if (!this.failing) this.logger.warn(`warm pool not adapted: ${(error as Error).message}`);
      this.failing = true;
      return undefined;
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
