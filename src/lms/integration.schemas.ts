import { z } from 'zod';
import { createSubmissionSchema } from '../submissions/submission.schemas';

/** Webhook URLs: http(s) only, no credentials in them (they would end up in logs and pages). */
export const webhookUrlSchema = z
  .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
  .max(2000)
  // Refinements run even when the URL check failed: an unparsable value must not throw here (a 500).
  .refine((u) => URL.canParse(u) && !new URL(u).username && !new URL(u).password, 'must not contain credentials');

const courseCode = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a course code (letters, digits, . _ -)');

export const createIntegrationSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
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
  .refine((v) => !/\p{Cc}/u.test(v), 'must be printable text (no control characters)');

/** The body of a signed inbound submission (docs/lms.md). */
export const lmsSubmissionSchema = createSubmissionSchema.extend({
  user: z.strictObject({
    id: externalId,
    email: z.email().max(320).optional(),
    name: z.string().trim().min(1).max(200).optional(),
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
