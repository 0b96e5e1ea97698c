import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { DomainError, ErrorCode } from '../common/domain-error';
import { PrismaService } from '../database/prisma.service';
import { DEEP_LINKING_RESPONSE, LTI, LTI_VERSION } from './lti.claims';
import { launchUrl } from './lti-login.service';
import { isPlatformEndpoint } from './lti-platform.schemas';
import { LtiRefused } from './lti-refused';
import { LtiToolKeysService } from './lti-tool-keys.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An instructor has this long to pick an exercise after the platform opened the picker. */
const REQUEST_TTL_MS = 30 * 60 * 1000;

const EXPIRED = 'demande de lien LTI expirée ou déjà utilisée : relancez-la depuis la plateforme';

/** The picker's request, as the page shows it. */
export interface DeepLinkRequestView {
  id: string;
  platformName: string;
  contextTitle: string | null;
  /** The platform takes several activities in one answer (checkboxes rather than one choice). */
  acceptMultiple: boolean;
}

/** The signed answer and where the browser must post it (field `JWT`, LTI Deep Linking 2.0 §4.5). */
export interface DeepLinkAnswer {
  returnUrl: string;
  jwt: string;
  /** The chosen exercises' titles, to confirm the choice. */
  titles: string[];
}

/** More activities than this in one answer is not a course being set up but a slip of the hand. */
export const MAX_LINKS_PER_ANSWER = 30;

interface Settings {
  deep_link_return_url: string;
  accept_types?: unknown;
  accept_multiple?: unknown;
  data?: unknown;
}

/**
 * LTI Deep Linking 2.0: when an instructor adds dockgrader to a course in the LMS, the platform
 * launches a deep linking request; the instructor picks an exercise on our page (several when the
 * platform says accept_multiple) and we answer with a signed LtiDeepLinkingResponse holding one LTI
 * resource link per exercise (the launch URL, `exercise=<slug>` as custom parameter, a line item of
 * the exercise's points), which the platform turns into activities and their grade columns. Launches of such an activity then map to its exercise as any other
 * link does (LtiLaunchService), and grades go back through AGS.
 *
 * The request is stored server-side (platform, instructor, return URL, the platform's `data` to
 * echo), single use, thirty minutes: the answer is only ever sent where the platform asked, for the
 * instructor it launched.
 */
