import { chown, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineIsolation } from '../docker/engine-isolation';

/** Where a line of /proc/<pid>/cgroup lives under /sys/fs/cgroup (v1: one hierarchy per controller set; v2: unified). */
export function cgroupDirs(procCgroup: string, mountRoot = '/sys/fs/cgroup'): { dir: string; unified: boolean }[] {
  const dirs: { dir: string; unified: boolean }[] = [];
  for (const line of procCgroup.split('\n')) {
    const match = /^(\d+):([^:]*):(\/.*)$/.exec(line.trim());
    if (!match) continue;
    const [, hierarchy, controllers, path] = match;
    if (hierarchy === '0' && controllers === '') {
      dirs.push({ dir: join(mountRoot, path), unified: true });
    } else if (controllers) {
      dirs.push({ dir: join(mountRoot, controllers.replace(/^name=/, ''), path), unified: false });
    }
  }
  return dirs;
}

/** cgroup v2 files a delegatee must own besides the directory (kernel's cgroup-v2.rst, "Delegation"). */
const UNIFIED_DELEGATED_FILES = ['cgroup.procs', 'cgroup.threads', 'cgroup.subtree_control'];

/**
 * Hands a sandbox's cgroup directories to its user namespace's root, so that its inner dockerd can
 * create one cgroup per inner container (and the entrypoint can cap their pids). Only the
 * directories (and v2's delegation files): the limit files stay the host's. A missing hierarchy
 * (controller not mounted) is skipped.
 */
export async function delegateCgroups(pid: number, isolation: EngineIsolation): Promise<void> {
  if (!isolation.userns || !pid) return;
  const dirs = cgroupDirs(await readFile(`/proc/${pid}/cgroup`, 'utf8'));
  await Promise.all(
    dirs.map(async ({ dir, unified }) => {
      const paths = unified ? [dir, ...UNIFIED_DELEGATED_FILES.map((f) => join(dir, f))] : [dir];
      for (const path of paths) {
        await chown(path, isolation.rootUid, isolation.rootGid).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
      }
    }),
  );
}
