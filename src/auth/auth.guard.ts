import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, ErrorCode } from '../common/domain-error';
import { Role } from '../generated/prisma/enums';
import { AuthService } from './auth.service';
import { AuthenticatedRequest, PUBLIC_KEY, ROLES_KEY } from './principal';
import { bearerToken } from './token';

/**
 * Authenticates every /api route (bearer token) and enforces @Roles. Registered globally so a new
 * controller cannot forget it; /health and /docs stay public for probes and readers.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!isApiPath(req.path)) return true;
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, [context.getHandler(), context.getClass()]))
      return true;
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new DomainError(ErrorCode.Unauthenticated, 'missing bearer token');
    const principal = await this.auth.authenticate(token);
    if (!principal) throw new DomainError(ErrorCode.Unauthenticated, 'invalid or revoked token');
    req.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (roles && principal.role !== Role.admin && !roles.includes(principal.role)) {
      throw DomainError.forbidden(`requires role ${roles.join(' or ')}`);
    }
    return true;
  }
}

export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}
