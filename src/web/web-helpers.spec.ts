import { parseCookies, sameToken } from '../auth/session.service';
import { retryMessage } from '../auth/login-throttle';
import { passwordProblem } from '../auth/password';
import { chapterTitle, compareChapters } from './chapters';
import { renderMarkdown } from './markdown';
import { isPagePath, refusedPart, safeNext } from './page-request';
import { loggedUrl } from '../logging/logging.module';

describe('web helpers', () => {
  it('render instructions without letting HTML or javascript: links through', () => {
    const out = renderMarkdown(
      '# Titre\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) [ok](https://docs.docker.com)\n\n```\ndocker ps\n```',
    );
    expect(out).toContain('<h2>Titre</h2>');
    expect(out).toContain('&lt;script&gt;');
    expect(out).not.toContain('href="javascript:');
    expect(out).toContain('<a href="https://docs.docker.com" rel="noopener noreferrer">ok</a>');
    expect(out).toContain('<pre tabindex="0"><code>docker ps');
  });

  it('only go back to local paths after login', () => {
    expect(safeNext('/submissions/abc')).toBe('/submissions/abc');
    expect(safeNext('//evil.example/x')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext(undefined)).toBe('/');
  });

  it('tell pages from machine routes', () => {
    expect(isPagePath('/')).toBe(true);
    expect(isPagePath('/submissions/x')).toBe(true);
    expect(isPagePath('/api/submissions')).toBe(false);
    expect(isPagePath('/health')).toBe(false);
    expect(isPagePath('/assets/app.css')).toBe(false);
    expect(isPagePath('/docs')).toBe(false);
  });

  it('name on an error page what a 400 or 413 refused: its fields, the part its message names, else the form or the address', () => {
    const fields = (...names: string[]) => ({ message: 'invalid request', fields: names.map((field) => ({ field })) });
    expect(refusedPart(400, fields('files'))).toBe('le champ « files »');
    expect(refusedPart(400, fields('a', 'b', 'a'))).toBe('les champs « a », « b »');
    expect(refusedPart(400, fields('a', 'b', 'c', 'd', 'e'))).toBe('les champs « a », « b », « c » et 2 autres');
    expect(refusedPart(400, fields('x'.repeat(10_000)))).toBe(`le champ « ${'x'.repeat(60)} »`);
    expect(refusedPart(413, { message: 'files: a file is too large' })).toBe('le champ « files »');
    expect(refusedPart(400, { message: 'body: unreadable multipart form (Unexpected end of form)' })).toBe(
      'le formulaire envoyé',
    );
    expect(refusedPart(413, { message: 'request body too large' })).toBe('le formulaire envoyé');
    expect(refusedPart(400, { message: "Failed to decode param '%ff'" })).toBe("l'adresse de la page");
    expect(refusedPart(404, fields('files'))).toBeUndefined();
  });

  it('log the route of an invitation link, not its token', () => {
    expect(loggedUrl('/invitation/abcDEF_123-x')).toBe('/invitation/[redacted]');
    expect(loggedUrl('/invitation/abc?next=%2F')).toBe('/invitation/[redacted]?next=%2F');
    expect(loggedUrl('/api/invitations')).toBe('/api/invitations');
    expect(loggedUrl('/submissions/abc')).toBe('/submissions/abc');
  });

  it('read cookies and compare tokens strictly', () => {
    const c = parseCookies('a=1; dg_session=abc%2Fd; a=2; bad; q="x"');
    expect(c.get('a')).toBe('1');
    expect(c.get('dg_session')).toBe('abc/d');
    expect(c.get('q')).toBe('x');
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abc', 'abd')).toBe(false);
    expect(sameToken('', '')).toBe(false);
    expect(sameToken(undefined, undefined)).toBe(false);
    expect(sameToken(['abc'], 'abc')).toBe(false);
  });

  it('say in French when to retry a locked login, in Paris time', () => {
    expect(retryMessage(15 * 60_000, new Date('2026-12-03T10:09:00Z'))).toBe(
      'Trop de tentatives de connexion. Réessayez dans 15 minutes (à 11 h 24).',
    );
    expect(retryMessage(20_000, new Date('2026-07-01T10:00:00Z'))).toMatch(/dans 1 minute \(à 12 h 00\)/);
  });

  it('refuse short passwords with a French reason', () => {
    expect(passwordProblem('court')).toMatch(/au moins 10 caractères/);
    expect(passwordProblem('assez-long-ici')).toBeUndefined();
  });

  it('title and order the course chapters', () => {
    expect(chapterTitle('2-decouvrir-les-bases-de-docker.md')).toBe('2. Découvrir les bases de Docker');
    expect(chapterTitle('7-orchestration.md')).toBe('7 Orchestration');
    expect(['4-a.md', '3.5-b.md', '', '3.2-c.md', '1-d.md'].sort(compareChapters)).toEqual([
      '1-d.md',
      '3.2-c.md',
      '3.5-b.md',
      '4-a.md',
      '',
    ]);
  });
});
