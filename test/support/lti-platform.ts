import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import request from 'supertest';
import { Role } from '../../src/generated/prisma/enums';
import { type ApiHarness, type Observed, startApi, userWithToken } from './api-app';
import { freePort } from './processes';

/** What the platform knows of a user it launches. */
export interface PlatformUser {
  sub: string;
  email?: string;
  name?: string;
  roles?: string[];
}

/** One activity (resource link) of the platform's course. */
export interface PlatformLink {
  id: string;
  title?: string;
  /** Custom parameters of the link (Moodle's "custom parameters", Canvas's custom fields). */
  custom?: Record<string, string>;
  /** The line item of the link's grade column (null: ungraded link, no AGS claim). */
  lineItem?: string | null;
}

/** A score the platform accepted. */
export interface ReceivedScore {
  lineItem: string;
  body: {
    userId: string;
    scoreGiven: number;
    scoreMaximum: number;
    comment?: string;
    activityProgress: string;
    gradingProgress: string;
    timestamp: string;
  };
  at: number;
}

/** What the platform received from the tool's deep linking answer (after verifying it). */
export interface ReceivedDeepLink {
  data: unknown;
  contentItems: {
    type: string;
    title?: string;
    url?: string;
    custom?: Record<string, string>;
    lineItem?: { scoreMaximum: number; label?: string; resourceId?: string };
  }[];
}

/** A deep linking request's settings (LTI Deep Linking 2.0 §4.4.1), overridable by tests. */
export interface DeepLinkSettings {
  accept_types?: string[];
  accept_multiple?: boolean;
  data?: string;
  deep_link_return_url?: string;
}

/** How the score endpoint answers the next request. */
export type ScoreReply = { kind: 'status'; status: number; retryAfter?: string } | { kind: 'hang' };

const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';

/**
 * A real LTI 1.3 platform over HTTP, as Moodle or Canvas behaves towards a tool: its own RS256
 * key pair and JWKS; an OIDC authorization endpoint that checks the tool's auth request (client
 * id, registered redirect URI, response type and mode, scope, state, nonce) and answers with the
 * auto-submitting form that posts the signed id_token back; a token endpoint that verifies the
 * tool's JWT client assertion against the tool's published JWKS; and line item score endpoints
 * that check the bearer token, the content type and the body, and refuse a timestamp that is not
 * later than the last one (Moodle's rule). Nothing here trusts the tool.
 */
export class LtiPlatform {
  readonly issuer: string;
  readonly clientId = `dockgrader-${randomBytes(4).toString('hex')}`;
  readonly deploymentId = `dep-${randomBytes(3).toString('hex')}`;
  readonly scores: ReceivedScore[] = [];
  readonly tokenRequests: { ok: boolean; reason?: string }[] = [];
  readonly refusedScores: { status: number; reason: string }[] = [];
  readonly deepLinks: ReceivedDeepLink[] = [];
  readonly refusedDeepLinks: string[] = [];
  /** Launches waiting for the tool's auth request, by lti_message_hint: a resource link or a deep linking request. */
  private readonly pending = new Map<
    string,
    { user: PlatformUser; link: PlatformLink } | { user: PlatformUser; deepLinking: DeepLinkSettings }
  >();
  private readonly tokens = new Set<string>();
  private readonly scorePlan: ScoreReply[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private toolJwks?: ReturnType<typeof createRemoteJWKSet>;
  private key!: CryptoKey;
  private jwk!: JWK;
  readonly kid = `platform-${randomBytes(3).toString('hex')}`;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** The tool's base URL (its launch URL, login URL and JWKS are found under it). */
    readonly toolUrl: string,
  ) {
    this.issuer = url;
  }

