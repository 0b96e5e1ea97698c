import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { LoadedExercise } from './exercise.loader';

/**
 * Every exercise is traced to the course it comes from: its `chapter` names a file of the course
 * folder. The folder lives beside the repository (`../shared/course`: the developers' machines lay
 * it there, CI beside its clone), not in it, so the check runs where the catalogue is checked
 * (`npm run exercises:check`), not when the service loads an exercise.
 */

/** The course folder beside a repository checkout. */
export function defaultCourseDir(repositoryRoot: string): string {
  return resolve(repositoryRoot, '..', 'shared', 'course');
}

/** The course folder is not there: nothing can be traced (one line, said as such). */
export class CourseFolderMissing extends Error {
  constructor(readonly dir: string) {
    super(`course folder ${dir} not found: each exercise's chapter must name one of its files (lay shared/course beside the repository, or pass --course DIR)`);
    this.name = 'CourseFolderMissing';
  }
}

/** One line per exercise whose chapter is not a file of the course folder, naming the file and field. */
export async function courseProblems(exercises: readonly LoadedExercise[], courseDir: string): Promise<string[]> {
  const dir = resolve(courseDir);
  if (!(await isDirectory(dir))) throw new CourseFolderMissing(dir);
  const problems: string[] = [];
  for (const e of exercises) {
    const chapter = e.definition.chapter;
    const file = resolve(dir, chapter);
    const inside = !relative(dir, file).startsWith('..');
    if (!inside || !(await isFile(file)))
      problems.push(
        `${relative(process.cwd(), resolve(e.dir, 'exercise.yaml'))}: chapter: "${chapter}" is not a file of the course folder ${dir}`,
      );
  }
  return problems;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}
