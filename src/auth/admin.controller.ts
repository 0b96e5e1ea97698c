import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { DomainError } from '../common/domain-error';
import { storableLabel } from '../common/safe-text';
import { Role } from '../generated/prisma/enums';
import { AuthService, CreatedUser } from './auth.service';
import { CreatedInvitation, InvitationService } from './invitation.service';
import { CurrentUser, Principal, Roles } from './principal';

export const createUserSchema = z.strictObject({
  email: z.email().max(320),
  displayName: storableLabel(200).optional(),
  role: z.enum([Role.student, Role.instructor, Role.admin]).default(Role.student),
});

export const createInvitationSchema = z.strictObject({
  email: z.email().max(320),
  displayName: storableLabel(200).optional(),
});

export const createTokenSchema = z.strictObject({ name: storableLabel(100).default('api') });

/** Admin-only user and token management. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles(Role.admin)
@Controller('api/admin/users')
export class AdminController {
  constructor(private readonly auth: AuthService) {}

  @Post()
  @ApiOperation({ summary: 'Create a user' })
  @ApiBody({ schema: z.toJSONSchema(createUserSchema, { io: 'input' }) as object })
  create(@Body(new ZodValidationPipe(createUserSchema)) body: z.infer<typeof createUserSchema>): Promise<CreatedUser> {
    return this.auth.createUser(body);
  }

  @Post(':id/tokens')
  @HttpCode(201)
  @ApiOperation({ summary: 'Issue a bearer token for a user (shown once)' })
  @ApiBody({ schema: z.toJSONSchema(createTokenSchema, { io: 'input' }) as object, required: false })
  issueToken(
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => DomainError.notFound('user') })) id: string,
    @Body(new ZodValidationPipe(createTokenSchema)) body: z.infer<typeof createTokenSchema>,
  ): Promise<{ id: string; token: string; userId: string }> {
    return this.auth.issueToken(id, body.name);
  }
}

/** Instructors and admins invite students: a one-time link with which the student chooses a password. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles(Role.instructor)
@Controller('api/invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Invite a student (created if new); returns the one-time link, shown once' })
  @ApiBody({ schema: z.toJSONSchema(createInvitationSchema, { io: 'input' }) as object })
  invite(
    @CurrentUser() by: Principal,
    @Body(new ZodValidationPipe(createInvitationSchema)) body: z.infer<typeof createInvitationSchema>,
  ): Promise<CreatedInvitation> {
    return this.invitations.invite({ ...body, invitedBy: by.id });
  }
}
