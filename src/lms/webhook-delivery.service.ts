import { Inject, Injectable, Logger } from '@nestjs/common';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { PrismaService } from '../database/prisma.service';
import { DeliveryKind, DeliveryStatus } from '../generated/prisma/enums';
import { AgsScoreSender } from '../lti/ags-score.sender';
import { parseRetryAfter, retryDelayMs } from './retry.schedule';
import { SendOutcome, WebhookSender } from './webhook.sender';
import { signMessage, validSecrets } from './webhook.signer';
import { WebhookDeliveryProducer } from './webhook-delivery.producer';

/** What one attempt decided. */
export type AttemptOutcome = 'delivered' | 'retry' | 'failed' | 'stale';

/** Statuses worth trying again besides 5xx: request timeout and rate limiting. */
const RETRYABLE_4XX = new Set([408, 429]);

/**
 * One delivery attempt: claim it in PostgreSQL, send (a signed webhook, or an LTI AGS score with
 * its bearer token), log the attempt, then decide —
 * delivered, retry later (schedule with jitter, or the receiver's Retry-After), or failed (other
 * 4xx, 410 which also disables the endpoint, schedule spent). The claim makes an attempt run at
 * most once even when its job runs twice; its lease lets the sweeper retry an attempt whose
 * worker died mid-request (the receiver dedupes on webhook-id).
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger(WebhookDeliveryService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly sender: WebhookSender,
    private readonly scores: AgsScoreSender,
    private readonly producer: WebhookDeliveryProducer,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** How long a claimed attempt may run before the sweeper assumes its worker died. */
  get leaseMs(): number {
    return this.env.WEBHOOK_TIMEOUT_MS + 10_000;
  }

  async attempt(deliveryId: string, attempt: number): Promise<AttemptOutcome> {
    const claimed = await this.prisma.webhookDelivery.updateMany({
      where: { id: deliveryId, status: DeliveryStatus.pending, attempts: attempt - 1 },
      data: { attempts: attempt, nextRetryAt: new Date(Date.now() + this.leaseMs) },
    });
    if (claimed.count === 0) return 'stale';
    const d = await this.prisma.webhookDelivery.findUniqueOrThrow({
      where: { id: deliveryId },
      select: {
        kind: true,
        body: true,
        roundStart: true,
        integration: {
          select: {
            id: true,
            enabled: true,
            webhookUrl: true,
            webhookSecret: true,
            webhookSecretPrevious: true,
            webhookPreviousUntil: true,
            webhookDisabledAt: true,
          },
        },
        ltiLaunch: {
          select: {
            lineItemUrl: true,
            resourceLink: {
              select: { platform: { select: { id: true, clientId: true, tokenUrl: true, enabled: true } } },
            },
          },
        },
      },
    });
    const startedAt = new Date();
    const notSent = async (why: string): Promise<AttemptOutcome> => {
      const o: SendOutcome = { kind: 'no-answer', reason: `not sent: ${why}`, durationMs: 0 };
      await this.log(deliveryId, attempt, startedAt, o);
      await this.finish(deliveryId, DeliveryStatus.failed, o);
      return 'failed';
    };
    let outcome: SendOutcome;
    const i = d.integration;
    if (d.kind === DeliveryKind.lti_score) {
      const launch = d.ltiLaunch;
      const platform = launch?.resourceLink.platform;
      if (!launch?.lineItemUrl || !platform) return notSent('no line item');
      if (!platform.enabled) return notSent('LTI platform disabled');
      outcome = await this.scores.post(
        { platformId: platform.id, clientId: platform.clientId, tokenUrl: platform.tokenUrl },
        launch.lineItemUrl,
        d.body,
      );
    } else {
      if (!i) return notSent('no integration');
      if (!i.enabled || !i.webhookUrl || i.webhookDisabledAt)
        return notSent(
          !i.enabled ? 'integration disabled' : !i.webhookUrl ? 'no webhook URL' : 'endpoint disabled (410)',
        );
      const headers = signMessage(
        deliveryId,
        startedAt,
        d.body,
        validSecrets({
          current: i.webhookSecret,
          previous: i.webhookSecretPrevious,
          previousUntil: i.webhookPreviousUntil,
        }),
      );
      outcome = await this.sender.post(i.webhookUrl, d.body, { ...headers });
    }
    await this.log(deliveryId, attempt, startedAt, outcome);

    if (outcome.kind === 'answered' && outcome.status >= 200 && outcome.status < 300) {
      await this.finish(deliveryId, DeliveryStatus.delivered, outcome);
      return 'delivered';
    }
    if (outcome.kind === 'answered' && outcome.status === 410 && i) {
      // Gone: the receiver asks us to stop. An admin sees why on the integration and re-enables it.
      await this.prisma.integration.update({
        where: { id: i.id },
        data: { webhookDisabledAt: new Date(), webhookDisabledReason: `410 Gone from ${i.webhookUrl}` },
      });
      this.logger.warn(`integration ${i.id}: webhook endpoint answered 410, disabled`);
      await this.finish(deliveryId, DeliveryStatus.failed, outcome);
      return 'failed';
    }
    const retryable =
      outcome.kind === 'no-answer' ||
      outcome.status >= 500 ||
      // An LTI platform refusing its own token (expired early, revoked): the retry gets a new one.
      (outcome.status === 401 && d.kind === DeliveryKind.lti_score) ||
      RETRYABLE_4XX.has(outcome.status) ||
      (outcome.status >= 300 && outcome.status < 400);
    const inRound = attempt - d.roundStart;
    const scheduled = retryDelayMs(this.env.WEBHOOK_RETRY_SCHEDULE_SECONDS, inRound);
    if (!retryable || scheduled === null) {
      await this.finish(deliveryId, DeliveryStatus.failed, outcome);
      return 'failed';
    }
    const asked =
      outcome.kind === 'answered' && (outcome.status === 429 || outcome.status === 503)
        ? parseRetryAfter(outcome.retryAfter)
        : null;
    const delay = asked ?? scheduled;
    await this.prisma.webhookDelivery.update({
      where: { id: deliveryId },
      data: { ...lastAnswer(outcome), nextRetryAt: new Date(Date.now() + delay) },
    });
    // If Redis fails here the row says when it is due and the sweeper queues it then.
    await this.producer.schedule(deliveryId, attempt + 1, delay).catch((err: Error) => {
      this.logger.warn(`delivery ${deliveryId}: retry left to the sweeper: ${err.message}`);
    });
    return 'retry';
  }

  private async log(deliveryId: string, number: number, startedAt: Date, o: SendOutcome): Promise<void> {
    await this.prisma.webhookDeliveryAttempt.createMany({
      data: [
        {
          deliveryId,
          number,
          startedAt,
          durationMs: o.durationMs,
          httpStatus: o.kind === 'answered' ? o.status : null,
          response: o.kind === 'answered' ? o.excerpt : o.reason,
        },
      ],
      skipDuplicates: true,
    });
  }

  private async finish(deliveryId: string, status: DeliveryStatus, o: SendOutcome): Promise<void> {
    await this.prisma.webhookDelivery.update({
      where: { id: deliveryId },
      data: {
        ...lastAnswer(o),
        status,
        nextRetryAt: null,
        deliveredAt: status === DeliveryStatus.delivered ? new Date() : undefined,
      },
    });
  }
}

function lastAnswer(o: SendOutcome): { lastStatus: number | null; lastResponse: string } {
  return o.kind === 'answered'
    ? { lastStatus: o.status, lastResponse: o.excerpt }
    : { lastStatus: null, lastResponse: o.reason };
}
