import request from 'supertest';
import { Role } from '../../src/generated/prisma/enums';
import { ApiHarness, startApi, suitePrefix, userWithToken } from '../support/api-app';
import { deleteIntegrations } from '../support/lms';
import { signedHeaders } from '../support/webhook-receiver';

/**
 * Signed submissions from a school's platform over HTTP (no worker: jobs stay queued): every
 * refusal is a 4xx with a one-line reason and stores nothing; a webhook-id maps to one submission,
 * also when the same message arrives many times at once.
 */
describe('LMS inbound submissions', () => {
  let api: ApiHarness;
  let admin: { id: string; token: string };
  const integrations: string[] = [];
  let integration: { id: string; inboundSecret: string; webhookSecret: string };

  const http = () => request(api.app.getHttpServer());
  const body = (over: Record<string, unknown> = {}) =>
    JSON.stringify({
      user: { id: 'moodle-42', email: `eleve-${Date.now()}@lycee.test`, name: 'Élève Test' },
      exercise: 'hello-world',
      assignment: 'tp-1',
      source: 'docker run hello-world',
      ...over,
    });
  let n = 0;
  const msgId = () => `msg_${Date.now()}_${++n}`;
  const send = (raw: string, headers: Record<string, string>, id = integration.id) =>
    http().post(`/api/lms/${id}/submissions`).set('content-type', 'application/json').set(headers).send(raw);
  const counts = async () => ({
    submissions: await api.prisma.submission.count(),
    links: await api.prisma.lmsSubmission.count(),
    users: await api.prisma.user.count(),
  });

  beforeAll(async () => {
    api = await startApi({ REDIS_PREFIX: suitePrefix('lms-in'), PUBLIC_URL: 'https://grader.example.fr' });
    admin = await userWithToken(api, Role.admin);
    const res = await http()
      .post('/api/admin/integrations')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ name: 'Lycée Test', webhookUrl: 'http://127.0.0.1:9/hooks', courses: ['DOCKER-101'] })
      .expect(201);
    integration = res.body;
    integrations.push(integration.id);
    expect(integration.inboundSecret).toMatch(/^whsec_/);
    expect(integration.webhookSecret).toMatch(/^whsec_/);
  });
  afterAll(async () => {
    await deleteIntegrations(api.prisma, integrations);
    await api?.close();
  });

  it('accepts a signed submission: 202 {id, status, statusUrl}, the user provisioned and linked', async () => {
    const raw = body();
    const id = msgId();
    const res = await send(raw, signedHeaders(integration.inboundSecret, id, raw)).expect(202);
    expect(res.body).toEqual({
      id: expect.any(String),
      status: 'queued',
      statusUrl: `https://grader.example.fr/api/lms/${integration.id}/submissions/${res.body.id}`,
    });
    const link = await api.prisma.lmsSubmission.findUniqueOrThrow({
      where: { submissionId: res.body.id },
      include: { submission: { include: { user: true } } },
    });
    expect(link).toMatchObject({
      integrationId: integration.id,
      messageId: id,
      externalUserId: 'moodle-42',
      assignment: 'tp-1',
    });
    expect(link.submission.user).toMatchObject({
      lmsId: `integration:${integration.id}`,
      lmsUserId: 'moodle-42',
      role: 'student',
    });

    // The same external user again: the same account, not a second one.
    const raw2 = body({ source: 'docker run -d hello-world' });
    const id2 = msgId();
    const again = await send(raw2, signedHeaders(integration.inboundSecret, id2, raw2)).expect(202);
    const s2 = await api.prisma.submission.findUniqueOrThrow({ where: { id: again.body.id } });
    expect(s2.userId).toBe(link.submission.userId);

    // The status URL, signed like any request (empty body).
    const path = `/api/lms/${integration.id}/submissions/${res.body.id}`;
    const status = await http()
      .get(path)
      .set(signedHeaders(integration.inboundSecret, msgId(), ''))
      .expect(200);
    expect(status.body).toMatchObject({ id: res.body.id, status: 'queued' });
    await http().get(path).expect(401);
  });

  it('refuses forged, stale, future, unknown and disabled with 401 and a one-line reason, storing nothing', async () => {
    const raw = body();
    const before = await counts();
    const cases: Array<[string, Record<string, string>, string, RegExp]> = [
      [
        'forged',
        signedHeaders(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, msgId(), raw),
        integration.id,
        /does not match/,
      ],
      [
        'altered body',
        signedHeaders(integration.inboundSecret, msgId(), raw.replace('hello', 'hallo')),
        integration.id,
        /does not match/,
      ],
      [
        'stale',
        signedHeaders(integration.inboundSecret, msgId(), raw, new Date(Date.now() - 6 * 60_000)),
        integration.id,
        /too old/,
      ],
      [
        'future',
        signedHeaders(integration.inboundSecret, msgId(), raw, new Date(Date.now() + 6 * 60_000)),
        integration.id,
        /future/,
      ],
      [
        'unknown',
        signedHeaders(integration.inboundSecret, msgId(), raw),
        '00000000-0000-4000-8000-000000000000',
        /unknown integration/,
      ],
      ['not an id', signedHeaders(integration.inboundSecret, msgId(), raw), 'nope', /unknown integration/],
    ];
    for (const [name, headers, id, reason] of cases) {
      const res = await send(raw, headers, id);
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
      expect(res.body.message).toMatch(reason);
      expect(res.body.message).not.toContain('\n');
    }
    const missing = await send(raw, { 'webhook-id': msgId() });
    expect(missing.status).toBe(401);
    expect(missing.body.message).toMatch(/missing webhook-timestamp/);

    const other = await api.prisma.integration.create({
      data: {
        name: 'off',
        inboundSecret: integration.inboundSecret,
        webhookSecret: integration.webhookSecret,
        enabled: false,
      },
    });
    integrations.push(other.id);
    const off = await send(raw, signedHeaders(integration.inboundSecret, msgId(), raw), other.id);
    expect(off.status).toBe(401);
    expect(off.body.message).toBe('integration disabled');
    expect(await counts()).toEqual(before);
  });

  it('refuses a well-signed but invalid body with 400 naming the field, storing nothing', async () => {
    const before = await counts();
    const cases: Array<[string, RegExp, number]> = [
      [body({ user: { email: 'x@y.fr' } }), /user\.id/, 400],
      [body({ exercise: 'No Such' }), /exercise/, 400],
      [body({ source: '' }), /source/, 400],
      [body({ files: [{ path: '../etc/passwd', content: 'x' }] }), /files\.0\.path/, 400],
      [body({ extra: 1 }), /extra: unknown field/, 400],
      [body({ user: { id: 'a\u0001b' } }), /user\.id/, 400],
      [body({ exercise: 'no-such-exercise' }), /exercise no-such-exercise not found/, 404],
    ];
    for (const [raw, reason, status] of cases) {
      const res = await send(raw, signedHeaders(integration.inboundSecret, msgId(), raw));
      expect({ raw, status: res.status }).toEqual({ raw, status });
      expect(res.body.message).toMatch(reason);
    }
    expect(await counts()).toEqual(before);
  });

  it('answers a replayed webhook-id with the same submission (200, same body), never a second one', async () => {
    const raw = body();
    const id = msgId();
    const first = await send(raw, signedHeaders(integration.inboundSecret, id, raw)).expect(202);
    const before = await counts();
    // A retry by the platform re-signs with a new timestamp; the id is what names the message.
    const replay = await send(
      raw,
      signedHeaders(integration.inboundSecret, id, raw, new Date(Date.now() - 1000)),
    ).expect(200);
    expect(replay.body).toEqual(first.body);
    expect(await counts()).toEqual(before);
  });

  it('stores one submission when the same message arrives 12 times at once', async () => {
    const raw = body({ user: { id: `concurrent-${Date.now()}`, email: `c-${Date.now()}@lycee.test` } });
    const id = msgId();
    const before = await counts();
    const headers = signedHeaders(integration.inboundSecret, id, raw);
    const answers = await Promise.all(Array.from({ length: 12 }, () => send(raw, headers)));
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(11).fill(200), 202].sort());
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const after = await counts();
    expect(after.submissions - before.submissions).toBe(1);
    expect(after.links - before.links).toBe(1);
    expect(after.users - before.users).toBe(1);
  });

  it('never takes over an existing account by its email', async () => {
    const raw = body({
      user: {
        id: 'moodle-evil',
        email: admin.id ? (await api.prisma.user.findUniqueOrThrow({ where: { id: admin.id } })).email : '',
      },
    });
    const res = await send(raw, signedHeaders(integration.inboundSecret, msgId(), raw)).expect(202);
    const s = await api.prisma.submission.findUniqueOrThrow({ where: { id: res.body.id }, include: { user: true } });
    expect(s.userId).not.toBe(admin.id);
    expect(s.user.role).toBe('student');
    expect(s.user.email).toMatch(/@lms\.invalid$/);
  });

  it('rotation: the old inbound secret keeps verifying for 24 h, the new one works at once', async () => {
    const old = integration.inboundSecret;
    const rotated = await http()
      .post(`/api/admin/integrations/${integration.id}/rotate`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ which: 'inbound' })
      .expect(200);
    expect(rotated.body.inboundSecret).not.toBe(old);
    expect(rotated.body.webhookSecret).toBe(integration.webhookSecret);
    for (const secret of [old, rotated.body.inboundSecret as string]) {
      const raw = body();
      await send(raw, signedHeaders(secret, msgId(), raw)).expect(202);
    }
    // Once the grace period is over, the old one is refused.
    await api.prisma.integration.update({
      where: { id: integration.id },
      data: { inboundPreviousUntil: new Date(Date.now() - 1) },
    });
    const raw = body();
    const res = await send(raw, signedHeaders(old, msgId(), raw));
    expect(res.status).toBe(401);
    integration.inboundSecret = rotated.body.inboundSecret;
  });

  it('admin API: lists without secrets, validates with the field named, students are refused', async () => {
    const list = await http().get('/api/admin/integrations').set('Authorization', `Bearer ${admin.token}`).expect(200);
    const mine = (list.body as Array<Record<string, unknown>>).find((i) => i.id === integration.id);
    expect(mine).toMatchObject({ name: 'Lycée Test', courses: ['DOCKER-101'], enabled: true });
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    const bad = await http()
      .post('/api/admin/integrations')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ name: 'x', webhookUrl: 'file:///etc/passwd' })
      .expect(400);
    expect(bad.body.message).toMatch(/webhookUrl/);
    const student = await userWithToken(api, Role.student);
    await http().get('/api/admin/integrations').set('Authorization', `Bearer ${student.token}`).expect(403);
  });
});
