import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Queue, type RedisOptions as BullRedisOptions } from 'bullmq';
import { RedisService } from '../redis/redis.service';
import { WEBHOOK_QUEUE, WebhookJobData, WebhookJobName, webhookJobId } from './webhook-queue.constants';

/** The single producer of webhook delivery jobs (grading run, sweeper, redeliver). */
@Injectable()
export class WebhookDeliveryProducer implements OnModuleDestroy {
  private readonly logger = new Logger(WebhookDeliveryProducer.name);
  readonly queue: Queue<WebhookJobData, void, WebhookJobName>;

  constructor(redis: RedisService) {
    this.queue = new Queue(WEBHOOK_QUEUE, {
      connection: redis.connectionOptions() as BullRedisOptions,
      prefix: redis.prefix,
      // Retries are scheduled by the delivery service (one job per attempt), not by BullMQ:
      // the schedule, Retry-After and the log live in PostgreSQL.
      defaultJobOptions: { attempts: 1, removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 86400 } },
    });
    this.queue.on('error', (err) => this.logger.warn(`webhook queue: ${err.message}`));
  }

  /** Queues attempt `attempt` of a delivery after `delayMs`; a no-op if that attempt is already queued. */
  async schedule(deliveryId: string, attempt: number, delayMs = 0): Promise<void> {
    await this.queue.add(
      WebhookJobName.Deliver,
      { deliveryId, attempt },
      { jobId: webhookJobId(deliveryId, attempt), delay: Math.max(0, delayMs) },
    );
  }

  /**
   * After the outbox row committed: queue without making grading wait or fail. If Redis is
   * down the row stays pending and the sweeper queues it.
   */
  scheduleSoon(deliveryIds: string[]): void {
    for (const id of deliveryIds)
      this.schedule(id, 1).catch((err: Error) =>
        this.logger.warn(`delivery ${id} left to the sweeper: ${err.message}`),
      );
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
  }
}
