import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError, ErrorCode } from '../common/domain-error';
import type { Principal } from '../auth/principal';
import { parseCookies, SESSION_COOKIE, SessionService, type WebSessionContext } from '../auth/session.service';

export type PageRequest = Request & { principal?: Principal; webSession?: WebSessionContext };

/**
 * Pages that need a signed-in user: resolves the session cookie into the same principal a bearer
 * token gives the API (so the services apply the same rules), or sends to the login page.
 */
@Injectable()
export class PageAuthGuard implements CanActivate {
  constructor(private readonly sessions: SessionService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<PageRequest>();
    const session = await this.sessions.resolve(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
    if (!session) throw new DomainError(ErrorCode.Unauthenticated, 'no session');
    req.webSession = session;
    req.principal = session.principal;
    return true;
  }
}
