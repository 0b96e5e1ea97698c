import { Body, Controller, Get, Logger, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { parseCookies, SESSION_COOKIE, SessionService } from '../auth/session.service';
import { LtiLaunchService } from './lti-launch.service';
import { type LoginInitiation, LtiLoginService } from './lti-login.service';
import { LtiRefused } from './lti-refused';
import { LtiToolKeysService } from './lti-tool-keys.service';

/**
 * The tool's LTI 1.3 endpoints, called by platforms and browsers: OIDC login initiation, launch,
 * and the tool's public keys. A refusal answers its status with one French line (the LMS shows it
 * in its frame), never a login page.
 */
@ApiExcludeController()
@Controller()
export class LtiController {
  private readonly logger = new Logger(LtiController.name);

  constructor(
    private readonly login: LtiLoginService,
    private readonly launches: LtiLaunchService,
    private readonly sessions: SessionService,
    private readonly keys: LtiToolKeysService,
  ) {}

  /** Platforms initiate either way (Moodle posts, others redirect). */
  @Get('lti/login')
  loginGet(@Query() query: LoginInitiation, @Res() res: Response): Promise<void> {
    return this.initiate(query, res);
  }

  @Post('lti/login')
  loginPost(@Body() body: LoginInitiation, @Res() res: Response): Promise<void> {
    return this.initiate(body ?? {}, res);
  }

  @Post('lti/launch')
  async launch(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const form = (body ?? {}) as Record<string, unknown>;
    try {
      const outcome = await this.launches.launch(form.id_token, form.state);
      // A new session at every launch (no fixation); the browser's previous one ends.
      await this.sessions.destroy(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
      const token = await this.sessions.create(outcome.userId);
      res.cookie(SESSION_COOKIE, token, this.frameCookie(req));
      res.redirect(
        303,
        outcome.kind === 'deep-linking'
          ? `/lti/deep-links/${outcome.requestId}`
          : `/exercises/${encodeURIComponent(outcome.exerciseSlug)}${outcome.assignmentId ? `?assignment=${outcome.assignmentId}` : ''}`,
      );
    } catch (err) {
      this.refuse(res, err);
    }
  }

  @Get('.well-known/jwks.json')
  async jwks(@Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'public, max-age=300').json(await this.keys.jwks());
  }

  private async initiate(params: LoginInitiation, res: Response): Promise<void> {
    const pick = (v: unknown) => (typeof v === 'string' && v.length <= 2000 ? v : undefined);
    try {
      const url = await this.login.authRequestUrl({
        iss: pick(params.iss),
        login_hint: pick(params.login_hint),
        target_link_uri: pick(params.target_link_uri),
        lti_message_hint: pick(params.lti_message_hint),
        client_id: pick(params.client_id),
        lti_deployment_id: pick(params.lti_deployment_id),
      });
      res.redirect(302, url);
    } catch (err) {
      this.refuse(res, err);
    }
  }

  /**
   * Over https the session cookie is SameSite=None so that it also works when the LMS shows the
   * tool in an iframe (a Lax cookie is not sent from a cross-site frame); over plain http (a
   * developer's machine) browsers refuse None without Secure, so Lax, and the link should open in
   * a new window (docs/lms.md).
   */
  private frameCookie(req: Request) {
    const options = this.sessions.cookieOptions(req.secure);
    return req.secure ? { ...options, sameSite: 'none' as const } : options;
  }

  private refuse(res: Response, err: unknown): void {
    if (!(err instanceof LtiRefused)) throw err;
    this.logger.warn(`LTI refused (${err.status}): ${err.reason}`);
    res
      .status(err.status)
      .type('text/plain; charset=utf-8')
      .setHeader('Cache-Control', 'no-store')
      .send(`Lancement LTI refusé : ${err.reason}\n`);
  }
}
