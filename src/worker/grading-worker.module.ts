import { Module } from '@nestjs/common';
import { GradingModule } from '../grading/grading.module';
import { SandboxModule } from '../sandbox/sandbox.module';
import { WebhookQueueModule } from '../lms/webhook-queue.module';
import { SubmissionEventsModule } from '../submissions/submission-events.module';
import { GradingQueueModule } from '../queue/grading-queue.module';
import { GradingProcessor } from './grading.processor';
import { GradingRunService } from './grading-run.service';
import { SubmissionSweeper } from './submission.sweeper';
import { WorkerHeartbeatService } from '../operations/worker-heartbeat.service';
import { WorkerRegistry } from '../operations/worker-registry.service';
import { PoolAutoscalerService } from './pool-autoscaler.service';

/** The worker side of the grading queue: the processor, its run logic and the sweeper (worker role only). */
@Module({
  imports: [GradingModule, SandboxModule, GradingQueueModule, SubmissionEventsModule, WebhookQueueModule],
  providers: [
    GradingProcessor,
    GradingRunService,
    SubmissionSweeper,
    WorkerHeartbeatService,
    WorkerRegistry,
    PoolAutoscalerService,
  ],
})
export class GradingWorkerModule {}
