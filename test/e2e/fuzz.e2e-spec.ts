import fc from 'fast-check';
import { randomUUID as randomUUIDv4 } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SessionService } from '../../src/auth/session.service';
import { Role } from '../../src/generated/prisma/enums';
import { ApiHarness, startApi, suitePrefix, userWithToken } from '../support/api-app';
import { hostileFilePath, hostileString, mutatedObject, rawJsonBody } from '../support/fuzz-arbitraries';
import { deleteIntegrations } from '../support/lms';
import { OpenApiDocument, routeCases } from '../support/fuzz-routes';
import { RawHttpClient, RawRequest, RawResponse } from '../support/raw-http';
import { routeInventory } from '../support/route-inventory';
import { signedHeaders } from '../support/webhook-receiver';

/**
 * Every JSON route and every form, fed what hostile or broken clients send (issue #18). The routes
 * are read from the running router (test/support/fuzz-routes.ts: bodies from each route's OpenAPI
 * schema, path and query fuzz for the others, forms with and without their CSRF token); the main
 * routes get deeper cases below. Malformed
 * JSON, wrong types, 10 MB bodies, deep nesting, NUL bytes, invalid UTF-8, lookalike slugs, path
 * traversal in file names, 10,000 files, injection strings, CR/LF in headers, duplicate keys.
 * The property: no answer is a 5xx, and a 400 or 413 names what was wrong (JSON: each field, or the part;
 * pages: the field next to the form, or on the error page).
 * FUZZ_SEED replays a run; FUZZ_SCALE multiplies the request counts (default 1: > 20,000 requests).
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const CONCURRENCY = 16;
/** Generated requests for each route of the router (beside the deeper ones below for the main routes). */
const PER_ROUTE = 60;

interface Case {
  target: string;
  req?: RawRequest;
  /** An event stream: judged on its status line, then the client hangs up. */
  stream?: boolean;
  /** Bytes Node's client refuses to send (CR/LF in a header, a broken request line). */
  raw?: { head: string | Buffer; body?: Buffer };
}

interface Failure {
  target: string;
  status: number;
  why: string;
  request: string;
  response: string;
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '',
];

const enc = (s: string): string => {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80'; // a lone surrogate, as bytes an attacker would send
  }
};

/** Path segments: encoded hostile strings, and raw odd encodings Express must decode or refuse. */
const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  hostileString.map(enc),
  fc.constantFrom(
    '%00',
    '%ff',
    '%',
    '%zz',
    '..%2f..%2fetc%2fpasswd',
    '%2e%2e',
    '%c0%ae%c0%ae',
    '..',
    '.',
    '%20',
    '%0d%0a',
  ),
  fc.uuid(),
);

function sample<T>(arb: fc.Arbitrary<T>, n: number, salt: number): T[] {
  return fc.sample(arb, { numRuns: Math.max(1, Math.round(n * SCALE)), seed: SEED + salt });
}

function multipart(
  fields: Record<string, string>,
  files: { name: string; content: Buffer }[],
): { body: Buffer; type: string } {
  const boundary = `----fuzz${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: text/plain\r\n\r\n`,
      ),
      f.content,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

/**
 * A refusal's message names the part of the request it refused, as a word of its own ("invalid"
 * does not name an id): the body or its JSON, a header, the query, a path parameter, the files.
 */
const NAMED_PART = /\b(body|JSON|multipart|header\.[\w-]+|query\.\w+|param|files)\b/i;

/**
 * Why a 400 or 413 fails to say what was wrong, or undefined when it says it. JSON: a validation
 * failure lists each field, each named in its message; any other refusal names the part in its
 * message. A page: the form shown again with the refused field marked (its `<name>-error` line), or
 * the error page's "En cause" line. The one-line refusals of LTI logins and launches say why after
 * "refusé :".
 */
