import { Module } from '@nestjs/common';
import { GradingProducer } from './grading.producer';

/** The grading queue's producer side, used by both roles (api intake, worker sweeper). */
@Module({ providers: [GradingProducer], exports: [GradingProducer] })
export class GradingQueueModule {}
