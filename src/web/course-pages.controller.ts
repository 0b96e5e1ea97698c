import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { isStaff, type Principal } from '../auth/principal';
import { DomainError, ErrorCode, type FieldIssue } from '../common/domain-error';
import { AssignmentsService, type AssignmentView } from '../courses/assignments.service';
import {
  COURSE_CODE,
  createAssignmentSchema,
  createCourseSchema,
  overrideSchema,
  updateAssignmentSchema,
} from '../courses/course.schemas';
import { CoursesService, type ManagedCourse } from '../courses/courses.service';
import { GradebookService } from '../courses/gradebook.service';
import { RosterService, type RosterImport } from '../courses/roster.service';
import { instantToZoned, zonedToInstant } from '../courses/time-zone';
import { CoursePagesService } from './course-pages.service';
import { CsrfGuard } from './csrf.guard';
import { PageAuthGuard, type PageRequest } from './page-auth.guard';
import { sendPage, session } from './page-response';
import { assignmentPage } from './views/assignment-page';
import { coursePage, type AssignmentFormValues } from './views/course-page';
import { coursesPage } from './views/courses-page';
import { errorPage } from './views/error-page';
import type { FieldErrors } from './views/form-fields';
import { gradebookCellPage } from './views/gradebook-cell-page';
import { gradebookPage, type GradebookQuery } from './views/gradebook-page';
import type { PageUser } from './views/layout';

type Form = Record<string, unknown>;
const text = (body: Form, name: string): string =>
  typeof body?.[name] === 'string' ? (body[name] as string).trim() : '';

/** Zod issues and domain validation errors as French messages by field name. */
function fieldErrors(issues: FieldIssue[]): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) out[i.field.split('.')[0]] ??= i.message;
  return out;
}

function zodErrors(error: z.ZodError): FieldErrors {
  return fieldErrors(error.issues.map((i) => ({ field: String(i.path[0] ?? 'form'), message: frenchZod(i) })));
}

/** zod's own messages are English; the ones our schemas set are French already. */
function frenchZod(issue: z.core.$ZodIssue): string {
  if (/[àâéèêîôûç]|doit|ne doit/.test(issue.message)) return issue.message;
  if (issue.code === 'invalid_type') return 'valeur manquante ou invalide';
  if (issue.code === 'too_big') return 'valeur trop grande';
  if (issue.code === 'too_small') return 'valeur trop petite';
  return 'valeur invalide';
}

/**
 * Runs a form's write: undefined when it was saved, the fields' French errors when the service
 * refused the values (the page is shown again with them); anything else is not the form's fault.
 */
async function refusedFields(save: () => Promise<unknown>): Promise<FieldErrors | undefined> {
  try {
    await save();
    return undefined;
  } catch (err) {
    if (err instanceof DomainError && err.code === ErrorCode.Validation && err.details.fields)
      return fieldErrors(err.details.fields);
    throw err;
  }
}

const uuid = z.uuid();

/**
 * Instructors' pages: course list, course (roster import, assignments), assignment (deadlines,
 * extensions), gradebook and its cells. Students get the 403 page; another instructor's course is
 * "not found". Same services, and so the same rules, as the JSON API.
 */
@ApiExcludeController()
@UseGuards(PageAuthGuard, CsrfGuard)
@Controller('courses')
export class CoursePagesController {
  constructor(
    private readonly courses: CoursesService,
    private readonly roster: RosterService,
    private readonly assignments: AssignmentsService,
    private readonly gradebook: GradebookService,
    private readonly pages: CoursePagesService,
  ) {}

  /** The signed-in staff member, or the 403 page sent (then undefined). */
  private staff(req: PageRequest, res: Response): { principal: Principal; user: PageUser } | undefined {
    const s = session(req);
    if (isStaff(s.principal)) return s;
    sendPage(res, errorPage(403, { user: s.user, message: 'Ces pages sont réservées aux enseignants.' }), 403);
    return undefined;
  }

