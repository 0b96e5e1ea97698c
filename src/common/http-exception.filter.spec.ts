import { Prisma } from '../generated/prisma/client';
import { DomainError, ErrorCode } from './domain-error';
import { statusOf, toDomainError } from './http-exception.filter';

describe('error mapping', () => {
  it('gives every domain error code a 4xx or 503 status', () => {
    for (const code of Object.values(ErrorCode)) {
      const status = statusOf(code);
      expect(status === 503 || (status >= 400 && status < 500)).toBe(true);
    }
    expect(statusOf(ErrorCode.RateLimited)).toBe(429);
    expect(statusOf(ErrorCode.PayloadTooLarge)).toBe(413);
  });

  it('maps Prisma unique and missing-record errors to conflict and not found', () => {
    const p2002 = new Prisma.PrismaClientKnownRequestError('dup', { code: 'P2002', clientVersion: 'x' });
    const p2025 = new Prisma.PrismaClientKnownRequestError('gone', { code: 'P2025', clientVersion: 'x' });
    expect(toDomainError(p2002)?.code).toBe(ErrorCode.Conflict);
    expect(toDomainError(p2025)?.code).toBe(ErrorCode.NotFound);
    expect(
      toDomainError(new Prisma.PrismaClientKnownRequestError('other', { code: 'P2003', clientVersion: 'x' })),
    ).toBeUndefined();
  });

  it("maps PostgreSQL's refusal of a NUL character (raw or wrapped) to a validation error", () => {
    const raw = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    expect(toDomainError(raw)?.code).toBe(ErrorCode.Validation);
    expect(toDomainError(new Error('query failed', { cause: raw }))?.code).toBe(ErrorCode.Validation);
    expect(toDomainError(Object.assign(new Error('other'), { code: '23505' }))).toBeUndefined();
  });

  it('maps body parser failures and leaves unknown errors unmapped', () => {
    expect(toDomainError(Object.assign(new Error('big'), { type: 'entity.too.large' }))?.code).toBe(
      ErrorCode.PayloadTooLarge,
    );
    expect(toDomainError(Object.assign(new Error('bad'), { type: 'entity.parse.failed' }))?.code).toBe(
      ErrorCode.MalformedBody,
    );
    // A gzip body that does not inflate: http-errors' 400 without a type (was a 500).
    expect(toDomainError(Object.assign(new Error('Bad Request'), { status: 400, expose: true }))?.code).toBe(
      ErrorCode.MalformedBody,
    );
    expect(toDomainError(Object.assign(new Error('x'), { status: 500, expose: false }))).toBeUndefined();
    expect(toDomainError(new Error('boom'))).toBeUndefined();
    const own = DomainError.notFound('x');
    expect(toDomainError(own)).toBe(own);
  });

  // Found by the fault suite: with PostgreSQL stopped every route answered 500.
  it('maps an unreachable database to 503 with Retry-After, raw or wrapped', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    for (const err of [
      refused,
      new Error('query failed', { cause: refused }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('x'), { code: '08006' }),
    ]) {
      const d = toDomainError(err);
      expect(d?.code).toBe(ErrorCode.Unavailable);
      expect(statusOf(d!.code)).toBe(503);
      expect(d!.details.retryAfterSeconds).toBeGreaterThan(0);
    }
    expect(toDomainError(Object.assign(new Error('dup'), { code: '23505' }))).toBeUndefined();
  });
});
