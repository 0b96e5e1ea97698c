import Docker from 'dockerode';
import { access } from 'node:fs/promises';
import { loadEnv } from '../../../src/config/env';
import { loadImageCatalog, repositoryManifestPath } from '../../../src/sandbox/image-catalog';
import { sandboxConfigFromEnv, type SandboxConfig } from '../../../src/sandbox/sandbox.config';
import { SandboxLabels } from '../../../src/sandbox/sandbox.labels';
import { DockerSandboxDriver } from '../../../src/sandbox/sandbox.driver';

/** A real driver on the host engine (images from scripts/build-images.sh), without a warm pool unless asked. */
export function makeDriver(overrides: Partial<SandboxConfig> = {}): DockerSandboxDriver {
  const config = { ...sandboxConfigFromEnv(loadEnv({ ...process.env })), poolSize: 0, ...overrides };
  return new DockerSandboxDriver(new Docker(), config, loadImageCatalog(repositoryManifestPath), () => undefined);
}

/** What the host still holds for a sandbox id: containers, networks, directory. */
export async function leftovers(
  driver: DockerSandboxDriver,
  id: string,
  dir: string,
): Promise<{ containers: number; networks: number; dir: boolean }> {
  const docker = new Docker();
  const filters = { label: [`${SandboxLabels.sandbox}=${id}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  const dirExists = await access(dir).then(
    () => true,
    () => false,
  );
  return { containers: containers.length, networks: networks.length, dir: dirExists };
}

export const COURSE_TAGS = [
  'hello-world:latest',
  'alpine:latest',
  'busybox:latest',
  'debian:bookworm',
  'debian:latest',
  'ubuntu:latest',
  'redis:latest',
  'postgres:latest',
  'mongo:latest',
  'nginx:latest',
];
