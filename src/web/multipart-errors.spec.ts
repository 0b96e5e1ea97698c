import { MulterError } from 'multer';
import { ErrorCode } from '../common/domain-error';
import { statusOf } from '../common/http-exception.filter';
import { multipartError } from './multipart-errors';

// Regressions of the fuzz suite: each of these reached the error filter as an unknown error (500).
describe('multipart form errors', () => {
  it('maps multer limits to 413 or a 400 naming the field', () => {
    expect(statusOf(multipartError(new MulterError('LIMIT_FILE_SIZE', 'files')).code)).toBe(413);
    const many = multipartError(new MulterError('LIMIT_FILE_COUNT'));
    expect(many.code).toBe(ErrorCode.Validation);
    expect(many.details.fields).toEqual([{ field: 'files', message: 'Too many files' }]);
  });

  it.each(['Malformed part header', 'Unexpected end of form', 'Multipart: Boundary not found'])(
    "maps busboy's %j to a malformed body",
    (message) => {
      const e = multipartError(new Error(message));
      expect(e.code).toBe(ErrorCode.MalformedBody);
      expect(e.message).toContain(message);
    },
  );
});
