import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { PrismaService } from '../database/prisma.service';
import { DockerService } from '../docker/docker.service';
import { WorkerRegistry } from '../operations/worker-registry.service';
import { RedisService } from '../redis/redis.service';

const PROBE_TIMEOUT_MS = 2000;

/** Free space below which the image store (sandboxes' copies, golden stores) is reported down. */
export const MIN_FREE_BYTES = 2 * 2 ** 30;

/** The nearest directory of `path` that exists (SANDBOX_ROOT may not exist yet on the api's host). */
async function statfsNearest(path: string): Promise<Awaited<ReturnType<typeof statfs>>> {
  for (let p = path; ; p = dirname(p)) {
    try {
      return await statfs(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || p === dirname(p)) throw err;
    }
  }
}

/**
 * The checks of /health/ready, as terminus indicators: each outside system answers, the image
 * store has room, and at least one worker beat recently (else submissions would wait forever).
 */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
    private readonly docker: DockerService,
    private readonly workers: WorkerRegistry,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** A terminus attempt is a thenable; the check list wants promises. */
  private async settle<K extends string>(
    attempt: PromiseLike<HealthIndicatorResult<K>>,
  ): Promise<HealthIndicatorResult<K>> {
    return attempt;
  }

  postgres(): Promise<HealthIndicatorResult<'postgres'>> {
    return this.settle(
      this.indicators
        .check('postgres')
        .attempt(() => this.prisma.ping())
        .withTimeout(PROBE_TIMEOUT_MS),
    );
  }

  redisUp(): Promise<HealthIndicatorResult<'redis'>> {
    return this.settle(
      this.indicators
        .check('redis')
        .attempt(() => this.redis.ping())
        .withTimeout(PROBE_TIMEOUT_MS),
    );
  }

  dockerEngine(): Promise<HealthIndicatorResult<'docker'>> {
    return this.settle(
      this.indicators
        .check('docker')
        .attempt(async () => {
          const { warning } = await this.docker.checkSandboxEngine();
          return warning ? { warning } : {};
        })
        .withTimeout(PROBE_TIMEOUT_MS),
    );
  }

  async imageStoreSpace(): Promise<HealthIndicatorResult<'imageStore'>> {
    const session = this.indicators.check('imageStore');
    try {
      const fs = await statfsNearest(this.env.SANDBOX_ROOT);
      const freeBytes = Number(fs.bavail) * Number(fs.bsize);
      const data = { path: this.env.SANDBOX_ROOT, freeGiB: Math.round((freeBytes / 2 ** 30) * 10) / 10 };
      return freeBytes >= MIN_FREE_BYTES
        ? session.up(data)
        : session.down({ ...data, message: 'less than 2 GiB free' });
    } catch (err) {
      return session.down({ message: (err as Error).message });
    }
  }

  async workerHeartbeat(): Promise<HealthIndicatorResult<'workers'>> {
    const session = this.indicators.check('workers');
    try {
      const alive = await this.workers.alive();
      return alive.length > 0
        ? session.up({ alive: alive.length })
        : session.down({
            alive: 0,
            message: 'no worker heartbeat within 30 s: start one (npm start, npm run start:worker)',
          });
    } catch (err) {
      return session.down({ message: (err as Error).message });
    }
  }
}
