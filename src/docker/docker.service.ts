import { Inject, Injectable } from '@nestjs/common';
import Docker from 'dockerode';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { inspectEngineIsolation, ROOT_ENGINE_REFUSAL, ROOT_ENGINE_WARNING } from './engine-isolation';

/** Builds dockerode options from a DOCKER_HOST value (unix:///path, tcp://host:port or a bare path). */
export function dockerOptions(dockerHost: string): Docker.DockerOptions {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  if (dockerHost.startsWith('/')) return { socketPath: dockerHost };
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
}

/**
 * A client for processes outside Nest (the supervisor, startup checks): they reach the engine
 * through this module too, so dockerode stays behind src/docker and src/sandbox.
 */
export function dockerClient(dockerHost: string, timeoutMs?: number): Docker {
  return new Docker({ ...dockerOptions(dockerHost), ...(timeoutMs ? { timeout: timeoutMs } : {}) });
}

/** The one adapter to the host's Docker engine. */
@Injectable()
export class DockerService {
  readonly docker: Docker;
  /** The operator accepted an engine without a user namespace (SANDBOX_ALLOW_ROOT_ENGINE). */
  readonly allowRootEngine: boolean;

  constructor(@Inject(ENV) env: Env) {
    this.docker = dockerClient(env.DOCKER_HOST);
    this.allowRootEngine = env.SANDBOX_ALLOW_ROOT_ENGINE;
  }

  async ping(): Promise<void> {
    await this.docker.ping();
  }

  /**
   * Reachable and fit for sandboxes: an engine without a user namespace fails (workers refuse it)
   * unless explicitly allowed, in which case the warning is returned for /health to show.
   */
  async checkSandboxEngine(): Promise<{ warning?: string }> {
    const isolation = await inspectEngineIsolation(this.docker);
    if (isolation.userns) return {};
    if (!this.allowRootEngine) throw new Error(ROOT_ENGINE_REFUSAL);
    return { warning: ROOT_ENGINE_WARNING };
  }
}
