import type Docker from 'dockerode';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { delegateCgroups } from './cgroup-delegation';
import { exitedContainer } from './inner-engine';
import { SandboxInfrastructureError } from './sandbox.types';
import { type EngineIsolation, hostIds } from '../docker/engine-isolation';
import { SANDBOX_USER_ID, type SandboxPaths } from './sandbox-container';

/** Starting a sandbox container on the host: its directories, then the container, then its cgroups. */

/** The sandbox entrypoint starts dockerd only once this file exists in /var/lib/docker. */
export const READY_FLAG = '.dockgrader-ready';

/**
 * The host directories of a sandbox (or of the store's preparation), owned by the ids the
 * sandbox's root and its unprivileged user map to: without that, a user namespace's root could
 * not write its own data root, and `eleve` its working directory.
 */
export async function prepareSandboxDirs(paths: SandboxPaths, isolation: EngineIsolation): Promise<void> {
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await Promise.all([
    mkdir(paths.sock, { mode: 0o755 }),
    mkdir(paths.work, { mode: 0o755 }),
    mkdir(paths.data, { mode: 0o710 }),
  ]);
  const user = hostIds(isolation, SANDBOX_USER_ID);
  await Promise.all([
    chown(paths.sock, isolation.rootUid, isolation.rootGid),
    chown(paths.data, isolation.rootUid, isolation.rootGid),
    chown(paths.work, user.uid, user.gid),
  ]);
}

/**
 * Starts a sandbox container, hands it its cgroup directories (a user namespace's root cannot
 * create child cgroups in directories the host's root owns; their limit files stay the host's, so
 * the sandbox cannot raise its own limits), then lets its entrypoint go on (ready flag).
 */
export async function startSandboxContainer(
  container: Docker.Container,
  paths: SandboxPaths,
  isolation: EngineIsolation,
  copying?: Promise<void>,
): Promise<void> {
  await container.start();
  const [info] = await Promise.all([container.inspect(), copying]);
  await delegateCgroups(info.State.Pid, isolation).catch(async (error: unknown) => {
    // Its cgroups are gone with it (/proc/<pid>/cgroup ENOENT): say how it ended, not that a file was missing.
    const exited = await exitedContainer(container);
    throw exited ? new SandboxInfrastructureError(`sandbox exited while it started: ${exited}`) : error;
  });
  await writeFile(join(paths.data, READY_FLAG), '');
}

/**
 * A container being started is removed as soon as `signal` aborts (the worker is stopping): the
 * steps still waiting on it fail at once, rather than finish a sandbox nobody would destroy.
 * Returns what to await in `finally`: it stops listening and waits for a removal begun (the
 * engine lists a container "removing" until then, and refuses a second removal meanwhile).
 */
export function removeOnAbort(signal: AbortSignal, container: () => Docker.Container | undefined): () => Promise<void> {
  let removing: Promise<unknown> | undefined;
  const remove = () => {
    removing = container()
      ?.remove({ force: true, v: true })
      .catch(() => undefined);
  };
  signal.addEventListener('abort', remove, { once: true });
  return async () => {
    signal.removeEventListener('abort', remove);
    await removing;
  };
}

/** The error a creation abandoned at shutdown ends with: an infrastructure error, retried elsewhere. */
export const STOPPING_MESSAGE = 'the worker is stopping';
