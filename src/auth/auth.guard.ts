import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RequestHandler, Response } from 'express';
import { DomainError, ErrorCode } from '../common/domain-error';
import { Role } from '../generated/prisma/enums';
import { AuthService } from './auth.service';
import { AuthenticatedRequest, PUBLIC_KEY, ROLES_KEY } from './principal';
import { parseCookies, SESSION_COOKIE, SessionService } from './session.service';
import { bearerToken } from './token';

/**
 * Authenticates every /api route (bearer token) and enforces @Roles. Registered globally so a new
 * controller cannot forget it; /health and /docs stay public for probes and readers.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!isApiPath(req.path)) return true;
    // Signed routes (LMS) authenticate by their signature, not a bearer token.
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, [context.getHandler(), context.getClass()]))
      return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    await this.authorize(req, roles);
    return true;
  }

  /**
   * Authenticates the request (principalOf) and checks its role; sets req.principal. Also used, as
   * Express middleware (adminOnly), for what is mounted outside Nest's routing (the queue dashboard).
   */
  async authorize(req: AuthenticatedRequest, roles: Role[] | undefined): Promise<void> {
    const principal = await this.principalOf(req);
    req.principal = principal;
    if (roles && principal.role !== Role.admin && !roles.includes(principal.role)) {
      throw DomainError.forbidden(`requires role ${roles.join(' or ')}`);
    }
  }

  /**
   * A bearer token, or for reads only the browser's session cookie (the submission page follows
   * its event stream with it): both give the same principal, so the same rules apply. Writes need
   * the token, as a cookie alone would expose them to cross-site requests.
   */
  private async principalOf(req: AuthenticatedRequest) {
    const token = bearerToken(req.headers.authorization);
    if (!token) {
      if (req.method === 'GET' || req.method === 'HEAD') {
        const session = await this.sessions.resolve(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
        if (session) return session.principal;
      }
      throw new DomainError(ErrorCode.Unauthenticated, 'missing bearer token');
    }
    const principal = await this.auth.authenticate(token);
    if (!principal) throw new DomainError(ErrorCode.Unauthenticated, 'invalid or revoked token');
    return principal;
  }
}

/** Express middleware: admins only (401 without credentials, 403 for another role), same rules as the guard. */
export function adminOnly(guard: AuthGuard, onError: (res: Response, error: unknown) => void): RequestHandler {
  return (req, res, next) => {
    guard.authorize(req as AuthenticatedRequest, [Role.admin]).then(
      () => next(),
      (error: unknown) => onError(res, error),
    );
  };
}

export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}
