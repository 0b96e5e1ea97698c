import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * Content hash of an image build context, identical to scripts/images-hash.sh: each file's
 * relative path, octal mode and sha256 (sorted bytewise), then the parent image's hash.
 */
export async function contextHash(dir: string, parentHash = '-'): Promise<string> {
  const files = (await listFiles(dir))
    .map((f) => relative(dir, f))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  let text = '';
  for (const file of files) {
    const full = join(dir, file);
    const [content, info] = await Promise.all([readFile(full), stat(full)]);
    text += `${file} ${(info.mode & 0o7777).toString(8)} ${sha256(content)}\n`;
  }
  text += `parent ${parentHash}\n`;
  return sha256(text).slice(0, 16);
}

/** One hash for a set of images (order-independent): the golden store is keyed by it. */
export function imageSetHash(hashes: string[]): string {
  return sha256([...hashes].sort().join('\n')).slice(0, 16);
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}
