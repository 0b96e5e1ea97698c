import { z } from 'zod';
import { RegradeVersion } from '../generated/prisma/enums';

/** Which definition a regrade uses: the exercise's current one (default) or each submission's original one. */
export const regradeVersionSchema = z.enum([RegradeVersion.current, RegradeVersion.original]);

/** Body of the regrade endpoints; none at all means the current version. */
export const regradeOptionsSchema = z
  .strictObject({ version: regradeVersionSchema.default(RegradeVersion.current) })
  .optional()
  .transform((o) => o ?? { version: RegradeVersion.current });
export type RegradeOptions = z.infer<typeof regradeOptionsSchema>;

/** At most this many submissions named in one request (an exercise or an assignment has no limit). */
export const MAX_LISTED_SUBMISSIONS = 10_000;

/** POST /api/regrades: a list of submission ids. */
export const startRegradeSchema = z.strictObject({
  submissions: z
    .array(z.uuid().transform((v) => v.toLowerCase()))
    .min(1)
    .max(MAX_LISTED_SUBMISSIONS),
  version: regradeVersionSchema.default(RegradeVersion.current),
});
export type StartRegradeInput = z.infer<typeof startRegradeSchema>;

/**
 * What a run regrades. Every kind resolves to a set of submission ids; the courses work adds
 * `{ kind: 'assignment', id }` as one more case of RegradeRunsService.resolve.
 */
export type RegradeSelector =
  { kind: 'submission'; id: string } | { kind: 'exercise'; slug: string } | { kind: 'submissions'; ids: string[] };

/** The same request written two ways (ids in another order, repeated) is one selector. */
export function canonicalSelector(selector: RegradeSelector): RegradeSelector {
  if (selector.kind !== 'submissions') return selector;
  return { kind: 'submissions', ids: [...new Set(selector.ids.map((id) => id.toLowerCase()))].sort() };
}
