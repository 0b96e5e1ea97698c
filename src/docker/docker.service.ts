import { Inject, Injectable } from '@nestjs/common';
import Docker from 'dockerode';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';

/** Builds dockerode options from a DOCKER_HOST value (unix:///path, tcp://host:port or a bare path). */
export function dockerOptions(dockerHost: string): Docker.DockerOptions {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  if (dockerHost.startsWith('/')) return { socketPath: dockerHost };
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
}

/** The one adapter to the host's Docker engine. */
@Injectable()
export class DockerService {
  readonly docker: Docker;

  constructor(@Inject(ENV) env: Env) {
    this.docker = new Docker(dockerOptions(env.DOCKER_HOST));
  }

  async ping(): Promise<void> {
    await this.docker.ping();
  }
}
