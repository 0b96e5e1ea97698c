import { Module } from '@nestjs/common';
import { DataCareController } from './data-care.controller';
import { RetentionScheduler } from './retention.scheduler';
import { RetentionService } from './retention.service';
import { UserDataService } from './user-data.service';

/** Api role: the admin routes for a user's data and retention. */
@Module({ controllers: [DataCareController], providers: [UserDataService, RetentionService] })
export class DataCareModule {}

/** Worker role: the scheduled retention job. */
@Module({ providers: [RetentionService, RetentionScheduler] })
export class RetentionWorkerModule {}
