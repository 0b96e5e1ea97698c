import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentUser, Principal } from '../auth/principal';
import { DomainError, ErrorCode } from '../common/domain-error';
import { AssignmentAttempt, AssignmentIntakeStore } from './assignment-intake.store';

class AssignmentIdPipe {
  transform(value: unknown): string {
    if (!z.uuid().safeParse(value).success) throw new DomainError(ErrorCode.NotFound, 'devoir introuvable');
    return String(value).toLowerCase();
  }
}

/** Tells a student, before they submit, whether their next attempt counts or is practice. */
@ApiTags('courses')
@ApiBearerAuth()
@Controller('api/assignments')
export class AssignmentAttemptsController {
  constructor(private readonly intake: AssignmentIntakeStore) {}

  @Get(':id/next-attempt')
  @ApiOperation({ summary: 'The next submission as it would count now: attempt number, credit, practice reason' })
  nextAttempt(@CurrentUser() user: Principal, @Param('id', AssignmentIdPipe) id: string): Promise<AssignmentAttempt> {
    return this.intake.preview(user.id, id);
  }
}
