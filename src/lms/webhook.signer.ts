import { randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes (a 256-bit HMAC key). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** A secret and, during the 24 h after a rotation, the one it replaced. */
export interface SecretPair {
  current: string;
  previous: string | null;
  previousUntil: Date | null;
}

/** The secrets valid at `now`: the current one first, the previous one until its grace period ends. */
export function validSecrets(pair: SecretPair, now = new Date()): string[] {
  const valid = [pair.current];
  if (pair.previous && pair.previousUntil && pair.previousUntil > now) valid.push(pair.previous);
  return valid;
}

/** The three Standard Webhooks headers of one message. */
export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs a message with every valid secret: the spec's space-separated `v1,…` list, so a receiver
 * that still holds the previous secret keeps verifying during a rotation.
 */
export function signMessage(id: string, timestamp: Date, body: string, secrets: string[]): SignedHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(id, timestamp, body)).join(' '),
  };
}

/** Why an inbound message was refused, one line, never the secret or the expected signature. */
export class SignatureRejected extends Error {}

/**
 * Verifies a message signed per Standard Webhooks on its raw bytes, with any of `secrets`.
 * The library enforces the ±5 minute tolerance on `webhook-timestamp`; we name the reason.
 */
export function verifyMessage(raw: Buffer, headers: Record<string, unknown>, secrets: string[]): void {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sig = headers['webhook-signature'];
  for (const [name, value] of [
    ['webhook-id', id],
    ['webhook-timestamp', ts],
    ['webhook-signature', sig],
  ] as const)
    if (typeof value !== 'string' || value.length === 0) throw new SignatureRejected(`missing ${name} header`);
  if (!/^\d{1,12}$/.test(ts as string)) throw new SignatureRejected('webhook-timestamp must be Unix seconds');
  const skew = Math.floor(Date.now() / 1000) - Number(ts);
  if (skew > 300) throw new SignatureRejected('webhook-timestamp is too old (more than 5 minutes)');
  if (skew < -300) throw new SignatureRejected('webhook-timestamp is in the future (more than 5 minutes)');
  const plain = { 'webhook-id': id as string, 'webhook-timestamp': ts as string, 'webhook-signature': sig as string };
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(raw, plain);
      return;
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
    }
  }
  throw new SignatureRejected('webhook-signature does not match (wrong secret or altered body)');
}
