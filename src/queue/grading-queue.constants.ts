/** The one queue of grading work. */
export const GRADING_QUEUE = 'grading';

/** Every job name on the grading queue; the worker has exactly one handler per name. */
export enum GradingJobName {
  Grade = 'grade',
}

/** Job data carries the submission id only: PostgreSQL is the source of truth for the rest. */
export interface GradingJobData {
  submissionId: string;
}

/**
 * One job id per (submission, grading attempt): adding the same job twice (the api and the
 * sweeper racing, a retried request) is a no-op in BullMQ, so a job is never duplicated.
 * BullMQ forbids ':' in custom ids.
 */
export function gradingJobId(submissionId: string, attempt: number): string {
  return `grade-${submissionId}-${attempt}`;
}

export function parseGradingJobId(jobId: string): { submissionId: string; attempt: number } | undefined {
  const match = /^grade-([0-9a-f-]{36})-(\d+)$/.exec(jobId);
  return match ? { submissionId: match[1], attempt: Number(match[2]) } : undefined;
}
