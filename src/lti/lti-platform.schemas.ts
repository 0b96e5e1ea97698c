import { z } from 'zod';
import { isWellFormed, WELL_FORMED_MESSAGE } from '../common/safe-text';

/** A platform's endpoint: https, or http for a platform on this machine (tests, a local Moodle). */
export function isPlatformEndpoint(u: string): boolean {
  // Runs even when the URL check failed: an unparsable value must not throw (a 500).
  if (!URL.canParse(u)) return false;
  const url = new URL(u);
  return url.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

const endpoint = z
  .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
  .max(2000)
  .refine(isPlatformEndpoint, 'must be https:// (http:// only for localhost)');

const printable = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((v) => !/\p{Cc}/u.test(v), 'must be printable text')
    // A lone surrogate passes the check above and then fails in PostgreSQL (a 500; found by the fuzz suite).
    .refine(isWellFormed, WELL_FORMED_MESSAGE);

export const createLtiPlatformSchema = z.strictObject({
  name: printable(200),
  /** The platform's `iss`: a URL for Moodle and Canvas, compared exactly. */
  issuer: printable(500),
  clientId: printable(255),
  deploymentIds: z.array(printable(255)).min(1, 'at least one deployment id').max(50),
  authUrl: endpoint,
  tokenUrl: endpoint,
  jwksUrl: endpoint,
});
export type CreateLtiPlatformInput = z.infer<typeof createLtiPlatformSchema>;
