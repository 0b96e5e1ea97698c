import { checksForStudent } from '../submissions/result-redaction';

/** The one event type sent today. */
export const SUBMISSION_GRADED = 'submission.graded';

interface StoredCheck {
  id: string;
  title?: string;
  passed: boolean;
  message?: string;
}

/** What a `submission.graded` event is built from. */
export interface GradedFacts {
  submissionId: string;
  externalUserId: string;
  email: string;
  exercise: string;
  assignment: string | null;
  score: number;
  maxScore: number;
  /** What counts in the submission's assignment (CountedScorePolicy), null when not in one. */
  countedScore?: { score: number; maxScore: number } | null;
  checks: unknown;
  exerciseVersion: string;
  gradedAt: Date;
  sequence: number;
  publicUrl: string;
}

/**
 * The JSON body of a `submission.graded` event (docs/lms.md). Feedback lists the failed checks as
 * the student sees them (hidden checks keep their secret), in French. Serialized once and stored,
 * so every retry sends the same bytes.
 */
export function gradedEventBody(f: GradedFacts, now = new Date()): string {
  const checks = (checksForStudent(f.checks) as StoredCheck[] | unknown) ?? [];
  const list = Array.isArray(checks) ? (checks as StoredCheck[]) : [];
  const failed = list
    .filter((c) => !c.passed)
    .map((c) => ({ id: c.id, title: c.title ?? c.id, message: c.message ?? '' }));
  return JSON.stringify({
    type: SUBMISSION_GRADED,
    timestamp: now.toISOString(),
    data: {
      submissionId: f.submissionId,
      user: { id: f.externalUserId, email: f.email },
      exercise: f.exercise,
      ...(f.assignment !== null ? { assignment: f.assignment } : {}),
      score: f.score,
      maxScore: f.maxScore,
      ...(f.countedScore ? { countedScore: f.countedScore } : {}),
      status: 'graded',
      feedback: { passed: list.length - failed.length, total: list.length, failed },
      exerciseVersion: f.exerciseVersion,
      gradedAt: f.gradedAt.toISOString(),
      url: `${f.publicUrl}/api/submissions/${f.submissionId}`,
      sequence: f.sequence,
    },
  });
}

/** Whether a regrade changed what the platform was told: the score or which checks failed. */
export function gradeChanged(
  before: { score: number; maxScore: number; checks: unknown } | null,
  after: { score: number; maxScore: number; checks: unknown },
): boolean {
  if (!before) return true;
  const failedIds = (checks: unknown) =>
    (Array.isArray(checks) ? (checks as StoredCheck[]) : [])
      .filter((c) => !c.passed)
      .map((c) => c.id)
      .sort()
      .join(',');
  return (
    before.score !== after.score ||
    before.maxScore !== after.maxScore ||
    failedIds(before.checks) !== failedIds(after.checks)
  );
}
