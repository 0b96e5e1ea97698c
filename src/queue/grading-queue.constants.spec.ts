import { gradingJobId, parseGradingJobId } from './grading-queue.constants';

describe('grading job ids', () => {
  const id = '3f2b8c1e-0d4a-4e5f-9a6b-7c8d9e0f1a2b';

  it('name the submission and the attempt, in a form BullMQ accepts (no ":")', () => {
    // The exact form matters: jobs already in Redis carry it, and the sweeper recomputes it.
    expect(gradingJobId(id, 1)).toBe('grade-3f2b8c1e-0d4a-4e5f-9a6b-7c8d9e0f1a2b-1');
    expect(gradingJobId(id, 12)).toBe(`grade-${id}-12`);
    expect(gradingJobId(id, 1)).not.toBe(gradingJobId(id, 2));
    expect(gradingJobId(id, 3)).not.toContain(':');
  });

  it('parse back to their submission and attempt, and nothing else parses', () => {
    expect(parseGradingJobId(gradingJobId(id, 7))).toEqual({ submissionId: id, attempt: 7 });
    expect(parseGradingJobId('something-else')).toBeUndefined();
    expect(parseGradingJobId(`grade-${id}`)).toBeUndefined();
    expect(parseGradingJobId(`grade-${id}-x`)).toBeUndefined();
    expect(parseGradingJobId(`grade-not-a-uuid-1`)).toBeUndefined();
  });
});
