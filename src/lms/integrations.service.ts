import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { PrismaService } from '../database/prisma.service';
import { generateWebhookSecret } from './webhook.signer';

/** How long a replaced secret keeps verifying (inbound) and signing alongside the new one (outbound). */
export const ROTATION_GRACE_MS = 24 * 3600 * 1000;

export interface NewIntegration {
  name: string;
  webhookUrl?: string | null;
  courses?: string[];
}

/** Returned once at creation and at each rotation: the only times secrets leave the service. */
export interface IntegrationSecrets {
  id: string;
  inboundSecret: string;
  webhookSecret: string;
}

/** An integration as admins list it: never its secrets. */
export interface IntegrationView {
  id: string;
  name: string;
  webhookUrl: string | null;
  courses: string[];
  enabled: boolean;
  webhookDisabledAt: Date | null;
  webhookDisabledReason: string | null;
  createdAt: Date;
  rotatedAt: Date | null;
  inboundPreviousUntil: Date | null;
  webhookPreviousUntil: Date | null;
}

const viewSelect = {
  id: true,
  name: true,
  webhookUrl: true,
  courseCodes: true,
  enabled: true,
  webhookDisabledAt: true,
  webhookDisabledReason: true,
  createdAt: true,
  rotatedAt: true,
  inboundPreviousUntil: true,
  webhookPreviousUntil: true,
} as const;

type ViewRow = { courseCodes: string[] } & Omit<IntegrationView, 'courses'>;
const toView = ({ courseCodes, ...rest }: ViewRow): IntegrationView => ({ ...rest, courses: courseCodes });

/**
 * Integrations: created, listed, rotated and switched by admins (API and `npm run admin`). Course
 * codes are stored as given; enforcing them waits for courses to exist (docs/lms.md).
 */
@Injectable()
export class IntegrationsService {
  constructor(private readonly prisma: PrismaService) {}

  async create(input: NewIntegration): Promise<IntegrationSecrets> {
    const row = await this.prisma.integration.create({
      data: {
        name: input.name,
        webhookUrl: input.webhookUrl ?? null,
        courseCodes: input.courses ?? [],
        inboundSecret: generateWebhookSecret(),
        webhookSecret: generateWebhookSecret(),
      },
      select: { id: true, inboundSecret: true, webhookSecret: true },
    });
    return row;
  }

  async list(): Promise<IntegrationView[]> {
    const rows = await this.prisma.integration.findMany({ select: viewSelect, orderBy: { createdAt: 'asc' } });
    return rows.map(toView);
  }

  async get(id: string): Promise<IntegrationView> {
    const row = await this.prisma.integration.findUnique({ where: { id }, select: viewSelect });
    if (!row) throw DomainError.notFound(`integration ${id}`);
    return toView(row);
  }

  /**
   * New secrets; each replaced one stays valid for 24 h (inbound: either verifies; outbound: we
   * sign with both), so the school can switch without losing a message.
   */
  async rotate(id: string, which: 'inbound' | 'webhook' | 'both'): Promise<IntegrationSecrets> {
    return this.prisma.$transaction(async (tx) => {
      const old = await tx.integration.findUnique({
        where: { id },
        select: { inboundSecret: true, webhookSecret: true },
      });
      if (!old) throw DomainError.notFound(`integration ${id}`);
      const now = new Date();
      const until = new Date(now.getTime() + ROTATION_GRACE_MS);
      const inbound = which !== 'webhook';
      const webhook = which !== 'inbound';
      return tx.integration.update({
        where: { id },
        data: {
          rotatedAt: now,
          ...(inbound
            ? {
                inboundSecret: generateWebhookSecret(),
                inboundSecretPrevious: old.inboundSecret,
                inboundPreviousUntil: until,
              }
            : {}),
          ...(webhook
            ? {
                webhookSecret: generateWebhookSecret(),
                webhookSecretPrevious: old.webhookSecret,
                webhookPreviousUntil: until,
              }
            : {}),
        },
        select: { id: true, inboundSecret: true, webhookSecret: true },
      });
    });
  }

  /** Enables or disables the integration, changes its URL or courses; re-enabling the webhook clears a 410. */
  async update(
    id: string,
    patch: { enabled?: boolean; webhookUrl?: string | null; courses?: string[]; webhookEnabled?: boolean },
  ): Promise<IntegrationView> {
    const exists = await this.prisma.integration.findUnique({ where: { id }, select: { id: true } });
    if (!exists) throw DomainError.notFound(`integration ${id}`);
    const reenable = patch.webhookEnabled === true || patch.webhookUrl !== undefined;
    const row = await this.prisma.integration.update({
      where: { id },
      data: {
        enabled: patch.enabled,
        webhookUrl: patch.webhookUrl,
        courseCodes: patch.courses,
        ...(reenable ? { webhookDisabledAt: null, webhookDisabledReason: null } : {}),
        ...(patch.webhookEnabled === false
          ? { webhookDisabledAt: new Date(), webhookDisabledReason: 'disabled by an admin' }
          : {}),
      },
      select: viewSelect,
    });
    return toView(row);
  }
}
