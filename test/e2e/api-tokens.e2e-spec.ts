import request from 'supertest';
import { SessionService } from '../../src/auth/session.service';
import { Role } from '../../src/generated/prisma/enums';
import { ApiHarness, startApi, suitePrefix, userWithToken } from '../support/api-app';
import { eventually } from '../support/processes';

/**
 * API tokens through the API, across two api processes sharing one Redis and one PostgreSQL (as
 * `npm start` runs them): a user lists and revokes their own, an admin revokes anyone's, and a
 * revoked token is refused by the other process at its very next request, although that process
 * had the token in its cache.
 */
describe('API tokens', () => {
  let a: ApiHarness;
  let b: ApiHarness;

  beforeAll(async () => {
    const prefix = suitePrefix('tokens');
    a = await startApi({ REDIS_PREFIX: prefix });
    b = await startApi({ REDIS_PREFIX: prefix });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const get = (api: ApiHarness, path: string, token: string) =>
    request(api.app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);
  const revoke = (api: ApiHarness, id: string, token: string) =>
    request(api.app.getHttpServer()).delete(`/api/tokens/${id}`).set('Authorization', `Bearer ${token}`);

  it('lists one’s own tokens without their secret', async () => {
    const user = await userWithToken(a, Role.student);
    const second = await a.auth.issueToken(user.id, 'script de notes');
    const res = await get(a, '/api/tokens', user.token).expect(200);
    expect(res.body).toHaveLength(2);
    expect(res.body[0]).toMatchObject({ id: second.id, name: 'script de notes', revokedAt: null, userId: user.id });
    expect(JSON.stringify(res.body)).not.toContain(second.token);
    expect(JSON.stringify(res.body)).not.toMatch(/tokenHash|token_hash/);
  });

  it('shows when each token was last used: never before its first use, then the time of a use, in the list and on the page', async () => {
    const user = await userWithToken(a, Role.student);
    const spare = await a.auth.issueToken(user.id, 'jamais servi');
    const listed = async () => {
      const res = await get(a, '/api/tokens', user.token).expect(200);
      return new Map((res.body as { id: string; lastUsedAt: string | null }[]).map((t) => [t.id, t.lastUsedAt]));
    };
    // Listing used the user's main token; the spare one has not served yet.
    expect((await listed()).get(spare.id)).toBeNull();
    const cookie = `dg_session=${await a.app.get(SessionService).create(user.id)}`;
    const row = (html: string) => new RegExp(`data-token-id="${spare.id}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
    const before = await request(a.app.getHttpServer()).get('/tokens').set('Cookie', cookie).expect(200);
    expect(row(before.text)).toMatch(/data-testid="token-last-used">jamais</);

    // One use, through the other api process: the time is recorded after the answer, so wait for it.
    const t0 = new Date();
    await get(b, '/api/exercises', spare.token).expect(200);
    const used = await eventually(async () => {
      const at = (await listed()).get(spare.id);
      if (!at) throw new Error('lastUsedAt not recorded yet');
      return new Date(at);
    }, 10_000);
    expect(used.getTime()).toBeGreaterThanOrEqual(t0.getTime() - 1000);
    expect(used.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const after = await request(a.app.getHttpServer()).get('/tokens').set('Cookie', cookie).expect(200);
    expect(row(after.text)).not.toMatch(/data-testid="token-last-used">jamais</);
    expect(row(after.text)).toMatch(/data-testid="token-last-used">\d/);
    // The main token served every listing: both show a time now.
    expect([...(await listed()).values()]).toEqual([expect.any(String), expect.any(String)]);
  });

  it('refuses a revoked token at once in the other api process, whose cache held it', async () => {
    const user = await userWithToken(a, Role.student);
    const spare = await a.auth.issueToken(user.id, 'spare');
    // B verifies the token and caches it (5 s); then A revokes it.
    await get(b, '/api/exercises', spare.token).expect(200);
    await get(b, '/api/exercises', spare.token).expect(200);
    const revoked = await revoke(a, spare.id, user.token).expect(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const t0 = Date.now();
    const refused = await get(b, '/api/exercises', spare.token);
    expect(refused.status).toBe(401);
    expect(Date.now() - t0).toBeLessThan(1000);
    await get(a, '/api/exercises', spare.token).expect(401);
    // The user's other token still works on both.
    await get(b, '/api/exercises', user.token).expect(200);
    // Revoking again changes nothing.
    const again = await revoke(b, spare.id, user.token).expect(200);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
  });

  it('a user cannot see or revoke another’s token (404); an admin can revoke anyone’s', async () => {
    const owner = await userWithToken(a, Role.instructor);
    const other = await userWithToken(a, Role.student);
    const admin = await userWithToken(a, Role.admin);
    const tokens = await get(a, '/api/tokens', owner.token).expect(200);
    const id = (tokens.body as { id: string }[])[0].id;
    await revoke(a, id, other.token).expect(404);
    await get(a, `/api/tokens?user=${owner.id}`, other.token).expect(403);
    await get(b, '/api/exercises', owner.token).expect(200);
    const listed = await get(a, `/api/tokens?user=${owner.id}`, admin.token).expect(200);
    expect((listed.body as { id: string }[]).map((t) => t.id)).toEqual([id]);
    await revoke(b, id, admin.token).expect(200);
    await get(a, '/api/exercises', owner.token).expect(401);
    await get(b, '/api/exercises', owner.token).expect(401);
  });

  it('answers 404 for an id that is not a uuid, 400 naming the field for a bad user filter', async () => {
    const user = await userWithToken(a, Role.student);
    await revoke(a, 'not-a-uuid', user.token).expect(404);
    await revoke(a, '%00', user.token).expect(404);
    const bad = await get(a, '/api/tokens?user=nope', user.token).expect(400);
    expect(JSON.stringify(bad.body)).toContain('query.user');
  });
});
