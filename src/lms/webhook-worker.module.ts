import { Module } from '@nestjs/common';
import { AgsScoreSender } from '../lti/ags-score.sender';
import { AgsTokenClient } from '../lti/ags-token.client';
import { LtiToolKeysService } from '../lti/lti-tool-keys.service';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookDeliverySweeper } from './webhook-delivery.sweeper';
import { WebhookQueueModule } from './webhook-queue.module';
import { WebhookSender } from './webhook.sender';

/** The delivery side (worker role only): processor, attempt logic, HTTP senders (webhooks, LTI scores), sweeper. */
@Module({
  imports: [WebhookQueueModule],
  providers: [
    WebhookDeliveryProcessor,
    WebhookDeliveryService,
    WebhookSender,
    WebhookDeliverySweeper,
    AgsScoreSender,
    AgsTokenClient,
    LtiToolKeysService,
  ],
})
export class WebhookWorkerModule {}
