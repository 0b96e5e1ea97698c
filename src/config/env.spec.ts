import { readFileSync } from 'node:fs';
import { EnvError, envSchema, loadEnv } from './env';

describe('loadEnv', () => {
  it('fills developer defaults when nothing is set', () => {
    const env = loadEnv({});
    expect(env.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/dockgrader');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(env.DOCKER_HOST).toBe('unix:///var/run/docker.sock');
    expect(env.PORT).toBe(3000);
  });

  it('names the variable that is malformed', () => {
    expect(() => loadEnv({ DATABASE_URL: 'mysql://localhost/x' })).toThrow(EnvError);
    expect(() => loadEnv({ DATABASE_URL: 'mysql://localhost/x' })).toThrow(/DATABASE_URL/);
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('names every bad variable at once', () => {
    try {
      loadEnv({ DATABASE_URL: 'nope', REDIS_URL: 'http://x' });
      throw new Error('expected loadEnv to throw');
    } catch (err) {
      expect((err as Error).message).toMatch(/DATABASE_URL/);
      expect((err as Error).message).toMatch(/REDIS_URL/);
    }
  });
});

describe('.env.example', () => {
  it('documents every variable the service reads', () => {
    const example = readFileSync(`${__dirname}/../../.env.example`, 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const missing = Object.keys(envSchema.shape).filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });
});

describe('scripts/prisma.sh and scripts/db-migrate.sh', () => {
  it('default DATABASE_URL to the service default', () => {
    const fallback = loadEnv({}).DATABASE_URL;
    for (const script of ['prisma.sh', 'db-migrate.sh'])
      expect(readFileSync(`${__dirname}/../../scripts/${script}`, 'utf8')).toContain(`\${DATABASE_URL:-${fallback}}`);
  });
});