  static async start(toolUrl: string): Promise<LtiPlatform> {
    const server = createServer();
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const { port } = server.address() as AddressInfo;
    const p = new LtiPlatform(server, `http://127.0.0.1:${port}`, toolUrl);
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    p.key = privateKey;
    p.jwk = { ...(await exportJWK(publicKey)), kid: p.kid, alg: 'RS256', use: 'sig' };
    p.toolJwks = createRemoteJWKSet(new URL(`${toolUrl}/.well-known/jwks.json`));
    server.on('request', (req, res) => void p.handle(req, res));
    return p;
  }

  /** The registration an admin enters in dockgrader for this platform. */
  get registration() {
    return {
      name: 'Moodle de test',
      issuer: this.issuer,
      clientId: this.clientId,
      deploymentIds: [this.deploymentId],
      authUrl: `${this.url}/auth`,
      tokenUrl: `${this.url}/token`,
      jwksUrl: `${this.url}/jwks`,
    };
  }

  /** The AGS access tokens this platform gave the tool: secrets the tool must never show or log. */
  get issuedTokens(): string[] {
    return [...this.tokens];
  }

  lineItemUrl(name: string): string {
    return `${this.url}/lineitems/${name}/lineitem?type_id=1`;
  }

  /** Replies of the score endpoint for the next requests, in order; then it accepts. */
  planScores(...replies: ScoreReply[]): void {
    this.scorePlan.push(...replies);
  }

  /**
   * A launch as a browser without JavaScript would make it: the platform starts the tool's OIDC
   * login, the tool redirects to the platform's auth endpoint, the platform's form is posted to the
   * tool. Returns the tool's answer to the launch (a redirect with the session cookie, or a refusal)
   * and the form that was posted (to replay it).
   */
  async launch(user: PlatformUser, link: PlatformLink): Promise<{ response: Response; form: LaunchForm }> {
    const form = await this.launchForm(user, link);
    return { response: await postForm(form), form };
  }

  /**
   * A deep linking request (an instructor adds an activity): the same OIDC round trip, with an
   * LtiDeepLinkingRequest whose return URL is this platform's /deep-link-return.
   */
  async deepLink(
    user: PlatformUser,
    settings: DeepLinkSettings = {},
  ): Promise<{ response: Response; form: LaunchForm }> {
    const form = await this.launchForm(user, { deepLinking: settings });
    return { response: await postForm(form), form };
  }

  /** Steps 1 and 2 of a launch, up to the form the platform would post (not posted). */
  async launchForm(user: PlatformUser, what: PlatformLink | { deepLinking: DeepLinkSettings }): Promise<LaunchForm> {
    const hint = randomUUID();
    this.pending.set(hint, 'deepLinking' in what ? { user, deepLinking: what.deepLinking } : { user, link: what });
    const login = new URL(`${this.toolUrl}/lti/login`);
    login.search = new URLSearchParams({
      iss: this.issuer,
      login_hint: user.sub,
      target_link_uri: `${this.toolUrl}/lti/launch`,
      lti_message_hint: hint,
      client_id: this.clientId,
      lti_deployment_id: this.deploymentId,
    }).toString();
    const toTool = await fetch(login, { redirect: 'manual' });
    if (toTool.status !== 302) throw new Error(`tool login answered ${toTool.status}: ${await toTool.text()}`);
    const page = await fetch(toTool.headers.get('location')!, { redirect: 'manual' });
    const html = await page.text();
    if (page.status !== 200) throw new Error(`platform auth answered ${page.status}: ${html}`);
    return parseForm(html);
  }

