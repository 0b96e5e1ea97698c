import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainError, ErrorCode } from '../common/domain-error';
import { InvitationService } from '../auth/invitation.service';
import { retryMessage } from '../auth/login-throttle';
import { LoginService } from '../auth/login.service';
import { parseCookies, SESSION_COOKIE, SessionService } from '../auth/session.service';
import { CsrfGuard, preSessionCsrf } from './csrf.guard';
import { PageAuthGuard, type PageRequest } from './page-auth.guard';
import { safeNext } from './page-request';
import { invitationPage, loginPage } from './views/auth-pages';
import { renderDocument, type VNode } from './views/html';

const INVALID_LOGIN = 'Adresse e-mail ou mot de passe incorrect.';

function sendPage(res: Response, tree: VNode, status = 200): void {
  res.status(status).type('html').setHeader('Cache-Control', 'no-store').send(renderDocument(tree));
}

function field(body: unknown, name: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

/** Logging in and out, and accepting an invitation: the ways a browser session starts and ends. */
@ApiExcludeController()
@Controller()
export class AccountController {
  constructor(
    private readonly sessions: SessionService,
    private readonly login: LoginService,
    private readonly invitations: InvitationService,
  ) {}

  @Get('login')
  async loginForm(@Req() req: PageRequest, @Res() res: Response, @Query('next') next?: string): Promise<void> {
    // Already signed in: nothing to do here.
    if (await this.sessions.resolve(parseCookies(req.headers.cookie).get(SESSION_COOKIE)))
      return res.redirect(303, safeNext(next));
    const notice = req.query.bye !== undefined ? 'Vous êtes déconnecté.' : undefined;
    sendPage(res, loginPage({ csrfToken: preSessionCsrf(req, res), next: next ? safeNext(next) : undefined, notice }));
  }

  @Post('login')
  @HttpCode(200)
  @UseGuards(CsrfGuard)
  async loginSubmit(@Req() req: PageRequest, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const email = field(body, 'email').trim().slice(0, 320);
    const password = field(body, 'password').slice(0, 1000);
    const next = safeNext(field(body, 'next'));
    const outcome = email && password ? await this.login.login(email, password, req.ip ?? 'unknown') : undefined;
    if (!outcome) {
      // A field left empty: said next to it (400), as every form names what it refused.
      const missing = {
        email: email ? undefined : 'Saisissez votre adresse e-mail.',
        password: password ? undefined : 'Saisissez votre mot de passe.',
      };
      return sendPage(res, loginPage({ csrfToken: preSessionCsrf(req, res), email, next, missing }), 400);
    }
    if (!outcome.ok) {
      const error = outcome.reason === 'locked' ? retryMessage(outcome.retryInMs) : INVALID_LOGIN;
      const status = outcome.reason === 'locked' ? 429 : 401;
      return sendPage(res, loginPage({ csrfToken: preSessionCsrf(req, res), email, next, error }), status);
    }
    await this.startSession(req, res, outcome.userId);
    res.redirect(303, next);
  }

  @Post('logout')
  // The session's own token: without PageAuthGuard the CSRF guard would expect the pre-session one.
  @UseGuards(PageAuthGuard, CsrfGuard)
  async logout(@Req() req: PageRequest, @Res() res: Response): Promise<void> {
    await this.sessions.destroy(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/login?bye');
  }

  @Get('invitation/:token')
  async invitationForm(@Param('token') token: string, @Req() req: PageRequest, @Res() res: Response): Promise<void> {
    const inv = await this.invitations.peek(token);
    if (!inv) throw DomainError.notFound('invitation');
    sendPage(res, invitationPage({ token, email: inv.email, csrfToken: preSessionCsrf(req, res) }));
  }

  @Post('invitation/:token')
  @UseGuards(CsrfGuard)
  async invitationSubmit(
    @Param('token') token: string,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Body() body: unknown,
  ): Promise<void> {
    const inv = await this.invitations.peek(token);
    if (!inv) throw DomainError.notFound('invitation');
    const password = field(body, 'password');
    const again = (error: string) =>
      sendPage(res, invitationPage({ token, email: inv.email, csrfToken: preSessionCsrf(req, res), error }), 400);
    if (password !== field(body, 'confirm')) return again('Les deux mots de passe ne sont pas identiques.');
    let userId: string;
    try {
      userId = await this.invitations.accept(token, password);
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.Validation)
        return again(err.details.fields?.[0]?.message ?? 'Mot de passe refusé.');
      throw err;
    }
    await this.startSession(req, res, userId);
    res.redirect(303, '/');
  }

  /** A new session id at every login (no fixation): whatever session the browser had is ended first. */
  private async startSession(req: PageRequest, res: Response, userId: string): Promise<void> {
    await this.sessions.destroy(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
    const token = await this.sessions.create(userId);
    res.cookie(SESSION_COOKIE, token, this.sessions.cookieOptions(req.secure));
  }
}
