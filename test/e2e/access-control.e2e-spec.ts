import { randomUUID } from 'node:crypto';
import { hashToken } from '../../src/auth/token';
import { SessionService } from '../../src/auth/session.service';
import { Role } from '../../src/generated/prisma/enums';
import { ApiHarness, startApi, suitePrefix, userWithToken } from '../support/api-app';
import { deleteIntegrations } from '../support/lms';
import { RawHttpClient, RawRequest } from '../support/raw-http';
import { routeInventory, RouteKey } from '../support/route-inventory';
import { signedHeaders } from '../support/webhook-receiver';

/**
 * Access control through every door (issue #18): each caller below × every route the api serves
 * (JSON API, pages, event streams, admin, LMS, probes, the mounted dashboard and OpenAPI page) →
 * the status it must get. The route list is read from the running router (routeInventory): a route
 * added without a rule here fails the first test, so a new door cannot ship unguarded by accident.
 */

const CALLERS = [
  'anonymous',
  'studentA',
  'studentB',
  'instructor',
  'admin',
  'revokedToken',
  'sessionA',
  'sessionB',
  'expiredSession',
  'sessionWithoutCsrf',
  'adminSession',
  // The `instructor` caller's session: not the teacher of the course in the fixtures.
  'instructorSession',
] as const;
type Caller = (typeof CALLERS)[number];

/** A status, any of several, or a redirect: `login` (to the login page) or `away` (anywhere else). */
type Outcome = number | number[] | 'login' | 'away';

interface Rule {
  /** The concrete path to request (route parameters filled with the fixtures below). */
  path: (f: Fixtures) => string;
  /** Form or JSON body of a write; pages' forms get the CSRF field the rule asks for. */
  body?: (f: Fixtures) => { json?: unknown; form?: Record<string, string> };
  /** Which CSRF token a form carries: the session's (pages behind login) or the pre-session cookie's. */
  csrf?: 'session' | 'pre';
  /** Event streams: judge the status line, then hang up. */
  stream?: boolean;
  /** Outcomes in CALLERS order. */
  expect: Outcome[];
}

interface Fixtures {
  submissionA: string;
  integration: string;
  userB: string;
  invitationToken: string;
  /** A course of another instructor (not the `instructor` caller), with one assignment: theirs and admins' alone. */
  otherCourse: string;
  otherAssignment: string;
  /** A registered LTI platform: its issuer and client id start a login. */
  ltiIssuer: string;
  ltiClientId: string;
  /** A pending LTI deep linking request of another instructor (its picker is theirs alone). */
  deepLinkRequest: string;
}

// Shorthands for the columns: anonymous, A, B, instructor, admin, revoked, sessionA, sessionB, expired, no-CSRF,
// admin's session, instructor's session.
const ok = 200;
const PUBLIC = (s: Outcome = ok): Outcome[] => CALLERS.map(() => s);
/** Bearer-token writes: sessions are refused (a cookie alone would allow cross-site writes). */
const apiWrite = (student: Outcome, staff: Outcome, admin = staff): Outcome[] => [
  401,
  student,
  student,
  staff,
  admin,
  401,
  401,
  401,
  401,
  401,
  401,
  401,
];
/** Reads: the session cookie gives the same principal as the token. */
const apiRead = (a: Outcome, b: Outcome, staff: Outcome, admin = staff): Outcome[] => [
  401,
  a,
  b,
  staff,
  admin,
  401,
  a,
  b,
  401,
  a,
  admin,
  staff,
];
/** Pages behind login: bearer tokens are not page credentials. */
const page = (
  a: Outcome,
  b: Outcome = a,
  noCsrf: Outcome = a,
  admin: Outcome = a,
  instructor: Outcome = admin,
): Outcome[] => ['login', 'login', 'login', 'login', 'login', 'login', a, b, 'login', noCsrf, admin, instructor];
/** Pages of instructors or admins: the students' sessions are refused, the admin's opens them. */
const staffPage = (admin: Outcome = ok, instructor: Outcome = admin): Outcome[] =>
  page(403, 403, 403, admin, instructor);
/** Pages of admins alone: an instructor's session is refused as a student's. */
const adminPage = (admin: Outcome = ok): Outcome[] => staffPage(admin, 403);
/** Pages of one course (the fixtures' other course): its teacher's and admins'; to another instructor, not found. */
const coursePage = (admin: Outcome = ok): Outcome[] => staffPage(admin, 404);

