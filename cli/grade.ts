import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ExerciseLoadError, loadExercise } from '../src/exercises/exercise.loader';
import { gradeSubmission } from '../src/grading/grade-submission';
import { readSubmissionFiles } from '../src/submission-format/submission-files';
import { createCliDriver } from './cli-driver';
import { reportJson, reportText } from './report.printer';

const USAGE = 'usage: npm run grade -- <slug> <file> [--files DIR] [--json] [--exercises DIR]';

export interface GradeArgs {
  slug: string;
  file: string;
  files?: string;
  json: boolean;
  exercises: string;
}

/** Reads the command line; throws an Error whose message is the one-line reason. */
export function parseGradeArgs(argv: string[]): GradeArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        files: { type: 'string' },
        json: { type: 'boolean', default: false },
        exercises: { type: 'string', default: 'exercises' },
      },
    });
  } catch (error) {
    throw new Error(`${(error as Error).message.split('\n')[0]} (${USAGE})`, { cause: error });
  }
  const [slug, file, ...extra] = parsed.positionals;
  if (!slug || !file) throw new Error(`missing ${slug ? 'the submission file' : 'the exercise slug'} (${USAGE})`);
  if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]}" (${USAGE})`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(slug)) throw new Error(`"${slug}" is not an exercise slug (${USAGE})`);
  return {
    slug,
    file,
    files: parsed.values.files,
    json: parsed.values.json ?? false,
    exercises: parsed.values.exercises ?? 'exercises',
  };
}

/** Entry point (cli/run.cjs): returns the process exit code — 0 graded, 1 infrastructure error, 2 bad arguments. */
export async function main(): Promise<number> {
  let args: GradeArgs;
  try {
    args = parseGradeArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`grade: ${(error as Error).message}\n`);
    return 2;
  }
  const fail = (reason: string): number => {
    process.stderr.write(`grade: ${reason}\n`);
    return 2;
  };
  if (!(await isDir(join(args.exercises, args.slug)))) return fail(`no exercise "${args.slug}" in ${args.exercises}/`);
  let exercise;
  try {
    exercise = await loadExercise(join(args.exercises, args.slug));
  } catch (error) {
    if (error instanceof ExerciseLoadError) return fail(`invalid exercise: ${error.problems.join('; ')}`);
    throw error;
  }
  let source: string;
  try {
    source = await readFile(args.file, 'utf8');
  } catch (error) {
    return fail(
      `cannot read the submission "${args.file}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let files;
  if (args.files !== undefined) {
    if (!(await isDir(args.files))) return fail(`--files "${args.files}" is not a folder`);
    try {
      files = await readSubmissionFiles(args.files);
    } catch (error) {
      return fail((error as Error).message);
    }
  }
  const driver = await createCliDriver();
  try {
    const report = await gradeSubmission(
      driver,
      exercise,
      { source, files },
      {
        onProgress: args.json ? undefined : (i, n, c) => process.stderr.write(`commande ${i}/${n} : ${c.text}\n`),
      },
    );
    process.stdout.write(
      args.json
        ? `${JSON.stringify(reportJson(report), null, 2)}\n`
        : `${reportText(report, `${exercise.definition.slug} — ${exercise.definition.title}`)}\n`,
    );
    return report.status === 'graded' ? 0 : 1;
  } finally {
    await driver.shutdown();
  }
}

async function isDir(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
