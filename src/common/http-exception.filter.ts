import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isPagePath, sendPageError } from '../web/page-request';
import { Prisma } from '../generated/prisma/client';
import { DomainError, ErrorCode, FieldIssue } from './domain-error';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  fields?: FieldIssue[];
}

/** The HTTP status of each domain error code; the switch is exhaustive, so a new code must be mapped. */
export function statusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.Validation:
    case ErrorCode.MalformedBody:
      return HttpStatus.BAD_REQUEST;
    case ErrorCode.Unauthenticated:
      return HttpStatus.UNAUTHORIZED;
    case ErrorCode.Forbidden:
      return HttpStatus.FORBIDDEN;
    case ErrorCode.NotFound:
      return HttpStatus.NOT_FOUND;
    case ErrorCode.Conflict:
      return HttpStatus.CONFLICT;
    case ErrorCode.PayloadTooLarge:
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case ErrorCode.RateLimited:
      return HttpStatus.TOO_MANY_REQUESTS;
    case ErrorCode.Overloaded:
    case ErrorCode.Unavailable:
      return HttpStatus.SERVICE_UNAVAILABLE;
    default: {
      const unmapped: never = code;
      throw new Error(`unmapped error code ${String(unmapped)}`);
    }
  }
}

/** Turns a thrown value into a domain error when it is one in disguise (Prisma, body parser). */
export function toDomainError(err: unknown): DomainError | undefined {
  if (err instanceof DomainError) return err;
  // A NUL character reached PostgreSQL (schemas refuse it at the edge; this keeps a missed path a 400).
  if (isNulRefusal(err)) {
    return new DomainError(ErrorCode.Validation, 'text must not contain NUL characters (\\0)', {}, { cause: err });
  }
  // PostgreSQL stopped or restarting: the request may succeed in a few seconds, and nothing was
  // stored; say so (503 + Retry-After) rather than 500 (the fault suite stops it for 20 s).
  if (isUnreachable(err)) {
    return new DomainError(
      ErrorCode.Unavailable,
      'the database is unreachable; retry in a few seconds',
      { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS },
      { cause: err },
    );
  }
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    if (err.code === 'P2002') return new DomainError(ErrorCode.Conflict, 'already exists', {}, { cause: err });
    if (err.code === 'P2025') return new DomainError(ErrorCode.NotFound, 'not found', {}, { cause: err });
    return undefined;
  }
  // body-parser's errors carry a `type`; they happen before any controller sees the request.
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large') return new DomainError(ErrorCode.PayloadTooLarge, 'request body too large');
  if (type === 'entity.parse.failed') return new DomainError(ErrorCode.MalformedBody, 'malformed JSON body');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported' || type === 'request.aborted') {
    return new DomainError(ErrorCode.MalformedBody, 'unreadable request body');
  }
  // Any other client error body-parser raises (http-errors, `expose` set): a gzip body that does
  // not inflate arrives as a bare 400 without a `type` (found by the fuzz suite: it was a 500).
  const status = (err as { status?: unknown; expose?: unknown } | null)?.status;
  if (
    (err as { expose?: unknown } | null)?.expose === true &&
    typeof status === 'number' &&
    status >= 400 &&
    status < 500
  ) {
    if (status === 413) return new DomainError(ErrorCode.PayloadTooLarge, 'request body too large', {}, { cause: err });
    return new DomainError(ErrorCode.MalformedBody, 'unreadable request body', {}, { cause: err });
  }
  return undefined;
}

export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** Connection-level failures: refused, reset, cut by a shutdown (SQLSTATE class 08, 57P01-57P03), pool timeouts. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'P1001',
  'P1017',
]);
const UNREACHABLE_MESSAGE =
  /Connection terminated|terminating connection due to administrator command|the database system is (shutting down|starting up)|timeout exceeded when trying to connect|Client has encountered a connection error/;

/** A database (or other dependency) that cannot be reached, raw from pg or wrapped by Prisma. */
function isUnreachable(err: unknown): boolean {
  let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++, e = e.cause as typeof e) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNREACHABLE_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code)) return true;
    if (typeof e.message === 'string' && UNREACHABLE_MESSAGE.test(e.message)) return true;
  }
  return false;
}

/** PostgreSQL's refusal of a NUL in text (SQLSTATE 22021), raw from pg or wrapped by Prisma. */
function isNulRefusal(err: unknown): boolean {
  let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++, e = e.cause as typeof e) {
    if (e.code === '22021' || (typeof e.message === 'string' && e.message.includes('0x00'))) return true;
  }
  return false;
}

/** The one mapping from errors to HTTP responses; unknown errors are logged and answered 500. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    send(res, err, this.logger);
  }
}

export function send(res: Response, err: unknown, logger: Logger): void {
  if (res.headersSent) {
    // An SSE stream or a half-written body: nothing sensible can be sent any more.
    res.end();
    return;
  }
  const domain = toDomainError(err);
  let body: ErrorBody;
  if (domain) {
    const status = statusOf(domain.code);
    // Operators must see an outage even though the client got a clean 503.
    if (domain.code === ErrorCode.Unavailable)
      logger.warn(`503: ${String((domain.cause as Error)?.message ?? domain.cause)}`);
    body = { statusCode: status, error: domain.code, message: domain.message };
    if (domain.details.fields) body.fields = domain.details.fields;
    if (domain.details.retryAfterSeconds !== undefined)
      res.setHeader('Retry-After', String(domain.details.retryAfterSeconds));
  } else if (err instanceof HttpException) {
    // Nest's own (unknown route, unsupported method): keep its status.
    const status = err.getStatus();
    body = { statusCode: status, error: HttpStatus[status]?.toLowerCase() ?? 'error', message: err.message };
  } else {
    logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    body = { statusCode: 500, error: 'internal_error', message: 'internal error' };
  }
  const req = res.req as Request | undefined;
  if (req && isPagePath(req.path)) sendPageError(req, res, body.statusCode, body);
  else res.status(body.statusCode).json(body);
}
