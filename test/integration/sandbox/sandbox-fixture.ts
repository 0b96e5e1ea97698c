import Docker from 'dockerode';
import { access } from 'node:fs/promises';
import { createServer } from 'node:net';
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

/** The test file's driver: its golden image store prepared before the first test, shut down after the last. */
export function driverForFile(overrides: Partial<SandboxConfig> = {}): DockerSandboxDriver {
  const driver = makeDriver(overrides);
  beforeAll(() => driver.golden.ensure());
  afterAll(() => driver.shutdown());
  return driver;
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

/** What the host service answers: a sandbox's output containing it reached the host. */
export const HOST_SERVICE_REPLY = 'host service';

/**
 * A TCP service on every host address, as a database or an admin port would be, counting who
 * reached it; `use` gets its port. Closed afterwards, whatever happens.
 */
export async function withHostService(use: (port: number) => Promise<void>): Promise<{ connections: number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.end(`${HOST_SERVICE_REPLY}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  try {
    await use((server.address() as { port: number }).port);
    return { connections };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A shell line trying a TCP connection to each `host:port`, printing `<target> rc=<curl's exit code>`. */
export function tcpAttempts(targets: string[]): string {
  return targets.map((t) => `curl -s -m 3 telnet://${t} </dev/null; echo "${t} rc=$?"`).join('; ');
}

/** Every target of tcpAttempts failed (a non-zero exit code for each). */
export function expectAllRefused(output: string, targets: string[]): void {
  for (const t of targets) expect(output).toMatch(new RegExp(`${t.replace(/\./g, '\\.')} rc=[1-9]`));
}
