import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import type { CreateLtiPlatformInput } from './lti-platform.schemas';

const viewSelect = {
  id: true,
  name: true,
  issuer: true,
  clientId: true,
  deploymentIds: true,
  authUrl: true,
  tokenUrl: true,
  jwksUrl: true,
  enabled: true,
  createdAt: true,
} as const;

export type LtiPlatformView = Prisma.LtiPlatformGetPayload<{ select: typeof viewSelect }>;

/** LTI platforms registered by admins (API and admin pages). */
@Injectable()
export class LtiPlatformsService {
  constructor(private readonly prisma: PrismaService) {}

  async create(input: CreateLtiPlatformInput): Promise<LtiPlatformView> {
    try {
      return await this.prisma.ltiPlatform.create({ data: input, select: viewSelect });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')
        throw DomainError.validation([
          { field: 'clientId', message: 'a platform with this issuer and client id is already registered' },
        ]);
      throw err;
    }
  }

  list(): Promise<LtiPlatformView[]> {
    return this.prisma.ltiPlatform.findMany({ orderBy: { createdAt: 'asc' }, select: viewSelect });
  }

  async get(id: string): Promise<LtiPlatformView> {
    const found = await this.prisma.ltiPlatform.findUnique({ where: { id }, select: viewSelect });
    if (!found) throw DomainError.notFound(`LTI platform ${id}`);
    return found;
  }

  async setEnabled(id: string, enabled: boolean): Promise<LtiPlatformView> {
    const found = await this.prisma.ltiPlatform.findUnique({ where: { id }, select: { id: true } });
    if (!found) throw DomainError.notFound(`LTI platform ${id}`);
    return this.prisma.ltiPlatform.update({ where: { id }, data: { enabled }, select: viewSelect });
  }
}
