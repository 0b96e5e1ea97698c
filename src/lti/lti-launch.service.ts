import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { Role } from '../generated/prisma/enums';
import { retryOnUniqueRace } from '../database/unique-race';
import { DEEP_LINKING_REQUEST, LTI, roleFromClaims } from './lti.claims';
import { LtiCourseLinkService } from './lti-course-link.service';
import { LtiDeepLinkingService } from './lti-deep-linking.service';
import { LtiIdTokenVerifier } from './lti-id-token.verifier';
import { LtiRefused } from './lti-refused';

/**
 * Where a verified launch leads: the user to log in, then the exercise page to open (a resource
 * link) or the page where an instructor picks the exercise of a new activity (deep linking).
 */
export type LaunchOutcome =
  | {
      kind: 'resource-link';
      userId: string;
      exerciseSlug: string;
      launchId: string;
      /** The assignment of that exercise in the LMS course's dockgrader course, when there is one. */
      assignmentId?: string;
    }
  | { kind: 'deep-linking'; userId: string; requestId: string };

interface AgsClaim {
  lineitem?: string;
  lineitems?: string;
  scope?: string[];
}

/**
 * Step 2 of a launch: consumes the state (single use), verifies the id_token against the
 * platform the state was issued for, provisions the user just in time, maps the resource link to
 * an exercise and records the launch (where the user's scores go). The caller starts the session.
 */
@Injectable()
export class LtiLaunchService {
  private readonly logger = new Logger(LtiLaunchService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly verifier: LtiIdTokenVerifier,
    private readonly deepLinking: LtiDeepLinkingService,
    private readonly courses: LtiCourseLinkService,
  ) {}

  async launch(idToken: unknown, state: unknown): Promise<LaunchOutcome> {
    if (typeof state !== 'string' || !state || state.length > 200) throw new LtiRefused(401, 'state manquant');
    if (typeof idToken !== 'string' || !idToken || idToken.length > 20_000)
      throw new LtiRefused(401, 'id_token manquant');
    const login = await this.consumeState(state);
    const platform = login.platform;
    if (!platform.enabled) throw new LtiRefused(401, 'plateforme LTI désactivée');
    const claims = await this.verifier.verify(idToken, {
      issuer: platform.issuer,
      clientId: platform.clientId,
      deploymentIds: platform.deploymentIds,
      jwksUrl: platform.jwksUrl,
      nonce: login.nonce,
    });
    const sub = claims.sub;
    if (!sub) throw new LtiRefused(401, 'id_token refusé : sub manquant (lancement anonyme non pris en charge)');
    if (claims[LTI.messageType] === DEEP_LINKING_REQUEST) {
      // Only the course's teachers add activities; a learner reaching the picker is a platform misconfiguration.
      if (roleFromClaims(claims[LTI.roles]) !== Role.instructor)
        throw new LtiRefused(403, 'seul un enseignant du cours peut choisir un exercice (lien profond LTI)');
      const userId = await this.provision(platform.id, claims, sub);
      await this.courses.enrol(platform.id, claims, userId);
      const requestId = await this.deepLinking.begin(platform.id, userId, claims);
      this.logger.log(`LTI deep linking request: platform ${platform.id}`);
      return { kind: 'deep-linking', userId, requestId };
    }
    const userId = await this.provision(platform.id, claims, sub);
    const link = await this.resourceLink(platform.id, claims);
    const courseId = await this.courses.enrol(platform.id, claims, userId);
    const assignmentId = courseId ? await this.courses.assignmentOf(courseId, link.exercise.slug) : undefined;
    const ags = claims[LTI.ags] as AgsClaim | undefined;
    const lineItemUrl = typeof ags?.lineitem === 'string' ? ags.lineitem : null;
    const agsScopes = Array.isArray(ags?.scope) ? ags.scope.filter((s) => typeof s === 'string') : [];
    const now = new Date();
    const launch = await retryOnUniqueRace(() =>
      this.prisma.ltiLaunch.upsert({
        where: { userId_resourceLinkId: { userId, resourceLinkId: link.id } },
        create: { userId, resourceLinkId: link.id, sub, lineItemUrl, agsScopes },
        // A platform may change the line item (the teacher re-created the grade column).
        update: { lineItemUrl, agsScopes, lastLaunchAt: now },
        select: { id: true },
      }),
    );
    this.logger.log(`LTI launch: platform ${platform.id}, link ${link.resourceLinkId} → ${link.exercise.slug}`);
    return {
      kind: 'resource-link',
      userId,
      exerciseSlug: link.exercise.slug,
      launchId: launch.id,
      ...(assignmentId ? { assignmentId } : {}),
    };
  }

