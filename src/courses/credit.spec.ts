import fc from 'fast-check';
import {
  countedScore,
  CreditedAttempt,
  creditFor,
  CreditOverride,
  CreditPolicy,
  effectivePolicy,
  recomputedCredit,
  windowCredit,
} from './credit';

const T0 = Date.UTC(2026, 8, 1);
const HOUR = 3_600_000;
const time = fc.integer({ min: 0, max: 2000 * HOUR }).map((ms) => new Date(T0 + ms));

const policyArb: fc.Arbitrary<CreditPolicy> = fc
  .record({
    due: fc.integer({ min: 0, max: 1000 * HOUR }),
    late: fc.option(fc.integer({ min: 0, max: 500 * HOUR }), { nil: null }),
    lateCredit: fc.double({ min: 0, max: 1, noNaN: true }),
    maxAttempts: fc.option(fc.integer({ min: 1, max: 10 }), { nil: null }),
  })
  .map(({ due, late, lateCredit, maxAttempts }) => ({
    dueAt: new Date(T0 + due),
    lateUntil: late === null ? null : new Date(T0 + due + late),
    lateCredit,
    maxAttempts,
  }));

const overrideArb: fc.Arbitrary<CreditOverride> = fc.record({
  dueAt: fc.option(time, { nil: null }),
  lateUntil: fc.option(time, { nil: null }),
  extraAttempts: fc.integer({ min: 0, max: 5 }),
});

describe('credit timeline', () => {
  it('is never above 1 nor below 0', () => {
    fc.assert(
      fc.property(policyArb, fc.option(overrideArb), time, fc.integer({ min: 1, max: 20 }), (p, o, t, n) => {
        const { credit } = creditFor(p, o, t, n);
        return credit >= 0 && credit <= 1;
      }),
    );
  });

  it('never increases as the received time grows (monotone non-increasing)', () => {
    fc.assert(
      fc.property(policyArb, fc.option(overrideArb), time, time, fc.integer({ min: 1, max: 20 }), (p, o, a, b, n) => {
        const [early, late] = a.getTime() <= b.getTime() ? [a, b] : [b, a];
        return creditFor(p, o, early, n).credit >= creditFor(p, o, late, n).credit;
      }),
    );
  });

  it("equals the window's credit inside each window", () => {
    fc.assert(
      fc.property(policyArb, fc.double({ min: 0, max: 1, noNaN: true }), (p, f) => {
        const onTime = new Date(T0 + f * p.dueAt.getTime() - f * T0);
        expect(windowCredit(p, onTime)).toEqual({ credit: 1, practiceReason: null });
        expect(windowCredit(p, p.dueAt).credit).toBe(1);
        if (p.lateUntil && p.lateUntil.getTime() > p.dueAt.getTime()) {
          const inLate = new Date(p.dueAt.getTime() + Math.max(1, f * (p.lateUntil.getTime() - p.dueAt.getTime())));
          const c = windowCredit(p, inLate);
          if (p.lateCredit > 0) expect(c).toEqual({ credit: p.lateCredit, practiceReason: null });
          else expect(c).toEqual({ credit: 0, practiceReason: 'late' });
        }
        const after = new Date((p.lateUntil ?? p.dueAt).getTime() + 1);
        expect(windowCredit(p, after)).toEqual({ credit: 0, practiceReason: 'late' });
      }),
    );
  });

  it('overrides only extend: credit with an override is never lower than without', () => {
    fc.assert(
      fc.property(policyArb, overrideArb, time, fc.integer({ min: 1, max: 20 }), (p, o, t, n) => {
        expect(creditFor(p, o, t, n).credit).toBeGreaterThanOrEqual(creditFor(p, null, t, n).credit);
        const e = effectivePolicy(p, o);
        expect(e.dueAt.getTime()).toBeGreaterThanOrEqual(p.dueAt.getTime());
        if (p.maxAttempts !== null) expect(e.maxAttempts).toBeGreaterThanOrEqual(p.maxAttempts);
      }),
    );
  });

  it('makes an attempt over the limit practice whatever the time, and one within it not', () => {
    const p: CreditPolicy = { dueAt: new Date(T0 + HOUR), lateUntil: null, lateCredit: 0, maxAttempts: 2 };
    expect(creditFor(p, null, new Date(T0), 2)).toEqual({ credit: 1, practiceReason: null });
    expect(creditFor(p, null, new Date(T0), 3)).toEqual({ credit: 0, practiceReason: 'attempts' });
    expect(creditFor(p, { dueAt: null, lateUntil: null, extraAttempts: 1 }, new Date(T0), 3).practiceReason).toBeNull();
    expect(creditFor(p, null, new Date(T0 + 2 * HOUR), 1)).toEqual({ credit: 0, practiceReason: 'late' });
  });

  it('a late submission within lateUntil counts at lateCredit (the half-credit case)', () => {
    const p: CreditPolicy = {
      dueAt: new Date(T0),
      lateUntil: new Date(T0 + 48 * HOUR),
      lateCredit: 0.5,
      maxAttempts: null,
    };
    expect(creditFor(p, null, new Date(T0 + HOUR), 1)).toEqual({ credit: 0.5, practiceReason: null });
  });

  it('a regrade keeps the received time, so the credit is the same whenever it is recomputed', () => {
    fc.assert(
      fc.property(policyArb, time, fc.integer({ min: 1, max: 5 }), (p, received, n) => {
        // The function has no clock: the same received time gives the same credit, today or next year.
        expect(creditFor(p, null, received, n)).toEqual(creditFor(p, null, new Date(received.getTime()), n));
      }),
    );
  });

  it('a recomputation never lowers a credit already earned', () => {
    fc.assert(
      fc.property(policyArb, policyArb, time, (before, after, t) => {
        const kept = recomputedCredit(windowCredit(before, t), windowCredit(after, t));
        return kept.credit >= windowCredit(before, t).credit && kept.credit >= windowCredit(after, t).credit;
      }),
    );
  });
});

describe('countedScore', () => {
  const attemptArb: fc.Arbitrary<CreditedAttempt> = fc.record({
    receivedAt: time,
    score: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
    credit: fc.constantFrom(0, 0.5, 1),
    practiceReason: fc.constantFrom(null, 'late' as const, 'attempts' as const),
  });

  it('is one of the credited scores of counting attempts (or 0), and best is the maximum', () => {
    fc.assert(
      fc.property(fc.array(attemptArb, { maxLength: 8 }), (attempts) => {
        const best = countedScore('best', attempts);
        const last = countedScore('last', attempts);
        if (attempts.every((a) => a.score === null)) return best === null && last === null;
        const credited = attempts
          .filter((a) => a.score !== null && a.practiceReason === null)
          .map((a) => a.score! * a.credit);
        const candidates = [...credited, ...(credited.length === 0 ? [0] : [])];
        return candidates.includes(best!) && candidates.includes(last!) && best! >= last!;
      }),
    );
  });

  it('counts practice as 0 and takes the last by received time', () => {
    const at = (h: number) => new Date(T0 + h * HOUR);
    const attempts: CreditedAttempt[] = [
      { receivedAt: at(1), score: 10, credit: 1, practiceReason: null },
      { receivedAt: at(3), score: 10, credit: 0, practiceReason: 'late' },
      { receivedAt: at(2), score: 4, credit: 0.5, practiceReason: null },
    ];
    expect(countedScore('best', attempts)).toBe(10);
    expect(countedScore('last', attempts)).toBe(2);
    expect(countedScore('best', [attempts[1]])).toBe(0);
  });
});
