import { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { DomainError } from './domain-error';

/** Parses a request part with a zod schema; a failure becomes a 400 naming each bad field. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    /** Prefix for field names, e.g. `query` or `header`, so the client knows where to look. */
    private readonly location?: string,
  ) {}

  transform(value: unknown): z.infer<S> {
    return parseOrThrow(this.schema, value, this.location);
  }
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, location?: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const name = (path: PropertyKey[]) => [location, ...path.map(String)].filter(Boolean).join('.') || '(body)';
  throw DomainError.validation(
    parsed.error.issues.flatMap((issue) =>
      // An unknown key is reported on its parent; name the key itself so the client sees which.
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ field: name([...issue.path, key]), message: 'unknown field' }))
        : [{ field: name(issue.path), message: issue.message }],
    ),
  );
}
