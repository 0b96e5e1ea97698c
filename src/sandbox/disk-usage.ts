import { execFile } from 'node:child_process';
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
