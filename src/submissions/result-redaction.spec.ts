import { checksForStudent, HIDDEN_CHECK_MESSAGE, HIDDEN_CHECK_TITLE } from './result-redaction';

describe('checksForStudent', () => {
  const checks = [
    {
      id: 'runs',
      title: 'Le conteneur tourne',
      passed: true,
      points: 2,
      maxPoints: 2,
      message: 'Bravo',
      hidden: false,
    },
    {
      id: 'read-logs',
      title: 'A lu les logs de postgres',
      passed: false,
      points: 0,
      maxPoints: 1,
      message: 'Pensez à docker logs postgres',
      hidden: true,
      detail: 'no command matched docker logs',
    },
  ];

  it('keeps visible checks as they are', () => {
    expect((checksForStudent(checks) as unknown[])[0]).toEqual(checks[0]);
  });

  it('keeps the points of a hidden check but none of what would give it away', () => {
    const hidden = (checksForStudent(checks) as Record<string, unknown>[])[1];
    expect(hidden).toEqual({
      id: 'hidden-2',
      title: HIDDEN_CHECK_TITLE,
      passed: false,
      points: 0,
      maxPoints: 1,
      message: HIDDEN_CHECK_MESSAGE,
      hidden: true,
    });
    expect(JSON.stringify(hidden)).not.toMatch(/logs|read-logs/);
  });

  it('leaves a value that is not a list of checks untouched', () => {
    expect(checksForStudent(null)).toBeNull();
  });
});
