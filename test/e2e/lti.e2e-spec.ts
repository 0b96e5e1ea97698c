import { join } from 'node:path';
import { decodeJwt, generateKeyPair } from 'jose';
import request from 'supertest';
import { loadExercise, type LoadedExercise } from '../../src/exercises/exercise.loader';
import { SessionService } from '../../src/auth/session.service';
import { Role } from '../../src/generated/prisma/enums';
import { ApiHarness, suitePrefix, userWithToken } from '../support/api-app';
import {
  type ApiWithPlatform,
  LtiPlatform,
  postForm,
  type PlatformUser,
  startApiWithPlatform,
  stopApiWithPlatform,
} from '../support/lti-platform';
import { startWorker, stopProcess, waitForStatus } from '../support/pipeline';
import { eventually, root } from '../support/processes';

const LEARNER: PlatformUser = { sub: 'moodle-user-42', email: 'lea.martin@lycee.test', name: 'Léa Martin' };
const LINK = { id: 'rl-hello-1', title: 'TP 1 : hello-world', custom: { exercise: 'hello-world' } };

/**
 * LTI 1.3 end to end over real HTTP: a platform (test/support/lti-platform.ts, its own keys) launches
 * a learner into the tool (OIDC login, auth request, signed id_token posted back), the learner lands
 * logged in on the exercise page and submits through the web form, a worker process grades in a
 * real sandbox, and the score reaches the platform's line item through the outbox (client
 * assertion verified by the platform, bearer token, score body, timestamp rule). Forged, expired,
 * replayed and mismatched launches are refused with 401 and one line, and start no session.
 */
