/** A check outcome as stored in a result (see GradeReport in src/grading). */
interface StoredCheck {
  id: string;
  title?: string;
  passed: boolean;
  points: number;
  maxPoints: number;
  message?: string;
  hidden?: boolean;
  detail?: unknown;
}

export const HIDDEN_CHECK_TITLE = 'Vérification cachée';
export const HIDDEN_CHECK_MESSAGE =
  'Cette vérification est cachée : elle compte dans la note, mais son contenu reste confidentiel.';

/**
 * What a student may see of the checks of a result: a hidden check keeps its points (the score
 * must add up) but neither its title, its feedback nor its details, which would give it away.
 */
export function checksForStudent(checks: unknown): unknown {
  if (!Array.isArray(checks)) return checks;
  return (checks as StoredCheck[]).map((c) =>
    c.hidden
      ? {
          id: `hidden-${checks.indexOf(c) + 1}`,
          title: HIDDEN_CHECK_TITLE,
          passed: c.passed,
          points: c.points,
          maxPoints: c.maxPoints,
          message: HIDDEN_CHECK_MESSAGE,
          hidden: true,
        }
      : c,
  );
}
