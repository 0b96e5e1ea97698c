import { z } from 'zod';
import { isWellFormed, storableLabel, WELL_FORMED_MESSAGE } from '../common/safe-text';
import { createSubmissionSchema } from '../submissions/submission.schemas';

/** Webhook URLs: http(s) only, no credentials in them (they would end up in logs and pages). */
export const webhookUrlSchema = z
  .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
  .max(2000)
  // zod runs a refinement even after the URL check failed: a value `new URL` cannot parse must not
  // throw here (it answered 500; found by the fuzz suite).
  .refine((u) => {
    const url = URL.parse(u);
    return !url || (!url.username && !url.password);
  }, 'must not contain credentials');

const courseCode = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a course code (letters, digits, . _ -)');

export const createIntegrationSchema = z.strictObject({
  name: storableLabel(200),
  webhookUrl: webhookUrlSchema.nullable().optional(),
  courses: z.array(courseCode).max(100).default([]),
});
export type CreateIntegrationInput = z.infer<typeof createIntegrationSchema>;

export const updateIntegrationSchema = z.strictObject({
  enabled: z.boolean().optional(),
  /** true clears a 410 (or an admin's) disabling of the webhook endpoint. */
  webhookEnabled: z.boolean().optional(),
  webhookUrl: webhookUrlSchema.nullable().optional(),
  courses: z.array(courseCode).max(100).optional(),
});
export type UpdateIntegrationInput = z.infer<typeof updateIntegrationSchema>;

export const rotateSchema = z.strictObject({ which: z.enum(['inbound', 'webhook', 'both']).default('both') });

/** An external identifier: printable, bounded, stored and echoed back as is. */
const externalId = z
  .string()
  .min(1)
  .max(255)
  .refine((v) => !/\p{Cc}/u.test(v), 'must be printable text (no control characters)')
  .refine(isWellFormed, WELL_FORMED_MESSAGE);

/** The body of a signed inbound submission (docs/lms.md). */
export const lmsSubmissionSchema = createSubmissionSchema.extend({
  user: z.strictObject({
    id: externalId,
    email: z.email().max(320).optional(),
    name: storableLabel(200).optional(),
  }),
  assignment: externalId.optional(),
});
export type LmsSubmissionInput = z.infer<typeof lmsSubmissionSchema>;

export const deliveryListSchema = z.strictObject({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  cursor: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type DeliveryListQuery = z.infer<typeof deliveryListSchema>;
