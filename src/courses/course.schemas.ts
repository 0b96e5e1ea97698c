import { z } from 'zod';
import { SLUG_PATTERN, storableText } from '../common/safe-text';
import { isTimeZone } from './time-zone';

/** Course codes: used in URLs and by LMS integrations (same spelling as integration.schemas.ts). */
export const COURSE_CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const courseCodeSchema = z.string().regex(COURSE_CODE, 'doit être un code de cours (lettres, chiffres, . _ -)');

export const createCourseSchema = z.strictObject({
  code: courseCodeSchema,
  title: storableText(200).trim().min(1, 'ne doit pas être vide'),
  term: storableText(100).trim().default(''),
  timeZone: z
    .string()
    .max(64)
    .refine(isTimeZone, 'doit être un fuseau horaire IANA (ex. Europe/Paris)')
    .default('Europe/Paris'),
});
export type CreateCourseInput = z.infer<typeof createCourseSchema>;

/** An instant with its offset (ISO 8601), e.g. 2026-12-04T18:00:00+01:00 or …Z. */
const instant = z.iso
  .datetime({ offset: true, message: 'doit être une date ISO 8601 avec fuseau (ex. 2026-12-04T18:00:00+01:00)' })
  .transform((s) => new Date(s));

const assignmentFields = {
  exercise: z.string().regex(SLUG_PATTERN, "doit être l'identifiant d'un exercice"),
  opensAt: instant.nullable().optional(),
  dueAt: instant,
  lateUntil: instant.nullable().optional(),
  lateCredit: z
    .number({ message: 'doit être un nombre entre 0 et 1' })
    .min(0, 'doit être entre 0 et 1')
    .max(1, 'doit être entre 0 et 1')
    .default(0),
  maxAttempts: z
    .number()
    .int('doit être un entier')
    .min(1, 'doit être au moins 1 (ou null : illimité)')
    .max(1000)
    .nullable()
    .optional(),
  cooldownSeconds: z
    .number()
    .int('doit être un entier')
    .min(0)
    .max(7 * 86_400)
    .nullable()
    .optional(),
  counted: z.enum(['best', 'last'], { message: 'doit être best ou last' }).default('best'),
  revealHiddenAfterDue: z.boolean().default(false),
};

export const createAssignmentSchema = z.strictObject(assignmentFields);
export type CreateAssignmentInput = z.infer<typeof createAssignmentSchema>;

/** PATCH: any field but the exercise; the window order is checked on the merged result. */
export const updateAssignmentSchema = z.strictObject({
  opensAt: assignmentFields.opensAt,
  dueAt: instant.optional(),
  lateUntil: assignmentFields.lateUntil,
  lateCredit: assignmentFields.lateCredit.removeDefault().optional(),
  maxAttempts: assignmentFields.maxAttempts,
  cooldownSeconds: assignmentFields.cooldownSeconds,
  counted: assignmentFields.counted.removeDefault().optional(),
  revealHiddenAfterDue: z.boolean().optional(),
});
export type UpdateAssignmentInput = z.infer<typeof updateAssignmentSchema>;

export const overrideSchema = z.strictObject({
  /** The student, by email or id. */
  user: z.union([z.uuid(), z.email({ message: 'doit être une adresse e-mail ou un identifiant' }).max(320)]),
  dueAt: instant.nullable().optional(),
  lateUntil: instant.nullable().optional(),
  extraAttempts: z.number().int('doit être un entier').min(0).max(100).default(0),
});
export type OverrideInput = z.infer<typeof overrideSchema>;

export const rosterQuerySchema = z.strictObject({
  dryRun: z
    .enum(['true', 'false', '1', '0'], { message: 'doit être true ou false' })
    .transform((v) => v === 'true' || v === '1')
    .default(false),
});

export const gradebookCsvQuerySchema = z.strictObject({
  sep: z.enum([',', ';'], { message: 'doit être , ou ;' }).default(','),
});
export type GradebookCsvQuery = z.infer<typeof gradebookCsvQuerySchema>;
