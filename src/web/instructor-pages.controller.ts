import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { isStaff, type Principal } from '../auth/principal';
import { DomainError } from '../common/domain-error';
import { RegradeVersion } from '../generated/prisma/enums';
import { RegradeRunsService } from '../regrades/regrade-runs.service';
import { regradeVersionSchema } from '../regrades/regrade.schemas';
import { CsrfGuard } from './csrf.guard';
import { PageAuthGuard, type PageRequest } from './page-auth.guard';
import { renderDocument } from './views/html';
import { regradePage } from './views/regrade-page';
import { errorPage } from './views/error-page';

const uuid = z.uuid();
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);

/** The signed-in instructor or admin; a student gets the 403 page saying whom it is for (undefined then). */
function staff(req: PageRequest, res: Response): { principal: Principal; csrfToken: string } | undefined {
  const ctx = req.webSession!; // set by PageAuthGuard on every route of this controller
  if (isStaff(ctx.principal)) return { principal: ctx.principal, csrfToken: ctx.csrfToken };
  res
    .status(403)
    .type('html')
    .setHeader('Cache-Control', 'no-store')
    .send(
      renderDocument(
        errorPage(403, {
          user: { email: ctx.principal.email, csrfToken: ctx.csrfToken },
          message: 'Cette page est réservée aux enseignants et aux administrateurs.',
        }),
      ),
    );
  return undefined;
}

/** The form's version choice; anything else than `original` is the current version (the default). */
function versionOf(body: unknown): RegradeVersion {
  const parsed = regradeVersionSchema.safeParse((body as Record<string, unknown> | undefined)?.version);
  return parsed.success ? parsed.data : RegradeVersion.current;
}

/** Instructors' pages: regrade runs (start from a submission or an exercise, follow, read before → after). */
@ApiExcludeController()
@UseGuards(PageAuthGuard, CsrfGuard)
@Controller()
export class InstructorPagesController {
  constructor(private readonly regrades: RegradeRunsService) {}

  @Get('regrades/:id')
  async regrade(@Param('id') id: string, @Req() req: PageRequest, @Res() res: Response): Promise<void> {
    const who = staff(req, res);
    if (!who) return;
    const { principal, csrfToken } = who;
    if (!uuid.safeParse(id).success) throw DomainError.notFound('regrade');
    const run = await this.regrades.get(id.toLowerCase());
    res
      .status(200)
      .type('html')
      .setHeader('Cache-Control', 'no-store')
      .send(renderDocument(regradePage({ user: { email: principal.email, csrfToken }, run })));
  }

  @Post('submissions/:id/regrade')
  async regradeSubmission(
    @Param('id') id: string,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Body() body: unknown,
  ): Promise<void> {
    const who = staff(req, res);
    if (!who) return;
    const { principal } = who;
    if (!uuid.safeParse(id).success) throw DomainError.notFound('submission');
    const { run } = await this.regrades.start(principal, { kind: 'submission', id: id.toLowerCase() }, versionOf(body));
    res.redirect(303, `/regrades/${run.id}`);
  }

  @Post('exercises/:slug/regrade')
  async regradeExercise(
    @Param('slug') exercise: string,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Body() body: unknown,
  ): Promise<void> {
    const who = staff(req, res);
    if (!who) return;
    const { principal } = who;
    if (!slug.safeParse(exercise).success) throw DomainError.notFound('exercise');
    const { run } = await this.regrades.start(principal, { kind: 'exercise', slug: exercise }, versionOf(body));
    res.redirect(303, `/regrades/${run.id}`);
  }
}
