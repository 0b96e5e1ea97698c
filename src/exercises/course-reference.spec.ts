import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CourseFolderMissing, courseProblems, defaultCourseDir } from './course-reference';
import { loadCatalogue, loadExercise } from './exercise.loader';

const REPOSITORY = resolve(__dirname, '..', '..');
const FIXTURE = join(REPOSITORY, 'test', 'fixtures', 'exercises', 'ok', 'fixture-web');

describe('courseProblems', () => {
  let course: string;
  beforeEach(() => {
    course = mkdtempSync(join(tmpdir(), 'dg-course-'));
  });
  afterEach(() => rmSync(course, { recursive: true, force: true }));

  it('accepts an exercise whose chapter is a file of the course folder', async () => {
    writeFileSync(join(course, '2-decouvrir-les-bases-de-docker.md'), '# Découvrir les bases de Docker\n');
    expect(await courseProblems([await loadExercise(FIXTURE)], course)).toEqual([]);
  });

  it('names the exercise file and its chapter field when the chapter is not in the course', async () => {
    writeFileSync(join(course, '1-creation-et-lancement-d-un-conteneur.md'), '# 1\n');
    // A folder of that name is not a chapter file either.
    mkdirSync(join(course, 'autre.md'));
    expect(await courseProblems([await loadExercise(FIXTURE)], course)).toEqual([
      `test/fixtures/exercises/ok/fixture-web/exercise.yaml: chapter: "2-decouvrir-les-bases-de-docker.md" is not a file of the course folder ${course}`,
    ]);
  });

  it('fails in one line, naming the folder and what to do, when the course folder is absent', async () => {
    const absent = join(course, 'absent');
    const error = await courseProblems([await loadExercise(FIXTURE)], absent).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CourseFolderMissing);
    expect((error as Error).message).toBe(
      `course folder ${absent} not found: each exercise's chapter must name one of its files (lay shared/course beside the repository, or pass --course DIR)`,
    );
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('the catalogue', () => {
  it('traces every exercise to a chapter of the course beside the repository', async () => {
    const catalogue = await loadCatalogue(join(REPOSITORY, 'exercises'));
    expect(catalogue.length).toBeGreaterThan(0);
    expect(await courseProblems(catalogue, defaultCourseDir(REPOSITORY))).toEqual([]);
  });
});
