import { Module } from '@nestjs/common';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookDeliverySweeper } from './webhook-delivery.sweeper';
import { WebhookQueueModule } from './webhook-queue.module';
import { WebhookSender } from './webhook.sender';

/** The delivery side (worker role only): processor, attempt logic, HTTP sender, sweeper. */
@Module({
  imports: [WebhookQueueModule],
  providers: [WebhookDeliveryProcessor, WebhookDeliveryService, WebhookSender, WebhookDeliverySweeper],
})
export class WebhookWorkerModule {}
