import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contextHash, imageSetHash } from './image-hash';

describe('contextHash', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dg-hash-'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\n');
    await writeFile(join(dir, 'sub', 'entry.sh'), '#!/bin/sh\necho hi\n');
    await writeFile(join(dir, 'B-upper'), 'sorting bytewise puts uppercase first');
    await chmod(join(dir, 'sub', 'entry.sh'), 0o755);
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('matches scripts/images-hash.sh, which the image build uses', async () => {
    const script = join(__dirname, '../../scripts/images-hash.sh');
    const fromShell = execFileSync('bash', [script, dir, 'abc123']).toString().trim();
    expect(await contextHash(dir, 'abc123')).toBe(fromShell);
  });

  it('changes with content, mode and parent, not with file timestamps', async () => {
    const first = await contextHash(dir);
    await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\n');
    expect(await contextHash(dir)).toBe(first);
    expect(await contextHash(dir, 'other-parent')).not.toBe(first);
    await chmod(join(dir, 'Dockerfile'), 0o700);
    const afterMode = await contextHash(dir);
    expect(afterMode).not.toBe(first);
    await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCMD ["x"]\n');
    expect(await contextHash(dir)).not.toBe(afterMode);
  });
});

describe('imageSetHash', () => {
  it('ignores order and changes with any member', () => {
    expect(imageSetHash(['a', 'b'])).toBe(imageSetHash(['b', 'a']));
    expect(imageSetHash(['a', 'b'])).not.toBe(imageSetHash(['a', 'c']));
  });
});
