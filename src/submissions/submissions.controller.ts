import {
  Body,
  Controller,
  createParamDecorator,
  ExecutionContext,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentUser, Principal, Roles } from '../auth/principal';
import { DomainError } from '../common/domain-error';
import { parseOrThrow, ZodValidationPipe } from '../common/zod-validation.pipe';
import { Role } from '../generated/prisma/enums';
import {
  apiSubmissionSchema,
  CreateSubmissionInput,
  idempotencyKeySchema,
  listSubmissionsSchema,
  ListSubmissionsQuery,
  submissionIdSchema,
} from './submission.schemas';
import { SubmissionEventStream } from './submission-event.stream';
import { Accepted, SubmissionPage, SubmissionsService, SubmissionView } from './submissions.service';
import { ExerciseSlugPipe } from '../common/safe-text';
import type { RegradeRunSummary } from '../regrades/regrade-runs.service';
import { regradeOptionsSchema, RegradeOptions } from '../regrades/regrade.schemas';

const idPipe = new ZodValidationPipe(
  submissionIdSchema.transform((v) => v.toLowerCase()),
  'id',
);
// An id that is not a uuid cannot name a submission: answer as for any unknown id.
class SubmissionIdPipe {
  transform(value: unknown): string {
    try {
      return idPipe.transform(value);
    } catch {
      throw DomainError.notFound('submission');
    }
  }
}

/** The validated `Idempotency-Key` header, if any. */
const IdempotencyKey = createParamDecorator((_data: unknown, ctx: ExecutionContext): string | undefined =>
  parseOrThrow(
    idempotencyKeySchema,
    ctx.switchToHttp().getRequest<Request>().headers['idempotency-key'],
    'header.Idempotency-Key',
  ),
);

/** Submitting work, reading grades, following progress, regrading. */
@ApiTags('submissions')
@ApiBearerAuth()
@Controller('api/submissions')
export class SubmissionsController {
  constructor(
    private readonly submissions: SubmissionsService,
    private readonly eventStream: SubmissionEventStream,
  ) {}

  @Post()
  @ApiOperation({
    summary:
      'Submit commands for grading (202; 200 when an Idempotency-Key replays an earlier submission). With "assignment", ' +
      'the student must be enrolled in its course; the answer tells the attempt number, credit and whether it is practice',
  })
  @ApiBody({ schema: z.toJSONSchema(apiSubmissionSchema, { io: 'input' }) as object })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiResponse({ status: 202, description: '{ id, status, attempt, position }' })
  @ApiResponse({ status: 429, description: 'rate limited (Retry-After)' })
  @ApiResponse({ status: 503, description: 'grading queue full (Retry-After)' })
  async create(
    @CurrentUser() user: Principal,
    @Body(new ZodValidationPipe(apiSubmissionSchema)) body: CreateSubmissionInput,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Omit<Accepted, 'created'>> {
    const { created, ...accepted } = await this.submissions.create(user, body, key);
    res.status(created ? 202 : 200);
    return accepted;
  }

  @Get()
  @ApiOperation({ summary: 'List submissions (students: their own), newest first, cursor-paginated' })
  @ApiQuery({ name: 'exercise', required: false })
  @ApiQuery({ name: 'user', required: false })
  @ApiQuery({ name: 'status', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  list(
    @CurrentUser() user: Principal,
    @Query(new ZodValidationPipe(listSubmissionsSchema, 'query')) query: ListSubmissionsQuery,
  ): Promise<SubmissionPage> {
    return this.submissions.list(user, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One submission: status, current result; result history for instructors' })
  get(@CurrentUser() user: Principal, @Param('id', SubmissionIdPipe) id: string): Promise<SubmissionView> {
    return this.submissions.get(user, id);
  }

  @Get(':id/events')
  @ApiOperation({ summary: 'Server-sent events: queued (position), running (command i of n), graded or error' })
  @ApiProduces('text/event-stream')
  async events(
    @CurrentUser() user: Principal,
    @Param('id', SubmissionIdPipe) id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.submissions.assertReadable(user, id);
    await this.eventStream.open(id, req, res);
  }

  @Post(':id/regrade')
  @HttpCode(202)
  @Roles(Role.instructor)
  @ApiOperation({
    summary:
      'Grade a finished submission again (instructors), with the current definition or `{"version": "original"}`; earlier results are kept; the `regrade` run shows before → after',
  })
  @ApiBody({ schema: z.toJSONSchema(regradeOptionsSchema, { io: 'input' }) as object, required: false })
  regrade(
    @CurrentUser() user: Principal,
    @Param('id', SubmissionIdPipe) id: string,
    @Body(new ZodValidationPipe(regradeOptionsSchema)) body: RegradeOptions,
  ): Promise<Omit<Accepted, 'created'> & { regrade: RegradeRunSummary }> {
    return this.submissions.regrade(user, id, body.version).then(({ created: _created, ...a }) => a);
  }
}

/** Regrading every submission of one exercise, under the exercise's path. */
@ApiTags('exercises')
@ApiBearerAuth()
@Controller('api/exercises')
export class ExerciseRegradeController {
  constructor(private readonly submissions: SubmissionsService) {}

  @Post(':slug/regrade')
  @HttpCode(202)
  @Roles(Role.instructor)
  @ApiOperation({
    summary:
      'Regrade every finished submission of an exercise in the background (instructors), current or `{"version": "original"}` definition',
  })
  @ApiBody({ schema: z.toJSONSchema(regradeOptionsSchema, { io: 'input' }) as object, required: false })
  regrade(
    @CurrentUser() user: Principal,
    @Param('slug', ExerciseSlugPipe) slug: string,
    @Body(new ZodValidationPipe(regradeOptionsSchema)) body: RegradeOptions,
  ): Promise<{ exercise: string; queued: number; regrade: RegradeRunSummary }> {
    return this.submissions.regradeExercise(user, slug, body.version);
  }
}
