import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import { DomainError } from '../common/domain-error';
import { parseCookies, sameToken } from '../auth/session.service';
import type { PageRequest } from './page-auth.guard';

/** Cookie of the double-submit token used by forms shown before a session exists (login, invitation). */
export const PRE_SESSION_CSRF_COOKIE = 'dg_csrf';

/**
 * CSRF protection of every state-changing form. With a session: the synchronizer token stored in
 * the session row must come back as `_csrf`. Before one (login, invitation): the form's `_csrf`
 * must equal the dg_csrf cookie (double submit; another site can neither read nor set it). Runs
 * after PageAuthGuard where both apply, and after the body is parsed (multipart: WebModule's
 * middleware), since guards run before interceptors.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<PageRequest>();
    if (req.method === 'GET' || req.method === 'HEAD') return true;
    const sent = (req.body as Record<string, unknown> | undefined)?._csrf;
    const expected = req.webSession
      ? req.webSession.csrfToken
      : parseCookies(req.headers.cookie).get(PRE_SESSION_CSRF_COOKIE);
    if (!sameToken(sent, expected)) throw DomainError.forbidden('missing or stale CSRF token');
    return true;
  }
}

/** The pre-session CSRF token of this browser, set as a cookie when it has none yet. */
export function preSessionCsrf(req: PageRequest, res: Response): string {
  const existing = parseCookies(req.headers.cookie).get(PRE_SESSION_CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing;
  const token = randomBytes(24).toString('base64url');
  res.cookie(PRE_SESSION_CSRF_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
  return token;
}
