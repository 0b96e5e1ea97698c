import { z } from 'zod';

/**
 * Longest SANDBOX_ROOT whose inner engine sockets can still be connected to: a Unix socket path
 * holds at most 107 bytes (sun_path, 108 with its NUL); beyond, connect() fails with EINVAL and
 * no golden store can be prepared. The deepest socket is the golden store's staging sandbox's,
 * 69 characters below the root (src/sandbox/sandbox.config.spec.ts keeps the two in step).
 */
export const SANDBOX_ROOT_MAX_LENGTH = 38;

/** Every environment variable the service reads, validated once before Nest starts. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Api processes sharing PORT on this host (node:cluster, src/main.ts); 1 = no cluster. Typically one per core. */
  API_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  /** Worker processes `npm start` supervises; unset: from the cores and memory (src/supervisor/worker-count.ts). */
  WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  /** Where `npm start` writes each process's log (api.log, worker-N.log); relative to the repository. */
  LOG_DIR: z.string().min(1).default('logs'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z
    .string()
    .url()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL')
    .default('postgresql://postgres@127.0.0.1:5432/dockgrader'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Connections per api process for the hot path kept off Prisma (token lookup, intake INSERT): src/database/hot-path-sql.ts. */
  DATABASE_HOT_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(6),
  REDIS_URL: z
    .string()
    .url()
    .refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z.string().min(1).default('dockgrader'),
  DOCKER_HOST: z.string().min(1).default('unix:///var/run/docker.sock'),
  // Sandbox engine (src/sandbox/, docs/sandbox.md). Defaults are safe for a 2-core CI machine.
  SANDBOX_ROOT: z
    .string()
    .startsWith('/')
    .max(
      SANDBOX_ROOT_MAX_LENGTH,
      `must be at most ${SANDBOX_ROOT_MAX_LENGTH} characters (the sandboxes' engine sockets live under it, and a Unix socket path holds 107)`,
    )
    .default('/var/lib/dockgrader/sandboxes'),
  SANDBOX_IMAGE_MANIFEST: z.string().min(1).default('images/.built/manifest.json'),
  /** Warm sandboxes per worker: the adaptive pool's floor, or its fixed size when SANDBOX_POOL_ADAPTIVE=false. */
  SANDBOX_POOL_SIZE: z.coerce.number().int().min(0).max(64).default(1),
  /** The pool follows demand (queue backlog, arrival rate), bounded by memory: src/sandbox/pool-sizer.ts. */
  SANDBOX_POOL_ADAPTIVE: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .default('true')
    .transform((v) => v === 'true'),
  /** Ceiling of the adaptive pool; 0: the worker's concurrency (more warm sandboxes than slots never help). */
  SANDBOX_POOL_MAX: z.coerce.number().int().min(0).max(64).default(0),
  /** Seconds without a grading or a waiting job before the adaptive pool returns to its floor. */
  SANDBOX_POOL_IDLE_SECONDS: z.coerce.number().int().min(1).max(86400).default(300),
  /** Host memory (MB) the adaptive pool never fills with warm sandboxes. */
  SANDBOX_POOL_RESERVE_MB: z.coerce.number().int().min(0).max(1_048_576).default(1024),
  SANDBOX_POOL_REFILL_DELAY_MS: z.coerce.number().int().min(0).max(600000).default(5000),
  SANDBOX_MEMORY_MB: z.coerce.number().int().min(128).max(65536).default(1024),
  SANDBOX_SWAP_MB: z.coerce.number().int().min(0).max(65536).default(0),
  SANDBOX_CPUS: z.coerce.number().min(0.1).max(64).default(1),
  SANDBOX_PIDS: z.coerce.number().int().min(64).max(65536).default(1024),
  SANDBOX_LIFETIME_SECONDS: z.coerce.number().int().min(10).max(86400).default(900),
  SANDBOX_DISK_MB: z.coerce.number().int().min(64).max(1048576).default(2048),
  SANDBOX_DISK_POLL_MS: z.coerce.number().int().min(200).max(60000).default(2000),
  SANDBOX_OUTPUT_KB: z.coerce.number().int().min(1).max(65536).default(256),
  SANDBOX_REAPER_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  SANDBOX_REGISTRY_MIRROR: z.string().url().optional(),
  // 0 disables the periodic check that the golden image store is unchanged (defence in depth: it is read-only to sandboxes).
  SANDBOX_GOLDEN_VERIFY_MINUTES: z.coerce.number().int().min(0).max(1440).default(30),
  /** Run sandboxes on an engine without a user namespace (root inside = root on the host). Never in production. */
  SANDBOX_ALLOW_ROOT_ENGINE: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  // --- API: auth and intake limits (src/auth, src/submissions) ---
  /** The exercise catalogue (exercises/<slug>/exercise.yaml); unset: the repository's exercises/. */
  EXERCISES_DIR: z.string().min(1).optional(),
  /** Token of the first admin, stored hashed at first start (idempotent); unset: no bootstrap admin. */
  DOCKGRADER_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  /** Largest accepted JSON request body, in bytes; larger bodies get 413. */
  API_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50_000_000).default(262_144),
  /** On SIGTERM, how long requests in progress may finish before their connections are cut. */
  API_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(600).default(10),
  /** Submissions one student may make per window; more get 429 with Retry-After. */
  SUBMISSION_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
  SUBMISSION_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  /** Grading jobs waiting (waiting + delayed) above which new submissions get 503 with Retry-After. */
  QUEUE_MAX_DEPTH: z.coerce.number().int().min(1).default(5000),
  /** Transcripts of submissions older than this many days are emptied (scores kept); 0: kept forever. */
  RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(0),
  // --- web pages: sessions, passwords, invitations (src/auth, src/web) ---
  /** Address students reach the service at; invitation links are built on it. */
  /** The service's public base URL: invitation links, links in webhook payloads (statusUrl, url). */
  PUBLIC_URL: z
    .string()
    .url()
    .refine((v) => /^https?:\/\//.test(v), 'must be an http:// or https:// URL')
    .transform((v) => v.replace(/\/+$/, ''))
    .default('http://localhost:3000'),
  /** Behind a reverse proxy that sets X-Forwarded-Proto/For: trust it (Secure cookies, client address). */
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** A browser session ends after this long without a request… */
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(10_080).default(120),
  /** …and after this long in any case (log in again). */
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  /** Failed logins on one account, then on one client address, before a lock of LOGIN_LOCK_MINUTES. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(10),
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).max(10_000).default(50),
  LOGIN_LOCK_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  /** How long an invitation link stays valid. */
  INVITATION_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  // --- worker: grading queue (src/queue) ---
  /** Grading jobs one worker process runs at the same time (each holds a sandbox). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** On SIGTERM, how long running jobs may finish before they are handed back to the queue. */
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(60),
  /** Grading runs per submission before an infrastructure failure becomes status `error`. */
  GRADING_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  /** First retry delay after an infrastructure failure; doubles at each retry. */
  GRADING_BACKOFF_MS: z.coerce.number().int().min(0).default(5000),
  /** A worker that stops renewing a job's lock for this long (killed) loses the job. */
  GRADING_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  /** How often workers look for stalled jobs, which then run again elsewhere. */
  GRADING_STALLED_INTERVAL_MS: z.coerce.number().int().min(1000).default(30_000),
  /** How often the sweeper re-queues submissions whose job was lost (it also runs at worker start). */
  SWEEPER_INTERVAL_SECONDS: z.coerce.number().min(1).max(86400).default(60),
  // --- LMS integrations and grade webhooks (src/lms, docs/lms.md) ---
  /** Webhook deliveries one worker process sends at the same time (apart from grading jobs). */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(20),
  /** How long a receiver gets to answer one delivery attempt. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Delays between delivery attempts, in seconds (±20 % jitter); one attempt more than delays. */
  WEBHOOK_RETRY_SCHEDULE_SECONDS: z
    .string()
    .regex(/^\d+(\.\d+)?(,\d+(\.\d+)?)*$/, 'must be comma-separated seconds, e.g. 5,30,120')
    .transform((v) => v.split(',').map(Number))
    .default([5, 30, 120, 600, 3600, 21600, 86400]),
  /** How often the worker re-queues deliveries whose job was lost (crash between commit and queue, killed worker). */
  WEBHOOK_SWEEP_INTERVAL_SECONDS: z.coerce.number().min(1).max(86400).default(30),
});

export type Env = z.infer<typeof envSchema>;

/** Raised when the environment is invalid; the message names each bad variable. */
export class EnvError extends Error {}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new EnvError(`Invalid environment configuration:\n${lines.join('\n')}`);
}
