import { Module } from '@nestjs/common';
import { GradingQueueModule } from '../queue/grading-queue.module';
import { SubmissionEventsModule } from '../submissions/submission-events.module';
import { RegradeEventStream } from './regrade-event.stream';
import { RegradeRunsService } from './regrade-runs.service';
import { RegradesController } from './regrades.controller';

/** Regrade runs on the api side: starting them, their progress stream and their before/after list. */
@Module({
  imports: [GradingQueueModule, SubmissionEventsModule],
  controllers: [RegradesController],
  providers: [RegradeRunsService, RegradeEventStream],
  exports: [RegradeRunsService],
})
export class RegradesModule {}
