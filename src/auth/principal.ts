import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import { Role } from '../generated/prisma/enums';

/** Who is calling: set on the request by the auth guard. */
export interface Principal {
  id: string;
  role: Role;
  email: string;
}

export type AuthenticatedRequest = Request & { principal?: Principal };

export const ROLES_KEY = 'dockgrader:roles';

/** Restricts a route to the given roles (admin is always allowed). */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

export const PUBLIC_KEY = 'dockgrader:public';

/**
 * An /api route that authenticates its caller itself, without a bearer token (signed LMS
 * requests: src/lms). The route must check its own credentials before doing anything.
 */
export const SignedRoute = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

/** The authenticated caller of an /api route. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  // The guard runs first on every /api route; reaching here without a principal is a wiring bug.
  if (!principal) throw new Error('CurrentUser used on a route the auth guard does not cover');
  return principal;
});

/** Staff see every submission; students only their own. */
export function isStaff(principal: Principal): boolean {
  return principal.role === Role.instructor || principal.role === Role.admin;
}
