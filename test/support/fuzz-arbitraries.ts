import fc from 'fast-check';

/**
 * What hostile clients type: the generators of the fuzz suite. Each produces values a real
 * attacker or a broken client sends, mixed with near-valid ones so that requests reach past the
 * first check (a slug that looks right but uses a Cyrillic letter, a path that is almost relative).
 */

/** Strings that broke, or could break, a text column, a path join, a query or a header. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\0',
  'hello\0world',
  '%00',
  '\u0000hello-world',
  "'; DROP TABLE users; --",
  "' OR '1'='1",
  '1; SELECT pg_sleep(10)',
  '{"$gt": ""}',
  '{"$where": "sleep(1000)"}',
  '$ne',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd',
  'C:\\Windows\\system32\\cmd.exe',
  'C:/boot.ini',
  './../x',
  'a/../../b',
  '....//....//etc/passwd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%c0%af..%c0%af',
  'hеllo-world', // Cyrillic е
  'hello‐world', // U+2010 hyphen
  'ｈｅｌｌｏ-ｗｏｒｌｄ', // full-width
  'hello-world\u200b', // zero-width space
  'HELLO-WORLD',
  'hello-world ',
  'hello_world',
  '\ud800', // lone surrogate
  '\udfff\ud800',
  '\uffff\ufffe',
  '\u202eevil', // right-to-left override
  'a\r\nSet-Cookie: x=1',
  '\r\n\r\nHTTP/1.1 200 OK',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x41',
  'x'.repeat(300),
  'é'.repeat(70_000),
];

/** Any string: printable, full unicode (lone surrogates included), or one of the nasty ones, sometimes with a NUL inside. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })).map(([a, b]) => `${a}\0${b}`),
  },
);

/** Any JSON value, hostile strings included. */
export const anyJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, false, 0, -1, 1e308, -0, 2 ** 53 + 1, [], {}, [[[]]], { $gt: '' }, { __proto__: 1 }),
);

/** A path an attached file might claim. */
export const hostileFilePath: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '../../etc/passwd',
    '/etc/passwd',
    'C:\\Windows\\win.ini',
    'C:/x',
    '..',
    '.',
    'a/..',
    'a/../../b',
    'index.html\0.png',
    'dir/',
    '',
    '~/.ssh/authorized_keys',
    '\\\\server\\share',
    'a'.repeat(256),
    'é/ü/ß.txt',
    'CON',
    'index.html',
    'Dockerfile',
  ),
  hostileString,
);

/** Replaces one top-level field of `base` with a hostile value, removes it, or adds an unknown one. */
export function mutatedObject(base: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(base);
  return fc.oneof(
    fc.tuple(fc.constantFrom(...keys), anyJsonValue).map(([k, v]) => ({ ...base, [k]: v })),
    fc.constantFrom(...keys).map((k) => {
      const copy = { ...base };
      delete copy[k];
      return copy;
    }),
    fc.tuple(hostileString, anyJsonValue).map(([k, v]) => ({ ...base, [k]: v })),
    fc.dictionary(hostileString, anyJsonValue, { maxKeys: 5 }),
  );
}

/** Raw bodies no JSON serializer produces: broken syntax, duplicate keys, deep nesting, invalid UTF-8, odd sizes. */
export function rawJsonBody(valid: Record<string, unknown>): fc.Arbitrary<Buffer> {
  const text = JSON.stringify(valid);
  const fields = Object.entries(valid);
  return fc.oneof(
    // Truncated anywhere: malformed JSON.
    fc.nat({ max: text.length - 1 }).map((n) => Buffer.from(text.slice(0, n))),
    // Duplicate keys: the last wins in JSON.parse; the value must still be validated.
    fc
      .tuple(fc.constantFrom(...fields.map(([k]) => k)), anyJsonValue)
      .map(([k, v]) => Buffer.from(`${text.slice(0, -1)},${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}}`)),
    // Prototype keys.
    fc
      .constantFrom(
        `{"__proto__":{"role":"admin"},${text.slice(1)}`,
        `{"constructor":{"prototype":{"isAdmin":true}},${text.slice(1)}`,
      )
      .map((s) => Buffer.from(s)),
    // Deep nesting, in a field and as the whole body.
    fc
      .integer({ min: 100, max: 100_000 })
      .chain((depth) =>
        fc.constantFrom(
          Buffer.from('['.repeat(depth) + ']'.repeat(depth)),
          Buffer.from('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
          Buffer.from(`${text.slice(0, -1)},"files":${'['.repeat(depth)}${']'.repeat(depth)}}`),
        ),
      ),
    // Invalid UTF-8 inside a string value.
    fc
      .constantFrom(
        [0xff],
        [0xc3, 0x28],
        [0xe2, 0x82],
        [0xf0, 0x28, 0x8c, 0x28],
        [0xed, 0xa0, 0x80], // an encoded surrogate
        [0xc0, 0xaf], // overlong '/'
        [0x00],
      )
      .chain((bytes) =>
        fc
          .constantFrom(...fields.map(([k]) => k))
          .map((k) =>
            Buffer.concat([
              Buffer.from(`${text.slice(0, -1)},${JSON.stringify(k)}:"x`),
              Buffer.from(bytes),
              Buffer.from('y"}'),
            ]),
          ),
      ),
    // Not an object at all.
    fc
      .constantFrom('', 'null', '[]', '"x"', '1', 'true', '{', '}', '{"a"}', "{'a':1}", 'NaN', '\ufeff{}')
      .map((s) => Buffer.from(s)),
    fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  );
}
