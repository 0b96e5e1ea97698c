import { Module } from '@nestjs/common';
import { InfrastructureModule } from './infrastructure.module';
import { GradingWorkerModule } from './worker/grading-worker.module';

/** The worker role: queue processors and sandboxes, no HTTP server. The only place processors are registered. */
@Module({ imports: [InfrastructureModule, GradingWorkerModule] })
export class WorkerModule {}
