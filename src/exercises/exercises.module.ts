import { Module } from '@nestjs/common';
import { ExerciseCatalogueSync } from './exercise-catalogue-sync.service';
import { ExercisesController } from './exercises.controller';
import { ExercisesService } from './exercises.service';

/** The exercise catalogue API, synced from exercises/ at api start. */
@Module({
  controllers: [ExercisesController],
  providers: [ExercisesService, ExerciseCatalogueSync],
  exports: [ExercisesService],
})
export class ExercisesModule {}
