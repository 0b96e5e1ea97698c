import {
  Body,
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  Inject,
  Injectable,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { DomainError, ErrorCode } from '../common/domain-error';
import { parseOrThrow } from '../common/zod-validation.pipe';
import { Role } from '../generated/prisma/enums';
import { type DeliveryOwner, DeliveryLogService } from '../lms/delivery-log.service';
import { createIntegrationSchema } from '../lms/integration.schemas';
import { IntegrationsService } from '../lms/integrations.service';
import { createLtiPlatformSchema } from '../lti/lti-platform.schemas';
import { LtiPlatformsService } from '../lti/lti-platforms.service';
import { launchUrl } from '../lti/lti-login.service';
import { CsrfGuard } from './csrf.guard';
import { PageAuthGuard, type PageRequest } from './page-auth.guard';
import {
  deliveriesPage,
  deliveriesPath,
  type DeliverySource,
  type FormErrors,
  integrationsPage,
  ltiPlatformsPage,
  secretsPage,
} from './views/admin-lms-pages';
import { renderDocument, type VNode } from './views/html';
import type { PageUser } from './views/layout';

/** Admins only: anyone else signed in gets the 403 page. Runs after PageAuthGuard. */
@Injectable()
export class AdminPageGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<PageRequest>();
    if (req.principal?.role !== Role.admin) throw DomainError.forbidden('admin pages');
    return true;
  }
}

/** French messages of the admin forms' fields, shown next to the field the API's validation named. */
const FIELD_MESSAGES: Record<string, string> = {
  name: 'Saisissez un nom (200 caractères au plus).',
  webhookUrl: 'Adresse invalide : une URL http:// ou https:// sans identifiants.',
  issuer: 'Saisissez l’émetteur donné par la plateforme.',
  clientId:
    'Saisissez le client ID (une plateforme ne peut être enregistrée deux fois avec le même émetteur et client ID).',
  deploymentIds: 'Saisissez au moins un deployment ID.',
  authUrl: 'Adresse invalide : une URL https:// (http:// seulement pour localhost).',
  tokenUrl: 'Adresse invalide : une URL https:// (http:// seulement pour localhost).',
  jwksUrl: 'Adresse invalide : une URL https:// (http:// seulement pour localhost).',
};

const uuid = z.uuid();

function sendPage(res: Response, tree: VNode, status = 200): void {
  res.status(status).type('html').setHeader('Cache-Control', 'no-store').send(renderDocument(tree));
}

function text(body: unknown, name: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.trim() : '';
}

function pageUser(req: PageRequest): PageUser {
  return { email: req.webSession!.principal.email, csrfToken: req.webSession!.csrfToken };
}

/** A validation failure as French messages by field; anything else is rethrown. */
function formErrors(err: unknown): FormErrors | undefined {
  if (!(err instanceof DomainError) || err.code !== ErrorCode.Validation) return undefined;
  const out: FormErrors = {};
  for (const f of err.details.fields ?? []) {
    const name = f.field.split('.')[0];
    out[name] ??= FIELD_MESSAGES[name] ?? 'Valeur invalide.';
  }
  return out;
}

function checkedId(id: string, what: string): string {
  if (!uuid.safeParse(id).success) throw DomainError.notFound(what);
  return id;
}

/**
 * The LMS administration pages (admins only): integrations with their secrets' rotation and a
 * 410-disabled endpoint flagged, each integration's delivery log with redelivery, LTI platforms.
 * Same services as the JSON API (src/lms, src/lti).
 */
