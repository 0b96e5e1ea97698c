import { createHash, randomBytes } from 'node:crypto';

/** A new bearer token: 32 random bytes, base64url, with a prefix that makes leaked tokens greppable. */
export function generateToken(): string {
  return `dg_${randomBytes(32).toString('base64url')}`;
}

/** Tokens are stored as SHA-256 hashes: they are random, so a slow hash would add nothing. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The token from an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
