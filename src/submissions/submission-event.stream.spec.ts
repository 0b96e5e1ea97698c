import { rank } from './submission-event.stream';
import { isTerminal } from './submission-events';

describe('event ordering', () => {
  const base = { submissionId: 's', attempt: 1 };

  it('orders queued < running (by command) < graded/error', () => {
    const queued = rank({ type: 'queued', ...base, position: 3 });
    const first = rank({ type: 'running', ...base, index: 1, total: 5, command: 'a' });
    const last = rank({ type: 'running', ...base, index: 5, total: 5, command: 'e' });
    const graded = rank({ type: 'graded', ...base, score: 1, maxScore: 2 });
    expect(queued).toBeLessThan(first);
    expect(first).toBeLessThan(last);
    expect(last).toBeLessThan(graded);
    expect(rank({ type: 'error', ...base, message: 'x' })).toBe(graded);
  });

  it('ends a stream on graded and error only', () => {
    expect(isTerminal({ type: 'graded', ...base, score: 0, maxScore: 1 })).toBe(true);
    expect(isTerminal({ type: 'error', ...base, message: 'x' })).toBe(true);
    expect(isTerminal({ type: 'queued', ...base, position: null })).toBe(false);
  });
});
