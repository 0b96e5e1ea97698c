import { Module } from '@nestjs/common';
import { ExercisesModule } from '../exercises/exercises.module';
import { GradingQueueModule } from '../queue/grading-queue.module';
import { DeliveryLogService } from './delivery-log.service';
import { IntegrationsController } from './integrations.controller';
import { IntegrationsService } from './integrations.service';
import { LmsIntakeService } from './lms-intake.service';
import { LmsSubmissionsController } from './lms-submissions.controller';
import { WebhookQueueModule } from './webhook-queue.module';

/** The api side of LMS integrations: signed intake, admin management, the delivery log. */
@Module({
  imports: [ExercisesModule, GradingQueueModule, WebhookQueueModule],
  controllers: [LmsSubmissionsController, IntegrationsController],
  providers: [LmsIntakeService, IntegrationsService, DeliveryLogService],
  exports: [IntegrationsService, DeliveryLogService],
})
export class LmsModule {}
