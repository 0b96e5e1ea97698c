import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ExerciseLoadError,
  loadCatalogue,
  type ExerciseSolution,
  type LoadedExercise,
} from '../src/exercises/exercise.loader';
import { CourseFolderMissing, courseProblems, defaultCourseDir } from '../src/exercises/course-reference';
import { gradeSubmission, type GradeReport } from '../src/grading/grade-submission';
import { createCliDriver } from './cli-driver';

const USAGE = 'usage: npm run exercises:check [-- --concurrency N] [--only slug,slug] [--exercises DIR] [--course DIR]';

export interface CheckArgs {
  concurrency: number;
  only?: string[];
  exercises: string;
  /** The course folder the exercises' chapters are files of (default ../shared/course beside the repository). */
  course: string;
}

/** ../shared/course beside this repository. */
const DEFAULT_COURSE_DIR = defaultCourseDir(resolve(__dirname, '..'));

export function parseCheckArgs(argv: string[]): CheckArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        concurrency: { type: 'string', default: '2' },
        only: { type: 'string' },
        exercises: { type: 'string', default: 'exercises' },
        course: { type: 'string', default: DEFAULT_COURSE_DIR },
      },
    });
  } catch (error) {
    throw new Error(`${(error as Error).message.split('\n')[0]} (${USAGE})`, { cause: error });
  }
  const concurrency = Number(parsed.values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16)
    throw new Error(`--concurrency must be an integer from 1 to 16 (${USAGE})`);
  const only = parsed.values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    concurrency,
    only,
    exercises: parsed.values.exercises ?? 'exercises',
    course: parsed.values.course ?? DEFAULT_COURSE_DIR,
  };
}

/**
 * Submissions that do none of the work, graded on every exercise: each must score 0 (a check that
 * holds before anything is done, like "no container left", counts only once the work is done).
 */
export const NOTHING_DONE: ExerciseSolution[] = [
  { file: '(soumission vide)', source: '', files: [], expectedScore: 0 },
  { file: '(regarde seulement)', source: 'docker ps -a\ndocker images\n', files: [], expectedScore: 0 },
];

interface Row {
  slug: string;
  solution: string;
  expected: number;
  report: GradeReport;
}

/**
 * Validates every definition and its trace to the course (a chapter file of the course folder),
 * replays every reference, its variants, the wrong solutions and the do-nothing ones, and fails
 * where a score differs from the expected one.
 */
export async function main(): Promise<number> {
  let args: CheckArgs;
  try {
    args = parseCheckArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`exercises:check: ${(error as Error).message}\n`);
    return 2;
  }
  const started = Date.now();
  let catalogue: LoadedExercise[];
  try {
    catalogue = await loadCatalogue(args.exercises);
  } catch (error) {
    if (!(error instanceof ExerciseLoadError)) throw error;
    process.stdout.write(`Invalid exercise definitions:\n${error.problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  let untraced: string[];
  try {
    untraced = await courseProblems(catalogue, args.course);
  } catch (error) {
    if (!(error instanceof CourseFolderMissing)) throw error;
    process.stderr.write(`exercises:check: ${error.message}\n`);
    return 2;
  }
  if (untraced.length > 0) {
    process.stdout.write(`Exercises not traced to the course:\n${untraced.map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  if (args.only) {
    const unknown = args.only.filter((s) => !catalogue.some((e) => e.definition.slug === s));
    if (unknown.length > 0) {
      process.stderr.write(`exercises:check: no exercise ${unknown.join(', ')} in ${args.exercises}/\n`);
      return 2;
    }
    catalogue = catalogue.filter((e) => args.only!.includes(e.definition.slug));
  }
  process.stdout.write(`${catalogue.length} exercise definitions valid:\n`);
  for (const e of catalogue) {
    process.stdout.write(
      `  ${e.definition.slug.padEnd(24)} ${String(e.definition.checks.length).padStart(2)} checks  ${String(e.maxScore).padStart(3)} points  ${e.wrong.length} wrong solutions\n`,
    );
  }

  const jobs: Array<{ exercise: LoadedExercise; solution: ExerciseSolution }> = [];
  for (const exercise of catalogue) {
    for (const solution of [exercise.reference, ...exercise.variants, ...exercise.wrong, ...NOTHING_DONE])
      jobs.push({ exercise, solution });
  }
  process.stdout.write(`\nReplaying ${jobs.length} solutions in sandboxes, ${args.concurrency} at a time…\n`);
  const driver = await createCliDriver();
  const rows: Row[] = [];
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const { exercise, solution } = jobs[next++];
        const report = await gradeSubmission(driver, exercise, { source: solution.source, files: solution.files });
        const row = {
          slug: exercise.definition.slug,
          solution: solution.file,
          expected: solution.expectedScore,
          report,
        };
        rows.push(row);
        process.stdout.write(
          `  ${verdict(row).padEnd(8)} ${row.slug}/${row.solution}  ${scoreText(row)}  ${(report.durationMs / 1000).toFixed(1)} s\n`,
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(args.concurrency, jobs.length) }, worker));
  } finally {
    await driver.shutdown();
  }

  rows.sort((a, b) => a.slug.localeCompare(b.slug) || a.solution.localeCompare(b.solution));
  process.stdout.write(`\n${table(rows)}\n`);
  const bad = rows.filter((r) => verdict(r) !== 'ok');
  for (const r of bad) {
    process.stdout.write(
      `\n${verdict(r)} ${r.slug}/${r.solution}: ${r.report.error ?? `expected ${r.expected}, got ${r.report.score}`}\n`,
    );
    for (const c of r.report.checks)
      process.stdout.write(
        `    ${c.passed ? '✔' : '✘'} ${c.id} ${c.points}/${c.maxPoints}${c.detail ? ` — ${c.detail}` : ''}\n`,
      );
    for (const n of r.report.notices) process.stdout.write(`    ! ${n}\n`);
  }
  const checks = catalogue.reduce((s, e) => s + e.definition.checks.length, 0);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  process.stdout.write(
    `\n${catalogue.length} exercises, ${checks} checks, ${rows.length} solutions: ${rows.length - bad.length} ok, ${bad.length} failing — ${seconds} s\n`,
  );
  return bad.length === 0 ? 0 : 1;
}

function verdict(r: Row): string {
  if (r.report.status === 'error') return 'ERROR';
  return r.report.score === r.expected ? 'ok' : 'MISMATCH';
}

function scoreText(r: Row): string {
  return r.report.status === 'error'
    ? `error: ${r.report.error}`
    : `${r.report.score}/${r.report.maxScore} (expected ${r.expected})`;
}

function table(rows: Row[]): string {
  const head = ['exercise', 'solution', 'expected', 'score', 'result', 'seconds'];
  const body = rows.map((r) => [
    r.slug,
    r.solution,
    String(r.expected),
    r.report.status === 'error' ? 'error' : `${r.report.score}/${r.report.maxScore}`,
    verdict(r),
    (r.report.durationMs / 1000).toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
