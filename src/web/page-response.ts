/** Helpers shared by the page controllers: sending a page, the signed-in user of a request. */
import type { Response } from 'express';
import type { Principal } from '../auth/principal';
import type { WebSessionContext } from '../auth/session.service';
import type { PageRequest } from './page-auth.guard';
import { renderDocument, type VNode } from './views/html';
import type { PageUser } from './views/layout';

/** Sends a rendered page. */
export function sendPage(res: Response, tree: VNode, status = 200): void {
  // Private pages are never stored: after logout, the back button must not show them.
  res.status(status).type('html').setHeader('Cache-Control', 'no-store').send(renderDocument(tree));
}

/** The signed-in user (set by PageAuthGuard on every page route). */
export function session(req: PageRequest): { principal: Principal; user: PageUser; ctx: WebSessionContext } {
  const ctx = req.webSession!; // set by PageAuthGuard on every route of this controller
  const staff = ctx.principal.role === 'instructor' || ctx.principal.role === 'admin';
  return { principal: ctx.principal, user: { email: ctx.principal.email, csrfToken: ctx.csrfToken, staff }, ctx };
}
