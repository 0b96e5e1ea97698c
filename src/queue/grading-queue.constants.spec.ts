import { gradingJobId, parseGradingJobId } from './grading-queue.constants';

describe('grading job ids', () => {
  const id = '3f2b8c1e-0d4a-4e5f-9a6b-7c8d9e0f1a2b';

  it('are deterministic per submission and attempt, and free of ":"', () => {
    expect(gradingJobId(id, 1)).toBe(gradingJobId(id, 1));
    expect(gradingJobId(id, 1)).not.toBe(gradingJobId(id, 2));
    expect(gradingJobId(id, 3)).not.toContain(':');
  });

  it('parse back to their submission and attempt', () => {
    expect(parseGradingJobId(gradingJobId(id, 7))).toEqual({ submissionId: id, attempt: 7 });
    expect(parseGradingJobId('something-else')).toBeUndefined();
  });
});
