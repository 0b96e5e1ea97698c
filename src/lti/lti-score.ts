import { checksForStudent } from '../submissions/result-redaction';

/** The outbox event name of an AGS score delivery. */
export const LTI_SCORE = 'lti.score';

/** What a score is built from. */
export interface ScoreFacts {
  userId: string;
  score: number;
  maxScore: number;
  checks: unknown;
  gradedAt: Date;
}

/**
 * The AGS score body (application/vnd.ims.lis.v1.score+json), serialized once into the outbox so
 * every retry sends the same bytes. `timestamp` is the grading time: each regrade is later, as
 * Moodle requires (it refuses a score not newer than the last). Canvas needs FullyGraded.
 */
export function scoreBody(f: ScoreFacts): string {
  const raw = checksForStudent(f.checks) as unknown;
  const list = Array.isArray(raw) ? (raw as { passed?: boolean }[]) : [];
  const passed = list.filter((c) => c.passed).length;
  return JSON.stringify({
    userId: f.userId,
    scoreGiven: f.score,
    scoreMaximum: f.maxScore,
    comment: `dockgrader : ${passed}/${list.length} vérification(s) réussie(s).`,
    activityProgress: 'Completed',
    gradingProgress: 'FullyGraded',
    timestamp: f.gradedAt.toISOString(),
  });
}
