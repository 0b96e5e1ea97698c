import { Module } from '@nestjs/common';
import { InfrastructureModule } from './infrastructure.module';
import { HealthModule } from './health/health.module';

/** The HTTP role: REST API, pages and health. Registers no queue processors. */
@Module({ imports: [InfrastructureModule, HealthModule] })
export class ApiModule {}
