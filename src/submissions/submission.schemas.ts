import { z } from 'zod';
import { isWellFormed, SLUG_PATTERN, storableText, WELL_FORMED_MESSAGE } from '../common/safe-text';

const MAX_SOURCE_CHARS = 64 * 1024;
const MAX_FILE_CHARS = 64 * 1024;

/** A relative path inside the sandbox working directory: no absolute paths, no `..`, no NUL. */
const relativePath = z
  .string()
  .min(1)
  .max(255)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\0') && !p.includes('\\'), {
    message: 'must be a relative path without ".." or backslashes',
  })
  .refine(isWellFormed, WELL_FORMED_MESSAGE);

export const createSubmissionSchema = z.strictObject({
  exercise: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be an exercise slug'),
  source: storableText(MAX_SOURCE_CHARS).min(1, 'must not be empty'),
  files: z
    .array(z.strictObject({ path: relativePath, content: storableText(MAX_FILE_CHARS) }))
    .max(20)
    .refine((files) => new Set(files.map((f) => f.path)).size === files.length, 'paths must be unique')
    .default([]),
});

/**
 * The API's body: the exercise, or a course assignment (its exercise is implied; when both are
 * given they must agree). The check that one is present is the service's (a refined schema could
 * not be extended by the LMS schema).
 */
export const apiSubmissionSchema = createSubmissionSchema.extend({
  exercise: createSubmissionSchema.shape.exercise.optional(),
  assignment: z.uuid({ message: "doit être l'identifiant d'un devoir" }).optional(),
});
export type CreateSubmissionInput = z.infer<typeof apiSubmissionSchema>;

/** `Idempotency-Key`: a client-chosen token; printable ASCII so it is safe to log and index. */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
  .optional();

export const listSubmissionsSchema = z.strictObject({
  exercise: z.string().regex(SLUG_PATTERN, 'must be an exercise slug').optional(),
  user: z.uuid().optional(),
  status: z.enum(['queued', 'running', 'graded', 'error', 'internal_error']).optional(),
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListSubmissionsQuery = z.infer<typeof listSubmissionsSchema>;

export const submissionIdSchema = z.uuid();
