import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { hostileString, mutatedObject, rawJsonBody } from './fuzz-arbitraries';
import type { RawRequest } from './raw-http';
import type { RouteKey } from './route-inventory';

/**
 * Fuzz cases for every route the router serves, whatever it is (issue #18): the list comes from
 * routeInventory, each JSON body from the route's schema in the OpenAPI document the api serves,
 * so a route added tomorrow is fuzzed without anyone listing it. A JSON route gets bodies built
 * from its schema (valid, then mutated, then as raw bytes); a route without a body schema still
 * gets hostile path parameters and query strings; a page's form gets hostile fields, with and
 * without its CSRF token.
 */

/** What the generic cases need from the suite: who calls, and real values for some parameters. */
export interface RouteFuzzContext {
  bearer: { student: string; instructor: string; admin: string };
  sessions: { student: { cookie: string; csrf: string }; admin: { cookie: string; csrf: string } };
  /** Real values for path parameters by name (a course code, an exercise slug), beside hostile ones. */
  known: Record<string, string[]>;
  /** Path segments a hostile client would try. */
  hostileSegment: fc.Arbitrary<string>;
  /** Content types a JSON body is sent with (the right one and wrong ones). */
  contentTypes: string[];
  /** Percent-encoding that survives lone surrogates. */
  enc: (s: string) => string;
}

export interface RouteCase {
  target: string;
  req: RawRequest;
  /** An event stream: judged on its status line, then the client hangs up. */
  stream?: boolean;
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  example?: unknown;
  format?: string;
  minimum?: number;
  minLength?: number;
  minItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

interface OpenApiOperation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

export type OpenApiDocument = { paths: Record<string, Record<string, OpenApiOperation>> };

/** Field names of the pages' forms (src/web/views), beside hostile ones. */
const FORM_FIELDS = [
  'source',
  'email',
  'password',
  'confirm',
  'next',
  'csv',
  'code',
  'title',
  'term',
  'timeZone',
  'exercise',
  'dueAt',
  'opensAt',
  'lateUntil',
  'lateCredit',
  'maxAttempts',
  'cooldownSeconds',
  'counted',
  'extraAttempts',
  'user',
  'group',
  'action',
  'version',
  'assignment',
  'revealHiddenAfterDue',
  'name',
  'webhookUrl',
  'issuer',
  'clientId',
];

/**
 * Routes whose success would end the fuzzer's own credentials: called with a session that is
 * not the suite's (a forged cookie), so they are fuzzed without logging the suite out.
 */
const ENDS_THE_SESSION: ReadonlySet<string> = new Set(['POST /logout']);

/** A value the schema accepts, as a client that read the documentation would send. */
export function exampleOf(schema: JsonSchema | undefined): unknown {
  if (!schema) return {};
  for (const v of [schema.example, schema.default, schema.const]) if (v !== undefined) return v;
  if (schema.enum?.length) return schema.enum[0];
  const alternative = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (alternative) return exampleOf(alternative);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, exampleOf(v)]));
    case 'array':
      return Array.from({ length: schema.minItems ?? 1 }, () => exampleOf(schema.items));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'string':
      switch (schema.format) {
        case 'email':
          return 'fuzz-schema@lycee.test';
        case 'uri':
        case 'url':
          return 'https://lms.example.fr/fuzz';
        case 'date-time':
          return new Date(Date.now() + 86_400_000).toISOString();
        case 'uuid':
          return randomUUID();
        default:
          return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
      }
    default:
      return {};
  }
}

/** The OpenAPI operation of a route (`:id` there is `{id}`), if the document has it. */
function operationOf(doc: OpenApiDocument, key: RouteKey): OpenApiOperation | undefined {
  const [method, path] = key.split(' ');
  return doc.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
}

