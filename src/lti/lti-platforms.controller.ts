import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Roles } from '../auth/principal';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { Role } from '../generated/prisma/enums';
import { createLtiPlatformSchema, CreateLtiPlatformInput } from './lti-platform.schemas';
import { LtiPlatformsService, LtiPlatformView } from './lti-platforms.service';
import { LtiToolKeysService } from './lti-tool-keys.service';

/** Admin management of LTI 1.3 platforms and of the tool's key pair (JSON API). */
@ApiTags('lti')
@ApiBearerAuth()
@Roles(Role.admin)
@Controller('api/admin/lti')
export class LtiPlatformsController {
  constructor(
    private readonly platforms: LtiPlatformsService,
    private readonly keys: LtiToolKeysService,
  ) {}

  @Post('platforms')
  @ApiOperation({ summary: 'Register an LTI 1.3 platform (issuer, client id, deployment ids, endpoints)' })
  @ApiBody({ schema: z.toJSONSchema(createLtiPlatformSchema, { io: 'input' }) as object })
  create(@Body(new ZodValidationPipe(createLtiPlatformSchema)) body: CreateLtiPlatformInput): Promise<LtiPlatformView> {
    return this.platforms.create(body);
  }

  @Get('platforms')
  list(): Promise<LtiPlatformView[]> {
    return this.platforms.list();
  }

  @Post('keys/rotate')
  @HttpCode(200)
  @ApiOperation({ summary: 'New tool key pair; the previous one stays published for 24 h' })
  rotate(): Promise<{ kid: string }> {
    return this.keys.rotate();
  }
}
