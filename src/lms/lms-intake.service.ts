import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/domain-error';
import { parseOrThrow } from '../common/zod-validation.pipe';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { PrismaService } from '../database/prisma.service';
import { ExercisesService } from '../exercises/exercises.service';
import { Prisma } from '../generated/prisma/client';
import { SubmissionStatus } from '../generated/prisma/enums';
import { GradingProducer } from '../queue/grading.producer';
import { lmsSubmissionSchema, LmsSubmissionInput } from './integration.schemas';
import { SignatureRejected, validSecrets, verifyMessage } from './webhook.signer';

/** The answer to a signed submission, identical for the first request and every replay of its webhook-id. */
export interface LmsAccepted {
  id: string;
  status: SubmissionStatus;
  statusUrl: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function unauthorized(reason: string): DomainError {
  return new DomainError(ErrorCode.Unauthenticated, reason);
}

/**
 * Signed submissions from a school's platform: verify (integration, signature, timestamp) before
 * reading anything, then store the user (just in time), the submission and its link to the message
 * in one transaction. The unique (integration, webhook-id) makes a replayed or concurrent
 * duplicate answer with the first submission, never a second one.
 */
@Injectable()
export class LmsIntakeService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly exercises: ExercisesService,
    private readonly producer: GradingProducer,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** Verifies a signed request on its raw bytes; returns the integration's id. 401 names the reason. */
  async authenticate(integrationId: string, raw: Buffer, headers: Record<string, unknown>): Promise<string> {
    // Same answer for a malformed and an unknown id: nothing to learn by probing.
    const integration = UUID.test(integrationId)
      ? await this.prisma.integration.findUnique({
          where: { id: integrationId.toLowerCase() },
          select: {
            id: true,
            enabled: true,
            inboundSecret: true,
            inboundSecretPrevious: true,
            inboundPreviousUntil: true,
          },
        })
      : null;
    if (!integration) throw unauthorized('unknown integration');
    if (!integration.enabled) throw unauthorized('integration disabled');
    try {
      verifyMessage(
        raw,
        headers,
        validSecrets({
          current: integration.inboundSecret,
          previous: integration.inboundSecretPrevious,
          previousUntil: integration.inboundPreviousUntil,
        }),
      );
    } catch (err) {
      if (err instanceof SignatureRejected) throw unauthorized(err.message);
      throw err;
    }
    return integration.id;
  }

  async submit(
    integrationId: string,
    messageId: string,
    raw: Buffer,
  ): Promise<{ created: boolean; body: LmsAccepted }> {
    const replay = await this.byMessage(integrationId, messageId);
    if (replay) return { created: false, body: replay };
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new DomainError(ErrorCode.MalformedBody, 'body: not valid JSON');
    }
    const input = parseOrThrow(lmsSubmissionSchema, json);
    const exercise = await this.exercises.forSubmission(input.exercise);
    let row: { id: string; attempt: number } | undefined;
    for (let tries = 1; !row; tries++) {
      try {
        row = await this.store(integrationId, messageId, input, exercise);
      } catch (err) {
        if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') || tries >= 2) throw err;
        // The same webhook-id arrived twice at once: the loser answers with the winner's submission.
        const winner = await this.byMessage(integrationId, messageId);
        if (winner) return { created: false, body: winner };
        // Otherwise two first messages of one new user raced on the user: once more finds it.
      }
    }
    // Queued after commit; if Redis fails the row is `queued` and the sweeper queues it.
    this.producer.enqueueSoon(row.id, row.attempt);
    return { created: true, body: this.view(integrationId, row.id, SubmissionStatus.queued) };
  }

  private store(
    integrationId: string,
    messageId: string,
    input: LmsSubmissionInput,
    exercise: { id: string; version: string },
  ): Promise<{ id: string; attempt: number }> {
    return this.prisma.$transaction(async (tx) => {
      const userId = await this.provision(tx, integrationId, input.user);
      const s = await tx.submission.create({
        data: {
          userId,
          exerciseId: exercise.id,
          exerciseVersion: exercise.version,
          source: input.source,
          files: input.files,
        },
        select: { id: true, attempt: true },
      });
      await tx.lmsSubmission.create({
        data: {
          submissionId: s.id,
          integrationId,
          messageId,
          externalUserId: input.user.id,
          assignment: input.assignment ?? null,
        },
      });
      return s;
    });
  }

  /** A submission this integration sent, for its status URL. */
  async status(
    integrationId: string,
    submissionId: string,
  ): Promise<LmsAccepted & { score?: number; maxScore?: number }> {
    const link = UUID.test(submissionId)
      ? await this.prisma.lmsSubmission.findFirst({
          where: { submissionId: submissionId.toLowerCase(), integrationId },
          select: {
            submission: {
              select: {
                id: true,
                status: true,
                results: { orderBy: { attempt: 'desc' }, take: 1, select: { score: true, maxScore: true } },
              },
            },
          },
        })
      : null;
    if (!link) throw DomainError.notFound('submission');
    const s = link.submission;
    return { ...this.view(integrationId, s.id, s.status), ...(s.results[0] ?? {}) };
  }

  private async byMessage(integrationId: string, messageId: string): Promise<LmsAccepted | undefined> {
    const link = await this.prisma.lmsSubmission.findUnique({
      where: { integrationId_messageId: { integrationId, messageId } },
      select: { submission: { select: { id: true, status: true } } },
    });
    return link ? this.view(integrationId, link.submission.id, link.submission.status) : undefined;
  }

  private view(integrationId: string, id: string, status: SubmissionStatus): LmsAccepted {
    return { id, status, statusUrl: `${this.env.PUBLIC_URL}/api/lms/${integrationId}/submissions/${id}` };
  }

  /**
   * The platform's user, created on first sight and linked to the integration by its external id.
   * The given email is used only if no other account has it: an integration must never take over
   * an existing account by naming its email.
   */
  private async provision(
    tx: Prisma.TransactionClient,
    integrationId: string,
    user: LmsSubmissionInput['user'],
  ): Promise<string> {
    const lmsId = `integration:${integrationId}`;
    const existing = await tx.user.findUnique({
      where: { lmsId_lmsUserId: { lmsId, lmsUserId: user.id } },
      select: { id: true },
    });
    if (existing) return existing.id;
    const taken = user.email ? await tx.user.findUnique({ where: { email: user.email }, select: { id: true } }) : null;
    const email =
      user.email && !taken
        ? user.email
        : `lms-${createHash('sha256').update(`${integrationId}/${user.id}`).digest('hex').slice(0, 16)}@lms.invalid`;
    const created = await tx.user.create({
      data: { email, displayName: user.name ?? user.email ?? user.id, lmsId, lmsUserId: user.id },
      select: { id: true },
    });
    return created.id;
  }
}
