import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wrapLine } from './replayer';

/** Runs lines through the replay wrapper with the machine's own sh, one `sh -c` each, as the sandbox does. */
function runLines(lines: string[]): Array<{ status: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'dg-wrap-'));
  mkdirSync(join(dir, 'work', 'sous-dossier'), { recursive: true });
  try {
    return lines.map((line) => {
      try {
        const out = execFileSync('sh', ['-c', wrapLine(line, join(dir, 'state'))], { cwd: join(dir, 'work'), encoding: 'utf8' });
        return { status: 0, out: out.replace(dir, '<tmp>') };
      } catch (error) {
        const e = error as { status: number; stdout: string };
        return { status: e.status, out: e.stdout };
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('wrapLine', () => {
  it('keeps the working directory from one line to the next', () => {
    const r = runLines(['cd sous-dossier', 'pwd']);
    expect(r[1].out.trim()).toBe('<tmp>/work/sous-dossier');
  });

  it('keeps exported variables but not the line exit status of earlier lines', () => {
    const r = runLines(['export MOT_DE_PASSE="un mot"', 'false', 'echo "$MOT_DE_PASSE"']);
    expect(r[1].status).toBe(1);
    expect(r[2]).toEqual({ status: 0, out: 'un mot\n' });
  });

  it('returns the exit status of the line itself', () => {
    expect(runLines(['exit 3'])[0].status).toBe(3);
    expect(runLines(['ls fichier-absent 2>/dev/null'])[0].status).not.toBe(0);
  });

  it('is not broken by a trailing comment on the line', () => {
    expect(runLines(['cd sous-dossier # on descend', 'pwd'])[1].out.trim()).toBe('<tmp>/work/sous-dossier');
  });
});