@ApiExcludeController()
@UseGuards(PageAuthGuard, AdminPageGuard, CsrfGuard)
@Controller('admin')
export class AdminLmsPagesController {
  constructor(
    private readonly integrations: IntegrationsService,
    private readonly log: DeliveryLogService,
    private readonly platforms: LtiPlatformsService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  @Get('integrations')
  async list(@Req() req: PageRequest, @Res() res: Response): Promise<void> {
    sendPage(res, integrationsPage(pageUser(req), await this.integrations.list()));
  }

  @Post('integrations')
  async create(@Req() req: PageRequest, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const name = text(body, 'name');
    const webhookUrl = text(body, 'webhookUrl');
    try {
      const input = parseOrThrow(createIntegrationSchema, { name, webhookUrl: webhookUrl || null });
      const secrets = await this.integrations.create(input);
      sendPage(res, secretsPage(pageUser(req), { ...secrets, name: input.name }, false), 201);
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      sendPage(res, integrationsPage(pageUser(req), await this.integrations.list(), { name, webhookUrl, errors }), 400);
    }
  }

  @Post('integrations/:id/rotate')
  async rotate(@Param('id') id: string, @Req() req: PageRequest, @Res() res: Response): Promise<void> {
    const current = await this.integrations.get(checkedId(id, 'integration'));
    const secrets = await this.integrations.rotate(id, 'both');
    sendPage(res, secretsPage(pageUser(req), { ...secrets, name: current.name }, true));
  }

  @Post('integrations/:id/reenable')
  async reenable(@Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.integrations.update(checkedId(id, 'integration'), { webhookEnabled: true });
    res.redirect(303, '/admin/integrations');
  }

  @Get('integrations/:id/deliveries')
  async deliveries(
    @Param('id') id: string,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Query('status') status?: string,
  ): Promise<void> {
    const integration = await this.integrations.get(checkedId(id, 'integration'));
    await this.sendDeliveries(req, res, { kind: 'integration', ...integration }, { integrationId: id }, status);
  }

  /** The scores sent to an LTI platform (AGS), with their attempts: what a teacher asks when a grade is missing in the LMS. */
  @Get('lti/:id/deliveries')
  async ltiDeliveries(
    @Param('id') id: string,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Query('status') status?: string,
  ): Promise<void> {
    const platform = await this.platforms.get(checkedId(id, 'LTI platform'));
    await this.sendDeliveries(req, res, { kind: 'lti', id, name: platform.name }, { ltiPlatformId: id }, status);
  }

  /** A delivery log page: the last 100 deliveries of its source, or only the failed ones. */
  private async sendDeliveries(
    req: PageRequest,
    res: Response,
    source: DeliverySource,
    owner: DeliveryOwner,
    status: string | undefined,
  ): Promise<void> {
    const onlyFailed = status === 'failed';
    const page = await this.log.list(owner, { status: onlyFailed ? 'failed' : undefined, limit: 100 });
    sendPage(res, deliveriesPage(pageUser(req), source, page.items, onlyFailed));
  }

  @Post('webhook-deliveries/:id/redeliver')
  async redeliver(@Param('id') id: string, @Res() res: Response, @Body() body: unknown): Promise<void> {
    await this.log.redeliver(checkedId(id, 'delivery')).catch((err: unknown) => {
      // Already pending: it is on its way, which is what the admin asked for.
      if (!(err instanceof DomainError && err.code === ErrorCode.Conflict)) throw err;
    });
    // Back to the log the button was on: only one of ours, never an address the form names.
    const back = /^\/admin\/(integrations|lti)\/([0-9a-f-]{36})\/deliveries$/.exec(text(body, 'back'));
    res.redirect(
      303,
      back && uuid.safeParse(back[2]).success
        ? deliveriesPath({ kind: back[1] === 'lti' ? 'lti' : 'integration', id: back[2] })
        : '/admin/integrations',
    );
  }

  @Get('lti')
  async lti(@Req() req: PageRequest, @Res() res: Response, @Query('created') created?: string): Promise<void> {
    sendPage(res, ltiPlatformsPage(pageUser(req), this.toolUrls(), await this.platforms.list(), { created }));
  }

  @Post('lti')
  async ltiCreate(@Req() req: PageRequest, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const values: Record<string, string> = {};
    for (const k of ['name', 'issuer', 'clientId', 'deploymentIds', 'authUrl', 'tokenUrl', 'jwksUrl'])
      values[k] = text(body, k);
    try {
      const input = parseOrThrow(createLtiPlatformSchema, {
        ...values,
        deploymentIds: values.deploymentIds
          .split(',')
          .map((d) => d.trim())
          .filter(Boolean),
      });
      const created = await this.platforms.create(input);
      res.redirect(303, `/admin/lti?created=${encodeURIComponent(created.name)}`);
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      sendPage(
        res,
        ltiPlatformsPage(pageUser(req), this.toolUrls(), await this.platforms.list(), { values, errors }),
        400,
      );
    }
  }

  private toolUrls() {
    return {
      loginUrl: `${this.env.PUBLIC_URL}/lti/login`,
      launchUrl: launchUrl(this.env),
      jwksUrl: `${this.env.PUBLIC_URL}/.well-known/jwks.json`,
    };
  }
}