  /** An id_token as this platform signs them, with `claims` and `opts` overriding (tests forge bad ones). */
  async idToken(
    claims: Record<string, unknown>,
    opts: { key?: CryptoKey; kid?: string; issuedAt?: number; expiresAt?: number; audience?: string | string[] } = {},
  ) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? this.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(opts.audience ?? this.clientId)
      .setIssuedAt(opts.issuedAt ?? now)
      .setExpirationTime(opts.expiresAt ?? now + 300)
      .sign(opts.key ?? this.key);
  }

  /** The claims of a resource link launch. */
  launchClaims(user: PlatformUser, link: PlatformLink, nonce: string): Record<string, unknown> {
    const lineItem = link.lineItem === undefined ? this.lineItemUrl(link.id) : link.lineItem;
    return {
      sub: user.sub,
      nonce,
      azp: this.clientId,
      email: user.email,
      name: user.name,
      'https://purl.imsglobal.org/spec/lti/claim/message_type': 'LtiResourceLinkRequest',
      'https://purl.imsglobal.org/spec/lti/claim/version': '1.3.0',
      'https://purl.imsglobal.org/spec/lti/claim/deployment_id': this.deploymentId,
      'https://purl.imsglobal.org/spec/lti/claim/target_link_uri': `${this.toolUrl}/lti/launch`,
      'https://purl.imsglobal.org/spec/lti/claim/resource_link': { id: link.id, title: link.title ?? link.id },
      'https://purl.imsglobal.org/spec/lti/claim/roles': user.roles ?? [`${MEMBERSHIP}Learner`],
      'https://purl.imsglobal.org/spec/lti/claim/context': { id: 'cours-docker', title: 'Docker, premiers pas' },
      'https://purl.imsglobal.org/spec/lti/claim/custom': link.custom ?? {},
      ...(lineItem
        ? {
            'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint': {
              scope: [
                'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
                'https://purl.imsglobal.org/spec/lti-ags/scope/score',
              ],
              lineitem: lineItem,
              lineitems: `${this.url}/lineitems`,
            },
          }
        : {}),
    };
  }

  /** The claims of a deep linking request (no resource link: the activity does not exist yet). */
  deepLinkingClaims(user: PlatformUser, settings: DeepLinkSettings, nonce: string): Record<string, unknown> {
    const claims = this.launchClaims(user, { id: 'none', lineItem: null }, nonce);
    delete claims['https://purl.imsglobal.org/spec/lti/claim/resource_link'];
    return {
      ...claims,
      'https://purl.imsglobal.org/spec/lti/claim/message_type': 'LtiDeepLinkingRequest',
      'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings': {
        deep_link_return_url: `${this.url}/deep-link-return`,
        accept_types: ['ltiResourceLink'],
        accept_presentation_document_targets: ['iframe', 'window'],
        accept_multiple: false,
        data: 'donnees-opaques-42',
        ...settings,
      },
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const send = (status: number, text: string, type = 'text/plain', extra: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': type, ...extra }).end(text);
    };
    try {
      if (req.method === 'GET' && url.pathname === '/jwks')
        return send(200, JSON.stringify({ keys: [this.jwk] }), 'application/json');
      if (req.method === 'GET' && url.pathname === '/auth') return await this.authorize(url.searchParams, send);
      if (req.method === 'POST' && url.pathname === '/token') return await this.token(new URLSearchParams(body), send);
      if (req.method === 'POST' && url.pathname === '/deep-link-return')
        return await this.deepLinkReturn(new URLSearchParams(body), send);
      const score = /^\/lineitems\/([^/]+)\/lineitem\/scores$/.exec(url.pathname);
      if (req.method === 'POST' && score) return await this.score(req, res, url, body, send);
      send(404, 'not found');
    } catch (err) {
      send(500, (err as Error).message);
    }
  }

  private async authorize(q: URLSearchParams, send: (s: number, t: string, type?: string) => void) {
    const refuse = (why: string) => send(400, `auth request refused: ${why}`);
    if (q.get('client_id') !== this.clientId) return refuse('client_id');
    if (q.get('redirect_uri') !== `${this.toolUrl}/lti/launch`) return refuse('redirect_uri not registered');
    if (q.get('response_type') !== 'id_token' || q.get('response_mode') !== 'form_post')
      return refuse('response type/mode');
    if (q.get('scope') !== 'openid' || q.get('prompt') !== 'none') return refuse('scope/prompt');
    const state = q.get('state');
    const nonce = q.get('nonce');
    if (!state || !nonce) return refuse('state and nonce are required');
    const launch = this.pending.get(q.get('lti_message_hint') ?? '');
    if (!launch || launch.user.sub !== q.get('login_hint')) return refuse('unknown login_hint / lti_message_hint');
    this.pending.delete(q.get('lti_message_hint')!);
    const idToken = await this.idToken(
      'link' in launch
        ? this.launchClaims(launch.user, launch.link, nonce)
        : this.deepLinkingClaims(launch.user, launch.deepLinking, nonce),
    );
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    send(
      200,
      `<!doctype html><html><body onload="document.forms[0].submit()">` +
        `<form method="post" action="${esc(q.get('redirect_uri')!)}">` +
        `<input type="hidden" name="id_token" value="${esc(idToken)}">` +
        `<input type="hidden" name="state" value="${esc(state)}">` +
        `<noscript><button type="submit">Continuer</button></noscript></form></body></html>`,
      'text/html; charset=utf-8',
    );
  }

  /** The tool's answer, as the browser posts it: verified against the tool's JWKS before anything is created. */
  private async deepLinkReturn(form: URLSearchParams, send: (s: number, t: string, type?: string) => void) {
    const refuse = (why: string) => {
      this.refusedDeepLinks.push(why);
      send(400, `deep linking response refused: ${why}`);
    };
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(form.get('JWT') ?? '', this.toolJwks!, {
        issuer: this.clientId,
        audience: this.issuer,
        algorithms: ['RS256'],
        requiredClaims: ['iat', 'exp', 'nonce'],
      }));
    } catch (err) {
      return refuse(`JWT: ${(err as Error).message}`);
    }
    const claim = (name: string) => payload[`https://purl.imsglobal.org/spec/${name}`];
    if (claim('lti/claim/message_type') !== 'LtiDeepLinkingResponse') return refuse('message_type');
    if (claim('lti/claim/version') !== '1.3.0') return refuse('version');
    if (claim('lti/claim/deployment_id') !== this.deploymentId) return refuse('deployment_id');
    const items = claim('lti-dl/claim/content_items');
    if (!Array.isArray(items)) return refuse('content_items');
    this.deepLinks.push({ data: claim('lti-dl/claim/data'), contentItems: items as ReceivedDeepLink['contentItems'] });
    send(200, 'activité créée', 'text/plain; charset=utf-8');
  }

  private async token(form: URLSearchParams, send: (s: number, t: string, type?: string) => void) {
    const refuse = (why: string) => {
      this.tokenRequests.push({ ok: false, reason: why });
      send(401, JSON.stringify({ error: 'invalid_client', error_description: why }), 'application/json');
    };
    if (form.get('grant_type') !== 'client_credentials') return refuse('grant_type');
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
      return refuse('client_assertion_type');
    if (!(form.get('scope') ?? '').split(' ').includes('https://purl.imsglobal.org/spec/lti-ags/scope/score'))
      return refuse('scope');
    try {
      await jwtVerify(form.get('client_assertion') ?? '', this.toolJwks!, {
        issuer: this.clientId,
        subject: this.clientId,
        audience: `${this.url}/token`,
        algorithms: ['RS256'],
        requiredClaims: ['jti', 'exp', 'iat'],
      });
    } catch (err) {
      return refuse(`client assertion: ${(err as Error).message}`);
    }
    const token = randomBytes(24).toString('hex');
    this.tokens.add(token);
    this.tokenRequests.push({ ok: true });
    send(
      200,
      JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600, scope: form.get('scope') }),
      'application/json',
    );
  }

  private async score(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: string,
    send: (s: number, t: string, type?: string, extra?: Record<string, string>) => void,
  ) {
    const refuse = (status: number, reason: string) => {
      this.refusedScores.push({ status, reason });
      send(status, reason);
    };
    const auth = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (!auth || !this.tokens.has(auth)) return refuse(401, 'unknown bearer token');
    if (req.headers['content-type'] !== 'application/vnd.ims.lis.v1.score+json') return refuse(415, 'content type');
    if (url.searchParams.get('type_id') !== '1') return refuse(404, 'line item query string lost');
    const plan = this.scorePlan.shift();
    if (plan?.kind === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (plan)
      return send(
        plan.status,
        `planned ${plan.status}`,
        'text/plain',
        plan.retryAfter ? { 'retry-after': plan.retryAfter } : {},
      );
    const s = JSON.parse(body) as ReceivedScore['body'];
    if (typeof s.userId !== 'string' || typeof s.scoreGiven !== 'number' || typeof s.scoreMaximum !== 'number')
      return refuse(400, 'userId, scoreGiven and scoreMaximum are required');
    if (s.activityProgress !== 'Completed' || s.gradingProgress !== 'FullyGraded') return refuse(400, 'progress');
    const lineItem = url.pathname.replace(/\/scores$/, '');
    const last = this.scores.filter((x) => x.lineItem === lineItem && x.body.userId === s.userId).at(-1);
    if (last && Date.parse(s.timestamp) <= Date.parse(last.body.timestamp))
      return refuse(409, 'timestamp not later than the last score');
    this.scores.push({ lineItem, body: s, at: Date.now() });
    send(200, '{}', 'application/json');
  }

  async close(): Promise<void> {
    for (const r of this.hanging) r.socket?.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((res) => this.server.close(() => res()));
  }
}

