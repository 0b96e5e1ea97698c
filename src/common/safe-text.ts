import { z } from 'zod';
import { DomainError } from './domain-error';

/**
 * Text PostgreSQL can store: any string but one with a NUL character, which `text` columns refuse
 * ("invalid byte sequence for encoding UTF8: 0x00") — refused at the edge, naming the field.
 */
export function storableText(max: number) {
  return z
    .string()
    .max(max)
    .refine((s) => !s.includes('\0'), 'must not contain NUL characters (\\0)')
    .refine(isWellFormed, WELL_FORMED_MESSAGE);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const WELL_FORMED_MESSAGE = 'must be valid Unicode (no lone surrogate such as \\ud800)';

/**
 * JSON may carry a lone surrogate (`"\ud800"`) that no UTF-8 text can hold: PostgreSQL refuses it
 * in a json column and Prisma's driver fails on it in text (both answered 500; found by the fuzz
 * suite). Refused at the edge, naming the field, like NUL.
 */
export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** A bounded, trimmed, non-empty label (names, titles) that PostgreSQL can store. */
export function storableLabel(max: number) {
  return z.string().trim().min(1).max(max).pipe(storableText(max));
}

/** An exercise slug as the catalogue spells them (kebab-case). */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,99}$/;

/** `:slug` path parameters: anything that cannot be a slug names no exercise (404, not a database error). */
export class ExerciseSlugPipe {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !SLUG_PATTERN.test(value)) throw DomainError.notFound('exercise');
    return value;
  }
}
