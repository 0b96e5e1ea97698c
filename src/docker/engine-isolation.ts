import type Docker from 'dockerode';

/**
 * How the engine that hosts the sandboxes isolates them from the host. Sandboxes hold every
 * capability their nested dockerd needs; only a user namespace makes their root someone else than
 * the host's root. With `--userns-remap`, the engine reports `name=userns` among its security
 * options and keeps its data in `<data-root>/<uid>.<gid>`: the host ids root inside is mapped to.
 */
export interface EngineIsolation {
  userns: boolean;
  /** Host uid/gid of the sandbox's root (0/0 without a user namespace). */
  rootUid: number;
  rootGid: number;
}

/** Host uid/gid of a user inside a sandbox (uid 1000, `eleve`, is root's + 1000 in the mapping). */
export function hostIds(isolation: EngineIsolation, insideId: number): { uid: number; gid: number } {
  return { uid: isolation.rootUid + insideId, gid: isolation.rootGid + insideId };
}

export function engineIsolationFromInfo(info: { SecurityOptions?: string[]; DockerRootDir?: string }): EngineIsolation {
  const userns = (info.SecurityOptions ?? []).some((o) => o.split(',').includes('name=userns'));
  if (!userns) return { userns: false, rootUid: 0, rootGid: 0 };
  const ids = /\/(\d+)\.(\d+)\/?$/.exec(info.DockerRootDir ?? '');
  if (!ids) {
    throw new Error(
      `the engine has a user namespace but its data root (${info.DockerRootDir}) does not name the remapped ids`,
    );
  }
  return { userns: true, rootUid: Number(ids[1]), rootGid: Number(ids[2]) };
}

/** Refused engines get one line naming the fix. */
export const ROOT_ENGINE_REFUSAL =
  'the Docker engine runs sandboxes without a user namespace: their root would be the host root. ' +
  'Start it with --userns-remap=default (bash scripts/ensure-services.sh does), ' +
  'or set SANDBOX_ALLOW_ROOT_ENGINE=true to accept that risk on a machine of its own';

export const ROOT_ENGINE_WARNING =
  'SANDBOX_ALLOW_ROOT_ENGINE=true: sandboxes run WITHOUT a user namespace; root in a sandbox is root on this host';

export async function inspectEngineIsolation(docker: Docker): Promise<EngineIsolation> {
  const info = (await docker.info()) as { SecurityOptions?: string[]; DockerRootDir?: string };
  return engineIsolationFromInfo(info);
}
