import { checkChanges, resultChanged, type StoredCheck } from './result-diff';

const check = (id: string, passed: boolean, points: number): StoredCheck => ({
  id,
  title: `titre ${id}`,
  passed,
  points,
  maxPoints: 2,
});

describe('checkChanges', () => {
  it('is empty for the same outcomes', () => {
    expect(checkChanges([check('a', true, 2)], [check('a', true, 2)])).toEqual([]);
  });

  it('lists a check that flipped, one added and one removed by a new definition', () => {
    const changes = checkChanges(
      [check('a', true, 2), check('gone', false, 0)],
      [check('a', false, 0), check('new', true, 1)],
    );
    expect(changes).toEqual([
      { id: 'a', title: 'titre a', before: { passed: true, points: 2 }, after: { passed: false, points: 0 } },
      { id: 'new', title: 'titre new', before: null, after: { passed: true, points: 1 } },
      { id: 'gone', title: 'titre gone', before: { passed: false, points: 0 }, after: null },
    ]);
  });

  it('counts points changed on a check still passed (a new weight)', () => {
    expect(checkChanges([check('a', true, 2)], [check('a', true, 3)])).toHaveLength(1);
  });
});

describe('resultChanged', () => {
  it('is false for the same score and checks, true when either differs or nothing came before', () => {
    const r = { score: 2, checks: [check('a', true, 2)] };
    expect(resultChanged(r, { ...r })).toBe(false);
    expect(resultChanged(r, { score: 1, checks: r.checks })).toBe(true);
    expect(resultChanged(r, { score: 2, checks: [check('a', false, 2)] })).toBe(true);
    expect(resultChanged(null, r)).toBe(true);
  });
});
