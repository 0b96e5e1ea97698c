import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentUser, Principal, Roles } from '../auth/principal';
import { DomainError } from '../common/domain-error';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { Role } from '../generated/prisma/enums';
import { RegradeEventStream } from './regrade-event.stream';
import { RegradeRunsService, RegradeRunSummary, RegradeRunView } from './regrade-runs.service';
import { startRegradeSchema, StartRegradeInput } from './regrade.schemas';

const uuid = z.uuid();
// An id that is not a uuid cannot name a run: answer as for any unknown id.
class RegradeIdPipe {
  transform(value: unknown): string {
    const parsed = uuid.safeParse(value);
    if (!parsed.success) throw DomainError.notFound('regrade');
    return parsed.data.toLowerCase();
  }
}

/** Regrade runs: start one over a list of submissions, follow its progress, read its before/after list. */
@ApiTags('regrades')
@ApiBearerAuth()
@Roles(Role.instructor)
@Controller('api/regrades')
export class RegradesController {
  constructor(
    private readonly runs: RegradeRunsService,
    private readonly stream: RegradeEventStream,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Regrade a list of submissions in the background (same list and version while running: the same run)',
  })
  @ApiBody({ schema: z.toJSONSchema(startRegradeSchema, { io: 'input' }) as object })
  async start(
    @CurrentUser() user: Principal,
    @Body(new ZodValidationPipe(startRegradeSchema)) body: StartRegradeInput,
  ): Promise<RegradeRunSummary> {
    const { run } = await this.runs.start(user, { kind: 'submissions', ids: body.submissions }, body.version);
    return run;
  }

  @Get(':id')
  @ApiOperation({
    summary: 'A regrade run: progress, and per student the score before → after and the checks that changed',
  })
  get(@Param('id', RegradeIdPipe) id: string): Promise<RegradeRunView> {
    return this.runs.get(id);
  }

  @Get(':id/events')
  @ApiOperation({ summary: 'Server-sent events: progress {done, total, changed}, then finished' })
  @ApiProduces('text/event-stream')
  async events(@Param('id', RegradeIdPipe) id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.stream.open(id, req, res);
  }
}
