import { createTokenSchema, createUserSchema } from '../auth/admin.controller';
import { createIntegrationSchema, lmsSubmissionSchema } from '../lms/integration.schemas';
import { createSubmissionSchema } from '../submissions/submission.schemas';
import { isWellFormed } from './safe-text';

// Regressions of the fuzz suite (test/e2e/fuzz.e2e-spec.ts): each value below reached PostgreSQL
// and the API answered 500 — a lone surrogate in a json column (a file's content) or in text
// through Prisma's driver (a token's or an integration's name), a NUL in a name.
describe('text PostgreSQL can store', () => {
  it('tells lone surrogates from pairs', () => {
    expect(isWellFormed('\ud800')).toBe(false);
    expect(isWellFormed('a\udfff\ud800b')).toBe(false);
    expect(isWellFormed('😀 é ü')).toBe(true);
    expect(isWellFormed('')).toBe(true);
  });

  const fieldsOf = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
    r.error?.issues.map((i) => i.path.join('.')) ?? [];

  it.each(['\udfff\ud800', 'nom\0nul'])('refuses %j naming the field, wherever it goes', (bad) => {
    const submission = { exercise: 'hello-world', source: 'docker ps' };
    expect(fieldsOf(createSubmissionSchema.safeParse({ ...submission, source: bad }))).toEqual(['source']);
    expect(fieldsOf(createSubmissionSchema.safeParse({ ...submission, files: [{ path: 'a', content: bad }] }))).toEqual(
      ['files.0.content'],
    );
    expect(
      fieldsOf(createSubmissionSchema.safeParse({ ...submission, files: [{ path: `a${bad}`, content: '' }] })),
    ).toEqual(['files.0.path']);
    expect(fieldsOf(createTokenSchema.safeParse({ name: bad }))).toEqual(['name']);
    expect(fieldsOf(createUserSchema.safeParse({ email: 'a@b.fr', displayName: bad }))).toEqual(['displayName']);
    expect(fieldsOf(createIntegrationSchema.safeParse({ name: bad }))).toEqual(['name']);
    expect(
      fieldsOf(lmsSubmissionSchema.safeParse({ ...submission, user: { id: 'x', name: bad }, assignment: 'a' })),
    ).toEqual(['user.name']);
  });

  it('accepts ordinary accented names', () => {
    expect(createTokenSchema.parse({ name: '  Élève — CI 😀 ' }).name).toBe('Élève — CI 😀');
  });
});
