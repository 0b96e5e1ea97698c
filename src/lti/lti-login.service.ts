import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { PrismaService } from '../database/prisma.service';
import { LtiRefused } from './lti-refused';

/** An OIDC login must come back as a launch within this time. */
export const LOGIN_STATE_TTL_MS = 10 * 60 * 1000;

/** The third-party login initiation parameters (LTI Core 1.3 §5.1.1), from the query or the form. */
export interface LoginInitiation {
  iss?: string;
  login_hint?: string;
  target_link_uri?: string;
  lti_message_hint?: string;
  client_id?: string;
  lti_deployment_id?: string;
}

/**
 * Step 1 of a launch: the platform names itself and the user; we answer with the authentication
 * request to its OIDC endpoint, carrying a fresh state and nonce stored server-side (single use,
 * ten minutes). The launch (LtiLaunchService) consumes them.
 */
@Injectable()
export class LtiLoginService {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** The URL to redirect the browser to. */
  async authRequestUrl(p: LoginInitiation): Promise<string> {
    if (!p.iss) throw new LtiRefused(400, 'paramètre iss manquant');
    if (!p.login_hint) throw new LtiRefused(400, 'paramètre login_hint manquant');
    const candidates = await this.prisma.ltiPlatform.findMany({
      where: { issuer: p.iss, enabled: true, ...(p.client_id ? { clientId: p.client_id } : {}) },
    });
    if (candidates.length === 0) throw new LtiRefused(400, `plateforme LTI inconnue ou désactivée : ${p.iss}`);
    if (candidates.length > 1) throw new LtiRefused(400, 'plusieurs inscriptions pour cet émetteur : client_id requis');
    const platform = candidates[0];
    if (p.lti_deployment_id && !platform.deploymentIds.includes(p.lti_deployment_id))
      throw new LtiRefused(400, `deployment_id inconnu : ${p.lti_deployment_id}`);
    const state = randomBytes(24).toString('base64url');
    const nonce = randomBytes(24).toString('base64url');
    // Expired, never-used states go here: logins are rare enough that this costs nothing.
    await this.prisma.ltiLoginState.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    await this.prisma.ltiLoginState.create({
      data: { state, nonce, platformId: platform.id, expiresAt: new Date(Date.now() + LOGIN_STATE_TTL_MS) },
    });
    const url = new URL(platform.authUrl);
    const params: Record<string, string | undefined> = {
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: platform.clientId,
      redirect_uri: launchUrl(this.env),
      login_hint: p.login_hint,
      lti_message_hint: p.lti_message_hint,
      state,
      nonce,
    };
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
    return url.toString();
  }
}

/** Where platforms post id_tokens: registered with them as the redirect URI (docs/lms.md). */
export function launchUrl(env: Env): string {
  return `${env.PUBLIC_URL}/lti/launch`;
}
