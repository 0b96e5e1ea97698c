import { bearerToken, generateToken, hashToken } from './token';

describe('tokens', () => {
  it('are 32 random bytes, prefixed, and differ each time', () => {
    const a = generateToken();
    const b = generateToken();
    expect(a).toMatch(/^dg_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it('hash to a stable sha-256 hex digest that is not the token', () => {
    const token = generateToken();
    expect(hashToken(token)).toBe(hashToken(token));
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toContain(token);
  });

  it('are read from a Bearer header only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