/** `n` cases for each route of `routes`, with `salt` separating their seeds from the suite's others. */
export function routeCases(
  routes: RouteKey[],
  doc: OpenApiDocument,
  ctx: RouteFuzzContext,
  n: number,
  sample: <T>(arb: fc.Arbitrary<T>, n: number, salt: number) => T[],
  salt: number,
): RouteCase[] {
  const cases: RouteCase[] = [];
  for (const [i, key] of routes.entries()) {
    const [method, pattern] = key.split(' ');
    const op = operationOf(doc, key);
    const schema = op?.requestBody?.content?.['application/json']?.schema;
    const queryNames = (op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    const isApi = pattern.startsWith('/api/') || pattern === '/api';
    const writes = method !== 'GET' && method !== 'HEAD';
    const names = pattern.match(/:(\w+)/g)?.map((p) => p.slice(1)) ?? [];

    const path = fc
      .tuple(
        ...names.map((name) =>
          ctx.known[name] ? fc.oneof(fc.constantFrom(...ctx.known[name]), ctx.hostileSegment) : ctx.hostileSegment,
        ),
      )
      .map((values) => names.reduce((p, name, j) => p.replace(`:${name}`, values[j]), pattern));
    const query = fc
      .dictionary(
        fc.oneof(queryNames.length ? fc.constantFrom(...queryNames) : hostileString, hostileString),
        hostileString,
        {
          maxKeys: 3,
        },
      )
      .map((q) =>
        Object.entries(q)
          .map(([k, v]) => `${ctx.enc(k)}=${ctx.enc(v)}`)
          .join('&'),
      );
    // A body to mutate: the schema's example, or one field when the route documents none.
    const example = exampleOf(schema);
    const valid =
      example && typeof example === 'object' && !Array.isArray(example) && Object.keys(example).length
        ? (example as Record<string, unknown>)
        : { field: 'x' };
    const body: fc.Arbitrary<{ type?: string; bytes?: Buffer | string }> = !writes
      ? fc.constant({})
      : isApi
        ? fc.oneof(
            mutatedObject(valid).map((b) => ({
              type: 'application/json',
              bytes: JSON.stringify(b),
            })),
            fc
              .tuple(rawJsonBody(valid), fc.constantFrom(...ctx.contentTypes))
              .map(([bytes, type]) => ({ type, bytes })),
            fc.constant({}),
          )
        : fc
            .dictionary(fc.oneof(fc.constantFrom(...FORM_FIELDS), hostileString), hostileString, { maxKeys: 5 })
            .map((fields) => ({
              type: 'application/x-www-form-urlencoded',
              bytes: Object.entries(fields)
                .map(([k, v]) => `${ctx.enc(k)}=${ctx.enc(v)}`)
                .join('&'),
            }));
    // Who calls: bearer tokens on the API (every role, or none); sessions on pages, with their CSRF
    // token most of the time (so the form reaches its handler), a student's or an admin's.
    const preCsrf = 'fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz';
    const caller: fc.Arbitrary<{ headers: Record<string, string>; csrf?: string }> = isApi
      ? fc.constantFrom<{ headers: Record<string, string> }>(
          { headers: { authorization: `Bearer ${ctx.bearer.student}` } },
          { headers: { authorization: `Bearer ${ctx.bearer.instructor}` } },
          { headers: { authorization: `Bearer ${ctx.bearer.admin}` } },
          { headers: {} },
        )
      : fc
          .tuple(fc.constantFrom(ctx.sessions.student, ctx.sessions.admin, undefined), fc.nat(3))
          .map(([session, csrfChoice]) => ({
            headers: {
              cookie: [ENDS_THE_SESSION.has(key) ? `dg_session=${randomUUID()}` : session?.cookie, `dg_csrf=${preCsrf}`]
                .filter(Boolean)
                .join('; '),
            },
            csrf: csrfChoice === 0 ? undefined : (session?.csrf ?? preCsrf),
          }));

    for (const [p, q, b, who] of sample(fc.tuple(path, query, body, caller), n, salt + i)) {
      const headers: Record<string, string> = { ...who.headers };
      if (b.type) headers['content-type'] = b.type;
      const bytes = !isApi && writes && who.csrf ? [`_csrf=${who.csrf}`, b.bytes].filter(Boolean).join('&') : b.bytes;
      cases.push({
        target: `${key} (router)`,
        req: { method, path: q ? `${p}?${q}` : p, headers, ...(bytes !== undefined ? { body: bytes } : {}) },
        stream: pattern.endsWith('/events'),
      });
    }
  }
  return cases;
}
