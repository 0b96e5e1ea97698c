import { Module } from '@nestjs/common';
import { CountedScorePolicy } from './counted-score.policy';
import { GradeOutbox } from './grade.outbox';
import { WebhookDeliveryProducer } from './webhook-delivery.producer';

/** The webhook outbox and queue producer, for both roles (grading run, redeliver). */
@Module({
  providers: [GradeOutbox, CountedScorePolicy, WebhookDeliveryProducer],
  exports: [GradeOutbox, WebhookDeliveryProducer],
})
export class WebhookQueueModule {}