describe('LTI 1.3 launch and grade passback', () => {
  let api: ApiHarness;
  let platform: LtiPlatform;
  let admin: { id: string; token: string };
  let platformId: string;
  let started: ApiWithPlatform | undefined;
  let hello: LoadedExercise;
  const prefix = suitePrefix('lti');
  let worker: ReturnType<typeof startWorker> | undefined;

  beforeAll(async () => {
    hello = await loadExercise(join(root, 'exercises', 'hello-world'));
    started = await startApiWithPlatform(prefix);
    ({ api, platform, platformId, admin } = started);
  });
  afterAll(async () => {
    if (worker) await stopProcess(worker);
    await stopApiWithPlatform(started ?? {});
  });

  const cookieOf = (res: Response) => /dg_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];

  it('publishes the tool key (public part only) and lets only admins register platforms', async () => {
    const jwks = await (await fetch(`${api.url}/.well-known/jwks.json`)).json();
    expect(jwks.keys.length).toBeGreaterThan(0);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0].kid).toEqual(expect.any(String));
    expect(jwks.keys[0].d).toBeUndefined();

    // Rotation: a new key signs, the previous one stays published (assertions it signed still verify).
    const rotated = await request(api.app.getHttpServer())
      .post('/api/admin/lti/keys/rotate')
      .set('Authorization', `Bearer ${admin.token}`)
      .expect(200);
    const after = await (await fetch(`${api.url}/.well-known/jwks.json`)).json();
    const kids = (after.keys as { kid: string }[]).map((k) => k.kid);
    expect(kids[0]).toBe(rotated.body.kid);
    expect(kids).toContain(jwks.keys[0].kid);

    const student = await userWithToken(api, Role.student);
    await request(api.app.getHttpServer())
      .post('/api/admin/lti/platforms')
      .set('Authorization', `Bearer ${student.token}`)
      .send(platform.registration)
      .expect(403);
    const bad = await request(api.app.getHttpServer())
      .post('/api/admin/lti/platforms')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ ...platform.registration, clientId: 'autre', jwksUrl: 'ftp://x', authUrl: 'pas une adresse' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('jwksUrl');
    expect(JSON.stringify(bad.body)).toContain('authUrl');
  });

  it('launches a learner into the exercise, logged in; the graded score reaches the line item once, with retries', async () => {
    worker = startWorker({
      REDIS_PREFIX: prefix,
      SANDBOX_POOL_SIZE: '0',
      WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.5,0.5,0.5',
      PUBLIC_URL: api.url,
    });
    const { response } = await platform.launch(LEARNER, LINK);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/exercises/hello-world');
    const session = cookieOf(response);
    expect(session).toBeDefined();
    const cookie = `dg_session=${session}`;

    const page = await fetch(`${api.url}/exercises/hello-world`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    expect(csrf).toBeDefined();

    const user = await api.prisma.user.findFirstOrThrow({
      where: { lmsId: `lti:${platformId}`, lmsUserId: LEARNER.sub },
    });
    expect(user).toMatchObject({ email: LEARNER.email, displayName: LEARNER.name, role: Role.student });

    // The platform is briefly unavailable for the first score: the delivery retries.
    platform.planScores({ kind: 'status', status: 503 });
    const form = new FormData();
    form.set('_csrf', csrf!);
    form.set('source', hello.reference.source);
    const sent = await fetch(`${api.url}/exercises/hello-world`, {
      method: 'POST',
      headers: { cookie },
      body: form,
      redirect: 'manual',
    });
    expect(sent.status).toBe(303);
    const submissionId = /\/submissions\/([0-9a-f-]{36})/.exec(sent.headers.get('location') ?? '')?.[1];
    expect(submissionId).toBeDefined();

    const graded = await waitForStatus(api.prisma, submissionId!, ['graded'], 120_000).catch((err: Error) => {
      throw new Error(`${err.message}\nworker output:\n${worker?.output().slice(-3000)}`);
    });
    const result = graded.results[0];
    expect(result.score).toBe(hello.maxScore);

    const score = await eventually(async () => {
      if (platform.scores.length === 0) throw new Error('no score at the platform yet');
      return platform.scores[0];
    }, 30_000);
    expect(score.lineItem).toBe(`/lineitems/${LINK.id}/lineitem`);
    expect(score.body).toMatchObject({
      userId: LEARNER.sub,
      scoreGiven: result.score,
      scoreMaximum: result.maxScore,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
    });
    expect(score.body.comment).toMatch(/vérification/);
    // The platform answered before the worker wrote down that it did.
    const delivery = await eventually(async () => {
      const d = await api.prisma.webhookDelivery.findFirstOrThrow({
        where: { submissionId, kind: 'lti_score' },
        include: { attemptLog: { orderBy: { number: 'asc' } } },
      });
      if (d.status !== 'delivered') throw new Error(`delivery is ${d.status}`);
      return d;
    }, 10_000);
    expect(delivery.attemptLog.map((a) => a.httpStatus)).toEqual([503, 200]);
    // Once at the platform, and one token for both attempts (cached until it expires).
    await new Promise((r) => setTimeout(r, 1000));
    expect(platform.scores).toHaveLength(1);
    expect(platform.tokenRequests).toEqual([{ ok: true }]);
    expect(platform.refusedScores).toEqual([]);

    // The admin's log of scores sent to this platform: the activity, the student, both attempts.
    const adminCookie = `dg_session=${await api.app.get(SessionService).create(admin.id)}`;
    const log = await fetch(`${api.url}/admin/lti/${platformId}/deliveries`, { headers: { cookie: adminCookie } });
    expect(log.status).toBe(200);
    const logHtml = await log.text();
    const row = new RegExp(`<tr data-delivery="${delivery.id}">([\\s\\S]*?)</tr>`).exec(logHtml)?.[1] ?? '';
    expect(row).toContain(LINK.title);
    expect(row).toContain(LEARNER.name);
    expect(row).toContain('Remise');
    expect(row).toMatch(/503[\s\S]*200/);
    // Nothing failed: the failed-only view is empty; a learner's session gets the 403 page.
    const failed = await fetch(`${api.url}/admin/lti/${platformId}/deliveries?status=failed`, {
      headers: { cookie: adminCookie },
    });
    expect(await failed.text()).toContain('Aucun envoi en échec');
    expect((await fetch(`${api.url}/admin/lti/${platformId}/deliveries`, { headers: { cookie } })).status).toBe(403);
  }, 240_000);

  it('makes the LMS course a course here: launches enrol its teacher and learners, and lead to its assignment once given', async () => {
    const instructor = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor';
    const TEACHER: PlatformUser = { sub: 'moodle-prof-3', name: 'Anne Bernard', roles: [instructor] };
    const link = { id: 'rl-three-db', title: 'TP 3 : trois bases', custom: { exercise: 'three-databases' } };
    const launchTo = async (user: PlatformUser) => {
      const { response } = await platform.launch(user, link);
      expect(response.status).toBe(303);
      return response.headers.get('location');
    };
    const enrolments = async (courseId: string) =>
      Object.fromEntries(
        (
          await api.prisma.enrolment.findMany({
            where: { courseId },
            select: { role: true, user: { select: { lmsUserId: true } } },
          })
        ).map((e) => [e.user.lmsUserId, e.role]),
      );

    // The first launch from the LMS course makes the course (the platform's context: id and title).
    expect(await launchTo(TEACHER)).toBe('/exercises/three-databases');
    const course = await api.prisma.course.findFirstOrThrow({
      where: { ltiPlatformId: platformId, ltiContextId: 'cours-docker' },
    });
    expect(course.code).toMatch(/^LMS-[0-9A-F]{12}$/);
    expect(course.title).toBe('Docker, premiers pas');
    expect(await launchTo(LEARNER)).toBe('/exercises/three-databases');
    expect(await enrolments(course.id)).toEqual({ [TEACHER.sub]: 'instructor', [LEARNER.sub]: 'student' });

    // The teacher gives the exercise a deadline in that course; launches now lead to the assignment.
    const created = await request(api.app.getHttpServer())
      .post(`/api/courses/${course.code}/assignments`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({
        exercise: 'three-databases',
        dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        counted: 'best',
      })
      .expect(201);
    const assignmentId = created.body.id as string;
    const { response } = await platform.launch(LEARNER, link);
    expect(response.headers.get('location')).toBe(`/exercises/three-databases?assignment=${assignmentId}`);
    const page = await fetch(`${api.url}${response.headers.get('location')}`, {
      headers: { cookie: `dg_session=${cookieOf(response)}` },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`name="assignment" value="${assignmentId}"`);

    // A teacher trying the activity as a learner (student view) stays the course's instructor.
    await launchTo({ ...TEACHER, roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'] });
    expect(await enrolments(course.id)).toEqual({ [TEACHER.sub]: 'instructor', [LEARNER.sub]: 'student' });

    // The gradebook has the learner's row (and not the teacher's).
    const gradebook = await request(api.app.getHttpServer())
      .get(`/api/courses/${course.code}/gradebook`)
      .set('Authorization', `Bearer ${admin.token}`)
      .expect(200);
    expect((gradebook.body.rows as Array<{ email: string }>).map((r) => r.email)).toEqual([LEARNER.email]);
  });

  describe('refused launches: 401 with one line, no session', () => {
    async function refused(res: Response, reason: RegExp) {
      const text = await res.text();
      expect(res.status).toBe(401);
      expect(text.trim().split('\n')).toHaveLength(1);
      expect(text).toMatch(reason);
      expect(cookieOf(res)).toBeUndefined();
    }

    it('a replayed launch (the same form posted again)', async () => {
      const form = await platform.launchForm(LEARNER, LINK);
      expect((await postForm(form)).status).toBe(303);
      await refused(await postForm(form), /state inconnu ou déjà utilisé/);
    });

    it('an id_token with another nonce than the one sent for this state', async () => {
      const form = await platform.launchForm(LEARNER, LINK);
      const claims = decodeJwt(form.fields.id_token);
      const forged = await platform.idToken({
        ...platform.launchClaims(LEARNER, LINK, 'un-autre-nonce'),
        sub: claims.sub,
      });
      await refused(await postForm({ ...form, fields: { ...form.fields, id_token: forged } }), /nonce/);
    });

    it('an expired id_token', async () => {
      const form = await platform.launchForm(LEARNER, LINK);
      const nonce = decodeJwt(form.fields.id_token).nonce as string;
      const now = Math.floor(Date.now() / 1000);
      const expired = await platform.idToken(platform.launchClaims(LEARNER, LINK, nonce), {
        issuedAt: now - 900,
        expiresAt: now - 600,
      });
      await refused(await postForm({ ...form, fields: { ...form.fields, id_token: expired } }), /expiré/);
    });

    it('an id_token signed with a key that is not the platform’s (same kid)', async () => {
      const form = await platform.launchForm(LEARNER, LINK);
      const nonce = decodeJwt(form.fields.id_token).nonce as string;
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await platform.idToken(platform.launchClaims(LEARNER, LINK, nonce), { key: privateKey });
      await refused(await postForm({ ...form, fields: { ...form.fields, id_token: forged } }), /signature invalide/);
    });

    it('an id_token for another tool (aud is not our client id), signed by the platform', async () => {
      const form = await platform.launchForm(LEARNER, LINK);
      const nonce = decodeJwt(form.fields.id_token).nonce as string;
      // azp too: the token was issued to that other tool, as a platform does.
      const forged = await platform.idToken(
        { ...platform.launchClaims(LEARNER, LINK, nonce), azp: 'un-autre-outil' },
        { audience: 'un-autre-outil' },
      );
      await refused(await postForm({ ...form, fields: { ...form.fields, id_token: forged } }), /aud invalide/);
    });

    it('an id_token whose aud names us among others, issued to another of them (azp)', async () => {
      const form = await platform.launchForm(LEARNER, LINK);
      const nonce = decodeJwt(form.fields.id_token).nonce as string;
      const forged = await platform.idToken(
        { ...platform.launchClaims(LEARNER, LINK, nonce), azp: 'un-autre-outil' },
        { audience: [platform.clientId, 'un-autre-outil'] },
      );
      await refused(await postForm({ ...form, fields: { ...form.fields, id_token: forged } }), /azp/);
    });

    it('an id_token of an unknown deployment', async () => {
      const form = await platform.launchForm(LEARNER, LINK);
      const nonce = decodeJwt(form.fields.id_token).nonce as string;
      const forged = await platform.idToken({
        ...platform.launchClaims(LEARNER, LINK, nonce),
        'https://purl.imsglobal.org/spec/lti/claim/deployment_id': 'autre-deploiement',
      });
      await refused(await postForm({ ...form, fields: { ...form.fields, id_token: forged } }), /deployment_id/);
    });

    it('a launch with no state at all', async () => {
      const form = await platform.launchForm(LEARNER, LINK);
      await refused(await postForm({ ...form, fields: { id_token: form.fields.id_token } }), /state manquant/);
    });
  });
});
