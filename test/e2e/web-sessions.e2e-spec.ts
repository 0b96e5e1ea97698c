import request from 'supertest';
import { Role } from '../../src/generated/prisma/enums';
import { hashToken } from '../../src/auth/token';
import { ApiHarness, startApi, suitePrefix, userWithToken } from '../support/api-app';

/** Sessions, invitations and CSRF over HTTP, against PostgreSQL and Redis (the browser tier drives the pages). */
describe('web sessions', () => {
  let api: ApiHarness;
  let proxied: ApiHarness;
  let instructor: { id: string; token: string };
  let student: { id: string; token: string };

  beforeAll(async () => {
    api = await startApi({ REDIS_PREFIX: suitePrefix('web'), PUBLIC_URL: 'https://dockgrader.lycee.test' });
    proxied = await startApi({ REDIS_PREFIX: suitePrefix('web-proxy'), TRUST_PROXY: 'true' });
    instructor = await userWithToken(api, Role.instructor);
    student = await userWithToken(api, Role.student);
  });
  afterAll(async () => {
    await proxied?.close();
    await api?.close();
  });

  const cookieOf = (res: request.Response, name: string): string | undefined => {
    const all = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
    return all.find((c) => c.startsWith(`${name}=`));
  };
  const valueOf = (setCookie: string | undefined) => setCookie?.split(';')[0].split('=')[1] ?? '';

  /** Invites a new student over the API and accepts in the pages: returns the session cookie value. */
  async function invitedSession(app: ApiHarness = api, headers: Record<string, string> = {}) {
    const email = `invite-${Date.now()}-${Math.random().toString(16).slice(2, 6)}@lycee.test`;
    const inv = await request(api.app.getHttpServer())
      .post('/api/invitations')
      .set('Authorization', `Bearer ${instructor.token}`)
      .send({ email });
    expect(inv.status).toBe(201);
    api.users.push(inv.body.userId);
    const path = new URL(inv.body.link as string).pathname;
    const form = await request(app.app.getHttpServer()).get(path).set(headers);
    expect(form.status).toBe(200);
    const csrfCookie = cookieOf(form, 'dg_csrf')!;
    const csrf = valueOf(csrfCookie);
    expect(form.text).toContain(`value="${csrf}"`);
    const accepted = await request(app.app.getHttpServer())
      .post(path)
      .set(headers)
      .set('Cookie', `dg_csrf=${csrf}`)
      .type('form')
      .send({ _csrf: csrf, password: 'un-bon-mot-de-passe', confirm: 'un-bon-mot-de-passe' });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.location).toBe('/');
    return { email, userId: inv.body.userId as string, path, setCookie: cookieOf(accepted, 'dg_session')!, csrf };
  }

  it('invites through the API: instructors only, with a link on PUBLIC_URL; bad input names the field', async () => {
    const server = api.app.getHttpServer();
    const ok = await request(server)
      .post('/api/invitations')
      .set('Authorization', `Bearer ${instructor.token}`)
      .send({ email: 'nouvel.eleve@lycee.test' });
    expect(ok.status).toBe(201);
    api.users.push(ok.body.userId);
    expect(ok.body.link).toMatch(/^https:\/\/dockgrader\.lycee\.test\/invitation\/[A-Za-z0-9_-]{43}$/);
    const stored = await api.prisma.invitation.findFirstOrThrow({ where: { userId: ok.body.userId } });
    expect(stored.tokenHash).toBe(hashToken((ok.body.link as string).split('/').pop()!)); // only the hash
    const denied = await request(server)
      .post('/api/invitations')
      .set('Authorization', `Bearer ${student.token}`)
      .send({ email: 'x@lycee.test' });
    expect(denied.status).toBe(403);
    const bad = await request(server)
      .post('/api/invitations')
      .set('Authorization', `Bearer ${instructor.token}`)
      .send({ email: 'pas-un-email' });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual([expect.objectContaining({ field: 'email' })]);
  });

  it('sets an HttpOnly SameSite=Lax cookie (not Secure over plain http), spends the link, stores only a hash', async () => {
    const s = await invitedSession();
    expect(s.setCookie).toMatch(/; HttpOnly/);
    expect(s.setCookie).toMatch(/; SameSite=Lax/);
    expect(s.setCookie).not.toMatch(/; Secure/);
    const rows = await api.prisma.webSession.findMany({ where: { userId: s.userId } });
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).toBe(hashToken(valueOf(s.setCookie)));
    const reuse = await request(api.app.getHttpServer()).get(s.path);
    expect(reuse.status).toBe(404);
    expect(reuse.type).toBe('text/html');
  });

  it('marks the cookie Secure behind a trusted proxy that says https', async () => {
    const s = await invitedSession(proxied, { 'X-Forwarded-Proto': 'https' });
    expect(s.setCookie).toMatch(/; Secure/);
  });

  it('rotates the session at login and deletes it at logout', async () => {
    const s = await invitedSession();
    const old = valueOf(s.setCookie);
    const server = api.app.getHttpServer();
    const login = await request(server)
      .post('/login')
      .set('Cookie', `dg_session=${old}; dg_csrf=${s.csrf}`)
      .type('form')
      .send({ _csrf: s.csrf, email: s.email, password: 'un-bon-mot-de-passe' });
    expect(login.status).toBe(303);
    const fresh = valueOf(cookieOf(login, 'dg_session'));
    expect(fresh).not.toBe(old);
    expect(await api.prisma.webSession.count({ where: { tokenHash: hashToken(old) } })).toBe(0);

    const page = await request(server).get('/').set('Cookie', `dg_session=${fresh}`);
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const out = await request(server)
      .post('/logout')
      .set('Cookie', `dg_session=${fresh}`)
      .type('form')
      .send({ _csrf: csrf });
    expect(out.status).toBe(303);
    expect(await api.prisma.webSession.count({ where: { tokenHash: hashToken(fresh) } })).toBe(0);
    const after = await request(server).get('/').set('Cookie', `dg_session=${fresh}`);
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/login');
  });

  it('ends a session idle too long, and one past its absolute end', async () => {
    const server = api.app.getHttpServer();
    for (const data of [
      { lastSeenAt: new Date(Date.now() - (api.env.SESSION_IDLE_MINUTES + 1) * 60_000) },
      { expiresAt: new Date(Date.now() - 1000) },
    ]) {
      const s = await invitedSession();
      const token = valueOf(s.setCookie);
      await api.prisma.webSession.update({ where: { tokenHash: hashToken(token) }, data });
      const res = await request(server).get('/submissions').set('Cookie', `dg_session=${token}`);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login?next=%2Fsubmissions');
      expect(await api.prisma.webSession.count({ where: { tokenHash: hashToken(token) } })).toBe(0);
    }
  });

  it('lets the session read the API (same principal, same rules) but not write to it', async () => {
    const s = await invitedSession();
    const server = api.app.getHttpServer();
    const cookie = `dg_session=${valueOf(s.setCookie)}`;
    const list = await request(server).get('/api/submissions').set('Cookie', cookie);
    expect(list.status).toBe(200);
    const others = await request(server).get(`/api/submissions?user=${student.id}`).set('Cookie', cookie);
    expect(others.status).toBe(403);
    const write = await request(server)
      .post('/api/submissions')
      .set('Cookie', cookie)
      .send({ exercise: 'hello-world', source: 'docker run hello-world' });
    expect(write.status).toBe(401);
  });

  it('answers pages with French HTML errors and the API with JSON', async () => {
    const server = api.app.getHttpServer();
    const page = await request(server).get('/pas-une-page');
    expect(page.status).toBe(404);
    expect(page.text).toContain('Page introuvable');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe-inline/);
    const apiRes = await request(server).get('/api/pas-une-route').set('Authorization', `Bearer ${student.token}`);
    expect(apiRes.status).toBe(404);
    expect(apiRes.type).toBe('application/json');
    const noCsrf = await request(server).post('/login').type('form').send({ email: 'a@b.c', password: 'x' });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.text).toContain('Action refusée');
  });
});
