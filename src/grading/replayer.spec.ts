import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execPlan, wrapLine } from './replayer';

/** Runs lines through the replay wrapper with the machine's own sh, one `sh -c` each, as the sandbox does. */
function runLines(lines: string[]): Array<{ status: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'dg-wrap-'));
  mkdirSync(join(dir, 'work', 'sous-dossier'), { recursive: true });
  try {
    return lines.map((line) => {
      try {
        const out = execFileSync('sh', ['-c', wrapLine(line, join(dir, 'state'))], {
          cwd: join(dir, 'work'),
          encoding: 'utf8',
        });
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

describe('execPlan', () => {
  const cmd = (text: string, stdin?: string) => ({ line: 1, text, stdin, tty: /-\w*t/.test(text) });

  it('pipes the input lines of an attached -it command without a terminal, then EOF', () => {
    expect(execPlan(cmd('docker exec -it redis redis-cli', 'set cle 42\n'))).toEqual({
      line: 'docker exec -i redis redis-cli',
      stdin: 'set cle 42\n',
      tty: false,
    });
    expect(execPlan(cmd('docker run -it alpine'))).toEqual({ line: 'docker run -i alpine', stdin: '', tty: false });
  });

  it('keeps the terminal of detached and output-only commands', () => {
    expect(execPlan(cmd('docker run -dit --name cont1 alpine'))).toEqual({
      line: 'docker run -dit --name cont1 alpine',
      stdin: undefined,
      tty: true,
    });
    expect(execPlan(cmd('docker run -t alpine ls'))).toEqual({
      line: 'docker run -t alpine ls',
      stdin: undefined,
      tty: true,
    });
  });

  it('leaves other commands and their input alone', () => {
    expect(execPlan(cmd('docker system prune -a', 'y\n'))).toEqual({
      line: 'docker system prune -a',
      stdin: 'y\n',
      tty: false,
    });
  });
});
