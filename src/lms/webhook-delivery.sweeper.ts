import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { PrismaService } from '../database/prisma.service';
import { DeliveryStatus } from '../generated/prisma/enums';
import { WebhookDeliveryProducer } from './webhook-delivery.producer';

/** Rows handled per sweep. */
const BATCH = 500;

/**
 * The outbox relay's safety net (worker role): queues every pending delivery whose next attempt
 * is overdue — queued never (Redis down at commit, process died), or claimed by a worker that died
 * mid-request (lease ended). Job ids are per attempt, so a job still queued is not duplicated.
 */
@Injectable()
export class WebhookDeliverySweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDeliverySweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: WebhookDeliveryProducer,
    @Inject(ENV) private readonly env: Env,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.env.WEBHOOK_SWEEP_INTERVAL_SECONDS * 1000;
    const tick = () =>
      void this.sweep()
        .catch((err: Error) => this.logger.warn(`webhook sweep failed: ${err.message}`))
        .finally(() => (this.timer = setTimeout(tick, every)));
    this.timer = setTimeout(tick, every);
  }

  /** Returns how many deliveries it queued. */
  async sweep(): Promise<number> {
    // A little slack: a delayed job due this instant is about to run by itself.
    const overdue = new Date(Date.now() - 2000);
    const rows = await this.prisma.webhookDelivery.findMany({
      where: { status: DeliveryStatus.pending, nextRetryAt: { lt: overdue } },
      select: { id: true, attempts: true },
      orderBy: { nextRetryAt: 'asc' },
      take: BATCH,
    });
    for (const r of rows) await this.producer.schedule(r.id, r.attempts + 1);
    if (rows.length > 0) this.logger.log(`queued ${rows.length} overdue webhook delivery(ies)`);
    return rows.length;
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
  }
}
