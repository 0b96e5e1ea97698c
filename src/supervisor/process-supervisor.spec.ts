import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastPlainLine } from './process-supervisor';

describe('lastPlainLine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-sup-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the one-line reason a process printed after its JSON logs', () => {
    const file = join(dir, 'worker-1.log');
    writeFileSync(
      file,
      '{"level":30,"msg":"starting"}\ndockgrader worker: the images are not built\n{"level":30,"msg":"x"}\n',
    );
    expect(lastPlainLine(file)).toBe('dockgrader worker: the images are not built');
  });

  it('is undefined for a missing file or one with JSON only', () => {
    expect(lastPlainLine(join(dir, 'none.log'))).toBeUndefined();
    const file = join(dir, 'api.log');
    writeFileSync(file, '{"level":30}\n');
    expect(lastPlainLine(file)).toBeUndefined();
  });
});
