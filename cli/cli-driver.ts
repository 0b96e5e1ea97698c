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
  // Ctrl-C (or SIGTERM) mid-grading: remove the sandboxes before exiting, as a stopping worker
  // does; leaving them to the next run's reaper kept them running meanwhile.
  const stop = (signal: NodeJS.Signals): void => {
    process.stderr.write(`${signal} : suppression des bacs à sable en cours…\n`);
    void driver.shutdown().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await driver.golden.ensure();
  return driver;
}
