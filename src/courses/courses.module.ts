import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AssignmentsService } from './assignments.service';
import { CoursesService } from './courses.service';
import { GradebookService } from './gradebook.service';

/** Courses, rosters, assignments with deadlines, gradebook (issue 16): services and JSON API. */
@Module({
  imports: [AuthModule],
  controllers: [],
  providers: [CoursesService, AssignmentsService, GradebookService],
  exports: [CoursesService, AssignmentsService, GradebookService],
})
export class CoursesModule {}
