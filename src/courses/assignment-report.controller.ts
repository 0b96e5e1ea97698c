import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentUser, Principal, Roles } from '../auth/principal';
import { DomainError, ErrorCode } from '../common/domain-error';
import { Role } from '../generated/prisma/enums';
import { COURSE_CODE } from './course.schemas';
import { AssignmentReportService } from './assignment-report.service';
import { CoursesService } from './courses.service';

/** The report's JSON: same access as the other course routes (students 403, another course 404). */
@ApiTags('courses')
@ApiBearerAuth()
@Roles(Role.instructor)
@Controller('api/courses')
export class AssignmentReportController {
  constructor(
    private readonly courses: CoursesService,
    private readonly reports: AssignmentReportService,
  ) {}

  @Get(':code/assignments/:id/report')
  @ApiOperation({
    summary:
      'Assignment report: score histogram (counted points), submission times around the due date, median ' +
      'attempts to full marks, checks ranked by how many students failed them (with feedback and an example)',
  })
  async report(@CurrentUser() user: Principal, @Param('code') code: string, @Param('id') id: string) {
    return this.reports.report(await this.courses.managed(user, courseCode(code)), assignmentId(id));
  }
}

/** A `:code` that cannot be a course code names no course (404, like an unknown one). */
export function courseCode(value: string): string {
  if (!COURSE_CODE.test(value)) throw new DomainError(ErrorCode.NotFound, 'cours introuvable');
  return value;
}

export function assignmentId(value: string): string {
  if (!z.uuid().safeParse(value).success) throw new DomainError(ErrorCode.NotFound, 'devoir introuvable');
  return value.toLowerCase();
}
