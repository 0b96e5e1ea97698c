/** What went wrong, independent of transport; the exception filter maps each code to one HTTP status. */
export enum ErrorCode {
  Validation = 'validation_failed',
  MalformedBody = 'malformed_body',
  PayloadTooLarge = 'payload_too_large',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  Conflict = 'conflict',
  RateLimited = 'rate_limited',
  Overloaded = 'overloaded',
  /** A service the request needs (PostgreSQL…) cannot be reached: try again shortly. */
  Unavailable = 'service_unavailable',
}

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `files.0.path`. */
  field: string;
  message: string;
}

/** A failure the caller can act on; carries a code, never an HTTP status. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { fields?: FieldIssue[]; retryAfterSeconds?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DomainError';
  }

  static notFound(what: string): DomainError {
    return new DomainError(ErrorCode.NotFound, `${what} not found`);
  }

  static forbidden(message = 'not allowed'): DomainError {
    return new DomainError(ErrorCode.Forbidden, message);
  }

  static conflict(message: string): DomainError {
    return new DomainError(ErrorCode.Conflict, message);
  }

  static validation(fields: FieldIssue[]): DomainError {
    const summary = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
    return new DomainError(ErrorCode.Validation, `invalid request: ${summary}`, { fields });
  }
}
