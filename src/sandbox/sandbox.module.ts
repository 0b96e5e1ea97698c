import { Inject, Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { STOP_SIGNALS } from '../bootstrap';
import { DockerService } from '../docker/docker.service';
import { loadImageCatalog } from './image-catalog';
import { sandboxConfigFromEnv } from './sandbox.config';
import { DockerSandboxDriver } from './sandbox.driver';

/** Injection token of the SandboxDriver used by the grading engine. */
export const SANDBOX_DRIVER = Symbol('SANDBOX_DRIVER');

/** Ties the driver to the worker's lifecycle: reap and warm up at start, destroy everything at shutdown. */
@Injectable()
export class SandboxLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(SANDBOX_DRIVER) private readonly driver: DockerSandboxDriver) {}

  /**
   * A stop asked while the worker starts (preparing the golden store takes minutes on a new host)
   * abandons the start: the preparation's container is removed before the process exits.
   */
  async onModuleInit(): Promise<void> {
    const stop = () => void this.driver.shutdown();
    for (const signal of STOP_SIGNALS) process.once(signal, stop);
    try {
      await this.driver.init();
    } finally {
      for (const signal of STOP_SIGNALS) process.off(signal, stop);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.driver.shutdown();
  }
}

/** The sandbox engine for the worker role (DockerService and ENV are global). */
@Module({
  providers: [
    {
      provide: SANDBOX_DRIVER,
      inject: [DockerService, ENV],
      useFactory: (docker: DockerService, env: Env): DockerSandboxDriver => {
        const config = sandboxConfigFromEnv(env);
        const logger = new Logger('Sandbox');
        return new DockerSandboxDriver(docker.docker, config, loadImageCatalog(config.manifestPath), (message, error) =>
          logger.error(message, error instanceof Error ? error.stack : String(error)),
        );
      },
    },
    SandboxLifecycle,
  ],
  exports: [SANDBOX_DRIVER],
})
export class SandboxModule {}
