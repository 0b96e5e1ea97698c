import { z } from 'zod';
import { DomainError, ErrorCode } from './domain-error';
import { parseOrThrow } from './zod-validation.pipe';

describe('parseOrThrow', () => {
  const schema = z.strictObject({ a: z.string(), nested: z.strictObject({ b: z.number() }).optional() });

  function issues(value: unknown, location?: string) {
    try {
      parseOrThrow(schema, value, location);
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe(ErrorCode.Validation);
      return (err as DomainError).details.fields?.map((f) => f.field);
    }
    throw new Error('expected a validation error');
  }

  it('returns the parsed value when valid', () => {
    expect(parseOrThrow(schema, { a: 'x' })).toEqual({ a: 'x' });
  });

  it('names nested fields, unknown keys, and the location prefix', () => {
    expect(issues({ a: 1 })).toEqual(['a']);
    expect(issues({ a: 'x', nested: { b: 'no' } })).toEqual(['nested.b']);
    expect(issues({ a: 'x', zz: 1, yy: 2 })).toEqual(['zz', 'yy']);
    expect(issues({ a: 1 }, 'query')).toEqual(['query.a']);
    expect(issues('not an object')).toEqual(['(body)']);
  });
});
