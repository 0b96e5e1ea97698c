import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import request from 'supertest';
import { SessionService } from '../../src/auth/session.service';
import { loadExercise, type LoadedExercise } from '../../src/exercises/exercise.loader';
import { Role } from '../../src/generated/prisma/enums';
import { type ApiHarness, suitePrefix, userWithToken } from '../support/api-app';
import { deleteIntegrations } from '../support/lms';
import {
  type ApiWithPlatform,
  LtiPlatform,
  postForm,
  startApiWithPlatform,
  stopApiWithPlatform,
} from '../support/lti-platform';
import { startWorker, stopProcess, waitForStatus } from '../support/pipeline';
import { eventually, root } from '../support/processes';
import { ExchangeLog, LogCapture, pagesOf, SecretRegistry } from '../support/secrets';
import { signedHeaders, WebhookReceiver } from '../support/webhook-receiver';

/**
 * Secrets never reach a log or an answer they were not meant for (issue #18). The suite goes
 * through every flow that creates or receives one — API tokens, passwords, session cookies, CSRF
 * tokens, invitation links, integration secrets (created, rotated, over the API and the admin
 * pages; inbound signatures checked; webhooks signed by a worker), LTI id_tokens, launch state, the
 * platform's AGS access tokens and the tool's private key — with the api and a worker logging
 * everything (LOG_LEVEL=trace). Each secret is recorded with the answers allowed to carry it (the one
 * that hands it over, its holder's own pages); the last test looks for each in the api's log, the
 * worker's output and every answer the api gave.
 */
