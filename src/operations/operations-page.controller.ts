import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { PrismaService } from '../database/prisma.service';
import { Role } from '../generated/prisma/enums';
import { ReadinessService } from '../health/readiness.service';
import { PageAuthGuard, type PageRequest } from '../web/page-auth.guard';
import { renderDocument, type VNode } from '../web/views/html';
import { errorPage } from '../web/views/error-page';
import { operationsPage, type ServiceHealth } from '../web/views/operations-page';
import { OperationsService } from './operations.service';

function send(res: Response, tree: VNode, status = 200): void {
  res.status(status).type('html').setHeader('Cache-Control', 'no-store').send(renderDocument(tree));
}

/** `/admin/operations`: the operations report as a French page, admins only (same data as the API). */
@ApiExcludeController()
@UseGuards(PageAuthGuard)
@Controller('admin/operations')
export class OperationsPageController {
  constructor(
    private readonly operations: OperationsService,
    private readonly readiness: ReadinessService,
    private readonly prisma: PrismaService,
  ) {}

  @Get()
  async page(@Req() req: PageRequest, @Res() res: Response): Promise<void> {
    const ctx = req.webSession!;
    const user = { email: ctx.principal.email, csrfToken: ctx.csrfToken };
    if (ctx.principal.role !== Role.admin)
      return send(res, errorPage(403, { user, message: 'Cette page est réservée aux administrateurs.' }), 403);
    const [report, services, failed] = await Promise.all([
      this.operations.report(),
      this.services(),
      this.prisma.submission.findMany({
        where: { status: { in: ['error', 'internal_error'] } },
        orderBy: { createdAt: 'desc' },
        take: 10,
        select: { id: true, status: true, finishedAt: true, errorMessage: true, exercise: { select: { slug: true } } },
      }),
    ]);
    send(
      res,
      operationsPage({
        user,
        services,
        queue: report.queue,
        workers: report.workers,
        pool: report.sandboxes,
        imageSets: report.imageSets,
        infrastructureErrors: report.recentErrors,
        // The first line only: an internal error's stack stays in the API and the logs.
        failedSubmissions: failed.map((s) => ({
          id: s.id,
          exercise: s.exercise.slug,
          status: s.status,
          at: s.finishedAt,
          message: (s.errorMessage ?? '').split('\n')[0].slice(0, 200),
        })),
        generatedAt: new Date(),
      }),
    );
  }

  /** The readiness checks, each on its own: one down does not hide the others. */
  private async services(): Promise<ServiceHealth[]> {
    const checks = {
      postgres: () => this.readiness.postgres(),
      redis: () => this.readiness.redisUp(),
      docker: () => this.readiness.dockerEngine(),
      imageStore: () => this.readiness.imageStoreSpace(),
      workers: () => this.readiness.workerHeartbeat(),
    };
    return Promise.all(
      Object.entries(checks).map(async ([name, check]): Promise<ServiceHealth> => {
        try {
          const result = (await check()) as Record<string, { status: string } & Record<string, unknown>>;
          const { status, ...detail } = result[name];
          return { name, up: status === 'up', detail: describe(detail) };
        } catch (error) {
          const causes = (error as { causes?: Record<string, Record<string, unknown>> }).causes?.[name];
          return { name, up: false, detail: causes ? describe(causes) : (error as Error).message };
        }
      }),
    );
  }
}

/** Terminus's details in French for the page (the JSON API keeps them as they are). */
const DETAIL_LABEL: Record<string, (v: unknown) => string> = {
  responseTime: (v) => `réponse en ${String(v)} ms`,
  path: (v) => `dossier ${String(v)}`,
  freeGiB: (v) => `${String(v).replace('.', ',')} Gio libres`,
  alive: (v) => `${String(v)} actif(s)`,
  warning: (v) => `avertissement : ${String(v)}`,
  message: (v) => String(v),
};

function describe(detail: Record<string, unknown>): string {
  const { status: _status, ...rest } = detail;
  return Object.entries(rest)
    .map(([k, v]) => DETAIL_LABEL[k]?.(v) ?? `${k} : ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}
