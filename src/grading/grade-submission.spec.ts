import { SandboxInfrastructureError } from '../sandbox/sandbox.types';
import { ExerciseEvaluationError } from './check.evaluator';
import { isInternalError } from './grade-submission';

describe('isInternalError', () => {
  it('tells a bug of ours or an exercise that cannot be evaluated from an infrastructure failure', () => {
    expect(isInternalError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(true);
    expect(isInternalError(new ExerciseEvaluationError('unknown assertion {}'))).toBe(true);
    expect(isInternalError(new SandboxInfrastructureError('sandbox did not start'))).toBe(false);
    // What dockerode throws when the host engine fails: worth retrying.
    expect(
      isInternalError(Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' })),
    ).toBe(false);
    expect(isInternalError(new Error('(HTTP code 500) server error'))).toBe(false);
  });
});
