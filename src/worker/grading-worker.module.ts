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
import { ExerciseVersionStore } from '../exercises/exercise-version.store';
import { RegradeEventsPublisher } from '../regrades/regrade-events';
import { RegradeProgress } from '../regrades/regrade-progress';
import { ExerciseDefinitionResolver } from './exercise-definition.resolver';

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
    ExerciseVersionStore,
    ExerciseDefinitionResolver,
    RegradeEventsPublisher,
    RegradeProgress,
  ],
})
export class GradingWorkerModule {}
