import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal } from '../auth/principal';
import { StudentAssignmentsService } from './student-assignments.service';

/** A student's assignments (what the next submission would count: src/submissions/assignment-attempts.controller.ts). */
@ApiTags('courses')
@ApiBearerAuth()
@Controller('api/assignments')
export class StudentAssignmentsController {
  constructor(private readonly assignments: StudentAssignmentsService) {}

  @Get()
  @ApiOperation({
    summary: "The caller's assignments (courses they are enrolled in as a student), with their own deadlines",
  })
  list(@CurrentUser() user: Principal) {
    return this.assignments.list(user.id);
  }
}
