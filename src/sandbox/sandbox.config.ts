import type { Env } from '../config/env';
import type { SandboxLimits } from './sandbox.types';

/** Everything the sandbox engine needs from the environment, resolved once. */
export interface SandboxConfig {
  /** Host directory holding the golden stores and one directory per sandbox (one filesystem: hard links). */
  root: string;
  manifestPath: string;
  poolSize: number;
  /** The adaptive pool (src/sandbox/pool-sizer.ts); undefined: a fixed pool of poolSize. */
  adaptivePool?: { max: number; idleSeconds: number; reserveMb: number; concurrency: number };
  /** Longest wait before a taken pool sandbox is replaced (sooner when its grading ends). */
  poolRefillDelayMs: number;
  limits: SandboxLimits;
  diskPollMs: number;
  reaperIntervalMs: number;
  /** Period of the golden store integrity check (0: never). */
  goldenVerifyMs: number;
  registryMirror?: string;
  /** Accept an engine without a user namespace (refused by default: root inside would be host root). */
  allowRootEngine: boolean;
}

const MB = 1024 * 1024;

export function sandboxConfigFromEnv(env: Env): SandboxConfig {
  return {
    root: env.SANDBOX_ROOT,
    manifestPath: env.SANDBOX_IMAGE_MANIFEST,
    poolSize: env.SANDBOX_POOL_SIZE,
    adaptivePool: env.SANDBOX_POOL_ADAPTIVE
      ? {
          max: env.SANDBOX_POOL_MAX || env.WORKER_CONCURRENCY,
          idleSeconds: env.SANDBOX_POOL_IDLE_SECONDS,
          reserveMb: env.SANDBOX_POOL_RESERVE_MB,
          concurrency: env.WORKER_CONCURRENCY,
        }
      : undefined,
    poolRefillDelayMs: env.SANDBOX_POOL_REFILL_DELAY_MS,
    limits: {
      memoryBytes: env.SANDBOX_MEMORY_MB * MB,
      memorySwapBytes: (env.SANDBOX_MEMORY_MB + env.SANDBOX_SWAP_MB) * MB,
      cpus: env.SANDBOX_CPUS,
      pidsLimit: env.SANDBOX_PIDS,
      lifetimeMs: env.SANDBOX_LIFETIME_SECONDS * 1000,
      diskBytes: env.SANDBOX_DISK_MB * MB,
      maxOutputBytes: env.SANDBOX_OUTPUT_KB * 1024,
    },
    diskPollMs: env.SANDBOX_DISK_POLL_MS,
    reaperIntervalMs: env.SANDBOX_REAPER_INTERVAL_SECONDS * 1000,
    goldenVerifyMs: env.SANDBOX_GOLDEN_VERIFY_MINUTES * 60_000,
    registryMirror: env.SANDBOX_REGISTRY_MIRROR,
    allowRootEngine: env.SANDBOX_ALLOW_ROOT_ENGINE,
  };
}

/** Thrown when per-sandbox limit overrides are not usable; names the offending field. */
export class SandboxLimitsError extends Error {}

/** Applies per-exercise overrides on top of the configured limits, refusing nonsense values. */
export function resolveLimits(base: SandboxLimits, override: Partial<SandboxLimits> = {}): SandboxLimits {
  const limits: SandboxLimits = { ...base };
  for (const [key, value] of Object.entries(override) as [keyof SandboxLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0)
      throw new SandboxLimitsError(`limits.${key} must be a positive number, got ${value}`);
    limits[key] = value;
  }
  // Raising memory alone must not silently turn the old memory+swap total into "less than memory".
  if (override.memoryBytes !== undefined && override.memorySwapBytes === undefined) {
    limits.memorySwapBytes = limits.memoryBytes + Math.max(0, base.memorySwapBytes - base.memoryBytes);
  }
  if (limits.memorySwapBytes < limits.memoryBytes) {
    throw new SandboxLimitsError('limits.memorySwapBytes must be at least limits.memoryBytes (memory + swap)');
  }
  if (limits.memoryBytes < 64 * MB)
    throw new SandboxLimitsError('limits.memoryBytes must be at least 64 MiB (the inner dockerd needs it)');
  if (limits.pidsLimit < 64) throw new SandboxLimitsError('limits.pidsLimit must be at least 64');
  return limits;
}
