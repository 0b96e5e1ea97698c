import { Module } from '@nestjs/common';
import { ExerciseCatalogueSync } from './exercise-catalogue-sync.service';
import { ExercisesController } from './exercises.controller';
import { ExercisesService } from './exercises.service';
import { ExerciseVersionStore } from './exercise-version.store';

/** The exercise catalogue API, synced from exercises/ at api start. */
@Module({
  controllers: [ExercisesController],
  providers: [ExercisesService, ExerciseCatalogueSync, ExerciseVersionStore],
  exports: [ExercisesService, ExerciseVersionStore],
})
export class ExercisesModule {}
