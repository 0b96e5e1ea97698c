import { hiddenChecksRevealed } from './submissions.service';

describe('hiddenChecksRevealed', () => {
  const t = (h: number) => new Date(Date.UTC(2026, 11, 1, h));
  const base = {
    dueAt: t(10),
    lateUntil: null,
    lateCredit: 0,
    maxAttempts: null,
    revealHiddenAfterDue: true,
    overrides: [],
  };

  it('reveals after the last window only, the student extension included, and never when not asked', () => {
    expect(hiddenChecksRevealed(base, t(9))).toBe(false);
    expect(hiddenChecksRevealed(base, t(11))).toBe(true);
    expect(hiddenChecksRevealed({ ...base, lateUntil: t(12), lateCredit: 0.5 }, t(11))).toBe(false);
    expect(hiddenChecksRevealed({ ...base, lateUntil: t(12), lateCredit: 0.5 }, t(13))).toBe(true);
    const extended = { ...base, overrides: [{ dueAt: t(14), lateUntil: null, extraAttempts: 0 }] };
    expect(hiddenChecksRevealed(extended, t(13))).toBe(false);
    expect(hiddenChecksRevealed({ ...base, revealHiddenAfterDue: false }, t(20))).toBe(false);
  });
});
