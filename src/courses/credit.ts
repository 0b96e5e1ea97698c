/**
 * The credit timeline of an assignment, as pure functions (no clock, no database): full credit
 * until the due date, `lateCredit` until `lateUntil`, then practice. Everything is computed from the
 * time a submission was *received* (Submission.createdAt, the database's clock), never from when it
 * was graded, so a regrade or a slow queue cannot change a student's credit.
 */

export type PracticeReason = 'late' | 'attempts';
export type CountedPolicy = 'best' | 'last';

/** The deadlines and limits of an assignment (the fields of the Assignment row that matter here). */
export interface CreditPolicy {
  dueAt: Date;
  lateUntil: Date | null;
  /** 0–1. */
  lateCredit: number;
  /** null: unlimited. */
  maxAttempts: number | null;
}

/** A student's extension. Fields only ever *extend* the policy: an earlier date is ignored. */
export interface CreditOverride {
  dueAt: Date | null;
  lateUntil: Date | null;
  extraAttempts: number;
}

export interface Credit {
  /** Fraction of the score that counts, 0–1. */
  credit: number;
  /** Why it counts 0 although graded; null when it counts (possibly at a late rate). */
  practiceReason: PracticeReason | null;
}

const later = (a: Date | null, b: Date | null): Date | null => {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
};

/** The policy that applies to one student: the assignment's, extended by their override if any. */
export function effectivePolicy(policy: CreditPolicy, override?: CreditOverride | null): CreditPolicy {
  if (!override) return policy;
  const dueAt = later(policy.dueAt, override.dueAt) as Date;
  return {
    dueAt,
    // A late window that an extended due date overtakes is empty, not a reason to shorten anything.
    lateUntil: later(policy.lateUntil, override.lateUntil),
    lateCredit: policy.lateCredit,
    maxAttempts: policy.maxAttempts === null ? null : policy.maxAttempts + Math.max(0, override.extraAttempts),
  };
}

/** The credit of the window `receivedAt` falls in (ignoring attempts). */
export function windowCredit(policy: CreditPolicy, receivedAt: Date): Credit {
  const t = receivedAt.getTime();
  if (t <= policy.dueAt.getTime()) return { credit: 1, practiceReason: null };
  if (policy.lateUntil && t <= policy.lateUntil.getTime() && policy.lateCredit > 0) {
    return { credit: clamp01(policy.lateCredit), practiceReason: null };
  }
  return { credit: 0, practiceReason: 'late' };
}

/**
 * The credit of a submission received at `receivedAt` as the student's `attemptNumber`-th (1-based)
 * to the assignment. Over the attempt limit it is practice whatever the time ("tentatives
 * épuisées"); after the last window it is practice ("hors délai").
 */
export function creditFor(
  policy: CreditPolicy,
  override: CreditOverride | null | undefined,
  receivedAt: Date,
  attemptNumber: number,
): Credit {
  const p = effectivePolicy(policy, override);
  if (p.maxAttempts !== null && attemptNumber > p.maxAttempts) return { credit: 0, practiceReason: 'attempts' };
  return windowCredit(p, receivedAt);
}

/**
 * Recomputing after an extension or an edit: a credit already earned never goes down (the teacher
 * shortening a deadline afterwards does not take points back).
 */
export function recomputedCredit(previous: Credit, next: Credit): Credit {
  return next.credit >= previous.credit ? next : previous;
}

/** One graded submission as the gradebook sees it. */
export interface CreditedAttempt {
  receivedAt: Date;
  /** Points earned by the checks (null when not graded: queued, running or failed). */
  score: number | null;
  credit: number;
  practiceReason: PracticeReason | null;
}

/**
 * The score that counts, in points: the best, or the last, of the credited scores (score × credit)
 * of graded, non-practice submissions; 0 when there is none, null when nothing was ever graded.
 */
export function countedScore(policy: CountedPolicy, attempts: readonly CreditedAttempt[]): number | null {
  const graded = attempts.filter((a) => a.score !== null);
  if (graded.length === 0) return null;
  const counting = graded.filter((a) => a.practiceReason === null);
  if (counting.length === 0) return 0;
  const credited = (a: CreditedAttempt) => (a.score as number) * a.credit;
  if (policy === 'last') {
    const last = counting.reduce((x, y) => (y.receivedAt.getTime() >= x.receivedAt.getTime() ? y : x));
    return credited(last);
  }
  return Math.max(...counting.map(credited));
}

/** French label of a practice reason, as students and instructors read it. */
export function practiceLabel(reason: PracticeReason): string {
  return reason === 'late' ? 'hors délai' : 'tentatives épuisées';
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
