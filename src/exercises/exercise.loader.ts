import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { readSubmissionFiles } from '../submission-format/submission-files';
import { parseSubmission, SubmissionParseError, type ParsedSubmission } from '../submission-format/submission.parser';
import type { SandboxFile } from '../sandbox/sandbox.types';
import { exerciseSchema, MIN_WRONG_SOLUTIONS, type ExerciseDefinition } from './exercise.schema';
import { describeIssues } from './schema-issues';

/** A solution shipped with an exercise: its submission text, attached files, and expected score. */
export interface ExerciseSolution {
  /** Path relative to the exercise folder. */
  file: string;
  source: string;
  files: SandboxFile[];
  expectedScore: number;
  why?: string;
  /** How it is written, as the submission parser reads it (undefined when it cannot be read). */
  form?: ParsedSubmission['form'];
}

/**
 * The reference written another way, beside it, with the reference's files: a pasted terminal
 * session or typed commands. Full marks expected; `npm run exercises:check` replays them.
 */
export const REFERENCE_VARIANTS = ['solutions/reference-session.txt', 'solutions/reference-commandes.sh'];

export interface LoadedExercise {
  definition: ExerciseDefinition;
  /** exercise.yaml exactly as written (stored with each version). */
  source: string;
  /** Markdown shown to students (French). */
  instructions: string;
  /** sha256 of the definition file and the instructions: a grade names the exercise version it used. */
  version: string;
  dir: string;
  maxScore: number;
  reference: ExerciseSolution;
  /** The reference's other forms found beside it (REFERENCE_VARIANTS). */
  variants: ExerciseSolution[];
  wrong: ExerciseSolution[];
}

/** A broken exercise: each problem names the file and, for the definition, the field path. */
export class ExerciseLoadError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ExerciseLoadError';
  }
}

/** Loads and validates `<dir>/exercise.yaml`, its instructions and its solutions. */
export async function loadExercise(dir: string): Promise<LoadedExercise> {
  const yamlPath = join(dir, 'exercise.yaml');
  const shown = (p: string) => relative(process.cwd(), p) || p;
  let text: string;
  try {
    text = await readFile(yamlPath, 'utf8');
  } catch (error) {
    throw new ExerciseLoadError([`${shown(yamlPath)}: cannot be read (${(error as Error).message})`]);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    // The first error is the cause; the following ones are usually its echoes.
    const e = doc.errors[0];
    throw new ExerciseLoadError([`${shown(yamlPath)}:${e.linePos?.[0].line ?? '?'}:${e.linePos?.[0].col ?? '?'}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`]);
  }
  const parsed = exerciseSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new ExerciseLoadError(describeIssues(parsed.error.issues).map((l) => `${shown(yamlPath)}: ${l}`));
  }
  const definition = parsed.data;
  const problems: string[] = [];
  const slugFromDir = dir.replace(/\/+$/, '').split('/').pop();
  if (slugFromDir !== definition.slug) problems.push(`${shown(yamlPath)}: slug: "${definition.slug}" differs from the folder name "${slugFromDir}"`);
  const maxScore = definition.checks.reduce((s, c) => s + c.points, 0);

  const readRef = async (field: string, rel: string): Promise<string | undefined> => {
    try {
      return await readFile(join(dir, rel), 'utf8');
    } catch {
      problems.push(`${shown(yamlPath)}: ${field}: file "${rel}" not found in ${shown(dir)}`);
      return undefined;
    }
  };
  const readFiles = async (field: string, rel: string | undefined): Promise<SandboxFile[]> => {
    if (rel === undefined) return [];
    try {
      if (!(await stat(join(dir, rel))).isDirectory()) throw new Error('not a folder');
      return await readSubmissionFiles(join(dir, rel));
    } catch (error) {
      problems.push(`${shown(yamlPath)}: ${field}: folder "${rel}" unusable (${(error as Error).message})`);
      return [];
    }
  };
  /** How a solution's text is written; an unreadable one is a problem named with its file. */
  const formOf = (file: string, source: string): ExerciseSolution['form'] => {
    if (!source) return undefined;
    try {
      return parseSubmission(source, { maxCommands: definition.sandbox.maxCommands }).form;
    } catch (error) {
      if (!(error instanceof SubmissionParseError)) throw error;
      problems.push(`${shown(join(dir, file))}: ${error.message}`);
      return undefined;
    }
  };
  const solution = async (field: string, filesField: string, file: string, filesRel: string | undefined, expectedScore: number, why?: string): Promise<ExerciseSolution> => {
    const source = (await readRef(field, file)) ?? '';
    return { file, source, files: await readFiles(filesField, filesRel), expectedScore, why, form: formOf(file, source) };
  };

  const instructions = (await readRef('instructions', definition.instructions)) ?? '';
  const sharedFiles = definition.solutions.files;
  const reference = await solution('solutions.reference', 'solutions.files', definition.solutions.reference, sharedFiles, maxScore);
  const variants: ExerciseSolution[] = [];
  for (const file of REFERENCE_VARIANTS) {
    if (file === definition.solutions.reference) continue;
    const source = await readFile(join(dir, file), 'utf8').catch(() => undefined);
    if (source !== undefined) variants.push({ file, source, files: reference.files, expectedScore: maxScore, form: formOf(file, source) });
  }
  // Students paste sessions as often as they type commands: each exercise proves it grades both.
  if (reference.form && ![reference, ...variants].some((s) => s.form === 'session')) {
    problems.push(`${shown(yamlPath)}: solutions.reference: no pasted-session form of the reference: write it as a terminal session, or add ${REFERENCE_VARIANTS[0]} beside it`);
  }
  const wrong: ExerciseSolution[] = [];
  for (const [i, w] of definition.solutions.wrong.entries()) {
    wrong.push(await solution(`solutions.wrong[${i}].file`, w.files ? `solutions.wrong[${i}].files` : 'solutions.files', w.file, w.files ?? sharedFiles, w.expectedScore, w.why));
    if (w.expectedScore >= maxScore) {
      problems.push(`${shown(yamlPath)}: solutions.wrong[${i}].expectedScore: ${w.expectedScore} is not below the maximum score ${maxScore}`);
    }
  }
  // An empty wrong solution proves nothing the do-nothing submissions every exercise is checked
  // with do not. Counted once every file reads: a missing one is already named.
  const working = wrong.filter((w) => w.form !== undefined).length;
  if (problems.length === 0 && working < MIN_WRONG_SOLUTIONS) {
    problems.push(`${shown(yamlPath)}: solutions.wrong: ${working} known-wrong solutions run commands, at least ${MIN_WRONG_SOLUTIONS} must (an empty one does not count)`);
  }
  if (problems.length > 0) throw new ExerciseLoadError(problems);
  const version = createHash('sha256').update(text).update('\0').update(instructions).digest('hex');
  return { definition, source: text, instructions, version, dir, maxScore, reference, variants, wrong };
}

/** Loads every `<root>/<slug>/exercise.yaml`; problems of all exercises are gathered in one error. */
export async function loadCatalogue(root: string): Promise<LoadedExercise[]> {
  const entries = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const loaded: LoadedExercise[] = [];
  const problems: string[] = [];
  for (const name of entries) {
    try {
      loaded.push(await loadExercise(join(root, name)));
    } catch (error) {
      if (!(error instanceof ExerciseLoadError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ExerciseLoadError(problems);
  return loaded;
}
