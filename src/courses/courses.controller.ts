import { Body, Controller, Get, Header, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentUser, Principal, Roles } from '../auth/principal';
import { DomainError, ErrorCode } from '../common/domain-error';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { Role } from '../generated/prisma/enums';
import { AssignmentsService } from './assignments.service';
import {
  COURSE_CODE,
  createAssignmentSchema,
  CreateAssignmentInput,
  createCourseSchema,
  CreateCourseInput,
  gradebookCsvQuerySchema,
  GradebookCsvQuery,
  overrideSchema,
  OverrideInput,
  rosterQuerySchema,
  updateAssignmentSchema,
  UpdateAssignmentInput,
} from './course.schemas';
import { CoursesService } from './courses.service';
import { checksCsv, gradebookCsv } from './gradebook.csv';
import { GradebookService } from './gradebook.service';
import { RosterService } from './roster.service';

/** `:code` that cannot be a course code names no course (404, like an unknown one). */
class CourseCodePipe {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !COURSE_CODE.test(value))
      throw new DomainError(ErrorCode.NotFound, 'cours introuvable');
    return value;
  }
}

class AssignmentIdPipe {
  transform(value: unknown): string {
    if (!z.uuid().safeParse(value).success) throw new DomainError(ErrorCode.NotFound, 'devoir introuvable');
    return String(value).toLowerCase();
  }
}

function sendCsv(res: Response, name: string, body: string): void {
  res
    .type('text/csv; charset=utf-8')
    .setHeader('Content-Disposition', `attachment; filename="${name}"`)
    .setHeader('Cache-Control', 'no-store')
    .send(body);
}

/**
 * Instructors' JSON API for courses: an instructor sees the courses they teach (others are 404),
 * an admin every course, students none (403). Same services and rules as the course pages.
 */
