import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DomainError } from '../common/domain-error';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { Role } from '../generated/prisma/enums';
import { Roles } from '../auth/principal';
import { type PurgeReport, RetentionService } from './retention.service';
import { UserDataService } from './user-data.service';

export const purgeSchema = z.strictObject({ olderThanDays: z.number().int().min(1).max(36_500) });
export const eraseSchema = z.strictObject({ confirm: z.literal(true, 'must be true: erasure cannot be undone') });

const userId = new ParseUUIDPipe({ exceptionFactory: () => DomainError.notFound('user') });

/** Admins: a user's data (RGPD access and erasure) and the transcripts' retention. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles(Role.admin)
@Controller('api/admin')
export class DataCareController {
  constructor(
    private readonly users: UserDataService,
    private readonly retention: RetentionService,
  ) {}

  @Get('users/:id/export')
  @ApiOperation({ summary: 'Everything stored about one user, as JSON (RGPD access; no secrets)' })
  exportUser(@Param('id', userId) id: string): Promise<Record<string, unknown>> {
    return this.users.exportUser(id);
  }

  @Post('users/:id/erase')
  @HttpCode(200)
  @ApiOperation({ summary: 'Anonymise one user: identity, access and work removed, scores kept (RGPD erasure)' })
  @ApiBody({ schema: z.toJSONSchema(eraseSchema, { io: 'input' }) as object })
  eraseUser(
    @Param('id', userId) id: string,
    @Body(new ZodValidationPipe(eraseSchema)) _body: z.infer<typeof eraseSchema>,
  ): Promise<{ userId: string; submissions: number }> {
    return this.users.eraseUser(id);
  }

  @Post('retention/purge')
  @HttpCode(200)
  @ApiOperation({ summary: 'Empty the transcripts of submissions older than N days (scores kept)' })
  @ApiBody({ schema: z.toJSONSchema(purgeSchema, { io: 'input' }) as object })
  purge(@Body(new ZodValidationPipe(purgeSchema)) body: z.infer<typeof purgeSchema>): Promise<PurgeReport> {
    return this.retention.purgeTranscripts(body.olderThanDays);
  }
}
