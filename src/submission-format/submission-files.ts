import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { SandboxFile } from '../sandbox/sandbox.types';

/** Limits on the files attached to a submission (Dockerfile, index.html …). */
export const MAX_ATTACHED_FILES = 50;
export const MAX_ATTACHED_BYTES = 1024 * 1024;

/** Reads a folder of attached files as sandbox files (relative paths); symbolic links and oversize folders are refused. */
export async function readSubmissionFiles(dir: string): Promise<SandboxFile[]> {
  const files: SandboxFile[] = [];
  let total = 0;
  const walk = async (current: string): Promise<void> => {
    for (const entry of (await readdir(current, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = join(current, entry.name);
      const info = await lstat(full);
      if (info.isSymbolicLink()) throw new Error(`${full}: symbolic links are not accepted as attached files`);
      if (info.isDirectory()) {
        await walk(full);
        continue;
      }
      if (!info.isFile()) continue;
      total += info.size;
      if (files.length >= MAX_ATTACHED_FILES) throw new Error(`${dir}: more than ${MAX_ATTACHED_FILES} attached files`);
      if (total > MAX_ATTACHED_BYTES) throw new Error(`${dir}: attached files exceed ${MAX_ATTACHED_BYTES} bytes`);
      files.push({ path: relative(dir, full).split(sep).join('/'), content: await readFile(full, 'utf8') });
    }
  };
  await walk(dir);
  return files;
}
