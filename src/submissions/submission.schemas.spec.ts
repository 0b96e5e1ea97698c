import { createSubmissionSchema, idempotencyKeySchema, listSubmissionsSchema } from './submission.schemas';

describe('submission request schemas', () => {
  it('accepts a submission and defaults files to none', () => {
    expect(createSubmissionSchema.parse({ exercise: 'three-databases', source: 'docker ps' })).toEqual({
      exercise: 'three-databases',
      source: 'docker ps',
      files: [],
    });
  });

  it.each(['../x', 'a/../../x', '/etc/passwd', 'a\\b', 'nul\0'])('refuses the file path %j', (path) => {
    expect(
      createSubmissionSchema.safeParse({ exercise: 'e', source: 's', files: [{ path, content: '' }] }).success,
    ).toBe(false);
  });

  it('refuses duplicate file paths and unknown fields', () => {
    const dup = [
      { path: 'a', content: '1' },
      { path: 'a', content: '2' },
    ];
    expect(createSubmissionSchema.safeParse({ exercise: 'e', source: 's', files: dup }).success).toBe(false);
    expect(createSubmissionSchema.safeParse({ exercise: 'e', source: 's', userId: 'x' }).success).toBe(false);
  });

  it('bounds list pages and coerces the limit from the query string', () => {
    expect(listSubmissionsSchema.parse({ limit: '5' }).limit).toBe(5);
    expect(listSubmissionsSchema.parse({}).limit).toBe(20);
    expect(listSubmissionsSchema.safeParse({ limit: '1000' }).success).toBe(false);
    expect(listSubmissionsSchema.safeParse({ cursor: 'nope' }).success).toBe(false);
  });

  it('takes printable idempotency keys only', () => {
    expect(idempotencyKeySchema.parse(undefined)).toBeUndefined();
    expect(idempotencyKeySchema.parse('abc-123_X')).toBe('abc-123_X');
    expect(idempotencyKeySchema.safeParse('has space').success).toBe(false);
  });
});