describe('secrets never in logs or answers', () => {
  const prefix = suitePrefix('secrets');
  const logs = new LogCapture();
  const exchanges = new ExchangeLog();
  const secrets = new SecretRegistry();
  let started: ApiWithPlatform | undefined;
  let api: ApiHarness;
  let platform: LtiPlatform;
  let admin: { id: string; token: string };
  let worker: ReturnType<typeof startWorker> | undefined;
  let receiver: WebhookReceiver | undefined;
  let hello: LoadedExercise;
  const integrations: string[] = [];
  const http = () => request(api.app.getHttpServer());
  const rid = () => `secrets-${randomUUID()}`;
  const password = () => `mdp-${randomBytes(12).toString('base64url')}`;

  const setCookie = (res: request.Response, name: string): string | undefined => {
    const all = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
    return all
      .find((c) => c.startsWith(`${name}=`))
      ?.split(';')[0]
      .slice(name.length + 1);
  };
  const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

  beforeAll(async () => {
    hello = await loadExercise(join(root, 'exercises', 'hello-world'));
    started = await startApiWithPlatform(prefix, { env: { LOG_LEVEL: 'trace' }, observed: { logs, exchanges } });
    ({ api, platform, admin } = started);
    secrets.record('API token', admin.token);
    worker = startWorker({
      REDIS_PREFIX: prefix,
      SANDBOX_POOL_SIZE: '0',
      LOG_LEVEL: 'trace',
      PUBLIC_URL: api.url,
      WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.5,0.5,0.5',
    });
  });
  afterAll(async () => {
    if (worker) await stopProcess(worker);
    await receiver?.close();
    if (api) {
      await deleteIntegrations(api.prisma, integrations);
      const made = await api.prisma.user.findMany({
        where: { email: { endsWith: '@secrets.test' } },
        select: { id: true },
      });
      api.users.push(...made.map((u) => u.id));
      await api.prisma.invitation.deleteMany({ where: { userId: { in: api.users } } });
    }
    await stopApiWithPlatform(started ?? {});
  });

  it('API tokens: issued by an admin over the API (shown once), used, listed, revoked; unknown ones refused', async () => {
    const user = await http()
      .post('/api/admin/users')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ email: `jeton-${randomUUID().slice(0, 8)}@secrets.test` })
      .expect(201);
    const handover = rid();
    const issued = await http()
      .post(`/api/admin/users/${user.body.id}/tokens`)
      .set('Authorization', `Bearer ${admin.token}`)
      .set('X-Request-Id', handover)
      .send({ name: 'script' })
      .expect(201);
    const token = secrets.record('API token', issued.body.token, { handedOverBy: handover });
    await http().get('/api/exercises').set('Authorization', `Bearer ${token}`).expect(200);
    const listed = await http().get('/api/tokens').set('Authorization', `Bearer ${token}`).expect(200);
    expect(listed.body).toEqual([expect.objectContaining({ id: issued.body.id })]);
    await http().delete(`/api/tokens/${issued.body.id}`).set('Authorization', `Bearer ${token}`).expect(200);
    await http().get('/api/exercises').set('Authorization', `Bearer ${token}`).expect(401);
    const unknown = secrets.record('unknown bearer token', randomBytes(32).toString('base64url'));
    await http().get('/api/exercises').set('Authorization', `Bearer ${unknown}`).expect(401);
    // A refused write whose answer names the field (a 400 is logged at warn with its request line).
    await http()
      .post('/api/submissions')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ exercise: 1 })
      .expect(400);
  });

  it('invitation link, passwords, session cookies and CSRF tokens: invited, accepted, logged out, logged in', async () => {
    const instructor = await userWithToken(api, Role.instructor);
    secrets.record('API token', instructor.token);
    const email = `invite-${randomUUID().slice(0, 8)}@secrets.test`;
    const handover = rid();
    const invited = await http()
      .post('/api/invitations')
      .set('Authorization', `Bearer ${instructor.token}`)
      .set('X-Request-Id', handover)
      .send({ email })
      .expect(201);
    const link = String(invited.body.link);
    const path = new URL(link).pathname;
    // The link's own pages carry it (their form posts back to it).
    secrets.record('invitation token', path.split('/').pop(), {
      handedOverBy: handover,
      alsoIn: (e) => e.url.startsWith(path),
    });
    const form = await http().get(path).expect(200);
    const preCookie = setCookie(form, 'dg_csrf');
    const pre = secrets.record('pre-session CSRF token', preCookie, { alsoIn: pagesOf(preCookie) });
    expect(csrfIn(form.text)).toBe(pre);
    const chosen = secrets.record('password', password());
    const mismatch = secrets.record('password', password());
    await http()
      .post(path)
      .set('Cookie', `dg_csrf=${pre}`)
      .type('form')
      .send({ _csrf: pre, password: chosen, confirm: mismatch })
      .expect(400);
    const accepted = await http()
      .post(path)
      .set('Cookie', `dg_csrf=${pre}`)
      .type('form')
      .send({ _csrf: pre, password: chosen, confirm: chosen })
      .expect(303);
    const session = secrets.record('session cookie', setCookie(accepted, 'dg_session'));
    await http().get(path).expect(404); // spent

    const home = await http().get('/').set('Cookie', `dg_session=${session}`).expect(200);
    const csrf = secrets.record('session CSRF token', csrfIn(home.text), { alsoIn: pagesOf(session) });
    await http().get('/tokens').set('Cookie', `dg_session=${session}`).expect(200);
    await http().get('/api/submissions').set('Cookie', `dg_session=${session}`).expect(200);
    await http().post('/logout').set('Cookie', `dg_session=${session}`).type('form').send({}).expect(403); // no CSRF
    await http().post('/logout').set('Cookie', `dg_session=${session}`).type('form').send({ _csrf: csrf }).expect(303);
    await http().get('/').set('Cookie', `dg_session=${session}`).expect(303); // ended

    const login = await http().get('/login').expect(200);
    const pre2Cookie = setCookie(login, 'dg_csrf');
    const pre2 = secrets.record('pre-session CSRF token', pre2Cookie, { alsoIn: pagesOf(pre2Cookie) });
    const wrong = secrets.record('password', password());
    await http()
      .post('/login')
      .set('Cookie', `dg_csrf=${pre2}`)
      .type('form')
      .send({ _csrf: pre2, email, password: wrong })
      .expect(401);
    const in2 = await http()
      .post('/login')
      .set('Cookie', `dg_csrf=${pre2}`)
      .type('form')
      .send({ _csrf: pre2, email, password: chosen })
      .expect(303);
    const session2 = secrets.record('session cookie', setCookie(in2, 'dg_session'));
    const page = await http().get('/submissions').set('Cookie', `dg_session=${session2}`).expect(200);
    secrets.record('session CSRF token', csrfIn(page.text), { alsoIn: pagesOf(session2) });
  });

  it('integration secrets: shown once at creation and rotation (API and admin pages); inbound signatures checked; webhooks signed by the worker', async () => {
    receiver = await WebhookReceiver.start([]);
    const created = rid();
    const made = await http()
      .post('/api/admin/integrations')
      .set('Authorization', `Bearer ${admin.token}`)
      .set('X-Request-Id', created)
      .send({ name: 'Lycée secret', webhookUrl: `${receiver.url}/hooks` })
      .expect(201);
    integrations.push(made.body.id);
    secrets.record('integration inbound secret', made.body.inboundSecret, { handedOverBy: created });
    secrets.record('integration webhook secret', made.body.webhookSecret, { handedOverBy: created });
    const rotated = rid();
    const fresh = await http()
      .post(`/api/admin/integrations/${made.body.id}/rotate`)
      .set('Authorization', `Bearer ${admin.token}`)
      .set('X-Request-Id', rotated)
      .send({ which: 'both' })
      .expect(200);
    const inbound = secrets.record('integration inbound secret', fresh.body.inboundSecret, { handedOverBy: rotated });
    receiver.secrets = [
      secrets.record('integration webhook secret', fresh.body.webhookSecret, { handedOverBy: rotated }),
    ];
    await http().get('/api/admin/integrations').set('Authorization', `Bearer ${admin.token}`).expect(200);
    await http()
      .get(`/api/admin/integrations/${made.body.id}`)
      .set('Authorization', `Bearer ${admin.token}`)
      .expect(200);

    // The admin pages: creation and rotation each show the secrets once.
    const adminSession = secrets.record('session cookie', await api.app.get(SessionService).create(admin.id));
    const cookie = `dg_session=${adminSession}`;
    const list = await http().get('/admin/integrations').set('Cookie', cookie).expect(200);
    const csrf = secrets.record('session CSRF token', csrfIn(list.text), { alsoIn: pagesOf(adminSession) });
    const shown = (html: string, which: string) => new RegExp(`data-secret="${which}">([^<]+)<`).exec(html)?.[1];
    const byPage = rid();
    const page = await http()
      .post('/admin/integrations')
      .set('Cookie', cookie)
      .set('X-Request-Id', byPage)
      .type('form')
      .send({ _csrf: csrf, name: 'Lycée secret (page)' })
      .expect(201);
    integrations.push(shown(page.text, 'id')!);
    secrets.record('integration inbound secret', shown(page.text, 'inbound'), { handedOverBy: byPage });
    secrets.record('integration webhook secret', shown(page.text, 'webhook'), { handedOverBy: byPage });
    const rotatedByPage = rid();
    const again = await http()
      .post(`/admin/integrations/${shown(page.text, 'id')}/rotate`)
      .set('Cookie', cookie)
      .set('X-Request-Id', rotatedByPage)
      .type('form')
      .send({ _csrf: csrf })
      .expect(200);
    secrets.record('integration inbound secret', shown(again.text, 'inbound'), { handedOverBy: rotatedByPage });
    secrets.record('integration webhook secret', shown(again.text, 'webhook'), { handedOverBy: rotatedByPage });
    await http().get(`/admin/integrations/${made.body.id}/deliveries`).set('Cookie', cookie).expect(200);

    // A school's platform sends a submission signed with the inbound secret; a forged one is refused.
    const raw = JSON.stringify({
      user: { id: 'moodle-secret-1', email: `eleve-${randomUUID().slice(0, 6)}@secrets.test`, name: 'Élève' },
      exercise: 'hello-world',
      source: hello.reference.source,
    });
    const forger = secrets.record('forged inbound secret', `whsec_${randomBytes(24).toString('base64')}`);
    await http()
      .post(`/api/lms/${made.body.id}/submissions`)
      .set('content-type', 'application/json')
      .set(signedHeaders(forger, `msg_${randomUUID()}`, raw))
      .send(raw)
      .expect(401);
    const accepted = await http()
      .post(`/api/lms/${made.body.id}/submissions`)
      .set('content-type', 'application/json')
      .set(signedHeaders(inbound, `msg_${randomUUID()}`, raw))
      .send(raw)
      .expect(202);
    await waitForStatus(api.prisma, accepted.body.id, ['graded'], 120_000).catch((err: Error) => {
      throw new Error(`${err.message}\nworker output:\n${worker?.output().slice(-3000)}`);
    });
    // The worker signed the grade's webhook with both webhook secrets (the rotated one for 24 h).
    const hook = await eventually(async () => {
      const r = receiver!.requests.find((q) => q.verified);
      if (!r) throw new Error('no verified webhook yet');
      return r;
    }, 30_000);
    expect(hook.signature.split(' ')).toHaveLength(2);
  }, 240_000);

  it('LTI: an id_token launches a learner (session cookie); the graded score goes back with an AGS access token; the tool key rotates', async () => {
    const learner = {
      sub: `lti-secret-${randomUUID().slice(0, 6)}`,
      email: `lti-${randomUUID().slice(0, 6)}@secrets.test`,
      name: 'Lou',
    };
    const link = { id: 'rl-secret', title: 'TP secret', custom: { exercise: 'hello-world' } };
    const { response, form } = await platform.launch(learner, link);
    expect(response.status).toBe(303);
    secrets.record('LTI id_token', form.fields.id_token);
    // The state reaches the browser in the login's redirect to the platform, and nowhere else.
    secrets.record('LTI launch state', form.fields.state, { alsoIn: (e) => e.url.startsWith('/lti/login') });
    const session = secrets.record(
      'session cookie',
      /dg_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1],
    );
    // The same form again: refused (the refusal is logged).
    expect((await postForm(form)).status).toBe(401);

    const page = await http().get('/exercises/hello-world').set('Cookie', `dg_session=${session}`).expect(200);
    const csrf = secrets.record('session CSRF token', csrfIn(page.text), { alsoIn: pagesOf(session) });
    const sent = await http()
      .post('/exercises/hello-world')
      .set('Cookie', `dg_session=${session}`)
      .field('_csrf', csrf)
      .field('source', hello.reference.source)
      .expect(303);
    const submissionId = /\/submissions\/([0-9a-f-]{36})/.exec(sent.headers.location ?? '')?.[1];
    await waitForStatus(api.prisma, submissionId!, ['graded'], 120_000);
    await eventually(async () => {
      if (platform.scores.length === 0) throw new Error('no score at the platform yet');
    }, 30_000);
    expect(platform.issuedTokens.length).toBeGreaterThan(0);
    for (const t of platform.issuedTokens) secrets.record('AGS access token', t);

    await http().post('/api/admin/lti/keys/rotate').set('Authorization', `Bearer ${admin.token}`).expect(200);
    await http().get('/.well-known/jwks.json').expect(200);
    const keys = await api.prisma.ltiToolKey.findMany({ select: { privatePem: true } });
    expect(keys.length).toBeGreaterThanOrEqual(2);
    // A full base64 line of each private key: a key logged in any form (PEM, JSON-escaped) contains it.
    for (const k of keys)
      secrets.record(
        'LTI tool private key',
        k.privatePem.split('\n').find((l) => l.length === 64),
      );
  }, 240_000);

  it('none of them is in the api’s log, the worker’s output, or any answer but the one that hands it over', async () => {
    // The capture works: a known request's line is there, with its id, URL and status…
    const probe = rid();
    await http()
      .get('/api/exercises')
      .set('Authorization', `Bearer ${admin.token}`)
      .set('X-Request-Id', probe)
      .expect(200);
    await eventually(async () => {
      const line = logs.lines().find((l) => (l.req as { id?: string } | undefined)?.id === probe && 'res' in l);
      expect(line).toMatchObject({ req: { method: 'GET', url: '/api/exercises' }, res: { statusCode: 200 } });
    }, 5_000);
    // …and Nest's own logger reaches it too (the refused launch).
    expect(logs.text()).toMatch(/LTI refused \(401\)/);
    // The worker's output is there, at its most verbose.
    expect(worker!.output()).toMatch(/graded in/);
    // Every answer was seen: each hand-over answer holds what it handed over.
    expect(secrets.handovers).toBeGreaterThan(0);
    expect(secrets.unseenHandovers(exchanges.exchanges)).toEqual([]);
    // Every kind of secret was met.
    expect(secrets.kinds).toEqual(
      [
        'AGS access token',
        'API token',
        'LTI id_token',
        'LTI launch state',
        'LTI tool private key',
        'forged inbound secret',
        'integration inbound secret',
        'integration webhook secret',
        'invitation token',
        'password',
        'pre-session CSRF token',
        'session CSRF token',
        'session cookie',
        'unknown bearer token',
      ].sort(),
    );
    const leaks = secrets.leaks({ api: logs.text(), worker: worker!.output() }, exchanges.exchanges);
    expect(leaks).toEqual([]);
    // The invitation page's request lines are there, their route kept and the token dropped.
    const invitationLines = logs.lines().filter((l) => /^\/invitation\//.test((l.req as { url?: string })?.url ?? ''));
    expect(invitationLines.length).toBeGreaterThan(0);
    expect(invitationLines.every((l) => (l.req as { url: string }).url === '/invitation/[redacted]')).toBe(true);
  });
});
