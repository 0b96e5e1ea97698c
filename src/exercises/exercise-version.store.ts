import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { retryOnUniqueRace } from '../database/unique-race';
import type { ExerciseDefinition } from './exercise.schema';
import type { LoadedExercise } from './exercise.loader';

/** A stored version, enough to grade with: what the worker needs instead of the files on disk. */
export interface StoredExerciseVersion {
  id: string;
  hash: string;
  definition: ExerciseDefinition;
  source: string;
  instructions: string;
  maxPoints: number;
}

/**
 * The exercise a stored version describes, ready for the grader. The definition is the one stored
 * as loaded (validated, defaults applied), not the YAML parsed again: a later change of the format
 * (a new default) must not change how last term's grade is recomputed. Reference and wrong
 * solutions are not kept per version (they matter to `exercises:check`, not to grading).
 */
export function exerciseFromVersion(v: StoredExerciseVersion, dir: string): LoadedExercise {
  return {
    definition: v.definition,
    source: v.source,
    instructions: v.instructions,
    version: v.hash,
    dir,
    maxScore: v.maxPoints,
    reference: { file: '', source: '', files: [], expectedScore: v.maxPoints },
    variants: [],
    wrong: [],
  };
}

/** The repository of exercise versions: every definition synced or graded with is kept, once per hash. */
@Injectable()
export class ExerciseVersionStore {
  /** Ids of versions known to be stored, by `exerciseId:hash` (immutable rows: never stale). */
  private readonly known = new Map<string, string>();

  constructor(private readonly prisma: PrismaService) {}

  /** Stores `loaded` as a version of exercise `exerciseId` unless it already is; returns its id. */
  async ensure(exerciseId: string, loaded: LoadedExercise): Promise<string> {
    const key = `${exerciseId}:${loaded.version}`;
    const cached = this.known.get(key);
    if (cached) return cached;
    const row = await retryOnUniqueRace(() =>
      this.prisma.exerciseVersion.upsert({
        where: { exerciseId_hash: { exerciseId, hash: loaded.version } },
        create: {
          exerciseId,
          hash: loaded.version,
          source: loaded.source,
          definition: loaded.definition as object,
          instructions: loaded.instructions,
          checks: loaded.definition.checks as object[],
          maxPoints: loaded.maxScore,
        },
        update: {},
        select: { id: true },
      }),
    );
    if (this.known.size > 10_000) this.known.clear();
    this.known.set(key, row.id);
    return row.id;
  }

  async find(exerciseId: string, hash: string): Promise<StoredExerciseVersion | undefined> {
    const row = await this.prisma.exerciseVersion.findUnique({
      where: { exerciseId_hash: { exerciseId, hash } },
      select: { id: true, hash: true, definition: true, source: true, instructions: true, maxPoints: true },
    });
    if (!row) return undefined;
    return { ...row, definition: row.definition as unknown as ExerciseDefinition };
  }
}
