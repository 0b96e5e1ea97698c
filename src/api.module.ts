import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { InfrastructureModule } from './infrastructure.module';
import { HealthModule } from './health/health.module';
import { AuthModule } from './auth/auth.module';
import { ExercisesModule } from './exercises/exercises.module';
import { SubmissionsModule } from './submissions/submissions.module';
import { LmsModule } from './lms/lms.module';
import { LtiModule } from './lti/lti.module';
import { CoursesModule } from './courses/courses.module';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { WebModule } from './web/web.module';
import { OperationsModule } from './operations/operations.module';
import { DataCareModule } from './data-care/data-care.module';

/** The HTTP role: REST API, pages and health. Registers no queue processors. */
@Module({
  imports: [
    InfrastructureModule,
    HealthModule,
    AuthModule,
    ExercisesModule,
    SubmissionsModule,
    WebModule,
    OperationsModule,
    LmsModule,
    DataCareModule,
    LtiModule,
    CoursesModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
})
export class ApiModule {}
