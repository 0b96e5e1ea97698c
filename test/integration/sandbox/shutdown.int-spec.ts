import Docker from 'dockerode';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DockerSandboxDriver } from '../../../src/sandbox/sandbox.driver';
import { currentOwner, SandboxLabels } from '../../../src/sandbox/sandbox.labels';
import { SandboxInfrastructureError } from '../../../src/sandbox/sandbox.types';
import { makeDriver } from './sandbox-fixture';

const hostDocker = new Docker();

jest.setTimeout(180_000);

/** Containers of this process with the given role (sandbox, golden), stopped ones included. */
async function ours(role: string): Promise<Docker.ContainerInfo[]> {
  return hostDocker.listContainers({
    all: true,
    filters: { label: [`${SandboxLabels.owner}=${currentOwner()}`, `${SandboxLabels.role}=${role}`] },
  });
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50)))
    if (await condition()) return;
  throw new Error(`never happened: ${what}`);
}

/**
 * A worker's graceful stop leaves nothing running, whatever it was doing: the fault suite found a
 * worker stopped seconds after its start (preparing its golden store) leaving that container on
 * the engine, and a creation in flight is as invisible to a shutdown that only knows live sandboxes.
 */
describe('sandbox driver shutdown (real Docker)', () => {
  it('removes a sandbox still being created, and its creation fails as an infrastructure error', async () => {
    const driver = makeDriver();
    await driver.golden.ensure();
    const acquiring = driver.acquire();
    acquiring.catch(() => undefined);
    await until(async () => (await ours('sandbox')).length > 0, 'a sandbox container created');
    const [starting] = await ours('sandbox');
    const dir = join(driver.golden.dir, '..', '..', 'run', starting.Labels[SandboxLabels.sandbox]);

    await driver.shutdown();

    expect(await ours('sandbox')).toEqual([]);
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(acquiring).rejects.toBeInstanceOf(SandboxInfrastructureError);
    await expect(acquiring).rejects.toThrow(/stopping/);
    // Nothing starts after a shutdown.
    await expect(driver.acquire()).rejects.toThrow(/stopping/);
  });

  it("abandons the golden store's preparation: its container and staging directory are gone", async () => {
    // A root of its own: the store is prepared there from scratch, as on a new host.
    const root = await mkdtemp(join('/var/tmp', 'dg-shutdown-'));
    await chmod(root, 0o711); // the remapped root must traverse it
    let driver: DockerSandboxDriver | undefined;
    try {
      driver = makeDriver({ root });
      const starting = driver.init();
      starting.catch(() => undefined);
      await until(async () => (await ours('golden')).length > 0, 'the preparation container created');

      await driver.shutdown();

      expect(await ours('golden')).toEqual([]);
      expect(await readdir(join(root, 'golden'))).toEqual([]);
      await expect(starting).rejects.toThrow(/golden store preparation abandoned: the worker is stopping/);
    } finally {
      for (const c of await ours('golden'))
        await hostDocker
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    }
  });
});
