import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { RetentionService } from './retention.service';

/** How often the retention policy runs; the purge is idempotent, so several workers may run it. */
const RETENTION_INTERVAL_MS = 6 * 3600_000;

/** Worker role: applies RETENTION_DAYS at start and every six hours (0: transcripts kept forever). */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionScheduler.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly retention: RetentionService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  onApplicationBootstrap(): void {
    if (this.env.RETENTION_DAYS === 0) return;
    void this.run();
    this.timer = setInterval(() => void this.run(), RETENTION_INTERVAL_MS);
    this.timer.unref();
  }

  async run(): Promise<void> {
    try {
      const { results, before } = await this.retention.purgeTranscripts(this.env.RETENTION_DAYS);
      if (results > 0) this.logger.log(`retention: ${results} transcripts emptied (before ${before.toISOString()})`);
    } catch (error) {
      this.logger.warn(`retention not applied: ${(error as Error).message}`);
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
