import { defaultWorkerCount } from './worker-count';

describe('defaultWorkerCount', () => {
  const base = { concurrency: 2, sandboxCpus: 1, sandboxMemoryMb: 1024 };
  it('follows the cores when memory is plentiful', () => {
    expect(defaultWorkerCount({ ...base, cores: 8, memoryMb: 64_000 })).toBe(4);
  });
  it('is bounded by memory', () => {
    expect(defaultWorkerCount({ ...base, cores: 16, memoryMb: 8192 })).toBe(3);
  });
  it('is never below one, even on a small machine', () => {
    expect(defaultWorkerCount({ ...base, cores: 1, memoryMb: 1024 })).toBe(1);
  });
});
