import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Job, Worker, type RedisOptions as BullRedisOptions } from 'bullmq';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { RedisService } from '../redis/redis.service';
import { WEBHOOK_QUEUE, WebhookJobData, WebhookJobName } from './webhook-queue.constants';
import { AttemptOutcome, WebhookDeliveryService } from './webhook-delivery.service';

/**
 * The webhook queue's consumer (worker role only), its own BullMQ worker with its own
 * concurrency: deliveries waiting on slow receivers never take a grading slot. Thin: each job is
 * one attempt handed to WebhookDeliveryService.
 */
@Injectable()
export class WebhookDeliveryProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);
  private worker?: Worker<WebhookJobData, AttemptOutcome, WebhookJobName>;

  constructor(
    private readonly deliveries: WebhookDeliveryService,
    private readonly redis: RedisService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker<WebhookJobData, AttemptOutcome, WebhookJobName>(
      WEBHOOK_QUEUE,
      (job) => this.process(job),
      {
        connection: this.redis.connectionOptions() as BullRedisOptions,
        prefix: this.redis.prefix,
        concurrency: this.env.WEBHOOK_CONCURRENCY,
      },
    );
    this.worker.on('error', (err) => this.logger.warn(`webhook worker: ${err.message}`));
  }

  async process(job: Job<WebhookJobData, AttemptOutcome, WebhookJobName>): Promise<AttemptOutcome> {
    switch (job.name) {
      case WebhookJobName.Deliver:
        return this.deliveries.attempt(job.data.deliveryId, job.data.attempt);
      default: {
        const unknown: never = job.name;
        throw new Error(`no handler for webhook job ${String(unknown)}`);
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    // An attempt cut by the shutdown is retried by the sweeper once its lease ends.
    await this.worker?.close();
  }
}
