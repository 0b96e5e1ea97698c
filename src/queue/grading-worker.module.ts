import { Module } from '@nestjs/common';
import { GradingModule } from '../grading/grading.module';
import { WebhookQueueModule } from '../lms/webhook-queue.module';
import { SubmissionEventsModule } from '../submissions/submission-events.module';
import { GradingQueueModule } from './grading-queue.module';
import { GradingProcessor } from './grading.processor';
import { GradingRunService } from './grading-run.service';
import { SubmissionSweeper } from './submission.sweeper';

/** The worker side of the grading queue: the processor, its run logic and the sweeper (worker role only). */
@Module({
  imports: [GradingModule, GradingQueueModule, SubmissionEventsModule, WebhookQueueModule],
  providers: [GradingProcessor, GradingRunService, SubmissionSweeper],
})
export class GradingWorkerModule {}
