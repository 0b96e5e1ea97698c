import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { SignedRoute } from '../auth/principal';
import type { RawBodyRequest } from '../common/app.setup';
import { DomainError, ErrorCode } from '../common/domain-error';
import { LmsAccepted, LmsIntakeService } from './lms-intake.service';

/** Submissions from a school's platform, signed per Standard Webhooks (docs/lms.md); no bearer token. */
@ApiTags('lms')
@SignedRoute()
@ApiHeader({ name: 'webhook-id', required: true })
@ApiHeader({ name: 'webhook-timestamp', required: true })
@ApiHeader({ name: 'webhook-signature', required: true })
@Controller('api/lms/:integrationId/submissions')
export class LmsSubmissionsController {
  constructor(private readonly intake: LmsIntakeService) {}

  @Post()
  @ApiOperation({
    summary: 'Signed submission: 202 {id, status, statusUrl}; the same webhook-id again: 200, same body',
  })
  @ApiResponse({
    status: 401,
    description: 'unknown or disabled integration, bad signature, stale or future timestamp',
  })
  async submit(
    @Param('integrationId') integrationId: string,
    @Req() req: RawBodyRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LmsAccepted> {
    const id = await this.intake.authenticate(integrationId, req.rawBody ?? Buffer.alloc(0), req.headers);
    if (!req.rawBody)
      throw new DomainError(ErrorCode.MalformedBody, 'body: must be JSON (Content-Type: application/json)');
    const { created, body } = await this.intake.submit(id, String(req.headers['webhook-id']), req.rawBody);
    res.status(created ? 202 : 200);
    return body;
  }

  @Get(':id')
  @ApiOperation({ summary: 'Status of a submission this integration sent (signed, empty body)' })
  async status(
    @Param('integrationId') integrationId: string,
    @Param('id') id: string,
    @Req() req: RawBodyRequest,
  ): Promise<LmsAccepted & { score?: number; maxScore?: number }> {
    const integration = await this.intake.authenticate(integrationId, Buffer.alloc(0), req.headers);
    return this.intake.status(integration, id);
  }
}