const RULES: Record<RouteKey, Rule> = {
  // --- JSON API: submissions ---
  'POST /api/submissions': {
    path: () => '/api/submissions',
    body: () => ({ json: { exercise: 'hello-world', source: 'docker run hello-world' } }),
    expect: apiWrite(202, 202),
  },
  'GET /api/submissions': { path: () => '/api/submissions', expect: apiRead(ok, ok, ok) },
  // Another student's submission is not found, as an unknown id (compared below, body and all).
  'GET /api/submissions/:id': { path: (f) => `/api/submissions/${f.submissionA}`, expect: apiRead(ok, 404, ok) },
  'GET /api/submissions/:id/events': {
    path: (f) => `/api/submissions/${f.submissionA}/events`,
    stream: true,
    expect: apiRead(ok, 404, ok),
  },
  'POST /api/submissions/:id/regrade': {
    path: (f) => `/api/submissions/${f.submissionA}/regrade`,
    expect: apiWrite(403, [202, 409]),
  },
  // --- JSON API: catalogue ---
  'GET /api/exercises': { path: () => '/api/exercises', expect: apiRead(ok, ok, ok) },
  'GET /api/exercises/:slug': { path: () => '/api/exercises/hello-world', expect: apiRead(ok, ok, ok) },
  'POST /api/exercises/:slug/regrade': { path: () => '/api/exercises/hello-world/regrade', expect: apiWrite(403, 202) },
  // --- JSON API: courses (instructors; a course they do not teach is 404, as an unknown one) ---
  // Each names a real course of another instructor and its assignment: not found for this one, open to admins.
  'POST /api/courses': { path: () => '/api/courses', body: () => ({ json: {} }), expect: apiWrite(403, 400) },
  'GET /api/courses': { path: () => '/api/courses', expect: apiRead(403, 403, ok) },
  'GET /api/courses/:code/roster': {
    path: (f) => `/api/courses/${f.otherCourse}/roster`,
    expect: apiRead(403, 403, 404, ok),
  },
  'PUT /api/courses/:code/roster': {
    path: (f) => `/api/courses/${f.otherCourse}/roster`,
    body: () => ({ json: {} }),
    // Not CSV: refused before the course is looked up.
    expect: apiWrite(403, 400),
  },
  'GET /api/courses/:code/assignments': {
    path: (f) => `/api/courses/${f.otherCourse}/assignments`,
    expect: apiRead(403, 403, 404, ok),
  },
  'POST /api/courses/:code/assignments': {
    path: (f) => `/api/courses/${f.otherCourse}/assignments`,
    body: () => ({ json: {} }),
    // An empty body: refused before the course is looked up.
    expect: apiWrite(403, 400),
  },
  'PATCH /api/courses/:code/assignments/:id': {
    path: (f) => `/api/courses/${f.otherCourse}/assignments/${f.otherAssignment}`,
    body: () => ({ json: {} }),
    expect: apiWrite(403, 404, ok),
  },
  'GET /api/courses/:code/assignments/:id/overrides': {
    path: (f) => `/api/courses/${f.otherCourse}/assignments/${f.otherAssignment}/overrides`,
    expect: apiRead(403, 403, 404, ok),
  },
  'POST /api/courses/:code/assignments/:id/overrides': {
    path: (f) => `/api/courses/${f.otherCourse}/assignments/${f.otherAssignment}/overrides`,
    body: () => ({ json: {} }),
    expect: apiWrite(403, 400),
  },
  'GET /api/courses/:code/gradebook': {
    path: (f) => `/api/courses/${f.otherCourse}/gradebook`,
    expect: apiRead(403, 403, 404, ok),
  },
  'GET /api/courses/:code/gradebook.csv': {
    path: (f) => `/api/courses/${f.otherCourse}/gradebook.csv`,
    expect: apiRead(403, 403, 404, ok),
  },
  'GET /api/courses/:code/assignments/:id/checks.csv': {
    path: (f) => `/api/courses/${f.otherCourse}/assignments/${f.otherAssignment}/checks.csv`,
    expect: apiRead(403, 403, 404, ok),
  },
  'GET /api/courses/:code/assignments/:id/report': {
    path: (f) => `/api/courses/${f.otherCourse}/assignments/${f.otherAssignment}/report`,
    expect: apiRead(403, 403, 404, ok),
  },
  // Students' assignments (none here); an unknown assignment is named as the bad field.
  'GET /api/assignments': { path: () => '/api/assignments', expect: apiRead(ok, ok, ok) },
  'GET /api/assignments/:id/next-attempt': {
    path: () => `/api/assignments/${randomUUID()}/next-attempt`,
    expect: apiRead(400, 400, 400),
  },
  // --- JSON API: people ---
  'POST /api/admin/users': {
    path: () => '/api/admin/users',
    body: () => ({ json: { email: `m-${randomUUID().slice(0, 8)}@lycee.test` } }),
    expect: apiWrite(403, 403, 201),
  },
  'POST /api/admin/users/:id/tokens': {
    path: (f) => `/api/admin/users/${f.userB}/tokens`,
    body: () => ({ json: { name: 'matrix' } }),
    expect: apiWrite(403, 403, 201),
  },
  'POST /api/invitations': {
    path: () => '/api/invitations',
    body: () => ({ json: { email: `i-${randomUUID().slice(0, 8)}@lycee.test` } }),
    expect: apiWrite(403, 201),
  },
  // --- JSON API: one's own tokens; regrade runs (instructors) ---
  'GET /api/tokens': { path: () => '/api/tokens', expect: apiRead(ok, ok, ok) },
  'DELETE /api/tokens/:id': { path: () => `/api/tokens/${randomUUID()}`, expect: apiWrite(404, 404) },
  'POST /api/regrades': { path: () => '/api/regrades', body: () => ({ json: {} }), expect: apiWrite(403, 400) },
  'GET /api/regrades/:id': { path: () => `/api/regrades/${randomUUID()}`, expect: apiRead(403, 403, 404) },
  'GET /api/regrades/:id/events': {
    path: () => `/api/regrades/${randomUUID()}/events`,
    stream: true,
    expect: apiRead(403, 403, 404),
  },
  // --- JSON API: a user's data (RGPD) and retention (admins) ---
  'GET /api/admin/users/:id/export': {
    path: (f) => `/api/admin/users/${f.userB}/export`,
    expect: apiRead(403, 403, 403, ok),
  },
  'POST /api/admin/users/:id/erase': {
    // A user that does not exist: the admin gets past the guard (404) without erasing anyone.
    path: () => `/api/admin/users/${randomUUID()}/erase`,
    body: () => ({ json: { confirm: true } }),
    expect: apiWrite(403, 403, 404),
  },
  'POST /api/admin/retention/purge': {
    path: () => '/api/admin/retention/purge',
    body: () => ({ json: { olderThanDays: 36_500 } }),
    expect: apiWrite(403, 403, ok),
  },
  // --- JSON API: operations and integrations (admins) ---
  'GET /api/admin/operations': { path: () => '/api/admin/operations', expect: apiRead(403, 403, 403, ok) },
  'POST /api/admin/integrations': {
    path: () => '/api/admin/integrations',
    body: () => ({ json: { name: 'Matrice' } }),
    expect: apiWrite(403, 403, 201),
  },
  'GET /api/admin/integrations': { path: () => '/api/admin/integrations', expect: apiRead(403, 403, 403, ok) },
  'GET /api/admin/integrations/:id': {
    path: (f) => `/api/admin/integrations/${f.integration}`,
    expect: apiRead(403, 403, 403, ok),
  },
  'PATCH /api/admin/integrations/:id': {
    path: (f) => `/api/admin/integrations/${f.integration}`,
    body: () => ({ json: { courses: ['MATRICE'] } }),
    expect: apiWrite(403, 403, ok),
  },
  'POST /api/admin/integrations/:id/rotate': {
    path: (f) => `/api/admin/integrations/${f.integration}/rotate`,
    body: () => ({ json: { which: 'webhook' } }),
    expect: apiWrite(403, 403, ok),
  },
  'GET /api/admin/integrations/:id/deliveries': {
    path: (f) => `/api/admin/integrations/${f.integration}/deliveries`,
    expect: apiRead(403, 403, 403, ok),
  },
  'POST /api/admin/webhook-deliveries/:id/redeliver': {
    path: () => `/api/admin/webhook-deliveries/${randomUUID()}/redeliver`,
    expect: apiWrite(403, 403, 404),
  },
  // --- JSON API: LTI 1.3 platforms and the tool's keys (admins) ---
  'POST /api/admin/lti/platforms': {
    path: () => '/api/admin/lti/platforms',
    body: () => ({ json: {} }),
    expect: apiWrite(403, 403, 400),
  },
  'GET /api/admin/lti/platforms': { path: () => '/api/admin/lti/platforms', expect: apiRead(403, 403, 403, ok) },
  'POST /api/admin/lti/keys/rotate': { path: () => '/api/admin/lti/keys/rotate', expect: apiWrite(403, 403, ok) },
  // --- LMS: signed requests only; no bearer token or session opens them ---
  'POST /api/lms/:integrationId/submissions': {
    path: (f) => `/api/lms/${f.integration}/submissions`,
    body: () => ({ json: { exercise: 'hello-world', source: 'docker ps', user: { id: 'x' } } }),
    expect: PUBLIC(401),
  },
  'GET /api/lms/:integrationId/submissions/:id': {
    path: (f) => `/api/lms/${f.integration}/submissions/${f.submissionA}`,
    expect: PUBLIC(401),
  },
  // --- LTI 1.3: called by platforms and browsers, public; bad input is a 4xx, never a login page ---
  'GET /lti/login': {
    // A registered platform's initiation: redirected to its authorization endpoint, whoever calls.
    path: (f) =>
      `/lti/login?${new URLSearchParams({
        iss: f.ltiIssuer,
        client_id: f.ltiClientId,
        login_hint: 'u-1',
        target_link_uri: 'http://localhost/lti/launch',
      }).toString()}`,
    expect: PUBLIC(302),
  },
  'POST /lti/login': {
    // An unknown issuer: refused as bad input (400).
    path: () => '/lti/login',
    body: () => ({ form: { iss: 'https://inconnu.example', login_hint: 'u-1', target_link_uri: 'x' } }),
    expect: PUBLIC(400),
  },
  'POST /lti/launch': {
    // A state no login issued, with a token that is not one: refused (401), no session made.
    path: () => '/lti/launch',
    body: () => ({ form: { id_token: 'pas.un.jeton', state: 'inconnu' } }),
    expect: PUBLIC(401),
  },
  'GET /.well-known/jwks.json': { path: () => '/.well-known/jwks.json', expect: PUBLIC(ok) },
  // The deep linking picker: its instructor's only (the callers' sessions are students').
  'GET /lti/deep-links/:id': { path: (f) => `/lti/deep-links/${f.deepLinkRequest}`, expect: page(403) },
  'POST /lti/deep-links/:id': {
    path: (f) => `/lti/deep-links/${f.deepLinkRequest}`,
    csrf: 'session',
    body: () => ({ form: { exercise: 'hello-world' } }),
    expect: page(403),
  },
  // --- pages ---
  'GET /login': { path: () => '/login', expect: [ok, ok, ok, ok, ok, ok, 'away', 'away', ok, 'away', 'away', 'away'] },
  'POST /login': {
    path: () => '/login',
    csrf: 'pre',
    body: () => ({ form: { email: 'personne@lycee.test', password: 'pas-le-bon' } }),
    // The sessions of the admin and the instructor come last: the login limiter may have counted enough failures by then.
    expect: [401, 401, 401, 401, 401, 401, 401, 401, 401, 403, [401, 429], [401, 429]],
  },
  'POST /logout': {
    path: () => '/logout',
    csrf: 'session',
    body: () => ({ form: {} }),
    expect: page('login', 'login', 403),
  },
  'GET /invitation/:token': { path: (f) => `/invitation/${f.invitationToken}`, expect: PUBLIC(ok) },
  'POST /invitation/:token': {
    path: (f) => `/invitation/${f.invitationToken}`,
    csrf: 'pre',
    // Two different passwords: refused (400) without spending the invitation.
    body: () => ({ form: { password: 'un-bon-mot-de-passe', confirm: 'un-autre-mot-de-passe' } }),
    expect: [400, 400, 400, 400, 400, 400, 400, 400, 400, 403, 400, 400],
  },
  'GET /': { path: () => '/', expect: page(ok) },
  'GET /tokens': { path: () => '/tokens', expect: page(ok) },
  'POST /tokens/:id/revoke': {
    path: () => `/tokens/${randomUUID()}/revoke`,
    csrf: 'session',
    body: () => ({ form: {} }),
    expect: page(404, 404, 403),
  },
  // Instructors' pages and forms. A course's pages name the other instructor's course: the instructor's
  // session is refused (404, as for a course that does not exist), the admin's opens them.
  'GET /courses': { path: () => '/courses', expect: staffPage() },
  'POST /courses': { path: () => '/courses', csrf: 'session', body: () => ({ form: {} }), expect: staffPage(400) },
  'GET /courses/:code': { path: (f) => `/courses/${f.otherCourse}`, expect: coursePage() },
  'POST /courses/:code/roster': {
    path: (f) => `/courses/${f.otherCourse}/roster`,
    csrf: 'session',
    // A header alone, previewed (no `action=import`): nothing changes.
    body: () => ({ form: { csv: 'email,name,group' } }),
    expect: coursePage(),
  },
  'POST /courses/:code/assignments': {
    path: (f) => `/courses/${f.otherCourse}/assignments`,
    csrf: 'session',
    body: () => ({ form: {} }),
    expect: coursePage(400),
  },
  'GET /courses/:code/assignments/:id': {
    path: (f) => `/courses/${f.otherCourse}/assignments/${f.otherAssignment}`,
    expect: coursePage(),
  },
  'POST /courses/:code/assignments/:id': {
    path: (f) => `/courses/${f.otherCourse}/assignments/${f.otherAssignment}`,
    csrf: 'session',
    body: () => ({ form: {} }),
    expect: coursePage(400),
  },
  'POST /courses/:code/assignments/:id/overrides': {
    path: (f) => `/courses/${f.otherCourse}/assignments/${f.otherAssignment}/overrides`,
    csrf: 'session',
    body: () => ({ form: {} }),
    expect: coursePage(400),
  },
  'GET /courses/:code/gradebook': { path: (f) => `/courses/${f.otherCourse}/gradebook`, expect: coursePage() },
  'GET /courses/:code/gradebook/:assignmentId/:userId': {
    // Student B is not in that course: not found for the admin too, after the course was found.
    path: (f) => `/courses/${f.otherCourse}/gradebook/${f.otherAssignment}/${f.userB}`,
    expect: coursePage(404),
  },
  'GET /regrades/:id': { path: () => `/regrades/${randomUUID()}`, expect: staffPage(404) },
  'POST /submissions/:id/regrade': {
    path: (f) => `/submissions/${f.submissionA}/regrade`,
    csrf: 'session',
    body: () => ({ form: {} }),
    expect: staffPage(409),
  },
  'POST /exercises/:slug/regrade': {
    path: () => '/exercises/hello-world/regrade',
    csrf: 'session',
    body: () => ({ form: {} }),
    expect: staffPage('away'),
  },
  // The operations page: admins only.
  'GET /admin/operations': { path: () => '/admin/operations', expect: adminPage() },
  'GET /courses/:code/assignments/:id/report': {
    path: (f) => `/courses/${f.otherCourse}/assignments/${f.otherAssignment}/report`,
    expect: coursePage(),
  },
  // The LMS administration pages: admins only.
  'GET /admin/integrations': { path: () => '/admin/integrations', expect: adminPage() },
  'POST /admin/integrations': {
    path: () => '/admin/integrations',
    csrf: 'session',
    body: () => ({ form: { name: 'Matrice page' } }),
    expect: adminPage(201),
  },
  'POST /admin/integrations/:id/rotate': {
    path: (f) => `/admin/integrations/${f.integration}/rotate`,
    csrf: 'session',
    body: () => ({ form: {} }),
    expect: adminPage(),
  },
  'POST /admin/integrations/:id/reenable': {
    path: (f) => `/admin/integrations/${f.integration}/reenable`,
    csrf: 'session',
    body: () => ({ form: {} }),
    expect: adminPage('away'),
  },
  'GET /admin/integrations/:id/deliveries': {
    path: (f) => `/admin/integrations/${f.integration}/deliveries`,
    expect: adminPage(),
  },
  'GET /admin/lti/:id/deliveries': { path: () => `/admin/lti/${randomUUID()}/deliveries`, expect: adminPage(404) },
  'POST /admin/webhook-deliveries/:id/redeliver': {
    path: () => `/admin/webhook-deliveries/${randomUUID()}/redeliver`,
    csrf: 'session',
    body: () => ({ form: {} }),
    expect: adminPage(404),
  },
  'GET /admin/lti': { path: () => '/admin/lti', expect: adminPage() },
  'POST /admin/lti': { path: () => '/admin/lti', csrf: 'session', body: () => ({ form: {} }), expect: adminPage(400) },
  'GET /exercises/:slug': { path: () => '/exercises/hello-world', expect: page(ok) },
  'POST /exercises/:slug': {
    path: () => '/exercises/hello-world',
    csrf: 'session',
    body: () => ({ form: { source: 'docker run hello-world' } }),
    expect: page('away', 'away', 403),
  },
  'GET /submissions': { path: () => '/submissions', expect: page(ok) },
  'GET /submissions/:id': { path: (f) => `/submissions/${f.submissionA}`, expect: page(ok, 404) },
  // --- probes, metrics, OpenAPI: public by design (docs/operations.md) ---
  'GET /health': { path: () => '/health', expect: PUBLIC([200, 503]) },
  'GET /health/live': { path: () => '/health/live', expect: PUBLIC(ok) },
  'GET /health/ready': { path: () => '/health/ready', expect: PUBLIC([200, 503]) },
  'GET /metrics': { path: () => '/metrics', expect: PUBLIC(ok) },
  'GET /docs': { path: () => '/docs', expect: PUBLIC([200, 301]) },
  'GET /docs/': { path: () => '/docs/', expect: PUBLIC(ok) },
  'GET /docs/index.html': { path: () => '/docs/index.html', expect: PUBLIC(ok) },
  // swagger-ui-express registers it; the file is not shipped in its package.
  'GET /docs/LICENSE': { path: () => '/docs/LICENSE', expect: PUBLIC(404) },
  'GET /docs/swagger-ui-init.js': { path: () => '/docs/swagger-ui-init.js', expect: PUBLIC(ok) },
  'GET /docs/docs/swagger-ui-init.js': { path: () => '/docs/docs/swagger-ui-init.js', expect: PUBLIC(ok) },
  'GET /docs-json': { path: () => '/docs-json', expect: PUBLIC(ok) },
  'GET /docs-yaml': { path: () => '/docs-yaml', expect: PUBLIC(ok) },
};