  private async course(principal: Principal, code: string): Promise<ManagedCourse> {
    if (!COURSE_CODE.test(code)) throw new DomainError(ErrorCode.NotFound, 'cours introuvable');
    return this.courses.managed(principal, code);
  }

  @Get()
  async list(@Req() req: PageRequest, @Res() res: Response): Promise<void> {
    const s = this.staff(req, res);
    if (!s) return;
    sendPage(res, coursesPage({ user: s.user, courses: await this.courses.list(s.principal) }));
  }

  @Post()
  async create(@Req() req: PageRequest, @Res() res: Response, @Body() body: Form): Promise<void> {
    const s = this.staff(req, res);
    if (!s) return;
    const values = {
      code: text(body, 'code'),
      title: text(body, 'title'),
      term: text(body, 'term'),
      timeZone: text(body, 'timeZone') || 'Europe/Paris',
    };
    const parsed = createCourseSchema.safeParse(values);
    let errors: FieldErrors | undefined = parsed.success ? undefined : zodErrors(parsed.error);
    if (parsed.success) {
      let code = '';
      errors = await refusedFields(async () => (code = (await this.courses.create(s.principal, parsed.data)).code));
      if (!errors) return res.redirect(303, `/courses/${code}`);
    }
    sendPage(res, coursesPage({ user: s.user, courses: await this.courses.list(s.principal), values, errors }), 400);
  }

  @Get(':code')
  async show(@Param('code') code: string, @Req() req: PageRequest, @Res() res: Response): Promise<void> {
    const s = this.staff(req, res);
    if (!s) return;
    sendPage(res, await this.coursePage(s, await this.course(s.principal, code), {}));
  }

  private async coursePage(
    s: { principal: Principal; user: PageUser },
    course: ManagedCourse,
    extra: {
      rosterResult?: { result: RosterImport; csv: string };
      rosterErrors?: FieldErrors;
      assignmentValues?: AssignmentFormValues;
      assignmentErrors?: FieldErrors;
    },
  ) {
    const [roster, assignments, exercises] = await Promise.all([
      this.roster.list(course),
      this.assignments.list(course),
      this.pages.exercises(),
    ]);
    return coursePage({ user: s.user, course, roster, assignments, exercises, ...extra });
  }

  @Post(':code/roster')
  async importRoster(
    @Param('code') code: string,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Body() body: Form,
  ): Promise<void> {
    const s = this.staff(req, res);
    if (!s) return;
    const course = await this.course(s.principal, code);
    const file = ((req as PageRequest & { files?: Express.Multer.File[] }).files ?? []).find((f) => f.size > 0);
    const csv = file ? file.buffer.toString('utf8') : typeof body?.csv === 'string' ? body.csv : '';
    if (csv.trim() === '') {
      const page = await this.coursePage(s, course, {
        rosterErrors: { csv: 'Choisissez un fichier CSV ou collez son contenu.' },
      });
      return sendPage(res, page, 400);
    }
    const dryRun = body?.action !== 'import';
    const result = await this.roster.import(course, csv, { dryRun, invitedBy: s.principal.id });
    sendPage(res, await this.coursePage(s, course, { rosterResult: { result, csv } }));
  }

  @Post(':code/assignments')
  async createAssignment(
    @Param('code') code: string,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Body() body: Form,
  ): Promise<void> {
    const s = this.staff(req, res);
    if (!s) return;
    const course = await this.course(s.principal, code);
    const values = formValues(body);
    const { input, errors: dateErrors } = assignmentInput(values, course.timeZone, false);
    const parsed = createAssignmentSchema.safeParse(input);
    let errors: FieldErrors | undefined = { ...dateErrors, ...(parsed.success ? {} : zodErrors(parsed.error)) };
    if (parsed.success && Object.keys(dateErrors).length === 0) {
      errors = await refusedFields(() => this.assignments.create(course, parsed.data));
      if (!errors) return res.redirect(303, `/courses/${course.code}#assignments-title`);
    }
    sendPage(res, await this.coursePage(s, course, { assignmentValues: values, assignmentErrors: errors }), 400);
  }

