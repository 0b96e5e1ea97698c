import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { DomainError, ErrorCode } from '../common/domain-error';
import { isStaff } from '../auth/principal';
import { checkCommandLine } from '../grading/command-policy';
import { parseSubmission, SubmissionParseError } from '../submission-format/submission.parser';
import type { TranscriptEntryWithState } from '../grading/transcript-state';
import { createSubmissionSchema } from '../submissions/submission.schemas';
import { SubmissionsService } from '../submissions/submissions.service';
import { AssignmentIntakeStore } from '../submissions/assignment-intake.store';
import { StudentAssignmentsService } from '../courses/student-assignments.service';
import { CsrfGuard } from './csrf.guard';
import { renderMarkdown } from './markdown';
import { PageAuthGuard, type PageRequest } from './page-auth.guard';
import { StudentPagesService } from './student-pages.service';
import { sendPage, session } from './page-response';
import { dashboardPage } from './views/dashboard-page';
import { exercisePage, type ExerciseAssignment, type SubmissionFormErrors } from './views/exercise-page';
import { historyPage } from './views/history-page';
import type { VNode } from './views/html';
import type { PageUser } from './views/layout';
import { submissionPage, type CheckView } from './views/submission-page';
import { regradeForm } from './views/regrade-page';

/** Largest attached file (the API's limit); multer stops at a larger one, see WebModule. */
export const MAX_FILE_BYTES = 64 * 1024;
const MAX_FILES = 20;

const uuid = z.uuid();

/** The student's pages: dashboard, exercise with its form, a submission's progress and result, history. */
@ApiExcludeController()
@UseGuards(PageAuthGuard, CsrfGuard)
@Controller()
export class StudentPagesController {
  constructor(
    private readonly pages: StudentPagesService,
    private readonly submissions: SubmissionsService,
    private readonly studentAssignments: StudentAssignmentsService,
    private readonly assignmentIntake: AssignmentIntakeStore,
  ) {}

  @Get()
  async dashboard(@Req() req: PageRequest, @Res() res: Response): Promise<void> {
    const { principal, user } = session(req);
    const [chapters, assignments] = await Promise.all([
      this.pages.dashboard(principal),
      this.studentAssignments.list(principal.id),
    ]);
    sendPage(res, dashboardPage({ user, chapters, assignments, displayName: principal.email.split('@')[0] }));
  }

  @Get('exercises/:slug')
  async exercise(
    @Param('slug') slug: string,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Query('assignment') assignmentId?: string,
  ): Promise<void> {
    const { principal, user } = session(req);
    const assignment = await this.assignmentOf(principal.id, slug, assignmentId);
    sendPage(res, await this.exerciseView(slug, user, undefined, undefined, assignment, isStaff(principal)));
  }

  /**
   * The assignment the exercise page was opened from, when it is one of the student's and about this
   * exercise (anything else: the page is the plain exercise), with how the next attempt would count.
   */
  private async assignmentOf(userId: string, slug: string, id: unknown): Promise<ExerciseAssignment | undefined> {
    if (typeof id !== 'string' || !uuid.safeParse(id).success) return undefined;
    const a = (await this.studentAssignments.list(userId)).find((x) => x.id === id.toLowerCase());
    if (!a || a.exercise.slug !== slug) return undefined;
    const next = await this.assignmentIntake.preview(userId, a.id);
    return {
      id: a.id,
      courseTitle: a.course.title,
      dueAt: a.dueAt,
      timeZone: a.course.timeZone,
      maxAttempts: a.maxAttempts,
      next,
    };
  }

