import { execFile } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Bytes a sandbox added on disk beyond the golden store it was copied from. `du` counts each
 * inode once across its arguments, so listing the golden store first leaves, on the following
 * lines, only what the sandbox's own directories hold (hard-linked image layers cost nothing).
 */
export async function addedBytes(goldenDir: string, dirs: string[]): Promise<number> {
  const { stdout } = await run('du', ['-s', '-x', '-B1', goldenDir, ...dirs], { maxBuffer: 1 << 20 }).catch(
    // du exits 1 when a file vanished during the walk (inner containers come and go): keep its figures.
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  const lines = stdout.trim().split('\n');
  return lines.slice(1).reduce((sum, line) => sum + (Number.parseInt(line, 10) || 0), 0);
}

/**
 * Free space a sandbox needs on the host's scratch disk to start and to go on: its skeleton is a
 * few MB, its inner engine writes as it starts, and under this a command's writes fail with
 * ENOSPC — a failure of ours that would otherwise read as the student's.
 */
export const SCRATCH_MIN_FREE_BYTES = 64 * 2 ** 20;

/** Bytes free for us (unprivileged callers' share, as the sandboxes' writes see it) on the filesystem of `dir`. */
export async function scratchFreeBytes(dir: string): Promise<number> {
  const info = await statfs(dir);
  return info.bavail * info.bsize;
}
