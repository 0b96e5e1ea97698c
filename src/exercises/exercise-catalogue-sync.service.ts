import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ExerciseLoadError } from './exercise.loader';
import { ExercisesService } from './exercises.service';

const RETRY_MS = 5_000;

/**
 * Syncs the catalogue into PostgreSQL when the api starts. A broken exercise stops the api; if
 * PostgreSQL is down at that moment the api still starts — /health must be able to say so with a
 * 503 — and the sync is retried in the background until it succeeds.
 */
@Injectable()
export class ExerciseCatalogueSync implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExerciseCatalogueSync.name);
  private retry?: NodeJS.Timeout;

  constructor(private readonly exercises: ExercisesService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.attempt();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.retry);
  }

  private async attempt(): Promise<void> {
    try {
      await this.exercises.syncCatalogue();
    } catch (err) {
      // A broken exercise file is a deployment error: stop, naming the file and field.
      if (err instanceof ExerciseLoadError) throw err;
      this.logger.warn(
        `exercise catalogue not synced (${err instanceof Error ? err.message.trim().split('\n').pop() : String(err)}); retrying in ${RETRY_MS / 1000} s`,
      );
      this.retry = setTimeout(() => void this.attempt(), RETRY_MS);
      this.retry.unref();
    }
  }
}