  @Post('exercises/:slug')
  async submit(
    @Param('slug') slug: string,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Body() body: unknown,
  ): Promise<void> {
    const { principal, user } = session(req);
    const assignment = await this.assignmentOf(
      principal.id,
      slug,
      (body as Record<string, unknown> | undefined)?.assignment,
    );
    const rawSource = (body as Record<string, unknown> | undefined)?.source;
    const source = typeof rawSource === 'string' ? rawSource.replace(/\r\n/g, '\n') : '';
    const uploads = ((req as PageRequest & { files?: Express.Multer.File[] }).files ?? []).filter(
      (f) => f.originalname && f.size > 0,
    );
    const errors = this.check(source, uploads);
    if (!errors) {
      const files = uploads.map((f) => ({ path: f.originalname, content: f.buffer.toString('utf8') }));
      const parsed = createSubmissionSchema.safeParse({ exercise: slug, source, files });
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        const onFiles = first.path[0] === 'files';
        const e: SubmissionFormErrors = onFiles
          ? { files: 'Un nom de fichier est invalide ou apparaît deux fois.' }
          : { source: 'Votre réponse est trop longue (64 Kio au plus).' };
        return sendPage(res, await this.exerciseView(slug, user, source, e, assignment), 400);
      }
      try {
        const accepted = await this.submissions.create(principal, { ...parsed.data, assignment: assignment?.id });
        return res.redirect(303, `/submissions/${accepted.id}?sent=1`);
      } catch (err) {
        const form = this.formError(err);
        if (!form) throw err;
        return sendPage(res, await this.exerciseView(slug, user, source, form.errors, assignment), form.status);
      }
    }
    sendPage(res, await this.exerciseView(slug, user, source, errors, assignment), 400);
  }

  @Get('submissions')
  async history(@Req() req: PageRequest, @Res() res: Response, @Query('cursor') cursor?: string): Promise<void> {
    const { principal, user } = session(req);
    const validCursor = cursor && uuid.safeParse(cursor).success ? cursor : undefined;
    const { rows, nextCursor } = await this.pages.history(principal, validCursor);
    sendPage(res, historyPage({ user, rows, nextCursor, first: !validCursor }));
  }

  @Get('submissions/:id')
  async submission(@Param('id') id: string, @Req() req: PageRequest, @Res() res: Response): Promise<void> {
    const { principal, user } = session(req);
    if (!uuid.safeParse(id).success) throw DomainError.notFound('submission');
    const s = await this.pages.submission(principal, id.toLowerCase());
    sendPage(
      res,
      submissionPage({
        user,
        id: s.id,
        exercise: { slug: s.exercise, title: s.exerciseTitle },
        status: s.status,
        position: s.position,
        createdAt: s.createdAt,
        startedAt: s.startedAt,
        finishedAt: s.finishedAt,
        justSubmitted: req.query.sent !== undefined,
        staffActions: isStaff(principal)
          ? regradeForm(`/submissions/${s.id}/regrade`, user.csrfToken, 'Recorriger cette soumission')
          : null,
        result:
          s.result && s.status === 'graded'
            ? {
                score: s.result.score,
                maxScore: s.result.maxScore,
                exerciseVersion: s.result.exerciseVersion,
                checks: (s.result.checks as CheckView[]) ?? [],
                transcript: (s.result.transcript as TranscriptEntryWithState[]) ?? [],
                transcriptPurgedAt: s.result.transcriptPurgedAt,
                notices: (s.result.notices as string[]) ?? [],
              }
            : null,
      }),
    );
  }

  private async exerciseView(
    slug: string,
    user: PageUser,
    source?: string,
    errors?: SubmissionFormErrors,
    assignment?: ExerciseAssignment,
    staff = false,
  ): Promise<VNode> {
    const ex = await this.pages.exercise(slug);
    return exercisePage({
      user,
      slug: ex.slug,
      title: ex.title,
      chapterTitle: ex.chapterTitle,
      maxPoints: ex.maxPoints,
      instructionsHtml: renderMarkdown(ex.instructions),
      expectedFiles: ex.expectedFiles,
      source,
      errors,
      staffActions: staff
        ? regradeForm(
            `/exercises/${ex.slug}/regrade`,
            user.csrfToken,
            'Recorriger toutes les soumissions de cet exercice',
          )
        : null,
      assignment,
    });
  }

  /**
   * What the grader would refuse, said before queueing, in French, next to the field: an empty
   * answer, a line it cannot read, a command the policy refuses, a file too large.
   */
  private check(source: string, uploads: Express.Multer.File[]): SubmissionFormErrors | undefined {
    const errors: SubmissionFormErrors = {};
    if (source.trim() === '') errors.source = 'Votre réponse est vide : écrivez au moins une commande.';
    else {
      try {
        for (const c of parseSubmission(source).commands) {
          const d = checkCommandLine(c.text);
          if (!d.allowed) {
            errors.source = `Ligne ${c.line} refusée (« ${c.text.length > 60 ? `${c.text.slice(0, 57)}…` : c.text} ») : ${d.reason}`;
            break;
          }
        }
      } catch (err) {
        if (!(err instanceof SubmissionParseError)) throw err;
        errors.source = `Réponse illisible : ${err.message}.`;
      }
    }
    const big = uploads.find((f) => f.size > MAX_FILE_BYTES);
    if (big) errors.files = `Le fichier « ${big.originalname} » est trop volumineux (64 Kio au plus).`;
    else if (uploads.length > MAX_FILES) errors.files = `${MAX_FILES} fichiers au plus.`;
    return errors.source || errors.files ? errors : undefined;
  }

  /** Intake refusals that the student can act on, as a message above the form. */
  private formError(err: unknown): { status: number; errors: SubmissionFormErrors } | undefined {
    if (!(err instanceof DomainError)) return undefined;
    const wait = err.details.retryAfterSeconds;
    // An assignment's cooldown between attempts says itself how long to wait (assignment-intake.store.ts).
    if (err.code === ErrorCode.RateLimited && err.message.startsWith('attendez'))
      return {
        status: 429,
        errors: {
          form: `Ce devoir impose un délai entre deux tentatives : ${err.message}. Votre texte est conservé ci-dessous.`,
        },
      };
    if (err.code === ErrorCode.RateLimited)
      return {
        status: 429,
        errors: {
          form: `Vous avez envoyé beaucoup de réponses en peu de temps. Réessayez dans ${wait ?? 60} secondes : votre texte est conservé ci-dessous.`,
        },
      };
    if (err.code === ErrorCode.Overloaded)
      return {
        status: 503,
        errors: {
          form: `Le service de correction est très sollicité. Réessayez dans ${wait ?? 30} secondes : votre texte est conservé ci-dessous.`,
        },
      };
    return undefined;
  }
}
