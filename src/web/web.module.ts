import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { AuthModule } from '../auth/auth.module';
import { LmsModule } from '../lms/lms.module';
import { LtiModule } from '../lti/lti.module';
import { LtiDeepLinkPagesController } from './lti-deep-link-pages.controller';
import { CoursesModule } from '../courses/courses.module';
import { CoursePagesController } from './course-pages.controller';
import { CoursePagesService } from './course-pages.service';
import { SubmissionsModule } from '../submissions/submissions.module';
import { RegradesModule } from '../regrades/regrades.module';
import { AdminLmsPagesController } from './admin-lms-pages.controller';
import { InstructorPagesController } from './instructor-pages.controller';
import { TokenPagesController } from './token-pages.controller';
import { AccountController } from './account.controller';
import { multipartError } from './multipart-errors';
import { AssignmentReportPagesController } from './assignment-report-pages.controller';
import { StudentPagesController } from './student-pages.controller';
import { StudentPagesService } from './student-pages.service';

/**
 * The student web app, served by the api role: server-rendered pages over the same services as
 * the JSON API. Static files (public/) and the form body parser are set up in configureApp.
 */
@Module({
  imports: [AuthModule, SubmissionsModule, RegradesModule, LmsModule, LtiModule, CoursesModule],
  controllers: [
    AccountController,
    StudentPagesController,
    InstructorPagesController,
    TokenPagesController,
    AdminLmsPagesController,
    CoursePagesController,
    AssignmentReportPagesController,
    LtiDeepLinkPagesController,
  ],
  providers: [StudentPagesService, CoursePagesService],
})
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // The submission form is multipart (file fields). Parsed here, before the guards, so that the
    // CSRF guard sees `_csrf`. A file larger than the form's limit is let through up to 1 MiB so
    // the page can say which one, next to the field, with the typed text kept.
    const upload = multer({
      storage: multer.memoryStorage(),
      limits: { fileSize: 1024 * 1024, files: 40, fields: 10 },
    });
    const files = upload.array('files');
    consumer
      .apply((req: Request, res: Response, next: NextFunction) =>
        files(req, res, (err?: unknown) => next(err ? multipartError(err) : undefined)),
      )
      .forRoutes({ path: 'exercises/:slug', method: RequestMethod.POST });
    // The roster import form: a CSV file (or pasted text), within the same 1 MiB; same error mapping.
    const roster = upload.array('file', 1);
    consumer
      .apply((req: Request, res: Response, next: NextFunction) =>
        roster(req, res, (err?: unknown) => next(err ? multipartError(err) : undefined)),
      )
      .forRoutes({ path: 'courses/:code/roster', method: RequestMethod.POST });
  }
}
