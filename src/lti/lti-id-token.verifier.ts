import { Injectable } from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { DEEP_LINKING_REQUEST, LTI, LTI_VERSION, RESOURCE_LINK_REQUEST } from './lti.claims';
import { LtiRefused } from './lti-refused';

/** What a launch must match: the registration its state names, and the nonce stored with that state. */
export interface LaunchExpectation {
  issuer: string;
  clientId: string;
  deploymentIds: string[];
  jwksUrl: string;
  nonce: string;
}

/** Platforms' clocks drift a little; more is refused. */
const CLOCK_TOLERANCE_S = 30;
/** An id_token issued longer ago than this is refused even if its exp says otherwise. */
const MAX_TOKEN_AGE = '10m';

/**
 * Verifies a launch's id_token (LTI Core 1.3 §5.1.3, OIDC Core §3.1.3.7): RS256 signature by a key
 * of the platform's JWKS, iss, aud contains our client id (azp equals it when present or when aud
 * has several values), exp and iat, nonce, deployment id, message type (a resource link launch or a
 * deep linking request, LTI Deep Linking 2.0 §4.4) and version. Each refusal
 * names the first check that failed.
 */
@Injectable()
export class LtiIdTokenVerifier {
  /** One remote key set per JWKS URL: jose caches the keys and refetches on an unknown kid. */
  private readonly keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  async verify(idToken: string, expect: LaunchExpectation): Promise<JWTPayload> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, this.keySet(expect.jwksUrl), {
        issuer: expect.issuer,
        audience: expect.clientId,
        algorithms: ['RS256'],
        requiredClaims: ['iss', 'aud', 'sub', 'exp', 'iat', 'nonce'],
        clockTolerance: CLOCK_TOLERANCE_S,
        maxTokenAge: MAX_TOKEN_AGE,
      }));
    } catch (err) {
      throw new LtiRefused(401, joseReason(err));
    }
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (payload.azp !== undefined ? payload.azp !== expect.clientId : aud.length > 1)
      throw new LtiRefused(401, 'id_token refusé : azp ne désigne pas notre client_id');
    if (payload.nonce !== expect.nonce) throw new LtiRefused(401, 'id_token refusé : nonce inattendu');
    const deployment = payload[LTI.deploymentId];
    if (typeof deployment !== 'string' || !expect.deploymentIds.includes(deployment))
      throw new LtiRefused(401, `id_token refusé : deployment_id inconnu (${String(deployment).slice(0, 80)})`);
    const type = payload[LTI.messageType];
    if (type !== RESOURCE_LINK_REQUEST && type !== DEEP_LINKING_REQUEST)
      throw new LtiRefused(401, `id_token refusé : message_type ${String(type).slice(0, 60)} non pris en charge`);
    if (payload[LTI.version] !== LTI_VERSION)
      throw new LtiRefused(
        401,
        `id_token refusé : version LTI ${String(payload[LTI.version]).slice(0, 20)} (1.3.0 attendue)`,
      );
    if (type === DEEP_LINKING_REQUEST) {
      const settings = payload[LTI.deepLinkingSettings] as { deep_link_return_url?: unknown } | undefined;
      if (typeof settings?.deep_link_return_url !== 'string')
        throw new LtiRefused(401, 'id_token refusé : deep_linking_settings.deep_link_return_url manquant');
      return payload;
    }
    const link = payload[LTI.resourceLink] as { id?: unknown } | undefined;
    if (typeof link?.id !== 'string' || !link.id)
      throw new LtiRefused(401, 'id_token refusé : resource_link.id manquant');
    return payload;
  }

  private keySet(url: string) {
    let set = this.keySets.get(url);
    if (!set) {
      set = createRemoteJWKSet(new URL(url), { timeoutDuration: 5000 });
      this.keySets.set(url, set);
    }
    return set;
  }
}

/** jose's error, as one French line naming what failed. */
function joseReason(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'id_token refusé : expiré';
  if (err instanceof errors.JWTClaimValidationFailed) return `id_token refusé : ${err.claim} invalide (${err.reason})`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'id_token refusé : signature invalide';
  if (err instanceof errors.JWKSNoMatchingKey) return 'id_token refusé : aucune clé de la plateforme ne correspond';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'id_token refusé : algorithme non autorisé (RS256 attendu)';
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return 'id_token refusé : jeton illisible';
  if (err instanceof errors.JWKSTimeout) return 'id_token non vérifiable : JWKS de la plateforme injoignable';
  const e = err as Error;
  return `id_token refusé : ${e.name}`;
}