  @Get(':code/assignments/:id')
  async showAssignment(
    @Param('code') code: string,
    @Param('id') id: string,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Query('saved') saved?: string,
  ): Promise<void> {
    const s = this.staff(req, res);
    if (!s) return;
    const course = await this.course(s.principal, code);
    const assignment = await this.assignment(course, id);
    sendPage(
      res,
      await this.assignmentView(s.user, course, assignment, {
        values: valuesOf(assignment, course.timeZone),
        saved: saved !== undefined,
      }),
    );
  }

  private async assignment(course: ManagedCourse, id: string): Promise<AssignmentView> {
    if (!uuid.safeParse(id).success) throw new DomainError(ErrorCode.NotFound, 'devoir introuvable');
    return this.assignments.get(course, id.toLowerCase());
  }

  private async assignmentView(
    user: PageUser,
    course: ManagedCourse,
    assignment: AssignmentView,
    extra: Omit<Parameters<typeof assignmentPage>[0], 'user' | 'course' | 'assignment' | 'overrides'>,
  ) {
    const overrides = await this.assignments.listOverrides(course, assignment.id);
    return assignmentPage({
      user,
      course,
      assignment,
      overrides: overrides.map((o) => ({ ...o, user: o.user })),
      ...extra,
    });
  }

  @Post(':code/assignments/:id')
  async updateAssignment(
    @Param('code') code: string,
    @Param('id') id: string,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Body() body: Form,
  ): Promise<void> {
    const s = this.staff(req, res);
    if (!s) return;
    const course = await this.course(s.principal, code);
    const assignment = await this.assignment(course, id);
    const values = formValues(body);
    const { input, errors: dateErrors } = assignmentInput(values, course.timeZone, true);
    const parsed = updateAssignmentSchema.safeParse(input);
    let errors: FieldErrors | undefined = { ...dateErrors, ...(parsed.success ? {} : zodErrors(parsed.error)) };
    if (parsed.success && Object.keys(dateErrors).length === 0) {
      errors = await refusedFields(() => this.assignments.update(course, assignment.id, parsed.data));
      if (!errors) return res.redirect(303, `/courses/${course.code}/assignments/${assignment.id}?saved=1`);
    }
    sendPage(res, await this.assignmentView(s.user, course, assignment, { values, errors }), 400);
  }

  @Post(':code/assignments/:id/overrides')
  async grantOverride(
    @Param('code') code: string,
    @Param('id') id: string,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Body() body: Form,
  ): Promise<void> {
    const s = this.staff(req, res);
    if (!s) return;
    const course = await this.course(s.principal, code);
    const assignment = await this.assignment(course, id);
    const values = {
      user: text(body, 'user'),
      dueAt: text(body, 'dueAt'),
      lateUntil: text(body, 'lateUntil'),
      extraAttempts: text(body, 'extraAttempts'),
    };
    const errors: FieldErrors = {};
    const date = (name: 'dueAt' | 'lateUntil') => {
      if (!values[name]) return undefined;
      const d = zonedToInstant(values[name], course.timeZone);
      if (!d) errors[name] = 'date invalide';
      return d?.toISOString();
    };
    const input = {
      user: values.user.toLowerCase(),
      dueAt: date('dueAt'),
      lateUntil: date('lateUntil'),
      extraAttempts: values.extraAttempts === '' ? 0 : Number(values.extraAttempts),
    };
    const parsed = overrideSchema.safeParse(input);
    let all: FieldErrors | undefined = { ...errors, ...(parsed.success ? {} : zodErrors(parsed.error)) };
    if (parsed.success && Object.keys(errors).length === 0) {
      all = await refusedFields(() =>
        this.assignments.grantOverride(course, assignment.id, parsed.data, s.principal.id),
      );
      if (!all) return res.redirect(303, `/courses/${course.code}/assignments/${assignment.id}?saved=1`);
    }
    const page = await this.assignmentView(s.user, course, assignment, {
      values: valuesOf(assignment, course.timeZone),
      overrideValues: values,
      overrideErrors: all,
    });
    sendPage(res, page, 400);
  }

