import { resolve } from 'node:path';
import { main, parseCheckArgs } from './exercises-check';

describe('parseCheckArgs', () => {
  it('defaults to a concurrency of 2 over exercises/, traced to the course beside the repository', () => {
    expect(parseCheckArgs([])).toEqual({
      concurrency: 2,
      only: undefined,
      exercises: 'exercises',
      course: resolve(__dirname, '..', '..', 'shared', 'course'),
    });
    expect(parseCheckArgs(['--course', '/tmp/cours']).course).toBe('/tmp/cours');
    expect(parseCheckArgs(['--concurrency', '4', '--only', 'redis-exec, volumes'])).toMatchObject({
      concurrency: 4,
      only: ['redis-exec', 'volumes'],
    });
  });

  it.each([[['--concurrency', '0']], [['--concurrency', 'deux']], [['--bogus']], [['positional']]])(
    'refuses %j',
    (argv) => {
      expect(() => parseCheckArgs(argv)).toThrow(/usage: npm run exercises:check/);
    },
  );
});

describe('exercises:check without the course folder', () => {
  it('fails with a one-line reason naming the folder (exit 2), before grading anything', async () => {
    const argv = process.argv;
    const absent = '/nonexistent/dockgrader-course';
    const errors: string[] = [];
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    });
    process.argv = [argv[0], 'exercises-check', '--course', absent, '--exercises', 'test/fixtures/exercises/ok'];
    try {
      expect(await main()).toBe(2);
    } finally {
      process.argv = argv;
      stderr.mockRestore();
    }
    expect(errors).toEqual([
      `exercises:check: course folder ${absent} not found: each exercise's chapter must name one of its files (lay shared/course beside the repository, or pass --course DIR)\n`,
    ]);
  });
});
