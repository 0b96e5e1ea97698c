import { Module } from '@nestjs/common';
import { InfrastructureModule } from './infrastructure.module';

/** The worker role: queue processors and sandboxes, no HTTP server. */
@Module({ imports: [InfrastructureModule] })
export class WorkerModule {}