@ApiTags('courses')
@ApiBearerAuth()
@Roles(Role.instructor)
@Controller('api/courses')
export class CoursesController {
  constructor(
    private readonly courses: CoursesService,
    private readonly roster: RosterService,
    private readonly assignments: AssignmentsService,
    private readonly gradebook: GradebookService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a course; its creator becomes its instructor' })
  @ApiBody({ schema: z.toJSONSchema(createCourseSchema, { io: 'input' }) as object })
  create(@CurrentUser() user: Principal, @Body(new ZodValidationPipe(createCourseSchema)) body: CreateCourseInput) {
    return this.courses.create(user, body);
  }

  @Get()
  @ApiOperation({ summary: 'Courses the caller teaches (admins: all), with student and assignment counts' })
  list(@CurrentUser() user: Principal) {
    return this.courses.list(user);
  }

  @Get(':code/roster')
  @ApiOperation({ summary: 'Enrolled users: students, instructors, assistants, with their group' })
  async getRoster(@CurrentUser() user: Principal, @Param('code', CourseCodePipe) code: string) {
    return this.roster.list(await this.courses.managed(user, code));
  }

  @Put(':code/roster')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Import a roster (text/csv, header email,name,group): good lines enrolled, new students created with an ' +
      'invitation link, bad lines reported one by one in French; ?dryRun=true previews without writing',
  })
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', example: 'email,name,group\nalice@example.org,Alice Martin,TP1\n' } })
  @ApiQuery({ name: 'dryRun', required: false })
  async putRoster(
    @CurrentUser() user: Principal,
    @Param('code', CourseCodePipe) code: string,
    @Query(new ZodValidationPipe(rosterQuerySchema, 'query')) query: z.infer<typeof rosterQuerySchema>,
    @Body() body: unknown,
  ) {
    if (typeof body !== 'string') {
      throw DomainError.validation([
        { field: 'body', message: 'le corps doit être un fichier CSV (Content-Type: text/csv)' },
      ]);
    }
    const course = await this.courses.managed(user, code);
    return this.roster.import(course, body, { dryRun: query.dryRun, invitedBy: user.id });
  }

  @Get(':code/assignments')
  async listAssignments(@CurrentUser() user: Principal, @Param('code', CourseCodePipe) code: string) {
    return this.assignments.list(await this.courses.managed(user, code));
  }

  @Post(':code/assignments')
  @ApiOperation({ summary: 'Give an exercise with deadlines: dueAt, optional lateUntil at lateCredit (0–1), attempts' })
  @ApiBody({ schema: z.toJSONSchema(createAssignmentSchema, { io: 'input' }) as object })
  async createAssignment(
    @CurrentUser() user: Principal,
    @Param('code', CourseCodePipe) code: string,
    @Body(new ZodValidationPipe(createAssignmentSchema)) body: CreateAssignmentInput,
  ) {
    return this.assignments.create(await this.courses.managed(user, code), body);
  }

  @Patch(':code/assignments/:id')
  @ApiOperation({ summary: 'Change deadlines or limits; credits already earned never go down' })
  @ApiBody({ schema: z.toJSONSchema(updateAssignmentSchema, { io: 'input' }) as object })
  async updateAssignment(
    @CurrentUser() user: Principal,
    @Param('code', CourseCodePipe) code: string,
    @Param('id', AssignmentIdPipe) id: string,
    @Body(new ZodValidationPipe(updateAssignmentSchema)) body: UpdateAssignmentInput,
  ) {
    return this.assignments.update(await this.courses.managed(user, code), id, body);
  }

  @Get(':code/assignments/:id/overrides')
  async listOverrides(
    @CurrentUser() user: Principal,
    @Param('code', CourseCodePipe) code: string,
    @Param('id', AssignmentIdPipe) id: string,
  ) {
    return this.assignments.listOverrides(await this.courses.managed(user, code), id);
  }

  @Post(':code/assignments/:id/overrides')
  @ApiOperation({
    summary: 'Grant a student an extension (later dueAt/lateUntil, extra attempts); replaces their earlier one',
  })
  @ApiBody({ schema: z.toJSONSchema(overrideSchema, { io: 'input' }) as object })
  async grantOverride(
    @CurrentUser() user: Principal,
    @Param('code', CourseCodePipe) code: string,
    @Param('id', AssignmentIdPipe) id: string,
    @Body(new ZodValidationPipe(overrideSchema)) body: OverrideInput,
  ) {
    return this.assignments.grantOverride(await this.courses.managed(user, code), id, body, user.id);
  }

  @Get(':code/gradebook')
  @ApiOperation({ summary: 'Students × assignments: counted points per cell (with late/practice/error marks), totals' })
  async getGradebook(@CurrentUser() user: Principal, @Param('code', CourseCodePipe) code: string) {
    return this.gradebook.gradebook(await this.courses.managed(user, code));
  }

  @Get(':code/gradebook.csv')
  @Header('X-Content-Type-Options', 'nosniff')
  @ApiOperation({ summary: 'Gradebook as CSV (UTF-8 with BOM; ?sep=; for French Excel, with decimal commas)' })
  @ApiProduces('text/csv')
  @ApiQuery({ name: 'sep', required: false, enum: [',', ';'] })
  async gradebookCsv(
    @CurrentUser() user: Principal,
    @Param('code', CourseCodePipe) code: string,
    @Query(new ZodValidationPipe(gradebookCsvQuerySchema, 'query')) query: GradebookCsvQuery,
    @Res() res: Response,
  ): Promise<void> {
    const book = await this.gradebook.gradebook(await this.courses.managed(user, code));
    sendCsv(res, `${code}-notes.csv`, gradebookCsv(book, query));
  }

  @Get(':code/assignments/:id/checks.csv')
  @ApiOperation({ summary: "One assignment, per check: 1 passed / 0 failed in each student's counted submission" })
  @ApiProduces('text/csv')
  @ApiQuery({ name: 'sep', required: false, enum: [',', ';'] })
  async checksCsv(
    @CurrentUser() user: Principal,
    @Param('code', CourseCodePipe) code: string,
    @Param('id', AssignmentIdPipe) id: string,
    @Query(new ZodValidationPipe(gradebookCsvQuerySchema, 'query')) query: GradebookCsvQuery,
    @Res() res: Response,
  ): Promise<void> {
    const matrix = await this.gradebook.checkMatrix(await this.courses.managed(user, code), id);
    sendCsv(res, `${code}-${matrix.exercise}-verifications.csv`, checksCsv(matrix, query));
  }
}
