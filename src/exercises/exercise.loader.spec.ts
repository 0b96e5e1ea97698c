import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    expect(e.wrong.map((w) => [w.file, w.expectedScore, w.files.length, w.form])).toEqual([
      ['solutions/wrong-no-port.sh', 5, 1, 'session'],
      ['solutions/wrong-no-exec.sh', 6, 1, 'commands'],
      ['solutions/wrong-note-sur-l-hote.sh', 8, 1, 'commands'],
    ]);
    // The reference's pasted-session form, found beside it, with the reference's files and full marks.
    expect(e.reference.form).toBe('commands');
    expect(e.variants).toEqual([
      expect.objectContaining({ file: 'solutions/reference-session.txt', form: 'session', expectedScore: 10, files: e.reference.files }),
    ]);
    expect(e.definition.allow).toEqual([]);
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

/** A copy of fixture-web changed by `edit` (exercise.yaml text, or the copy's folder), then its problems. */
async function problemsOfEdited(edit: (yaml: string, dir: string) => string): Promise<string[]> {
  const root = mkdtempSync(join(tmpdir(), 'dg-ex-'));
  const copy = join(root, 'fixture-web');
  try {
    cpSync(join(FIXTURES, 'ok', 'fixture-web'), copy, { recursive: true });
    const yaml = join(copy, 'exercise.yaml');
    const before = readFileSync(yaml, 'utf8');
    const after = edit(before, copy);
    writeFileSync(yaml, after);
    try {
      await loadExercise(copy);
    } catch (error) {
      if (error instanceof ExerciseLoadError) return error.problems;
      throw error;
    }
    return [];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The YAML of the fixture's third wrong solution, to remove or repeat. */
const THIRD_WRONG = / {4}- file: solutions\/wrong-note-sur-l-hote\.sh\n( {6}.*\n)+/;

describe('loadExercise: catalogue rules', () => {
  it('loads the fixture as it is (the rules below each break one thing of it)', async () => {
    expect(await problemsOfEdited((yaml) => yaml)).toEqual([]);
  });

  it('refuses a definition with two known-wrong solutions, naming the field', async () => {
    const problems = await problemsOfEdited((yaml) => {
      expect(yaml).toMatch(THIRD_WRONG);
      return yaml.replace(THIRD_WRONG, '');
    });
    expect(problems).toEqual([
      expect.stringMatching(/exercise\.yaml: solutions\.wrong: at least 3 known-wrong solutions, each with its expectedScore and why$/),
    ]);
  });

  it('does not count an empty wrong solution among the three', async () => {
    const problems = await problemsOfEdited((yaml, dir) => {
      writeFileSync(join(dir, 'solutions', 'wrong-vide.sh'), '');
      return yaml.replace('solutions/wrong-note-sur-l-hote.sh', 'solutions/wrong-vide.sh');
    });
    expect(problems).toEqual([
      expect.stringMatching(/exercise\.yaml: solutions\.wrong: 2 known-wrong solutions run commands, at least 3 must \(an empty one does not count\)$/),
    ]);
  });

  it('refuses an exercise without a pasted-session form of its reference, naming the field and the file to add', async () => {
    const problems = await problemsOfEdited((yaml, dir) => {
      rmSync(join(dir, 'solutions', 'reference-session.txt'));
      return yaml;
    });
    expect(problems).toEqual([
      expect.stringMatching(/exercise\.yaml: solutions\.reference: no pasted-session form of the reference: .*solutions\/reference-session\.txt/),
    ]);
  });

  it('accepts a reference written as a session, with no variant beside it', async () => {
    const problems = await problemsOfEdited((yaml, dir) => {
      rmSync(join(dir, 'solutions', 'reference-session.txt'));
      return yaml.replace('reference: solutions/reference.sh', 'reference: solutions/wrong-no-port.sh');
    });
    expect(problems).toEqual([]);
  });

  it('refuses a variant the submission parser cannot read, naming its file', async () => {
    const problems = await problemsOfEdited((yaml, dir) => {
      writeFileSync(join(dir, 'solutions', 'reference-commandes.sh'), 'docker ps\ndocker run \\');
      return yaml;
    });
    expect(problems).toEqual([expect.stringMatching(/fixture-web\/solutions\/reference-commandes\.sh: ligne 2 : /)]);
  });

  it.each([['../cours/chapitre.md'], ['/etc/passwd.md'], ['chapitre-sans-extension'], ['a/./b.md']])(
    'refuses the chapter %s: a file of the course folder is expected',
    async (chapter) => {
      const problems = await problemsOfEdited((yaml) => yaml.replace(/^chapter: .*$/m, `chapter: '${chapter}'`));
      expect(problems).toEqual([expect.stringMatching(/exercise\.yaml: chapter: a chapter file of the course folder/)]);
    },
  );

  it('takes allow: [compose] and refuses a tool it does not know, naming the field', async () => {
    const loaded = mkdtempSync(join(tmpdir(), 'dg-ex-'));
    try {
      cpSync(join(FIXTURES, 'ok', 'fixture-web'), join(loaded, 'fixture-web'), { recursive: true });
      const yaml = join(loaded, 'fixture-web', 'exercise.yaml');
      writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/^checks:/m, 'allow: [compose]\nchecks:'));
      expect((await loadExercise(join(loaded, 'fixture-web'))).definition.allow).toEqual(['compose']);
    } finally {
      rmSync(loaded, { recursive: true, force: true });
    }
    expect(await problemsOfEdited((yaml) => yaml.replace(/^checks:/m, 'allow: [kubectl]\nchecks:'))).toEqual([
      expect.stringMatching(/exercise\.yaml: allow\[0\]: Invalid input: expected "compose"/),
    ]);
  });
});
