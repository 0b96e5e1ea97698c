import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { GradingQueueModule } from '../queue/grading-queue.module';
import { MetricsController } from './metrics.controller';
import { OperationsController } from './operations.controller';
import { OperationsService } from './operations.service';
import { OperationsPageController } from './operations-page.controller';
import { AuthModule } from '../auth/auth.module';

/** Api role: /metrics, the operations report; the queue dashboard is mounted by configureApp. */
@Module({
  imports: [HealthModule, GradingQueueModule, AuthModule],
  controllers: [MetricsController, OperationsController, OperationsPageController],
  providers: [OperationsService],
})
export class OperationsModule {}