@Injectable()
export class LtiDeepLinkingService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly keys: LtiToolKeysService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** Records a verified deep linking request from an instructor; returns the picker's request id. */
  async begin(platformId: string, userId: string, claims: JWTPayload): Promise<string> {
    const settings = claims[LTI.deepLinkingSettings] as Settings;
    const returnUrl = settings.deep_link_return_url;
    if (returnUrl.length > 2000 || !isPlatformEndpoint(returnUrl))
      throw new LtiRefused(
        400,
        'deep_link_return_url refusée : une adresse https:// (http:// seulement pour localhost)',
      );
    const accepted = Array.isArray(settings.accept_types) ? settings.accept_types : [];
    if (!accepted.includes('ltiResourceLink'))
      throw new LtiRefused(400, "la plateforme n'accepte pas de lien d'activité (accept_types sans ltiResourceLink)");
    const data = typeof settings.data === 'string' ? settings.data.slice(0, 4000) : null;
    const context = claims[LTI.context] as { title?: unknown } | undefined;
    await this.prisma.ltiDeepLinkRequest.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    const row = await this.prisma.ltiDeepLinkRequest.create({
      data: {
        platformId,
        userId,
        deploymentId: claims[LTI.deploymentId] as string,
        returnUrl,
        data,
        contextTitle: typeof context?.title === 'string' ? context.title.slice(0, 300) : null,
        acceptMultiple: settings.accept_multiple === true,
        expiresAt: new Date(Date.now() + REQUEST_TTL_MS),
      },
      select: { id: true },
    });
    return row.id;
  }

  /** The pending request `id` of `userId`: 404 when unknown, used or expired, 403 for anyone else. */
  async pending(id: string, userId: string): Promise<DeepLinkRequestView> {
    const row = await this.find(id, userId);
    return {
      id: row.id,
      platformName: row.platform.name,
      contextTitle: row.contextTitle,
      acceptMultiple: row.acceptMultiple,
    };
  }

  /** The exercises an activity can link: the published catalogue. */
  linkable(): Promise<{ slug: string; title: string; maxPoints: number; chapter: string }[]> {
    return this.prisma.exercise.findMany({
      where: { published: true },
      orderBy: { slug: 'asc' },
      select: { slug: true, title: true, maxPoints: true, chapter: true },
    });
  }

  /**
   * Consumes the request and signs the answer linking the exercises `slugs` (one, or several when
   * the platform accepts several), in the catalogue's order.
   */
  async answer(id: string, userId: string, slugs: string[]): Promise<DeepLinkAnswer> {
    const row = await this.find(id, userId);
    const chosen = [...new Set(slugs)];
    const refuse = (message: string) => DomainError.validation([{ field: 'exercise', message }]);
    if (chosen.length === 0) throw refuse('choisissez un exercice de la liste');
    if (chosen.length > 1 && !row.acceptMultiple)
      throw refuse("la plateforme n'accepte qu'une activité à la fois : choisissez un seul exercice");
    if (chosen.length > MAX_LINKS_PER_ANSWER)
      throw refuse(`au plus ${MAX_LINKS_PER_ANSWER} exercices à la fois (${chosen.length} choisis)`);
    const exercises = await this.prisma.exercise.findMany({
      where: { slug: { in: chosen }, published: true },
      orderBy: { slug: 'asc' },
      select: { slug: true, title: true, maxPoints: true },
    });
    if (exercises.length !== chosen.length) throw refuse('choisissez un exercice de la liste');
    // Single use: of two answers racing for one request, only the one that deletes it signs.
    const { count } = await this.prisma.ltiDeepLinkRequest.deleteMany({ where: { id: row.id } });
    if (count === 0) throw new DomainError(ErrorCode.NotFound, EXPIRED);
    const signing = await this.keys.signingKey();
    const jwt = await new SignJWT({
      nonce: randomBytes(16).toString('base64url'),
      [LTI.messageType]: DEEP_LINKING_RESPONSE,
      [LTI.version]: LTI_VERSION,
      [LTI.deploymentId]: row.deploymentId,
      ...(row.data !== null ? { [LTI.deepLinkingData]: row.data } : {}),
      [LTI.contentItems]: exercises.map((exercise) => ({
        type: 'ltiResourceLink',
        title: exercise.title,
        url: launchUrl(this.env),
        custom: { exercise: exercise.slug },
        lineItem: { scoreMaximum: exercise.maxPoints, label: exercise.title, resourceId: exercise.slug },
      })),
    })
      .setProtectedHeader({ alg: 'RS256', kid: signing.kid, typ: 'JWT' })
      .setIssuer(row.platform.clientId)
      .setAudience(row.platform.issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(signing.key);
    return { returnUrl: row.returnUrl, jwt, titles: exercises.map((e) => e.title) };
  }

  private async find(id: string, userId: string) {
    if (!UUID.test(id)) throw new DomainError(ErrorCode.NotFound, EXPIRED);
    const row = await this.prisma.ltiDeepLinkRequest.findUnique({
      where: { id },
      include: { platform: { select: { name: true, clientId: true, issuer: true, enabled: true } } },
    });
    if (!row || row.expiresAt.getTime() <= Date.now() || !row.platform.enabled)
      throw new DomainError(ErrorCode.NotFound, EXPIRED);
    if (row.userId !== userId) throw DomainError.forbidden("cette demande de lien LTI est celle d'un autre enseignant");
    return row;
  }
}
