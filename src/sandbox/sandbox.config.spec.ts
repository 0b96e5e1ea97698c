import { join } from 'node:path';
import { loadEnv, SANDBOX_ROOT_MAX_LENGTH } from '../config/env';
import { imageSetHash } from './image-hash';
import { goldenStagingName, sandboxPaths } from './sandbox-container';
import { SandboxLimitsError, resolveLimits, sandboxConfigFromEnv } from './sandbox.config';

const MB = 1024 * 1024;

describe('sandboxConfigFromEnv', () => {
  it('has safe defaults', () => {
    const config = sandboxConfigFromEnv(loadEnv({}));
    expect(config.root).toBe('/var/lib/dockgrader/sandboxes');
    expect(config.limits).toEqual({
      memoryBytes: 1024 * MB,
      memorySwapBytes: 1024 * MB,
      cpus: 1,
      pidsLimit: 1024,
      lifetimeMs: 900_000,
      diskBytes: 2048 * MB,
      maxOutputBytes: 256 * 1024,
    });
    expect(config.registryMirror).toBeUndefined();
  });

  it('reads every SANDBOX_* variable and adds swap on top of memory', () => {
    const config = sandboxConfigFromEnv(
      loadEnv({
        SANDBOX_MEMORY_MB: '512',
        SANDBOX_SWAP_MB: '256',
        SANDBOX_CPUS: '1.5',
        SANDBOX_PIDS: '300',
        SANDBOX_POOL_SIZE: '3',
        SANDBOX_REGISTRY_MIRROR: 'http://mirror:5000',
      }),
    );
    expect(config.limits).toMatchObject({
      memoryBytes: 512 * MB,
      memorySwapBytes: 768 * MB,
      cpus: 1.5,
      pidsLimit: 300,
    });
    expect(config.poolSize).toBe(3);
    expect(config.registryMirror).toBe('http://mirror:5000');
  });

  it('makes the pool adaptive by default, up to the concurrency unless SANDBOX_POOL_MAX says otherwise', () => {
    expect(sandboxConfigFromEnv(loadEnv({ WORKER_CONCURRENCY: '3' })).adaptivePool).toEqual({
      max: 3,
      idleSeconds: 300,
      reserveMb: 1024,
      concurrency: 3,
    });
    expect(sandboxConfigFromEnv(loadEnv({ SANDBOX_POOL_MAX: '6' })).adaptivePool?.max).toBe(6);
    expect(sandboxConfigFromEnv(loadEnv({ SANDBOX_POOL_ADAPTIVE: 'false' })).adaptivePool).toBeUndefined();
    expect(() => loadEnv({ SANDBOX_POOL_ADAPTIVE: 'yes' })).toThrow(/SANDBOX_POOL_ADAPTIVE/);
  });

  it('rejects nonsense with the variable named', () => {
    expect(() => loadEnv({ SANDBOX_MEMORY_MB: '12' })).toThrow(/SANDBOX_MEMORY_MB/);
    expect(() => loadEnv({ SANDBOX_ROOT: 'relative/dir' })).toThrow(/SANDBOX_ROOT/);
    const longest = `/${'r'.repeat(SANDBOX_ROOT_MAX_LENGTH - 1)}`;
    expect(loadEnv({ SANDBOX_ROOT: longest }).SANDBOX_ROOT).toBe(longest);
    expect(() => loadEnv({ SANDBOX_ROOT: `${longest}r` })).toThrow(/SANDBOX_ROOT.*at most 38/);
  });

  it('keeps the deepest inner engine socket (a golden store in preparation) within a Unix socket path', () => {
    const socketUnder = (root: string) =>
      sandboxPaths(join(root, 'golden', goldenStagingName('0'.repeat(16), '0'.repeat(6))), 'prep').socketPath;
    const longest = `/${'r'.repeat(SANDBOX_ROOT_MAX_LENGTH - 1)}`;
    // Exactly at the limit: the bound is neither loose nor too tight.
    expect(socketUnder(longest)).toHaveLength(107);
    expect(imageSetHash(['a', 'b'])).toHaveLength(16);
  });
});

describe('resolveLimits', () => {
  const base = sandboxConfigFromEnv(loadEnv({ SANDBOX_SWAP_MB: '100' })).limits;

  it('applies overrides and keeps the swap allowance when only memory changes', () => {
    const limits = resolveLimits(base, { memoryBytes: 2048 * MB, pidsLimit: 200 });
    expect(limits.memoryBytes).toBe(2048 * MB);
    expect(limits.memorySwapBytes).toBe(2148 * MB);
    expect(limits.pidsLimit).toBe(200);
    expect(limits.cpus).toBe(base.cpus);
  });

  it('refuses values that would break the sandbox', () => {
    expect(() => resolveLimits(base, { cpus: 0 })).toThrow(SandboxLimitsError);
    expect(() => resolveLimits(base, { memoryBytes: 1000 })).toThrow(/memoryBytes/);
    expect(() => resolveLimits(base, { memoryBytes: 512 * MB, memorySwapBytes: 256 * MB })).toThrow(/memorySwapBytes/);
    expect(() => resolveLimits(base, { pidsLimit: Number.NaN })).toThrow(/pidsLimit/);
  });
});
