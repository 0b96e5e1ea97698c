import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ExercisesService } from './exercises.service';

/** Syncs the catalogue into PostgreSQL when the api starts, before it serves submissions. */
@Injectable()
export class ExerciseCatalogueSync implements OnApplicationBootstrap {
  constructor(private readonly exercises: ExercisesService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.exercises.syncCatalogue();
  }
}
