import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { PrismaService } from '../database/prisma.service';
import { DeliveryStatus } from '../generated/prisma/enums';
import type { DeliveryListQuery } from './integration.schemas';
import { WebhookDeliveryProducer } from './webhook-delivery.producer';

const deliverySelect = {
  id: true,
  submissionId: true,
  event: true,
  sequence: true,
  status: true,
  attempts: true,
  lastStatus: true,
  lastResponse: true,
  nextRetryAt: true,
  createdAt: true,
  deliveredAt: true,
  attemptLog: {
    orderBy: { number: 'asc' },
    select: { number: true, startedAt: true, durationMs: true, httpStatus: true, response: true },
  },
  // A score sent to an LTI platform: whose, for which activity.
  ltiLaunch: { select: { user: { select: { displayName: true } }, resourceLink: { select: { title: true } } } },
} as const;

/** Whose deliveries a log shows: one webhook integration's, or the scores sent to one LTI platform. */
export type DeliveryOwner = { integrationId: string } | { ltiPlatformId: string };

/** The delivery log (admins) of an integration's webhooks or of an LTI platform's scores, and redelivery. */
@Injectable()
export class DeliveryLogService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: WebhookDeliveryProducer,
  ) {}

  async list(owner: DeliveryOwner, q: DeliveryListQuery) {
    const exists =
      'integrationId' in owner
        ? await this.prisma.integration.findUnique({ where: { id: owner.integrationId }, select: { id: true } })
        : await this.prisma.ltiPlatform.findUnique({ where: { id: owner.ltiPlatformId }, select: { id: true } });
    if (!exists)
      throw DomainError.notFound(
        'integrationId' in owner ? `integration ${owner.integrationId}` : `LTI platform ${owner.ltiPlatformId}`,
      );
    const rows = await this.prisma.webhookDelivery.findMany({
      where: {
        ...('integrationId' in owner
          ? { integrationId: owner.integrationId }
          : { ltiLaunch: { resourceLink: { platformId: owner.ltiPlatformId } } }),
        status: q.status,
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      cursor: q.cursor ? { id: q.cursor } : undefined,
      skip: q.cursor ? 1 : 0,
      take: q.limit + 1,
      select: deliverySelect,
    });
    const page = rows.slice(0, q.limit);
    return {
      items: page.map(({ attemptLog, ltiLaunch, ...d }) => ({
        ...d,
        ...(ltiLaunch
          ? { student: ltiLaunch.user.displayName, activity: ltiLaunch.resourceLink.title ?? undefined }
          : {}),
        // A pending delivery's next attempt; while one runs, when the sweeper would take it over.
        nextRetryAt: d.status === DeliveryStatus.pending ? d.nextRetryAt : null,
        attemptLog,
      })),
      nextCursor: rows.length > q.limit ? page[page.length - 1].id : null,
    };
  }

  /**
   * Sends a finished delivery again (same webhook-id, same body: the receiver may dedupe it), with
   * a fresh round of the retry schedule. A pending one is already on its way: 409.
   */
  async redeliver(deliveryId: string): Promise<{ id: string; status: DeliveryStatus; attempt: number }> {
    const d = await this.prisma.webhookDelivery.findUnique({
      where: { id: deliveryId },
      select: { attempts: true, status: true },
    });
    if (!d) throw DomainError.notFound(`delivery ${deliveryId}`);
    const reset = await this.prisma.webhookDelivery.updateMany({
      where: { id: deliveryId, status: { not: DeliveryStatus.pending }, attempts: d.attempts },
      data: { status: DeliveryStatus.pending, roundStart: d.attempts, nextRetryAt: new Date(), deliveredAt: null },
    });
    if (reset.count === 0) throw DomainError.conflict(`delivery ${deliveryId} is already pending`);
    await this.producer.schedule(deliveryId, d.attempts + 1).catch(() => undefined); // else the sweeper
    return { id: deliveryId, status: DeliveryStatus.pending, attempt: d.attempts + 1 };
  }
}
