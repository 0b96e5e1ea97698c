import { parseCheckArgs } from './exercises-check';

describe('parseCheckArgs', () => {
  it('defaults to a concurrency of 2 over exercises/', () => {
    expect(parseCheckArgs([])).toEqual({ concurrency: 2, only: undefined, exercises: 'exercises' });
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
