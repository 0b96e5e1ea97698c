import type { Request, Response } from 'express';
import { isApiPath } from '../auth/auth.guard';
import { renderDocument } from './views/html';
import { errorPage } from './views/error-page';

/** Paths that answer machines (JSON, probes, OpenAPI, files), never with an HTML page. */
export function isPagePath(path: string): boolean {
  return !isApiPath(path) && !/^\/(health|docs|assets|metrics)(\/|$)/.test(path);
}

/** A local path to go back to after logging in; anything else (another host, `//x`) becomes `/`. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) && next.length < 500 ? next : '/';
}

/**
 * Answers an error on a page request with the French error page (a 401 sends to the login page
 * instead, to come back afterwards). The 500 page shows the request id from the logs, no details.
 */
export function sendPageError(req: Request, res: Response, status: number): void {
  if (status === 401) {
    const next = req.method === 'GET' ? safeNext(req.originalUrl) : '/';
    res.redirect(303, next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`);
    return;
  }
  const requestId = (req as Request & { id?: unknown }).id;
  res
    .status(status)
    .type('html')
    .setHeader('Cache-Control', 'no-store')
    .send(renderDocument(errorPage(status, { requestId: requestId === undefined ? undefined : String(requestId) })));
}
