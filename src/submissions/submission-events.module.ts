import { Module } from '@nestjs/common';
import { SubmissionEventsPublisher, SubmissionEventsSubscriber } from './submission-events';

/** Live progress over Redis pub/sub: the worker publishes, the api streams. */
@Module({
  providers: [SubmissionEventsPublisher, SubmissionEventsSubscriber],
  exports: [SubmissionEventsPublisher, SubmissionEventsSubscriber],
})
export class SubmissionEventsModule {}
