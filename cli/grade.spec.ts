import { parseGradeArgs } from './grade';

describe('parseGradeArgs', () => {
  it('reads slug, file and options', () => {
    expect(parseGradeArgs(['redis-exec', 'sub.txt'])).toEqual({
      slug: 'redis-exec',
      file: 'sub.txt',
      files: undefined,
      json: false,
      exercises: 'exercises',
    });
    expect(parseGradeArgs(['volumes', 'sub.txt', '--files', 'dir', '--json'])).toMatchObject({
      files: 'dir',
      json: true,
    });
    expect(parseGradeArgs(['--json', 'volumes', 'sub.txt', '--exercises', 'test/fixtures/exercises/ok'])).toMatchObject(
      { slug: 'volumes', exercises: 'test/fixtures/exercises/ok' },
    );
  });

  it.each([
    [[], /missing the exercise slug/],
    [['redis-exec'], /missing the submission file/],
    [['redis-exec', 'a', 'b'], /unexpected argument "b"/],
    [['redis-exec', 'a', '--bogus'], /Unknown option '--bogus'/],
    [['redis-exec', 'a', '--files'], /--files/],
    [['../etc', 'a'], /not an exercise slug/],
  ])('refuses %j with a one-line reason', (argv, reason) => {
    expect(() => parseGradeArgs(argv)).toThrow(reason);
    try {
      parseGradeArgs(argv);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).toContain('usage: npm run grade');
    }
  });
});
