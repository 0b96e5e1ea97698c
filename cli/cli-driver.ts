import Docker from 'dockerode';
import { loadEnv } from '../src/config/env';
import { dockerOptions } from '../src/docker/docker.service';
import { loadImageCatalog } from '../src/sandbox/image-catalog';
import { sandboxConfigFromEnv } from '../src/sandbox/sandbox.config';
import { DockerSandboxDriver } from '../src/sandbox/sandbox.driver';
import { checkSandboxImages } from '../src/startup/preflight';

/**
 * A sandbox driver for command-line tools: the same environment variables as the worker, no warm
 * pool, no database, no Redis. The golden image store is prepared once before grading.
 */
export async function createCliDriver(): Promise<DockerSandboxDriver> {
  const env = loadEnv();
  const config = { ...sandboxConfigFromEnv(env), poolSize: 0 };
  // Engine unreachable or images not built: one line naming the fix (printed by cli/run.cjs).
  await checkSandboxImages(env);
  const driver = new DockerSandboxDriver(
    new Docker(dockerOptions(env.DOCKER_HOST)),
    config,
    loadImageCatalog(config.manifestPath),
    (message, error) => process.stderr.write(`${message}: ${error instanceof Error ? error.message : String(error)}\n`),
  );
  await driver.golden.ensure();
  return driver;
}
