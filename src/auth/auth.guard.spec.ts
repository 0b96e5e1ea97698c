import { isApiPath } from './auth.guard';

describe('isApiPath', () => {
  it('covers /api and everything below it, not look-alikes or public routes', () => {
    expect(isApiPath('/api')).toBe(true);
    expect(isApiPath('/api/submissions')).toBe(true);
    expect(isApiPath('/apiary')).toBe(false);
    expect(isApiPath('/health')).toBe(false);
    expect(isApiPath('/docs')).toBe(false);
  });
});
