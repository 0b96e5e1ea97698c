import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import type { Env } from '../config/env';
import { dockerClient } from '../docker/docker.service';

/**
 * A startup check that failed, with the one line an operator needs: what is wrong and the command
 * that fixes it. Processes print it instead of a driver's stack trace (or Prisma's minified source).
 */
export class PreflightError extends Error {}

const TIMEOUT_MS = 5000;
const MIGRATIONS_DIR = resolve(__dirname, '../../prisma/migrations');
const START_SERVICES = '`npm start` starts local services (or `bash scripts/ensure-services.sh`)';

function where(url: string, defaultPort: number): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || defaultPort}`;
}

function codeOf(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ?? e.message ?? String(err);
}

/** Migration folders committed in prisma/migrations (each one `<timestamp>_<name>/migration.sql`). */
export function committedMigrations(dir = MIGRATIONS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(resolve(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort();
}

/** PostgreSQL answers, the database exists and every committed migration is applied. */
export async function checkDatabase(env: Pick<Env, 'DATABASE_URL'>): Promise<void> {
  const url = new URL(env.DATABASE_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  const client = new Client({ connectionString: env.DATABASE_URL, connectionTimeoutMillis: TIMEOUT_MS });
  client.on('error', () => undefined); // a connection dropped after the check is not ours to report
  try {
    await client.connect();
  } catch (err) {
    if (codeOf(err) === '3D000')
      throw new PreflightError(`database "${name}" does not exist: run \`npm run db:migrate\` (it creates it)`);
    throw new PreflightError(
      `PostgreSQL at ${where(env.DATABASE_URL, 5432)} does not answer (${codeOf(err)}): ${START_SERVICES}, or set DATABASE_URL`,
    );
  }
  try {
    let applied: Set<string>;
    try {
      const { rows } = await client.query<{ migration_name: string }>(
        'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      );
      applied = new Set(rows.map((r) => r.migration_name));
    } catch (err) {
      if (codeOf(err) !== '42P01') throw err; // undefined_table: never migrated
      applied = new Set();
    }
    const pending = committedMigrations().filter((m) => !applied.has(m));
    if (pending.length > 0)
      throw new PreflightError(
        `database "${name}" is not migrated (${pending.length} migration(s) pending, first ${pending[0]}): run \`npm run db:migrate\``,
      );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Redis answers PING. */
export async function checkRedis(env: Pick<Env, 'REDIS_URL'>): Promise<void> {
  const redis = new Redis(env.REDIS_URL, {
    lazyConnect: true,
    connectTimeout: TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on('error', () => undefined); // reported below, once
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new PreflightError(
      `Redis at ${where(env.REDIS_URL, 6379)} does not answer (${codeOf(err)}): ${START_SERVICES}, or set REDIS_URL`,
    );
  } finally {
    redis.disconnect();
  }
}

/** The Docker engine answers and the images the worker needs were built (their manifest exists). */
export async function checkSandboxImages(env: Pick<Env, 'DOCKER_HOST' | 'SANDBOX_IMAGE_MANIFEST'>): Promise<void> {
  try {
    await dockerClient(env.DOCKER_HOST, TIMEOUT_MS).ping();
  } catch (err) {
    throw new PreflightError(
      `the Docker engine at ${env.DOCKER_HOST} does not answer (${codeOf(err)}): ${START_SERVICES}, or set DOCKER_HOST`,
    );
  }
  if (!existsSync(env.SANDBOX_IMAGE_MANIFEST))
    throw new PreflightError(
      `the sandbox and course images are not built (${env.SANDBOX_IMAGE_MANIFEST} is missing): run \`bash scripts/build-images.sh\``,
    );
}

/** What each process role needs before Nest starts: the api the database and Redis, a worker also the engine and images. */
export async function preflight(env: Env, role: 'api' | 'worker' | 'all'): Promise<void> {
  await checkDatabase(env);
  await checkRedis(env);
  if (role !== 'api') await checkSandboxImages(env);
}

/**
 * The one line a process prints when it cannot start: a preflight message as it is, any other
 * error as its message and its cause's, never a stack.
 */
export function startupFailureLine(role: string, error: unknown): string {
  if (error instanceof PreflightError) return `dockgrader ${role}: ${error.message}`;
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  const cause =
    error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message.split('\n')[0]})` : '';
  return `dockgrader ${role}: cannot start: ${message}${cause}`;
}
