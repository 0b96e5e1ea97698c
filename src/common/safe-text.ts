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
    .refine((s) => !s.includes('\0'), 'must not contain NUL characters (\\0)');
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