/** The form a platform page posts: its action and hidden fields. */
export interface LaunchForm {
  action: string;
  fields: Record<string, string>;
}

function parseForm(html: string): LaunchForm {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form in ${html.slice(0, 200)}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[m[1]] = m[2]
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&amp;/g, '&');
  return { action: action.replace(/&amp;/g, '&'), fields };
}

/** Posts a launch form as the browser does (urlencoded), without following the tool's redirect. */
export function postForm(form: LaunchForm): Promise<Response> {
  return fetch(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form.fields).toString(),
    redirect: 'manual',
  });
}

/** An api serving on a port of its own (the platform calls its PUBLIC_URL), with this platform registered by an admin. */
export interface ApiWithPlatform {
  api: ApiHarness;
  platform: LtiPlatform;
  platformId: string;
  admin: { id: string; token: string };
}

export async function startApiWithPlatform(
  prefix: string,
  opts: { env?: NodeJS.ProcessEnv; observed?: Observed } = {},
): Promise<ApiWithPlatform> {
  const port = await freePort();
  const api = await startApi(
    { ...opts.env, REDIS_PREFIX: prefix, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
    opts.observed,
  );
  const platform = await LtiPlatform.start(api.url);
  const admin = await userWithToken(api, Role.admin);
  const res = await request(api.app.getHttpServer())
    .post('/api/admin/lti/platforms')
    .set('Authorization', `Bearer ${admin.token}`)
    .send(platform.registration);
  if (res.status !== 201) throw new Error(`platform registration answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { api, platform, platformId: res.body.id as string, admin };
}

/** Removes what launches from the platform made (its users and their submissions), the platform, then stops both. */
export async function stopApiWithPlatform(s: Partial<ApiWithPlatform>): Promise<void> {
  if (s.api && s.platformId) {
    const users = await s.api.prisma.user.findMany({ where: { lmsId: `lti:${s.platformId}` }, select: { id: true } });
    const ids = users.map((u) => u.id);
    await s.api.prisma.submission.deleteMany({ where: { userId: { in: ids } } });
    await s.api.prisma.user.deleteMany({ where: { id: { in: ids } } });
    await s.api.prisma.ltiPlatform.deleteMany({ where: { id: s.platformId } });
  }
  await s.platform?.close();
  await s.api?.close();
}
