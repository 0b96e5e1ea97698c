import { Injectable } from '@nestjs/common';
import type { SendOutcome } from '../lms/webhook.sender';
import { WebhookSender } from '../lms/webhook.sender';
import { AgsTokenClient, type TokenTarget } from './ags-token.client';
import { AGS_SCOPE_SCORE, SCORE_CONTENT_TYPE } from './lti.claims';

/**
 * POSTs one AGS score (already serialized in the outbox row) to `{line item}/scores`, with a
 * bearer token from AgsTokenClient. A token failure is reported as the token endpoint's answer,
 * so the delivery's retry rules apply to it as to the score itself.
 */
@Injectable()
export class AgsScoreSender {
  constructor(
    private readonly tokens: AgsTokenClient,
    private readonly http: WebhookSender,
  ) {}

  async post(target: TokenTarget, lineItemUrl: string, body: string): Promise<SendOutcome> {
    const started = performance.now();
    const token = await this.tokens.token(target, AGS_SCOPE_SCORE);
    if (token.kind === 'failed') {
      const durationMs = Math.round(performance.now() - started);
      return token.status === null
        ? { kind: 'no-answer', reason: token.reason, durationMs }
        : { kind: 'answered', status: token.status, retryAfter: token.retryAfter, excerpt: token.reason, durationMs };
    }
    const outcome = await this.http.post(scoresUrl(lineItemUrl), body, {
      'content-type': SCORE_CONTENT_TYPE,
      authorization: `Bearer ${token.accessToken}`,
    });
    // A refused token (revoked, platform restarted) is not reused: the retry asks for a new one.
    if (outcome.kind === 'answered' && outcome.status === 401) this.tokens.forget(target.platformId, AGS_SCOPE_SCORE);
    return outcome;
  }
}

/** `{line item}/scores`, the line item URL's query string kept (Moodle puts the item's type there). */
export function scoresUrl(lineItemUrl: string): string {
  const url = new URL(lineItemUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/scores`;
  return url.toString();
}
