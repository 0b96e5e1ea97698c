import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { join } from 'node:path';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { exercisesRoot } from '../exercises/exercises.service';
import { ExerciseCatalogueCache } from '../exercises/exercise-catalogue.cache';
import { ExerciseLoadError, type LoadedExercise } from '../exercises/exercise.loader';
import { ExerciseVersionStore, exerciseFromVersion } from '../exercises/exercise-version.store';

/** The definition a grading run uses, the stored version it is, and what the student should know about it. */
export interface ResolvedDefinition {
  exercise: LoadedExercise;
  versionId: string;
  notices: string[];
}

/**
 * Which definition grades a submission: the one on disk (current) unless the attempt asks for
 * another version (a regrade with `original`, or `current` as synced when the disk moved on since);
 * that one comes from the ExerciseVersion table, not from disk. A version graded with from disk
 * is stored on the way, so every result points at a stored definition. The files on disk are read
 * once per change, not per job (ExerciseCatalogueCache).
 */
@Injectable()
export class ExerciseDefinitionResolver implements OnModuleDestroy {
  private readonly onDisk: ExerciseCatalogueCache;

  constructor(
    private readonly versions: ExerciseVersionStore,
    @Inject(ENV) private readonly env: Env,
  ) {
    this.onDisk = new ExerciseCatalogueCache(exercisesRoot(env));
  }

  onModuleDestroy(): void {
    this.onDisk.close();
  }

  async resolve(s: { exerciseId: string; slug: string; requestedVersion: string | null }): Promise<ResolvedDefinition> {
    const dir = join(exercisesRoot(this.env), s.slug);
    let onDisk: LoadedExercise | undefined;
    let loadError: ExerciseLoadError | undefined;
    try {
      onDisk = await this.onDisk.load(s.slug);
    } catch (err) {
      if (!(err instanceof ExerciseLoadError)) throw err;
      // A broken file on disk does not stop a regrade with a stored version.
      loadError = err;
    }
    const wanted = s.requestedVersion;
    if (wanted && wanted !== onDisk?.version) {
      const stored = await this.versions.find(s.exerciseId, wanted);
      if (stored) return { exercise: exerciseFromVersion(stored, dir), versionId: stored.id, notices: [] };
      if (!onDisk) throw loadError!;
      return {
        exercise: onDisk,
        versionId: await this.versions.ensure(s.exerciseId, onDisk),
        notices: [
          `La version demandée de l'exercice (${wanted.slice(0, 12)}) n'est pas conservée : la soumission a été notée avec la version actuelle (${onDisk.version.slice(0, 12)}).`,
        ],
      };
    }
    if (!onDisk) throw loadError!;
    return { exercise: onDisk, versionId: await this.versions.ensure(s.exerciseId, onDisk), notices: [] };
  }
}
