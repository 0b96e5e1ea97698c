/** A check as stored in a result (the fields a comparison needs). */
export interface StoredCheck {
  id: string;
  title: string;
  passed: boolean;
  points: number;
  maxPoints: number;
}

/** One check whose outcome differs between two results; null on a side where it did not exist. */
export interface CheckChange {
  id: string;
  title: string;
  before: { passed: boolean; points: number } | null;
  after: { passed: boolean; points: number } | null;
}

/**
 * The checks that changed between two results of one submission (a check renamed, added or
 * removed by a new definition shows as before-only and after-only), in the order of the new one.
 */
export function checkChanges(before: StoredCheck[], after: StoredCheck[]): CheckChange[] {
  const old = new Map(before.map((c) => [c.id, c]));
  const changes: CheckChange[] = [];
  for (const c of after) {
    const b = old.get(c.id);
    old.delete(c.id);
    if (b && b.passed === c.passed && b.points === c.points) continue;
    changes.push({
      id: c.id,
      title: c.title,
      before: b ? { passed: b.passed, points: b.points } : null,
      after: { passed: c.passed, points: c.points },
    });
  }
  for (const b of old.values())
    changes.push({ id: b.id, title: b.title, before: { passed: b.passed, points: b.points }, after: null });
  return changes;
}

/** Whether a regrade changed a grade: its score or any check. */
export function resultChanged(
  before: { score: number; checks: unknown } | null,
  after: { score: number; checks: unknown },
): boolean {
  if (!before) return true;
  return before.score !== after.score || checkChanges(asChecks(before.checks), asChecks(after.checks)).length > 0;
}

export function asChecks(json: unknown): StoredCheck[] {
  return Array.isArray(json) ? (json as StoredCheck[]) : [];
}
