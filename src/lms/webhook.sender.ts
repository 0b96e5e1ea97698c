import { Inject, Injectable } from '@nestjs/common';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';

/** What the receiver answered, or why it did not. */
export type SendOutcome =
  | { kind: 'answered'; status: number; retryAfter: string | null; excerpt: string; durationMs: number }
  | { kind: 'no-answer'; reason: string; durationMs: number };

/** Kept of an answer for the log: enough to debug, never a whole page. */
const EXCERPT_CHARS = 500;

/**
 * The one adapter to receivers' HTTP endpoints (Node's fetch): webhook receivers and LTI
 * platforms' token and score endpoints. Redirects are not followed: a 3xx is an answer to log,
 * not a hop to another host the admin never registered.
 */
@Injectable()
export class WebhookSender {
  constructor(@Inject(ENV) private readonly env: Env) {}

  /** POSTs `body` (JSON unless `headers` names another content type). */
  async post(url: string, body: string, headers: Record<string, string>): Promise<SendOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const signal = AbortSignal.timeout(this.env.WEBHOOK_TIMEOUT_MS);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'dockgrader-webhooks/1', ...headers },
        body,
        redirect: 'manual',
        signal,
      });
      const excerpt = await readExcerpt(res, signal);
      return {
        kind: 'answered',
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        excerpt,
        durationMs: elapsed(),
      };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const reason =
        e.name === 'TimeoutError' || e.name === 'AbortError'
          ? `no answer within ${this.env.WEBHOOK_TIMEOUT_MS} ms`
          : `${e.cause?.code ?? e.name}: ${e.message}`;
      return { kind: 'no-answer', reason, durationMs: elapsed() };
    }
  }
}

/** The start of the body, read no further than needed (a receiver could stream forever). */
async function readExcerpt(res: Response, signal: AbortSignal): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < EXCERPT_CHARS && !signal.aborted) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body cut short still leaves its status to log.
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}
