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

/** What the error said: its message and the fields it named. */
export interface RefusedRequest {
  message: string;
  fields?: { field: string }[];
}

/** Fields named on an error page, at most; each name cut (a fuzzer's unknown key can be 10,000 characters). */
const MAX_NAMED = 3;
const MAX_NAME_LENGTH = 60;

/**
 * The part of a refused request (400, 413) its error page names, in French, as the JSON answer
 * names it for the API: the fields the validation named, else the part the message starts with
 * (`files: a file is too large`), else the body or the address. Undefined for other statuses.
 */
export function refusedPart(status: number, err: RefusedRequest): string | undefined {
  if (status !== 400 && status !== 413) return undefined;
  const named = err.fields?.length
    ? [...new Set(err.fields.map((f) => f.field))]
    : [/^([\w.-]+): /.exec(err.message)?.[1] ?? (/param/i.test(err.message) ? 'path' : 'body')];
  if (named.length === 1 && (named[0] === 'body' || named[0] === '(body)')) return 'le formulaire envoyé';
  if (named.length === 1 && named[0] === 'path') return "l'adresse de la page";
  const quoted = named.slice(0, MAX_NAMED).map((n) => `« ${Array.from(n).slice(0, MAX_NAME_LENGTH).join('')} »`);
  const more = named.length > MAX_NAMED ? ` et ${named.length - MAX_NAMED} autres` : '';
  return `${named.length > 1 ? 'les champs' : 'le champ'} ${quoted.join(', ')}${more}`;
}

/**
 * Answers an error on a page request with the French error page (a 401 sends to the login page
 * instead, to come back afterwards). A 400 or 413 page names what was refused (`refused`); the 500
 * page shows the request id from the logs, no details.
 */
export function sendPageError(req: Request, res: Response, status: number, refused?: RefusedRequest): void {
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
    .send(
      renderDocument(
        errorPage(status, {
          requestId: requestId === undefined ? undefined : String(requestId),
          culprit: refused && refusedPart(status, refused),
        }),
      ),
    );
}