/** Sub-apps mounted outside Nest's routing, each with its rule. */
const MOUNTS: Record<string, Rule> = {
  // bull-board: admins only; without credentials it is a page, so the login page.
  '/admin/queues': {
    path: () => '/admin/queues',
    expect: ['login', 403, 403, 403, ok, 'login', 403, 403, 'login', 403, ok, 403],
  },
};

describe('access control through every door', () => {
  let api: ApiHarness;
  let client: RawHttpClient;
  let fixtures: Fixtures;
  const tokens = {} as Record<'studentA' | 'studentB' | 'instructor' | 'admin' | 'revokedToken', string>;
  const ids = {} as Record<'studentA' | 'studentB' | 'instructor' | 'admin', string>;
  const integrations: string[] = [];
  const platforms: string[] = [];
  let sessions: SessionService;

  beforeAll(async () => {
    api = await startApi({ REDIS_PREFIX: suitePrefix('access'), SUBMISSION_RATE_LIMIT: '1000' });
    client = new RawHttpClient(api.url);
    sessions = api.app.get(SessionService);
    for (const [name, role] of [
      ['studentA', Role.student],
      ['studentB', Role.student],
      ['instructor', Role.instructor],
      ['admin', Role.admin],
    ] as const) {
      const u = await userWithToken(api, role);
      tokens[name] = u.token;
      ids[name] = u.id;
    }
    // Student A's second token, revoked before it was ever used (no cached principal).
    const revoked = await api.auth.issueToken(ids.studentA, 'revoked');
    await api.prisma.apiToken.update({
      where: { tokenHash: hashToken(revoked.token) },
      data: { revokedAt: new Date() },
    });
    tokens.revokedToken = revoked.token;

    const submitted = await client.send({
      method: 'POST',
      path: '/api/submissions',
      headers: { authorization: `Bearer ${tokens.studentA}`, 'content-type': 'application/json' },
      body: JSON.stringify({ exercise: 'hello-world', source: 'docker run hello-world' }),
    });
    expect(submitted.status).toBe(202);
    const integration = await client.send({
      method: 'POST',
      path: '/api/admin/integrations',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Matrice' }),
    });
    integrations.push(JSON.parse(integration.body).id);
    const invitation = await client.send({
      method: 'POST',
      path: '/api/invitations',
      headers: { authorization: `Bearer ${tokens.instructor}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: `matrix-invite-${randomUUID().slice(0, 6)}@lycee.test` }),
    });
    // Another instructor's course with one assignment (the report's rules).
    const other = await userWithToken(api, Role.instructor);
    const asOther = { authorization: `Bearer ${other.token}`, 'content-type': 'application/json' };
    const otherCourse = `MATRICE-${randomUUID().slice(0, 8)}`;
    const course = await client.send({
      method: 'POST',
      path: '/api/courses',
      headers: asOther,
      body: JSON.stringify({ code: otherCourse, title: 'Matrice' }),
    });
    expect(course.status).toBe(201);
    const assignment = await client.send({
      method: 'POST',
      path: `/api/courses/${otherCourse}/assignments`,
      headers: asOther,
      body: JSON.stringify({ exercise: 'hello-world', dueAt: '2030-01-01T00:00:00Z' }),
    });
    expect(assignment.status).toBe(201);
    const ltiIssuer = `https://matrice-${randomUUID().slice(0, 8)}.example`;
    const platform = await client.send({
      method: 'POST',
      path: '/api/admin/lti/platforms',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Matrice',
        issuer: ltiIssuer,
        clientId: 'matrice',
        deploymentIds: ['1'],
        authUrl: 'http://localhost:9/auth',
        tokenUrl: 'http://localhost:9/token',
        jwksUrl: 'http://localhost:9/jwks',
      }),
    });
    expect(platform.status).toBe(201);
    platforms.push(JSON.parse(platform.body).id);
    const deepLink = await api.prisma.ltiDeepLinkRequest.create({
      data: {
        platformId: JSON.parse(platform.body).id,
        userId: other.id,
        deploymentId: '1',
        returnUrl: 'http://localhost:9/deep-link-return',
        expiresAt: new Date(Date.now() + 3600_000),
      },
    });
    fixtures = {
      submissionA: JSON.parse(submitted.body).id,
      integration: integrations[0],
      userB: ids.studentB,
      invitationToken: (JSON.parse(invitation.body).link as string).split('/').pop()!,
      otherCourse,
      otherAssignment: JSON.parse(assignment.body).id,
      ltiIssuer,
      ltiClientId: 'matrice',
      deepLinkRequest: deepLink.id,
    };
  });
  afterAll(async () => {
    client?.close();
    if (api) {
      await deleteIntegrations(api.prisma, integrations);
      await api.prisma.ltiPlatform.deleteMany({ where: { id: { in: platforms } } });
      const made = await api.prisma.user.findMany({
        where: { email: { endsWith: '@lycee.test' } },
        select: { id: true },
      });
      api.users.push(...made.map((u) => u.id));
      await api.prisma.invitation.deleteMany({ where: { userId: { in: api.users } } });
      await api.close();
    }
  });

  it('has a declared rule for every route the router serves, and no rule for a route that is gone', () => {
    const { routes, unknownMounts } = routeInventory(api.app, Object.keys(MOUNTS));
    const missing = routes.filter((r) => !(r in RULES));
    const stale = Object.keys(RULES).filter((r) => !routes.includes(r as RouteKey));
    expect({ missing, stale, unknownMounts }).toEqual({ missing: [], stale: [], unknownMounts: [] });
  });

  /** Fresh credentials for one request: sessions are made per request (logout ends them). */
  async function credentials(caller: Caller): Promise<{ headers: Record<string, string>; csrf?: string }> {
    switch (caller) {
      case 'anonymous':
        return { headers: {} };
      case 'studentA':
      case 'studentB':
      case 'instructor':
      case 'admin':
      case 'revokedToken':
        return { headers: { authorization: `Bearer ${tokens[caller]}` } };
      case 'sessionA':
      case 'sessionB':
      case 'sessionWithoutCsrf':
      case 'adminSession':
      case 'instructorSession':
      case 'expiredSession': {
        const owner =
          { sessionB: ids.studentB, adminSession: ids.admin, instructorSession: ids.instructor }[caller as string] ??
          ids.studentA;
        const token = await sessions.create(owner);
        const row = await api.prisma.webSession.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } });
        if (caller === 'expiredSession')
          await api.prisma.webSession.update({
            where: { id: row.id },
            data: { expiresAt: new Date(Date.now() - 1000) },
          });
        return {
          headers: { cookie: `dg_session=${token}` },
          csrf: caller === 'sessionWithoutCsrf' ? undefined : row.csrfToken,
        };
      }
    }
  }

  const PRE_CSRF = 'matrixmatrixmatrixmatrixmatrix12';

  async function call(method: string, rule: Rule, caller: Caller): Promise<{ status: number; location?: string }> {
    const { headers, csrf } = await credentials(caller);
    const req: RawRequest = { method, path: rule.path(fixtures), headers: { ...headers } };
    const body = rule.body?.(fixtures);
    if (body?.json !== undefined) {
      req.body = JSON.stringify(body.json);
      req.headers!['content-type'] = 'application/json';
    } else if (body?.form) {
      const fields = { ...body.form };
      const withCsrf = caller !== 'sessionWithoutCsrf';
      if (withCsrf) fields._csrf = rule.csrf === 'session' ? (csrf ?? PRE_CSRF) : PRE_CSRF;
      req.body = new URLSearchParams(fields).toString();
      req.headers!['content-type'] = 'application/x-www-form-urlencoded';
      req.headers!.cookie = [req.headers!.cookie, `dg_csrf=${PRE_CSRF}`].filter(Boolean).join('; ');
    }
    return rule.stream
      ? client.head(req)
      : client.send(req).then((r) => ({ status: r.status, location: r.headers.location }));
  }

  function matches(outcome: Outcome, got: { status: number; location?: string }): boolean {
    if (outcome === 'login') return got.status === 303 && /^\/login(\?|$)/.test(got.location ?? '');
    if (outcome === 'away') return got.status === 303 && !/^\/login(\?|$)/.test(got.location ?? '');
    return Array.isArray(outcome) ? outcome.includes(got.status) : got.status === outcome;
  }

  it('gives every caller at every route the status its rule says', async () => {
    const mismatches: string[] = [];
    const table: string[] = [];
    const entries = [
      ...Object.entries(RULES),
      ...Object.entries(MOUNTS).map(([mount, rule]) => [`GET ${mount} (mount)`, rule] as const),
    ];
    for (const [key, rule] of entries) {
      const row: string[] = [];
      for (const [i, caller] of CALLERS.entries()) {
        const got = await call(key.split(' ')[0], rule, caller).catch((e: Error) => ({
          status: -1,
          location: e.message,
        }));
        const want = rule.expect[i];
        row.push(`${got.status}`);
        if (!matches(want, got))
          mismatches.push(
            `${key} as ${caller}: expected ${JSON.stringify(want)}, got ${got.status} ${got.location ?? ''}`,
          );
      }
      table.push(`${key.padEnd(52)} ${row.map((s) => s.padStart(4)).join(' ')}`);
    }
    process.stdout.write(`access matrix (${CALLERS.join(', ')}):\n${table.join('\n')}\n`);
    expect(mismatches).toEqual([]);
  });

  it("never shows student A's submission to student B: by id, in a list, filtered by user, as events or as a page", async () => {
    const asB = { authorization: `Bearer ${tokens.studentB}` };
    const list = await client.send({ method: 'GET', path: '/api/submissions?limit=100', headers: asB });
    expect(list.status).toBe(200);
    expect(list.body).not.toContain(fixtures.submissionA);
    for (const path of [
      `/api/submissions?user=${ids.studentA}`,
      `/api/submissions?user=${ids.studentA}&exercise=hello-world`,
    ])
      expect((await client.send({ method: 'GET', path, headers: asB })).status).toBe(403);
    const { headers } = await credentials('sessionB');
    const history = await client.send({ method: 'GET', path: '/submissions', headers });
    expect(history.status).toBe(200);
    expect(history.body).not.toContain(fixtures.submissionA);
  });

  it("answers for student A's submission exactly as for an id that names nothing: status and body, at every door", async () => {
    const { headers: sessionB } = await credentials('sessionB');
    const asB = { authorization: `Bearer ${tokens.studentB}` };
    const unknown = randomUUID();
    // Another spelling of the same id (upper case) is the same submission: answered the same way too.
    const ids = [fixtures.submissionA, fixtures.submissionA.toUpperCase()];
    const doors: { door: string; at: (id: string) => RawRequest }[] = [
      { door: 'API', at: (id) => ({ method: 'GET', path: `/api/submissions/${id}`, headers: asB }) },
      {
        door: 'API, as B’s session',
        at: (id) => ({ method: 'GET', path: `/api/submissions/${id}`, headers: sessionB }),
      },
      { door: 'event stream', at: (id) => ({ method: 'GET', path: `/api/submissions/${id}/events`, headers: asB }) },
      { door: 'page', at: (id) => ({ method: 'GET', path: `/submissions/${id}`, headers: sessionB }) },
    ];
    for (const { door, at } of doors) {
      // The event stream of a readable submission never ends: its status line first, to fail rather than hang.
      expect({ door, status: (await client.head(at(fixtures.submissionA))).status }).toEqual({ door, status: 404 });
      const nothing = await client.send(at(unknown));
      expect({ door, status: nothing.status }).toEqual({ door, status: 404 });
      for (const id of ids) {
        const other = await client.send(at(id));
        expect({ door, status: other.status, body: other.body }).toEqual({ door, status: 404, body: nothing.body });
        expect(other.headers['content-type']).toBe(nothing.headers['content-type']);
      }
    }
  });

  it('refuses a request signed for one integration at another (wrong audience)', async () => {
    const other = await client.send({
      method: 'POST',
      path: '/api/admin/integrations',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Autre' }),
    });
    const { id, inboundSecret } = JSON.parse(other.body) as { id: string; inboundSecret: string };
    integrations.push(id);
    const raw = JSON.stringify({ exercise: 'hello-world', source: 'docker ps', user: { id: 'aud-1' } });
    const sent = (to: string) =>
      client.send({
        method: 'POST',
        path: `/api/lms/${to}/submissions`,
        headers: {
          'content-type': 'application/json',
          ...signedHeaders(inboundSecret, `msg_aud_${randomUUID()}`, raw),
        },
        body: raw,
      });
    expect((await sent(fixtures.integration)).status).toBe(401);
    expect((await sent(id)).status).toBe(202);
  });
});
