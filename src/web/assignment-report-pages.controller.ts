import { Controller, Get, Param, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { isStaff } from '../auth/principal';
import { assignmentId, courseCode } from '../courses/assignment-report.controller';
import { AssignmentReportService } from '../courses/assignment-report.service';
import { CoursesService } from '../courses/courses.service';
import { CsrfGuard } from './csrf.guard';
import { PageAuthGuard, type PageRequest } from './page-auth.guard';
import { sendPage, session } from './page-response';
import { assignmentReportPage } from './views/assignment-report-page';
import { errorPage } from './views/error-page';

/**
 * The assignment report page: instructors and assistants of the course and admins; a student gets
 * the 403 page, another instructor's course is "not found" (as on the other course pages).
 */
@ApiExcludeController()
@UseGuards(PageAuthGuard, CsrfGuard)
@Controller('courses')
export class AssignmentReportPagesController {
  constructor(
    private readonly courses: CoursesService,
    private readonly reports: AssignmentReportService,
  ) {}

  @Get(':code/assignments/:id/report')
  async report(
    @Param('code') code: string,
    @Param('id') id: string,
    @Req() req: PageRequest,
    @Res() res: Response,
  ): Promise<void> {
    const { principal, user } = session(req);
    if (!isStaff(principal)) {
      return sendPage(res, errorPage(403, { user, message: 'Ces pages sont réservées aux enseignants.' }), 403);
    }
    const course = await this.courses.managed(principal, courseCode(code));
    const report = await this.reports.report(course, assignmentId(id));
    sendPage(res, assignmentReportPage({ user, timeZone: course.timeZone, report }));
  }
}
