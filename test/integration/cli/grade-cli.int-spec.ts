import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadExercise } from '../../../src/exercises/exercise.loader';
import { sandboxesOwnedBy } from '../../support/pipeline';
import { eventually } from '../../support/processes';

const root = resolve(__dirname, '../../..');

/** Runs the command-line grader exactly as an exercise author would. */
function grade(args: string[]) {
  const run = spawnSync('npm', ['run', '--silent', 'grade', '--', ...args], {
    cwd: root,
    encoding: 'utf8',
    // The CLI needs neither PostgreSQL nor Redis: point both at closed ports to prove it.
    env: { ...process.env, DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1' },
    timeout: 180_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm run grade', () => {
  it('grades the hello-world reference in a real sandbox and prints only JSON with --json', async () => {
    const hello = await loadExercise(join(root, 'exercises', 'hello-world'));
    const { code, stdout, stderr } = grade(['hello-world', 'exercises/hello-world/solutions/reference.sh', '--json']);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(stdout) as {
      status: string;
      score: number;
      maxScore: number;
      checks: { id: string; passed: boolean; points: number; maxPoints: number; message: string }[];
      transcript: { text: string; exitCode: number | null; output: string }[];
    };
    expect(report.status).toBe('graded');
    // Expected figures come from the definition, not from the report being checked.
    expect(report.maxScore).toBe(hello.maxScore);
    expect(report.score).toBe(hello.maxScore);
    expect(report.checks.map((c) => c.id)).toEqual(hello.definition.checks.map((c) => c.id));
    for (const [i, c] of report.checks.entries())
      expect(c).toMatchObject({
        passed: true,
        points: hello.definition.checks[i].points,
        maxPoints: hello.definition.checks[i].points,
      });
    const run = report.transcript.find((t) => /docker run .*hello-world/.test(t.text));
    expect(run?.exitCode).toBe(0);
    expect(run?.output).toContain('Hello from Docker!');
  });

  it('prints the whole JSON report to a pipe, past 64 KiB', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-grade-'));
    try {
      const file = join(dir, 'gros.sh');
      writeFileSync(file, "docker run hello-world\nprintf '%0150000d\\n' 0\n");
      const { code, stdout } = grade(['hello-world', file, '--json']);
      expect(code).toBe(0);
      expect(Buffer.byteLength(stdout)).toBeGreaterThan(150_000);
      const report = JSON.parse(stdout) as { transcript: { output: string }[] };
      expect(report.transcript[1].output).toBe(`${'0'.repeat(150_000)}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives a wrong solution exactly its expected score, with the failing feedback', async () => {
    const hello = await loadExercise(join(root, 'exercises', 'hello-world'));
    const wrong = hello.wrong.find((w) => w.file.endsWith('wrong-ps-sans-a.sh'))!;
    const { code, stdout } = grade(['hello-world', `exercises/hello-world/${wrong.file}`, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      score: number;
      maxScore: number;
      checks: { passed: boolean; message: string }[];
    };
    expect(report.score).toBe(wrong.expectedScore);
    expect(report.score).toBeLessThan(report.maxScore);
    expect(report.checks.some((c) => !c.passed && c.message.length > 0)).toBe(true);
  });

  it('refuses an unknown exercise with a non-zero exit and a one-line reason', () => {
    const { code, stderr } = grade(['no-such-exercise', 'exercises/hello-world/solutions/reference.sh']);
    expect(code).not.toBe(0);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/no-such-exercise/);
  });

  it('removes its sandboxes when interrupted (Ctrl-C) mid-grading, and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-grade-'));
    const file = join(dir, 'long.sh');
    writeFileSync(file, 'docker run -d --name attente busybox sleep 300\nsleep 60\n');
    // The tool itself (not npm): its pid names its sandboxes' owner.
    const child = spawn(process.execPath, ['cli/run.cjs', 'grade', 'hello-world', file], {
      cwd: root,
      env: process.env,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      await eventually(async () => {
        const running = await sandboxesOwnedBy(child.pid!);
        if (running.length === 0) throw new Error('no sandbox yet');
      }, 120_000);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(stderr).toContain('suppression des bacs à sable');
      expect(await sandboxesOwnedBy(child.pid!)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
