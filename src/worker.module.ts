import { Module } from '@nestjs/common';
import { InfrastructureModule } from './infrastructure.module';
import { GradingWorkerModule } from './worker/grading-worker.module';
import { WebhookWorkerModule } from './lms/webhook-worker.module';
import { RetentionWorkerModule } from './data-care/data-care.module';

/** The worker role: queue processors and sandboxes, no HTTP server. The only place processors are registered. */
@Module({ imports: [InfrastructureModule, GradingWorkerModule, WebhookWorkerModule, RetentionWorkerModule] })
export class WorkerModule {}
