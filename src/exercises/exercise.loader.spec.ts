import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExerciseLoadError, loadCatalogue, loadExercise } from './exercise.loader';

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures', 'exercises');

async function problems(name: string): Promise<string[]> {
  try {
    await loadExercise(join(FIXTURES, 'not-ok', name));
  } catch (error) {
    if (error instanceof ExerciseLoadError) return error.problems;
    throw error;
  }
  throw new Error(`expected not-ok/${name} to be refused`);
}

describe('loadExercise', () => {
  it('loads a valid exercise with its instructions, solutions, files, max score and version', async () => {
    const e = await loadExercise(join(FIXTURES, 'ok', 'fixture-web'));
    expect(e.definition.slug).toBe('fixture-web');
    expect(e.definition.sandbox).toEqual({ egress: false, commandTimeoutSeconds: 20, maxCommands: 20 });
    expect(e.instructions).toMatch(/^# Fixture/);
    expect(e.maxScore).toBe(10);
    expect(e.version).toMatch(/^[0-9a-f]{64}$/);
    expect(e.reference).toMatchObject({ file: 'solutions/reference.sh', expectedScore: 10, files: [{ path: 'index.html', content: '<h1>Bonjour</h1>\n' }] });
    expect(e.reference.source).toMatch(/^docker run --name essai/);
    expect(e.wrong.map((w) => [w.file, w.expectedScore, w.files.length])).toEqual([
      ['solutions/wrong-no-port.sh', 5, 1],
      ['solutions/wrong-no-exec.sh', 6, 1],
    ]);
  });

  it('changes the version when the definition or the instructions change, not otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-ex-'));
    const copy = join(dir, 'fixture-web');
    try {
      cpSync(join(FIXTURES, 'ok', 'fixture-web'), copy, { recursive: true });
      const v1 = (await loadExercise(copy)).version;
      expect((await loadExercise(copy)).version).toBe(v1);
      writeFileSync(join(copy, 'instructions.md'), '# Fixture modifiée\n');
      const v2 = (await loadExercise(copy)).version;
      expect(v2).not.toBe(v1);
      writeFileSync(join(copy, 'solutions', 'reference.sh'), 'docker ps\n');
      expect((await loadExercise(copy)).version).toBe(v2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the file and the field path of an invalid value', async () => {
    expect(await problems('bad-state')).toEqual([
      expect.stringMatching(/^test\/fixtures\/exercises\/not-ok\/bad-state\/exercise\.yaml: checks\[0\]\.assert\.container\.state: Invalid option: expected one of "created"\|"running"/),
    ]);
  });

  it('names an unknown assertion kind and the kinds it could be', async () => {
    const [p] = await problems('unknown-assertion');
    expect(p).toMatch(/unknown-assertion\/exercise\.yaml: checks\[2\]\.assert: unknown key "prob"; .*container, image, volume, network, probe, http, transcript, event/);
  });

  it('gives the line and column of a YAML syntax error', async () => {
    const [p] = await problems('bad-yaml');
    expect(p).toMatch(/bad-yaml\/exercise\.yaml:\d+:\d+: /);
  });

  it('refuses a missing solution file, naming the field', async () => {
    expect(await problems('missing-file')).toEqual([expect.stringMatching(/exercise\.yaml: solutions\.wrong\[1\]\.file: file "solutions\/absent\.sh" not found/)]);
  });

  it('refuses a wrong solution expected to score full marks', async () => {
    expect(await problems('score-too-high')).toEqual([expect.stringMatching(/solutions\.wrong\[1\]\.expectedScore: 10 is not below the maximum score 10/)]);
  });

  it('refuses a solution the submission parser cannot read, naming the file and line', async () => {
    expect(await problems('bad-solution')).toEqual([expect.stringMatching(/bad-solution\/solutions\/wrong-no-exec\.sh: ligne 1 : /)]);
  });

  it('refuses a slug that differs from the folder name', async () => {
    expect(await problems('slug-mismatch')).toEqual([expect.stringMatching(/slug: "autre-nom" differs from the folder name "slug-mismatch"/)]);
  });

  it('refuses a folder without exercise.yaml', async () => {
    await expect(loadExercise(join(FIXTURES, 'absent'))).rejects.toThrow(/exercise\.yaml: cannot be read/);
  });
});

describe('loadCatalogue', () => {
  it('loads every exercise of a folder', async () => {
    expect((await loadCatalogue(join(FIXTURES, 'ok'))).map((e) => e.definition.slug)).toEqual(['fixture-web']);
  });

  it('gathers the problems of every broken exercise', async () => {
    const error = await loadCatalogue(join(FIXTURES, 'not-ok')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExerciseLoadError);
    const files = new Set((error as ExerciseLoadError).problems.map((p) => p.split('/')[4]));
    expect([...files].sort()).toEqual(['bad-solution', 'bad-state', 'bad-yaml', 'missing-file', 'score-too-high', 'slug-mismatch', 'unknown-assertion']);
  });
});

describe('loadExercise: regexes', () => {
  it('refuses a regex that does not compile when the definition loads, naming its field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-ex-'));
    const copy = join(dir, 'fixture-web');
    try {
      cpSync(join(FIXTURES, 'ok', 'fixture-web'), copy, { recursive: true });
      const yaml = join(copy, 'exercise.yaml');
      const { readFileSync } = await import('node:fs');
      const text = readFileSync(yaml, 'utf8');
      const broken = text.replace(/matches: '[^']*'/, "matches: 'redis(['");
      expect(broken).not.toBe(text);
      writeFileSync(yaml, broken);
      let problems: string[] = [];
      await loadExercise(copy).catch((error: unknown) => {
        if (error instanceof ExerciseLoadError) problems = error.problems;
        else throw error;
      });
      expect(problems.join('\n')).toMatch(/exercise\.yaml: checks\[\d+\]\.assert\..*regex that does not compile: .*redis\(\[/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
