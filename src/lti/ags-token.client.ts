import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { LtiToolKeysService } from './lti-tool-keys.service';

/** The platform's registration as the token request needs it. */
export interface TokenTarget {
  platformId: string;
  clientId: string;
  tokenUrl: string;
}

export type TokenOutcome =
  | { kind: 'token'; accessToken: string }
  /** No usable token: what the token endpoint answered (status null: no answer), for the delivery log. */
  | { kind: 'failed'; status: number | null; reason: string; retryAfter: string | null };

/** A token is reused until this long before its end, so it never expires in flight. */
const EXPIRY_MARGIN_MS = 30_000;
/** An answer's body kept for the log when the token request fails. */
const EXCERPT_CHARS = 300;

/**
 * OAuth 2 client-credentials tokens for Assignment and Grade Services (LTI Security 1.0 §4.1):
 * a JWT client assertion signed with the tool's key, per platform and scope, cached in this
 * process until shortly before it expires.
 */
@Injectable()
export class AgsTokenClient {
  private readonly cache = new Map<string, { accessToken: string; expiresAt: number }>();

  constructor(
    private readonly keys: LtiToolKeysService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async token(t: TokenTarget, scope: string): Promise<TokenOutcome> {
    const key = `${t.platformId} ${scope}`;
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > Date.now()) return { kind: 'token', accessToken: hit.accessToken };
    const signing = await this.keys.signingKey();
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: signing.kid, typ: 'JWT' })
      .setIssuer(t.clientId)
      .setSubject(t.clientId)
      .setAudience(t.tokenUrl)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(randomUUID())
      .sign(signing.key);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      scope,
    });
    let res: Response;
    try {
      res = await fetch(t.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.env.WEBHOOK_TIMEOUT_MS),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const why =
        e.name === 'TimeoutError' ? `no answer within ${this.env.WEBHOOK_TIMEOUT_MS} ms` : (e.cause?.code ?? e.message);
      return { kind: 'failed', status: null, reason: `token endpoint: ${why}`, retryAfter: null };
    }
    const text = await res.text().catch(() => '');
    const body = safeJson(text) as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (!res.ok || typeof body?.access_token !== 'string')
      return {
        kind: 'failed',
        status: res.status,
        reason: `token endpoint ${res.status}: ${text.slice(0, EXCERPT_CHARS)}`,
        retryAfter: res.headers.get('retry-after'),
      };
    const lifetimeS = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    this.cache.set(key, {
      accessToken: body.access_token,
      expiresAt: Date.now() + lifetimeS * 1000 - EXPIRY_MARGIN_MS,
    });
    return { kind: 'token', accessToken: body.access_token };
  }

  /** The platform refused a cached token (401): the next attempt asks for a new one. */
  forget(platformId: string, scope: string): void {
    this.cache.delete(`${platformId} ${scope}`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
