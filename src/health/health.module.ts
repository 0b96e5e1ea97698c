import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { WorkerRegistry } from '../operations/worker-registry.service';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { ReadinessService } from './readiness.service';

@Module({
  // Terminus logs a failed check with its stack at error level by default; the 503 body says it all.
  imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty', logger: false })],
  controllers: [HealthController],
  providers: [HealthService, ReadinessService, WorkerRegistry],
  exports: [WorkerRegistry, ReadinessService],
})
export class HealthModule {}