function unnamed(status: number, type: string, text: string): string | undefined {
  if (type.startsWith('application/json')) {
    const body = JSON.parse(text) as { error?: string; message?: string; fields?: { field: string }[] };
    const message = body.message ?? '';
    if (body.error === 'validation_failed')
      return body.fields?.length && body.fields.every((f) => f.field && message.includes(`${f.field}: `))
        ? undefined
        : `${status} without each field named`;
    return NAMED_PART.test(message) ? undefined : `${status} whose message names nothing`;
  }
  if (type.startsWith('text/html')) {
    const fieldError = /<p class="field-error" id="[\w-]+-error"[^>]*>[^<]+</.test(text);
    const culprit = /data-testid="error-culprit">En cause : (le champ|les champs|le formulaire|l'adresse)/.test(text);
    return fieldError || culprit ? undefined : `${status} page that names nothing`;
  }
  if (type.startsWith('text/plain')) return /refusé : \S/.test(text) ? undefined : `${status} line that names nothing`;
  return `${status} answered as ${type}`;
}

/** Header values Node's client accepts (others go through the raw socket cases). */
const headerSafe = (s: string): string => s.replace(/[^\x20-\x7e]/g, '');

describe('fuzzing every JSON route and form', () => {
  let api: ApiHarness;
  let client: RawHttpClient;
  let student: { id: string; token: string };
  let instructor: { id: string; token: string };
  let admin: { id: string; token: string };
  let session: { cookie: string; csrf: string };
  let adminSession: { cookie: string; csrf: string };
  const integrations: string[] = [];
  const serverErrors: string[] = [];

  beforeAll(async () => {
    api = await startApi({
      REDIS_PREFIX: suitePrefix('fuzz'),
      // Valid submissions must reach the store and the queue, not stop at the rate limit.
      SUBMISSION_RATE_LIMIT: '1000000',
      QUEUE_MAX_DEPTH: '1000000',
      LOG_LEVEL: 'silent',
    });
    client = new RawHttpClient(api.url);
    // The harness silences Nest's logger; keep what the exception filter logs for a 5xx, to report its cause.
    api.app.useLogger({
      log: () => undefined,
      warn: () => undefined,
      error: (m: unknown) => void serverErrors.push(String(m).split('\n').slice(0, 4).join(' | ')),
    });
    student = await userWithToken(api, Role.student);
    instructor = await userWithToken(api, Role.instructor);
    admin = await userWithToken(api, Role.admin);
    const sessions = api.app.get(SessionService);
    const signIn = async (userId: string) => {
      const token = await sessions.create(userId);
      const ctx = await sessions.resolve(token);
      return { cookie: `dg_session=${token}`, csrf: ctx!.csrfToken };
    };
    session = await signIn(student.id);
    adminSession = await signIn(admin.id);
  });
  afterAll(async () => {
    client?.close();
    if (api) {
      await deleteIntegrations(api.prisma, integrations);
      // Users the fuzzer created through the admin API (and their submissions, invitations).
      const made = await api.prisma.user.findMany({
        where: { createdAt: { gte: new Date(Date.now() - 3_600_000) }, email: { not: { endsWith: '@test.local' } } },
        select: { id: true },
      });
      api.users.push(...made.map((u) => u.id));
      await api.prisma.invitation.deleteMany({ where: { userId: { in: api.users } } });
      await api.close();
    }
  });

  it('answers ≥ 20,000 generated requests without a single 5xx, each 400 and 413 naming what was wrong', async () => {
    const bearer = (t: { token: string }) => ({ authorization: `Bearer ${t.token}` });
    const json = (path: string, who: { token: string }, body: unknown, method = 'POST'): RawRequest => ({
      method,
      path,
      headers: { ...bearer(who), 'content-type': 'application/json' },
      body: JSON.stringify(body) ?? '',
    });

    // Integrations: one the inbound fuzz signs with, one the admin fuzz patches and rotates.
    const created = [] as { id: string; inboundSecret: string }[];
    for (const name of ['Fuzz inbound', 'Fuzz admin']) {
      const res = await client.send(json('/api/admin/integrations', admin, { name, courses: ['FUZZ-1'] }));
      expect(res.status).toBe(201);
      const body = JSON.parse(res.body) as { id: string; inboundSecret: string };
      integrations.push(body.id);
      created.push(body);
    }
    const [inbound, managed] = created;
    const invitation = await client.send(json('/api/invitations', instructor, { email: 'fuzz-invite@lycee.test' }));
    expect(invitation.status).toBe(201);
    const inviteToken = (JSON.parse(invitation.body) as { link: string }).link.split('/').pop()!;

    const validSubmission = { exercise: 'hello-world', source: 'docker run hello-world', files: [] as unknown[] };
    const validLms = { ...validSubmission, user: { id: 'fuzz-1', email: 'fuzz-lms@lycee.test' }, assignment: 'tp' };

    // A course of the instructor with one assignment, and a registered LTI platform: the routes of
    // courses, reports and LTI are fuzzed on real rows, not only on unknown ids.
    const courseCode = `FUZZ-${randomUUIDv4().slice(0, 6)}`;
    expect((await client.send(json('/api/courses', instructor, { code: courseCode, title: 'Fuzz' }))).status).toBe(201);
    const due = new Date(Date.now() + 86_400_000).toISOString();
    const made = await client.send(
      json(`/api/courses/${courseCode}/assignments`, instructor, { exercise: 'hello-world', dueAt: due }),
    );
    expect(made.status).toBe(201);
    const assignmentId = (JSON.parse(made.body) as { id: string }).id;
    const validAssignment = { exercise: 'hello-world', dueAt: due, lateCredit: 0.5, maxAttempts: 3, counted: 'best' };
    const validPlatform = {
      name: 'Moodle fuzz',
      issuer: `https://moodle-${randomUUIDv4().slice(0, 6)}.lycee.test`,
      clientId: 'fuzz',
      deploymentIds: ['1'],
      authUrl: 'https://moodle.lycee.test/auth',
      tokenUrl: 'https://moodle.lycee.test/token',
      jwksUrl: 'https://moodle.lycee.test/jwks',
    };
    const file = fc.record({ path: hostileFilePath, content: hostileString });
    let msg = 0;
    const signed = (body: Buffer | string): RawRequest => {
      const raw = Buffer.isBuffer(body) ? body : Buffer.from(body);
      return {
        method: 'POST',
        path: `/api/lms/${inbound.id}/submissions`,
        headers: {
          'content-type': 'application/json',
          ...signedHeaders(inbound.inboundSecret, `msg_fuzz_${SEED}_${++msg}`, raw.toString('latin1')),
        },
        body: raw,
      };
    };
    const tenThousandFiles = Array.from({ length: 10_000 }, (_, i) => ({ path: `f${i}.txt`, content: '' }));
    const tenMegabytes = Buffer.alloc(10 * 1024 * 1024, 'a');

    // Every route the router serves, read from it, with bodies from the OpenAPI document's schemas.
    const { routes } = routeInventory(api.app, ['/admin/queues']);
    const openapi = JSON.parse((await client.send({ method: 'GET', path: '/docs-json' })).body) as OpenApiDocument;
    const fromRouter = routeCases(
      routes,
      openapi,
      {
        bearer: { student: student.token, instructor: instructor.token, admin: admin.token },
        sessions: { student: session, admin: adminSession },
        known: {
          slug: ['hello-world'],
          code: [courseCode],
          integrationId: [inbound.id],
        },
        hostileSegment,
        contentTypes: CONTENT_TYPES,
        enc,
      },
      PER_ROUTE,
      sample,
      1000,
    );

    const cases: Case[] = [
      ...fromRouter,
      // --- deeper, per route: POST /api/submissions: structured, then raw bytes ---
      ...sample(
        fc.oneof(
          mutatedObject(validSubmission),
          fc.array(file, { maxLength: 25 }).map((files) => ({ ...validSubmission, files })),
          fc.tuple(hostileString, hostileString).map(([exercise, source]) => ({ exercise, source })),
        ),
        4000,
        1,
      ).map((b) => ({ target: 'POST /api/submissions', req: json('/api/submissions', student, b) })),
      ...sample(fc.tuple(rawJsonBody(validSubmission), fc.constantFrom(...CONTENT_TYPES)), 2500, 2).map(
        ([body, type]) => ({
          target: 'POST /api/submissions (raw)',
          req: {
            method: 'POST',
            path: '/api/submissions',
            headers: { ...bearer(student), 'content-type': type },
            body,
          },
        }),
      ),
      ...sample(hostileString, 300, 3).map((key) => ({
        target: 'POST /api/submissions (Idempotency-Key)',
        req: {
          ...json('/api/submissions', student, validSubmission),
          headers: { ...json('', student, {}).headers, 'idempotency-key': headerSafe(key) || ' ' },
        },
      })),
      {
        target: 'POST /api/submissions (10,000 files)',
        req: json('/api/submissions', student, { ...validSubmission, files: tenThousandFiles }),
      },
      ...['/api/submissions', '/api/admin/users', `/api/lms/${inbound.id}/submissions`, '/api/invitations'].map(
        (path) => ({
          target: `POST ${path} (10 MB)`,
          req: {
            method: 'POST',
            path,
            headers: { ...bearer(admin), 'content-type': 'application/json' },
            body: tenMegabytes,
          },
        }),
      ),
      ...['gzip', 'deflate', 'br', 'identity, gzip', 'x-unknown'].map((encoding) => ({
        target: 'POST /api/submissions (Content-Encoding)',
        req: {
          method: 'POST',
          path: '/api/submissions',
          headers: { ...bearer(student), 'content-type': 'application/json', 'content-encoding': encoding },
          body: Buffer.from('not compressed at all'),
        },
      })),

      // --- GET /api/submissions?… (student and instructor) ---
      ...sample(
        fc.tuple(
          fc.dictionary(
            fc.oneof(fc.constantFrom('exercise', 'user', 'status', 'cursor', 'limit'), hostileString),
            hostileString,
            { maxKeys: 4 },
          ),
          fc.boolean(),
        ),
        1500,
        4,
      ).map(([q, staff]) => ({
        target: 'GET /api/submissions',
        req: {
          method: 'GET',
          path: `/api/submissions?${Object.entries(q)
            .map(([k, v]) => `${enc(k)}=${enc(v)}`)
            .join('&')}`,
          headers: bearer(staff ? instructor : student),
        },
      })),
      ...['limit=1&limit=2', 'user[$ne]=x', 'status[]=graded', 'limit=1e3', 'limit=-1', 'limit=0x10', 'cursor=%00'].map(
        (q) => ({
          target: 'GET /api/submissions',
          req: { method: 'GET', path: `/api/submissions?${q}`, headers: bearer(student) },
        }),
      ),

      // --- one submission by id: read, events, regrade ---
      ...sample(fc.tuple(hostileSegment, fc.constantFrom('', '/events', '/regrade')), 1500, 5).map(([id, tail]) => ({
        target: `${tail === '/regrade' ? 'POST' : 'GET'} /api/submissions/:id${tail}`,
        req: {
          method: tail === '/regrade' ? 'POST' : 'GET',
          path: `/api/submissions/${id}${tail}`,
          headers: bearer(tail === '/regrade' ? instructor : student),
        },
      })),

      // --- exercises by slug: read, regrade ---
      ...sample(fc.tuple(hostileSegment, fc.boolean()), 1500, 6).map(([slug, regrade]) => ({
        target: regrade ? 'POST /api/exercises/:slug/regrade' : 'GET /api/exercises/:slug',
        req: {
          method: regrade ? 'POST' : 'GET',
          path: `/api/exercises/${slug}${regrade ? '/regrade' : ''}`,
          headers: bearer(regrade ? instructor : student),
        },
      })),

      // --- admin: users, tokens; instructors: invitations ---
      ...sample(mutatedObject({ email: 'x@lycee.test', displayName: 'X', role: 'student' }), 900, 7).map((b) => ({
        target: 'POST /api/admin/users',
        req: json('/api/admin/users', admin, b),
      })),
      ...sample(fc.tuple(hostileSegment, mutatedObject({ name: 'ci' })), 600, 8).map(([id, b]) => ({
        target: 'POST /api/admin/users/:id/tokens',
        req: json(`/api/admin/users/${id.length % 3 === 0 ? student.id : id}/tokens`, admin, b),
      })),
      ...sample(mutatedObject({ email: 'y@lycee.test', displayName: 'Y' }), 700, 9).map((b) => ({
        target: 'POST /api/invitations',
        req: json('/api/invitations', instructor, b),
      })),

      // --- admin: a user's data, retention ---
      ...sample(mutatedObject({ olderThanDays: 36_500 }), 300, 26).map((b) => ({
        target: 'POST /api/admin/retention/purge',
        req: json('/api/admin/retention/purge', admin, b),
      })),
      ...sample(fc.tuple(hostileSegment, fc.boolean()), 300, 27).map(([id, erase]) => ({
        target: erase ? 'POST /api/admin/users/:id/erase' : 'GET /api/admin/users/:id/export',
        // Never a real user's id: erasing the fuzzer's own users would end the run.
        req: erase
          ? json(`/api/admin/users/${id}/erase`, admin, { confirm: true })
          : { method: 'GET', path: `/api/admin/users/${id}/export`, headers: bearer(admin) },
      })),

      // --- admin: integrations and deliveries ---
      ...sample(mutatedObject({ name: 'L', webhookUrl: 'https://lms.example.fr/hook', courses: ['C1'] }), 600, 10).map(
        (b) => ({ target: 'POST /api/admin/integrations', req: json('/api/admin/integrations', admin, b) }),
      ),
      ...sample(
        fc.tuple(
          fc.oneof(fc.constant(managed.id), hostileSegment),
          mutatedObject({
            enabled: true,
            webhookEnabled: true,
            webhookUrl: 'https://lms.example.fr/h',
            courses: ['C2'],
          }),
        ),
        600,
        11,
      ).map(([id, b]) => ({
        target: 'PATCH /api/admin/integrations/:id',
        req: json(`/api/admin/integrations/${id}`, admin, b, 'PATCH'),
      })),
      ...sample(
        fc.tuple(fc.oneof(fc.constant(managed.id), hostileSegment), mutatedObject({ which: 'both' })),
        300,
        12,
      ).map(([id, b]) => ({
        target: 'POST /api/admin/integrations/:id/rotate',
        req: json(`/api/admin/integrations/${id}/rotate`, admin, b),
      })),
      ...sample(
        fc.tuple(
          fc.oneof(fc.constant(managed.id), hostileSegment),
          fc.dictionary(fc.oneof(fc.constantFrom('status', 'cursor', 'limit'), hostileString), hostileString, {
            maxKeys: 3,
          }),
        ),
        300,
        13,
      ).map(([id, q]) => ({
        target: 'GET /api/admin/integrations/:id/deliveries',
        req: {
          method: 'GET',
          path: `/api/admin/integrations/${id}/deliveries?${Object.entries(q)
            .map(([k, v]) => `${enc(k)}=${enc(v)}`)
            .join('&')}`,
          headers: bearer(admin),
        },
      })),
      ...sample(hostileSegment, 300, 14).map((id) => ({
        target: 'GET|POST admin by id',
        req: {
          method: id.length % 2 ? 'GET' : 'POST',
          path: id.length % 2 ? `/api/admin/integrations/${id}` : `/api/admin/webhook-deliveries/${id}/redeliver`,
          headers: bearer(admin),
        },
      })),

      // --- LMS inbound: signed hostile bodies, hostile signatures, hostile status ids ---
      ...sample(fc.oneof(mutatedObject(validLms), mutatedObject({ ...validLms, user: { id: 'x' } })), 1500, 15).map(
        (b) => ({
          target: 'POST /api/lms/:id/submissions (signed)',
          req: signed(JSON.stringify(b)),
        }),
      ),
      ...sample(rawJsonBody(validLms), 700, 16).map((b) => ({
        target: 'POST /api/lms/:id/submissions (signed raw)',
        req: signed(b),
      })),
      ...sample(
        fc.tuple(fc.oneof(fc.constant(inbound.id), hostileSegment), hostileString, hostileString, hostileString),
        600,
        17,
      ).map(([id, wid, ts, sig]) => ({
        target: 'POST /api/lms/:id/submissions (forged)',
        req: {
          method: 'POST',
          path: `/api/lms/${id}/submissions`,
          headers: {
            'content-type': 'application/json',
            'webhook-id': headerSafe(wid),
            'webhook-timestamp': headerSafe(ts),
            'webhook-signature': headerSafe(sig),
          },
          body: JSON.stringify(validLms),
        },
      })),
      ...sample(hostileSegment, 400, 18).map((id) => ({
        target: 'GET /api/lms/:id/submissions/:id',
        req: {
          method: 'GET',
          path: `/api/lms/${inbound.id}/submissions/${id}`,
          headers: signedHeaders(inbound.inboundSecret, `msg_get_${++msg}`, ''),
        },
      })),

      // --- pages: login, invitation, exercise form, pages with odd parameters ---
      ...sample(
        fc.tuple(
          fc.dictionary(fc.oneof(fc.constantFrom('email', 'password', 'next', '_csrf'), hostileString), hostileString, {
            maxKeys: 4,
          }),
          fc.boolean(),
        ),
        1000,
        19,
      ).map(([fields, withCsrf]) => ({
        target: 'POST /login',
        req: {
          method: 'POST',
          path: '/login',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            cookie: 'dg_csrf=fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz',
          },
          body: [
            ...(withCsrf ? ['_csrf=fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz'] : []),
            ...Object.entries(fields).map(([k, v]) => `${enc(k)}=${enc(v)}`),
          ].join('&'),
        },
      })),
      ...[
        'email=a&email=b&password=x',
        'email=%ff%fe&password=%00',
        'email[a]=1',
        '%',
        '=&=&',
        'a'.repeat(300_000),
      ].map((body) => ({
        target: 'POST /login (raw)',
        req: {
          method: 'POST',
          path: '/login',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            cookie: 'dg_csrf=fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz',
          },
          body: `_csrf=fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz&${body}`,
        },
      })),
      ...sample(
        fc.tuple(fc.oneof(fc.constant(inviteToken), hostileSegment), hostileString, hostileString, fc.boolean()),
        500,
        20,
      ).map(([token, password, confirm, post]) => ({
        target: `${post ? 'POST' : 'GET'} /invitation/:token`,
        req: {
          method: post ? 'POST' : 'GET',
          path: `/invitation/${token}`,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            cookie: 'dg_csrf=fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz',
          },
          body: post
            ? `_csrf=fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz&password=${enc(password)}&confirm=${enc(password.length % 2 ? password : confirm)}`
            : undefined,
        },
      })),
      ...sample(
        fc.tuple(
          fc.oneof(fc.constant('hello-world'), hostileSegment),
          hostileString,
          fc.array(
            fc.record({
              name: hostileFilePath.map((n) => n.replace(/["\r\n]/g, '_')),
              content: fc.oneof(
                hostileString.map((s) => Buffer.from(s)),
                fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
              ),
            }),
            { maxLength: 45 },
          ),
          fc.boolean(),
        ),
        1500,
        21,
      ).map(([slug, source, files, csrf]) => {
        const form = multipart({ ...(csrf ? { _csrf: session.csrf } : {}), source }, files);
        return {
          target: 'POST /exercises/:slug (form)',
          req: {
            method: 'POST',
            path: `/exercises/${slug}`,
            headers: { cookie: session.cookie, 'content-type': form.type },
            body: form.body,
          },
        };
      }),
      ...[10_000, 41].map((n) => {
        const form = multipart(
          { _csrf: session.csrf, source: 'docker run hello-world' },
          Array.from({ length: n }, (_, i) => ({ name: `f${i}.txt`, content: Buffer.from('x') })),
        );
        return {
          target: `POST /exercises/:slug (${n} files)`,
          req: {
            method: 'POST',
            path: '/exercises/hello-world',
            headers: { cookie: session.cookie, 'content-type': form.type },
            body: form.body,
          },
        };
      }),
      ...[
        'multipart/form-data',
        'multipart/form-data; boundary=',
        'multipart/form-data; boundary=zz',
        'application/json',
        'application/x-www-form-urlencoded',
      ].map((type) => ({
        target: 'POST /exercises/:slug (broken multipart)',
        req: {
          method: 'POST',
          path: '/exercises/hello-world',
          headers: { cookie: session.cookie, 'content-type': type },
          body: `--zz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${session.csrf}\r\n--zz\r\nContent-Disposition: form-data; name="files"; filename="a"\r\n\r\nunterminated`,
        },
      })),
      {
        target: 'POST /exercises/:slug (10 MB file)',
        req: (() => {
          const form = multipart({ _csrf: session.csrf, source: 'x' }, [{ name: 'big.txt', content: tenMegabytes }]);
          return {
            method: 'POST',
            path: '/exercises/hello-world',
            headers: { cookie: session.cookie, 'content-type': form.type },
            body: form.body,
          };
        })(),
      },
      ...sample(
        fc.tuple(
          fc.constantFrom('/exercises/', '/submissions/', '/submissions?cursor=', '/login?next=', '/?x='),
          hostileSegment,
          fc.boolean(),
        ),
        1000,
        22,
      ).map(([prefix, x, signedIn]) => ({
        target: `GET ${prefix.replace(/[?=]+.*$/, '')}…`,
        req: {
          method: 'GET',
          path: `${prefix}${x}`,
          headers: (signedIn ? { cookie: session.cookie } : {}) as Record<string, string>,
        },
      })),

      // --- credentials: hostile Authorization and Cookie headers on every kind of route ---
      ...sample(
        fc.tuple(
          fc.constantFrom(
            '/api/submissions',
            '/api/exercises',
            '/',
            '/submissions',
            '/api/admin/operations',
            '/admin/queues',
          ),
          hostileString,
          fc.constantFrom('authorization', 'cookie'),
        ),
        800,
        23,
      ).map(([path, v, header]) => ({
        target: `GET ${path} (${header})`,
        req: {
          method: 'GET',
          path,
          headers: { [header]: header === 'cookie' ? `dg_session=${headerSafe(v)}` : `Bearer ${headerSafe(v)}` },
        },
      })),

      // --- bytes Node's client refuses: CR/LF and NUL in headers, broken request lines ---
      ...sample(
        fc.tuple(
          fc.constantFrom('/api/submissions', '/login', '/', `/api/lms/${inbound.id}/submissions`),
          fc.constantFrom(
            'Authorization: Bearer a\rb',
            'Authorization: Bearer a\nX-Role: admin',
            'Cookie: dg_session=a\0b',
            'X-Fuzz: a\r\n\r\nGET /api/admin/operations HTTP/1.1',
            ' folded: continuation',
            'Content-Length: 5\r\nContent-Length: 6',
            'Transfer-Encoding: chunked\r\nContent-Length: 3',
            'Transfer-Encoding: chunked, identity',
            `X-Big: ${'a'.repeat(20_000)}`,
            'Host: \u00ff',
            'Content-Type: application/json\r\nContent-Length: 99999999999999999999',
            `Webhook-Id: a\rb`,
          ),
          fc.constantFrom('GET', 'POST', 'PUT', 'PROPFIND', 'G\0T'),
        ),
        500,
        24,
      ).map(([path, header, method]) => ({
        target: 'raw request (headers)',
        raw: {
          head: `${method} ${path} HTTP/1.1\r\nHost: x\r\n${header}\r\nConnection: close\r\n\r\n`,
          body: Buffer.from('{}'),
        },
      })),
      ...[
        'GET /api/submissions/\0 HTTP/1.1',
        'GET /api/exercises/%00 HTTP/1.1',
        'POST /api/exercises/%00/regrade HTTP/1.1',
        'GET http://evil.example/api/submissions HTTP/1.1',
        'GET //api/submissions HTTP/1.1',
        'GET /api/../admin/queues HTTP/1.1',
        'GET /api/submissions HTTP/9.9',
        'GET /\xff\xfe HTTP/1.1',
        'GET * HTTP/1.1',
        'GET /api/submissions?x=\r HTTP/1.1',
      ].map((line) => ({
        target: 'raw request (request line)',
        raw: {
          head: Buffer.from(
            `${line}\r\nHost: x\r\nAuthorization: Bearer ${admin.token}\r\nConnection: close\r\n\r\n`,
            'latin1',
          ),
        },
      })),

      // --- courses, assignments, overrides, roster, reports, regrades, tokens (instructor and admin) ---
      ...sample(mutatedObject({ code: 'FZ-1', title: 'T', term: '2026', timeZone: 'Europe/Paris' }), 400, 40).map(
        (b) => ({ target: 'POST /api/courses', req: json('/api/courses', instructor, b) }),
      ),
      ...sample(mutatedObject(validAssignment), 500, 41).map((b) => ({
        target: 'POST /api/courses/:code/assignments',
        req: json(`/api/courses/${courseCode}/assignments`, instructor, b),
      })),
      ...sample(fc.tuple(hostileSegment, mutatedObject({ lateCredit: 0.25, maxAttempts: 5 })), 400, 42).map(
        ([id, b]) => ({
          target: 'PATCH /api/courses/:code/assignments/:id',
          req: json(
            `/api/courses/${courseCode}/assignments/${id.length % 2 ? assignmentId : id}`,
            instructor,
            b,
            'PATCH',
          ),
        }),
      ),
      ...sample(mutatedObject({ user: student.id, dueAt: due, extraAttempts: 1 }), 300, 43).map((b) => ({
        target: 'POST /api/courses/:code/assignments/:id/overrides',
        req: json(`/api/courses/${courseCode}/assignments/${assignmentId}/overrides`, instructor, b),
      })),
      ...sample(fc.tuple(hostileString, hostileString, hostileString, fc.boolean()), 400, 44).map(
        ([email, name, group, dry]) => ({
          target: 'PUT /api/courses/:code/roster',
          req: {
            method: 'PUT',
            path: `/api/courses/${courseCode}/roster${dry ? '?dryRun=true' : ''}`,
            headers: { ...bearer(instructor), 'content-type': 'text/csv' },
            body: `email,name,group\n${email},${name},${group}\n"${name}\n`,
          },
        }),
      ),
      ...sample(fc.tuple(hostileSegment, hostileSegment, fc.nat(3)), 400, 45).map(([code, id, kind]) => ({
        target: 'GET /api/courses/:code/…',
        req: {
          method: 'GET',
          path: [
            `/api/courses/${code}/gradebook`,
            `/api/courses/${code}/gradebook.csv?sep=${id}`,
            `/api/courses/${courseCode}/assignments/${id}/report`,
            `/api/courses/${courseCode}/assignments/${id}/checks.csv`,
          ][kind],
          headers: bearer(instructor),
        },
      })),
      ...sample(mutatedObject({ submissions: [randomUUIDv4()], version: 'current' }), 400, 46).map((b) => ({
        target: 'POST /api/regrades',
        req: json('/api/regrades', instructor, b),
      })),
      ...sample(hostileSegment, 200, 47).map((id) => ({
        target: 'DELETE /api/tokens/:id',
        req: { method: 'DELETE', path: `/api/tokens/${id}`, headers: bearer(student) },
      })),

      // --- LTI: platform registration (admin), and the public login and launch endpoints ---
      ...sample(mutatedObject(validPlatform), 500, 48).map((b) => ({
        target: 'POST /api/admin/lti/platforms',
        req: json('/api/admin/lti/platforms', admin, b),
      })),
      ...sample(fc.tuple(hostileString, hostileString, hostileString, fc.boolean()), 600, 49).map(
        ([iss, hint, target, post]) => {
          const query = `iss=${enc(iss)}&login_hint=${enc(hint)}&target_link_uri=${enc(target)}&client_id=fuzz`;
          return {
            target: post ? 'POST /lti/login' : 'GET /lti/login',
            req: post
              ? {
                  method: 'POST',
                  path: '/lti/login',
                  headers: { 'content-type': 'application/x-www-form-urlencoded' },
                  body: query,
                }
              : { method: 'GET', path: `/lti/login?${query}` },
          };
        },
      ),
      ...sample(fc.tuple(hostileString, hostileString), 600, 50).map(([state, token]) => ({
        target: 'POST /lti/launch',
        req: {
          method: 'POST',
          path: '/lti/launch',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `state=${enc(state)}&id_token=${enc(token)}`,
        },
      })),

      // --- every other JSON body route with the unstructured raw bodies ---
      ...sample(
        fc
          .tuple(
            fc.constantFrom(
              ['/api/admin/users', { email: 'z@lycee.test' }],
              ['/api/invitations', { email: 'w@lycee.test' }],
              ['/api/admin/integrations', { name: 'N' }],
              [`/api/admin/integrations/${managed.id}/rotate`, { which: 'inbound' }],
              ['/api/admin/retention/purge', { olderThanDays: 36_500 }],
              ['/api/courses', { code: 'FZ-2', title: 'T' }],
              ['/api/regrades', { submissions: [] }],
              ['/api/admin/lti/platforms', { name: 'P' }],
              [`/api/admin/users/${randomUUIDv4()}/erase`, { confirm: true }],
            ),
            fc.constantFrom(...CONTENT_TYPES),
          )
          .chain(([[path, valid], type]) =>
            rawJsonBody(valid as Record<string, unknown>).map((body) => ({ path: path as string, type, body })),
          ),
        1200,
        25,
      ).map(({ path, type, body }) => ({
        target: `POST ${path.replace(/[0-9a-f-]{36}/, ':id')} (raw)`,
        req: {
          method: 'POST',
          path,
          headers: {
            ...bearer(path.includes('invitations') || !path.includes('admin') ? instructor : admin),
            'content-type': type,
          },
          body,
        },
      })),
    ];

    const failures: Failure[] = [];
    const byStatus = new Map<number, number>();
    const byTarget = new Map<string, number>();
    let sent = 0;
    let fiveHundreds = 0;
    const started = Date.now();
    const queue = [...cases.entries()];
    const describeReq = (c: Case) =>
      c.req
        ? `${c.req.method} ${c.req.path.slice(0, 200)} ${JSON.stringify(c.req.headers ?? {}).slice(0, 300)} ${(c.req.body ?? '').toString().slice(0, 300)}`
        : JSON.stringify(c.raw!.head.toString('latin1').slice(0, 300));

    async function one(c: Case): Promise<void> {
      let status: number;
      let res: RawResponse | undefined;
      try {
        if (c.req && c.stream) {
          status = (await client.head(c.req)).status;
        } else if (c.req) {
          res = await client.send(c.req);
          status = res.status;
        } else {
          status = await client.sendRaw(c.raw!.head, c.raw!.body);
        }
      } catch (err) {
        // The server closed the connection without answering (it refused a 10 MB body mid-upload): not a 5xx.
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ECONNRESET' || code === 'EPIPE') status = 0;
        else throw err;
      }
      sent++;
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      byTarget.set(c.target, (byTarget.get(c.target) ?? 0) + 1);
      const fail = (why: string) =>
        failures.push({
          target: c.target,
          status,
          why,
          request: describeReq(c),
          response: res?.body.slice(0, 400) ?? '',
        });
      // Readiness answers 503 by design when a dependency or every worker is missing (docs/operations.md).
      if (status === 503 && c.req && /^\/health(\/ready)?(\?|$)/.test(c.req.path)) return;
      if (status >= 500) {
        fiveHundreds++;
        fail('5xx');
        return;
      }
      if (res && (status === 400 || status === 413)) {
        const why = unnamed(status, String(res.headers['content-type']), res.body);
        if (why) fail(why);
      }
    }

    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await one(next[1]);
      }),
    );
    const seconds = (Date.now() - started) / 1000;

    const report = {
      seed: SEED,
      requests: sent,
      routes: routes.length,
      seconds,
      fiveHundreds,
      byStatus: Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])),
      byTarget: Object.fromEntries(byTarget),
      failures: failures.slice(0, 50),
      serverErrors: [...new Set(serverErrors)].slice(0, 20),
    };
    const out = resolve(__dirname, '../../bench/results');
    mkdirSync(out, { recursive: true });
    writeFileSync(resolve(out, 'fuzz.json'), `${JSON.stringify(report, null, 2)}\n`);
    // One line per distinct failure, the first request that produced it.
    const distinct = new Map<string, Failure>();
    for (const f of failures)
      if (!distinct.has(`${f.target} ${f.status} ${f.why}`)) distinct.set(`${f.target} ${f.status} ${f.why}`, f);
    process.stdout.write(
      `fuzz: seed ${SEED}, ${sent} requests in ${seconds.toFixed(0)} s, ${fiveHundreds} × 5xx, statuses ${JSON.stringify(report.byStatus)}\n`,
    );
    expect([...distinct.values()]).toEqual([]);
    // Every route the router serves was fuzzed (a route added later is too, without a line here).
    expect(routes.filter((r) => !byTarget.has(`${r} (router)`))).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(20_000 * Math.min(1, SCALE));
  }, 900_000); // ~2-3 min alone, longer on a shared machine
});