  /** Deletes the state as it reads it: a second launch with the same state finds nothing. */
  private async consumeState(state: string) {
    let row;
    try {
      row = await this.prisma.ltiLoginState.delete({ where: { state }, include: { platform: true } });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2025')
        throw new LtiRefused(401, 'state inconnu ou déjà utilisé (lancement rejoué ?)');
      throw err;
    }
    if (row.expiresAt.getTime() <= Date.now())
      throw new LtiRefused(401, 'state expiré : relancez depuis la plateforme');
    return row;
  }

  /**
   * The platform's user, created on first launch and keyed by (platform, sub). The email claim is
   * used only if no other account has it: a platform must never take over an existing account.
   * A learner never demotes anyone; an instructor launch promotes a student.
   */
  private async provision(platformId: string, claims: JWTPayload, sub: string): Promise<string> {
    const lmsId = `lti:${platformId}`;
    const role = roleFromClaims(claims[LTI.roles]);
    const existing = await this.prisma.user.findUnique({
      where: { lmsId_lmsUserId: { lmsId, lmsUserId: sub } },
      select: { id: true, role: true },
    });
    if (existing) {
      if (existing.role === Role.student && role === Role.instructor)
        await this.prisma.user.update({ where: { id: existing.id }, data: { role } });
      return existing.id;
    }
    const claimed = typeof claims.email === 'string' && claims.email.length <= 320 ? claims.email : undefined;
    const taken = claimed
      ? await this.prisma.user.findUnique({ where: { email: claimed }, select: { id: true } })
      : null;
    const email =
      claimed && !taken
        ? claimed
        : `lti-${createHash('sha256').update(`${platformId}/${sub}`).digest('hex').slice(0, 16)}@lti.invalid`;
    const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 200) : email;
    const user = await retryOnUniqueRace(() =>
      this.prisma.user.upsert({
        where: { lmsId_lmsUserId: { lmsId, lmsUserId: sub } },
        create: { email, displayName: name, role, lmsId, lmsUserId: sub },
        update: {},
        select: { id: true },
      }),
    );
    return user.id;
  }

  /**
   * The resource link's exercise: as mapped at its first launch, else named by the link's custom
   * parameter `exercise=<slug>` (what a deep linking answer sets) or by a target link URI ending in
   * /exercises/<slug>. A link naming none is refused with what to configure.
   */
  private async resourceLink(platformId: string, claims: JWTPayload) {
    const rl = claims[LTI.resourceLink] as { id: string; title?: unknown };
    const found = await this.prisma.ltiResourceLink.findUnique({
      where: { platformId_resourceLinkId: { platformId, resourceLinkId: rl.id } },
      include: { exercise: { select: { slug: true } } },
    });
    if (found) return found;
    const slug = exerciseSlugOf(claims);
    if (!slug)
      throw new LtiRefused(
        404,
        "ce lien LTI n'est associé à aucun exercice : ajoutez le paramètre personnalisé exercise=<identifiant>",
      );
    const exercise = await this.prisma.exercise.findUnique({ where: { slug }, select: { id: true, published: true } });
    if (!exercise?.published) throw new LtiRefused(404, `exercice inconnu : ${slug}`);
    const context = claims[LTI.context] as { id?: unknown; title?: unknown } | undefined;
    return retryOnUniqueRace(() =>
      this.prisma.ltiResourceLink.upsert({
        where: { platformId_resourceLinkId: { platformId, resourceLinkId: rl.id } },
        create: {
          platformId,
          resourceLinkId: rl.id,
          deploymentId: claims[LTI.deploymentId] as string,
          exerciseId: exercise.id,
          contextId: typeof context?.id === 'string' ? context.id : null,
          contextTitle: typeof context?.title === 'string' ? context.title.slice(0, 300) : null,
          title: typeof rl.title === 'string' ? rl.title.slice(0, 300) : null,
        },
        update: {},
        include: { exercise: { select: { slug: true } } },
      }),
    );
  }
}

/** The exercise a launch names: custom parameter `exercise`, else a target link URI /exercises/<slug>. */
export function exerciseSlugOf(claims: JWTPayload): string | undefined {
  const custom = claims[LTI.custom] as Record<string, unknown> | undefined;
  const fromCustom = typeof custom?.exercise === 'string' ? custom.exercise.trim() : '';
  if (fromCustom) return fromCustom;
  const target = claims[LTI.targetLinkUri];
  if (typeof target !== 'string') return undefined;
  try {
    return /\/exercises\/([a-z0-9][a-z0-9-]*)\/?$/.exec(new URL(target).pathname)?.[1];
  } catch {
    return undefined;
  }
}
