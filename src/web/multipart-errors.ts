import { MulterError } from 'multer';
import { DomainError, ErrorCode } from '../common/domain-error';

/**
 * What the submission form's multipart parser throws, as a client error. multer (limits) and
 * busboy (broken boundaries, part headers, a form cut short) only fail on the request's own bytes
 * — files are kept in memory — so none of it is our fault; the fuzz suite found each of them
 * answered 500. The page shows the error page with the status (400 or 413).
 */
export function multipartError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE')
      return new DomainError(ErrorCode.PayloadTooLarge, 'files: a file is too large', {}, { cause: err });
    const field = err.code === 'LIMIT_FILE_COUNT' ? 'files' : (err.field ?? 'body');
    return new DomainError(
      ErrorCode.Validation,
      `invalid request: ${field}: ${err.message}`,
      { fields: [{ field, message: err.message }] },
      { cause: err },
    );
  }
  const why = err instanceof Error ? err.message : String(err);
  return new DomainError(ErrorCode.MalformedBody, `body: unreadable multipart form (${why})`, {}, { cause: err });
}
