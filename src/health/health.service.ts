import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { RedisService } from '../redis/redis.service';
import { DockerService } from '../docker/docker.service';

export type DependencyName = 'postgres' | 'redis' | 'docker';

export interface DependencyHealth {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
  /** Up, but unsafe in a way the operator accepted (e.g. sandboxes without a user namespace). */
  warning?: string;
}

export interface HealthReport {
  status: 'ok' | 'error';
  dependencies: Record<DependencyName, DependencyHealth>;
}

const PROBE_TIMEOUT_MS = 2000;

/** Probes every outside system the service needs, in parallel, each with its own timeout. */
@Injectable()
export class HealthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
    private readonly docker: DockerService,
  ) {}

  async check(): Promise<HealthReport> {
    const [postgres, redis, docker] = await Promise.all([
      probe(() => this.prisma.ping()),
      probe(() => this.redis.ping()),
      probe(() => this.docker.checkSandboxEngine()),
    ]);
    const dependencies = { postgres, redis, docker };
    const allUp = Object.values(dependencies).every((d) => d.status === 'up');
    return { status: allUp ? 'ok' : 'error', dependencies };
  }
}

async function probe(fn: () => Promise<void | { warning?: string }>): Promise<DependencyHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const outcome = await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    const health: DependencyHealth = { status: 'up', latencyMs: Math.round(performance.now() - started) };
    if (outcome?.warning) health.warning = outcome.warning;
    return health;
  } catch (err) {
    return {
      status: 'down',
      latencyMs: Math.round(performance.now() - started),
      error: err instanceof Error ? err.message : String(err),
    };
  } finally {
    clearTimeout(timer);
  }
}