  @Get(':code/gradebook')
  async showGradebook(
    @Param('code') code: string,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Query() q: Record<string, unknown>,
  ): Promise<void> {
    const s = this.staff(req, res);
    if (!s) return;
    const course = await this.course(s.principal, code);
    const book = await this.gradebook.gradebook(course);
    const group = typeof q.group === 'string' && q.group.startsWith('=') ? q.group.slice(1) : undefined;
    const sort = typeof q.sort === 'string' ? q.sort : 'name';
    const query: GradebookQuery = { group, sort, dir: q.dir === 'desc' ? 'desc' : 'asc' };
    sendPage(res, gradebookPage({ user: s.user, book, query }));
  }

  @Get(':code/gradebook/:assignmentId/:userId')
  async showCell(
    @Param('code') code: string,
    @Param('assignmentId') assignmentId: string,
    @Param('userId') userId: string,
    @Req() req: PageRequest,
    @Res() res: Response,
  ): Promise<void> {
    const s = this.staff(req, res);
    if (!s) return;
    const course = await this.course(s.principal, code);
    if (!uuid.safeParse(assignmentId).success || !uuid.safeParse(userId).success)
      throw new DomainError(ErrorCode.NotFound, 'introuvable');
    const cell = await this.pages.cell(course, assignmentId.toLowerCase(), userId.toLowerCase());
    sendPage(res, gradebookCellPage({ user: s.user, course, ...cell }));
  }
}

function formValues(body: Form): AssignmentFormValues {
  const names = [
    'exercise',
    'opensAt',
    'dueAt',
    'lateUntil',
    'lateCredit',
    'maxAttempts',
    'cooldownSeconds',
    'counted',
    'revealHiddenAfterDue',
  ] as const;
  return Object.fromEntries(names.map((n) => [n, text(body, n)])) as AssignmentFormValues;
}

/** The form's text as the API's input: local dates in the course's zone become instants. */
function assignmentInput(
  v: AssignmentFormValues,
  zone: string,
  update: boolean,
): { input: Record<string, unknown>; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const date = (name: 'opensAt' | 'dueAt' | 'lateUntil') => {
    const raw = v[name];
    if (!raw) return name === 'dueAt' ? undefined : null;
    const d = zonedToInstant(raw, zone);
    if (!d) errors[name] = 'date invalide';
    return d?.toISOString();
  };
  const num = (raw: string | undefined) => (raw ? Number(raw.replace(',', '.')) : null);
  const input: Record<string, unknown> = {
    opensAt: date('opensAt'),
    dueAt: date('dueAt'),
    lateUntil: date('lateUntil'),
    lateCredit: num(v.lateCredit) ?? 0,
    maxAttempts: num(v.maxAttempts),
    cooldownSeconds: num(v.cooldownSeconds),
    counted: v.counted || 'best',
    revealHiddenAfterDue: v.revealHiddenAfterDue === '1',
  };
  if (!update) input.exercise = v.exercise;
  if (input.dueAt === undefined && !errors.dueAt) errors.dueAt = "l'échéance est obligatoire";
  return { input, errors };
}

function valuesOf(a: AssignmentView, zone: string): AssignmentFormValues {
  const local = (d: Date | null) => (d ? instantToZoned(d, zone) : '');
  return {
    opensAt: local(a.opensAt),
    dueAt: local(a.dueAt),
    lateUntil: local(a.lateUntil),
    lateCredit: String(a.lateCredit),
    maxAttempts: a.maxAttempts === null ? '' : String(a.maxAttempts),
    cooldownSeconds: a.cooldownSeconds === null ? '' : String(a.cooldownSeconds),
    counted: a.counted,
    revealHiddenAfterDue: a.revealHiddenAfterDue ? '1' : '',
  };
}
