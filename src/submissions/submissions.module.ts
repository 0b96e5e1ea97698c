import { Module } from '@nestjs/common';
import { HotPathSqlModule } from '../database/hot-path-sql';
import { ExercisesModule } from '../exercises/exercises.module';
import { GradingQueueModule } from '../queue/grading-queue.module';
import { RegradesModule } from '../regrades/regrades.module';
import { SubmissionEventStream } from './submission-event.stream';
import { SubmissionEventsModule } from './submission-events.module';
import { SubmissionRateLimiter } from './submission-rate.limiter';
import { SubmissionIntakeStore } from '../database/submission-intake.store';
import { AssignmentIntakeStore } from './assignment-intake.store';
import { AssignmentAttemptsController } from './assignment-attempts.controller';
import { ExerciseRegradeController, SubmissionsController } from './submissions.controller';
import { SubmissionsService } from './submissions.service';

/** The submissions API: intake, reading, live progress, regrades. */
@Module({
  imports: [HotPathSqlModule, ExercisesModule, GradingQueueModule, SubmissionEventsModule, RegradesModule],
  controllers: [SubmissionsController, ExerciseRegradeController, AssignmentAttemptsController],
  providers: [
    SubmissionsService,
    SubmissionRateLimiter,
    SubmissionIntakeStore,
    SubmissionEventStream,
    AssignmentIntakeStore,
  ],
  exports: [SubmissionsService, AssignmentIntakeStore],
})
export class SubmissionsModule {}
