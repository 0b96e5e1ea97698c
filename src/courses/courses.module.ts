import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AssignmentReportController } from './assignment-report.controller';
import { AssignmentReportService } from './assignment-report.service';
import { AssignmentsService } from './assignments.service';
import { CoursesService } from './courses.service';
import { GradebookService } from './gradebook.service';
import { CoursesController } from './courses.controller';
import { RosterService } from './roster.service';
import { StudentAssignmentsController } from './student-assignments.controller';
import { StudentAssignmentsService } from './student-assignments.service';

/** Courses, rosters, assignments with deadlines, gradebook (issue 16): services and JSON API. */
@Module({
  imports: [AuthModule],
  controllers: [CoursesController, StudentAssignmentsController, AssignmentReportController],
  providers: [
    CoursesService,
    AssignmentsService,
    GradebookService,
    RosterService,
    StudentAssignmentsService,
    AssignmentReportService,
  ],
  exports: [
    CoursesService,
    AssignmentsService,
    GradebookService,
    RosterService,
    StudentAssignmentsService,
    AssignmentReportService,
  ],
})
export class CoursesModule {}
