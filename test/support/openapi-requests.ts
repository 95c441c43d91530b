import fc from 'fast-check';

/** The parts of an OpenAPI 3 document the fuzzer reads. */
export interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  format?: string;
  example?: unknown;
  default?: unknown;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
}
interface Operation {
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** One request as sent: `@@id:<resource>:<n>@@` markers are replaced by known ids when it is sent. */
export interface FuzzRequest {
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** How the request was built (valid, boundary, hostile…), for the failure message. */
  kind: string;
}

export type Resource = 'accounts' | 'orders' | 'conditions';
const RESOURCE_OF_PATH: Array<[RegExp, Resource]> = [
  [/^\/api\/accounts\//, 'accounts'],
  [/^\/api\/orders\//, 'orders'],
  [/^\/api\/conditions\//, 'conditions'],
];

const FUZZED_METHODS = ['post', 'put', 'patch', 'delete'];

/** Every route of the document the fuzzer drives (POST, PUT, PATCH, DELETE). */
export function fuzzedRoutes(doc: OpenApiDocument): Array<{ route: string; method: string; operation: Operation }> {
  return Object.entries(doc.paths).flatMap(([route, operations]) =>
    Object.entries(operations)
      .filter(([method]) => FUZZED_METHODS.includes(method))
      .map(([method, operation]) => ({ route, method: method.toUpperCase(), operation })),
  );
}

const idMarker = (resource: Resource) => fc.nat({ max: 1000 }).map((n) => `@@id:${resource}:${n}@@`);

const DECIMAL_FIELDS =
  /^(amount|cost|price|triggerPrice|triggerPercent|trailPercent|trailAmount|activationPrice|limitOffset|value|percent|averageEntry)$/;
const SYMBOLS = ['BTC/USDT', 'BTC/KRW', 'ETH/USDT', 'ETH/KRW', 'USDT/KRW', 'XRP/KRW', 'DOGE/USDT'];

/** Strings an attacker or a careless script sends: injections, encodings, numbers that are not, sizes at the edges. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'null',
    'undefined',
    'NaN',
    'Infinity',
    '-Infinity',
    '-1',
    '0',
    '-0',
    '1e309',
    '1e-400',
    '0x10',
    '1.',
    '.5',
    '1,5',
    '١٢٣',
    '00001',
    '0.0000000000000000001',
    '999999999999999999999999999999999999.999999999999999999',
    "' OR 1=1 --",
    '"; DROP TABLE orders; --',
    '<script>alert(1)</script>',
    '${7*7}',
    '{{7*7}}',
    '../../etc/passwd',
    '%00',
    'nul\u0000byte',
    'bell\u0007',
    'line\nbreak',
    '\u202eright-to-left',
    'lone \ud800 surrogate',
    'ＢＴＣ/ＵＳＤＴ',
    'btc/usdt',
    'BTC-USDT',
    'BTC/USDT/EUR',
    '__proto__',
    'constructor',
    '50%',
    '101%',
    '-5%',
    'all',
    'balance',
    'PT0S',
    'P-1D',
    '* * * * * *',
    '2026-02-30T25:61:00Z',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.nat({ max: 20_000 }).map((n) => 'x'.repeat(n)),
);

/** Any JSON value of the wrong shape: numbers at their edges, objects, arrays, nulls, prototype keys. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 5e-324, true, false, null) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constant(JSON.parse('{"__proto__":{"polluted":true}}') as unknown) },
  { weight: 1, arbitrary: fc.constant(JSON.parse('{"constructor":{"prototype":{"polluted":true}}}') as unknown) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 3 }) },
);

const decimal = fc.oneof(
  fc.constantFrom('0.001', '0.01', '0.05', '1', '2', '3', '10', '100', '5000', '48000', '50000', '52000', '70000000', '0.5'),
  fc.stringMatching(/^[1-9]\d{0,7}(\.\d{1,8})?$/),
);
const isoInstant = fc.oneof(
  fc.constantFrom('2030-12-31T00:00:00Z', '2020-01-01T00:00:00Z'),
  fc
    .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString()),
);
const priceLeaf = fc.record({
  price: fc.record({
    exchange: fc.constantFrom('binance', 'upbit'),
    symbol: fc.constantFrom(...SYMBOLS),
    source: fc.constantFrom('last', 'bid', 'ask', 'mark'),
    op: fc.constantFrom('>=', '<=', 'crossesAbove', 'crossesBelow'),
    value: decimal,
  }),
});
const timeLeaf = fc.oneof(
  fc.record({ time: fc.record({ after: fc.constantFrom('PT5M', 'P1D', 'PT1H') }) }),
  fc.record({ time: fc.record({ at: isoInstant }) }),
  fc.record({ time: fc.record({ every: fc.constantFrom('0 0 1 1 *', '0 12 * * 1') }) }),
);
const changeLeaf = fc.record({ change: fc.record({ percent: fc.constantFrom('-5', '5', '0') }) });
const premiumLeaf = fc.record({
  premium: fc.record({ base: fc.constantFrom('BTC', 'ETH'), op: fc.constantFrom('>=', '<='), value: decimal }),
});
const leaf = fc.oneof(priceLeaf, timeLeaf, changeLeaf, premiumLeaf);
/** `when` trees from the grammar of api.md, a few levels deep; hostile leaves come from hostileValue. */
const whenTree: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ all: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
  ),
})).node;

/** A value a well-meaning client would send for this field (so requests get past validation and reach the domain). */
function validValue(
  name: string,
  schema: Schema,
  doc: OpenApiDocument,
  simKeys: { apiKey: string; secret: string }[],
): fc.Arbitrary<unknown> {
  const s = resolve(schema, doc);
  // live and testnet accounts would call the real exchanges: the fuzzer stays on this machine.
  if (name === 'mode') return fc.constantFrom('sim', 'paper');
  if (s.enum && s.enum.length > 0) return fc.constantFrom(...s.enum);
  const named = Object.hasOwn(NAMED_FIELDS, name) ? NAMED_FIELDS[name](simKeys) : undefined;
  if (named) return named;
  if (s.format === 'uuid') return fc.oneof(fc.uuid(), idMarker('accounts'));
  if (DECIMAL_FIELDS.test(name)) return decimal;
  return valueOfType(name, s, doc, simKeys);
}

/** Fields whose meaning the name tells: a value of that meaning rather than any value of the type. */
const NAMED_FIELDS: Record<string, (simKeys: { apiKey: string; secret: string }[]) => fc.Arbitrary<unknown>> = {
  accountId: () => idMarker('accounts'),
  symbol: () => fc.constantFrom(...SYMBOLS),
  amount: () => fc.oneof(decimal, fc.constantFrom('all', '50%', 'balance')),
  expiresAt: () => isoInstant,
  apiKey: (simKeys) => fc.oneof(fc.constantFrom(...simKeys.map((k) => k.apiKey)), fc.stringMatching(/^[A-Za-z0-9]{8,64}$/)),
  secret: (simKeys) => fc.oneof(fc.constantFrom(...simKeys.map((k) => k.secret)), fc.stringMatching(/^[A-Za-z0-9]{8,64}$/)),
  when: () => whenTree,
  then: () =>
    fc.record({
      order: fc.record(
        {
          symbol: fc.constantFrom(...SYMBOLS),
          side: fc.constantFrom('buy', 'sell'),
          type: fc.constantFrom('market', 'limit'),
          cost: decimal,
          amount: decimal,
        },
        { requiredKeys: ['symbol', 'side', 'type'] },
      ),
    }),
  execution: () => fc.record({ type: fc.constantFrom('market', 'limit'), limitOffset: decimal }, { requiredKeys: ['type'] }),
  watch: () => fc.record({ exchange: fc.constantFrom('binance', 'upbit'), symbol: fc.constantFrom(...SYMBOLS) }),
  paperBalances: () => fc.dictionary(fc.constantFrom('USDT', 'KRW', 'BTC', 'ETH', 'NOPE'), decimal, { maxKeys: 3 }),
};

/** Any value of the schema's type (objects and arrays built field by field). */
function valueOfType(name: string, s: Schema, doc: OpenApiDocument, simKeys: { apiKey: string; secret: string }[]): fc.Arbitrary<unknown> {
  if (s.type === 'boolean') return fc.boolean();
  if (s.type === 'integer' || s.type === 'number')
    return fc.integer({ min: s.minimum ?? 0, max: Math.min(s.maximum ?? 1000, Number.MAX_SAFE_INTEGER) });
  if (s.type === 'object' && s.properties) return objectOf(s, doc, simKeys, 0);
  if (s.type === 'array' && s.items) return fc.array(validValue(name, s.items, doc, simKeys), { maxLength: 3 });
  if (s.example !== undefined) return fc.oneof(fc.constant(s.example), fc.string({ maxLength: s.maxLength ?? 40 }));
  return fc.string({ minLength: 1, maxLength: s.maxLength ?? 40 });
}

/** The edges of what the field allows: its maximum length and one more, empty, and the like. */
function boundaryValue(name: string, schema: Schema, doc: OpenApiDocument): fc.Arbitrary<unknown> {
  const s = resolve(schema, doc);
  const options: Array<fc.Arbitrary<unknown>> = [fc.constant(''), fc.constant(null)];
  if (s.maxLength !== undefined) options.push(fc.constant('a'.repeat(s.maxLength)), fc.constant('a'.repeat(s.maxLength + 1)));
  if (DECIMAL_FIELDS.test(name))
    options.push(
      fc.constantFrom('0', '0.000000000000000001', '0.0000000000000000001', '999999999999999999', '1000000000000000000', '-0.01'),
    );
  if (name === 'amount') options.push(fc.constantFrom('0%', '100%', '100.0001%', '0.0000001%'));
  if (s.type === 'object') options.push(fc.constant({}), fc.constant([]));
  return fc.oneof(...options);
}

function objectOf(
  schema: Schema,
  doc: OpenApiDocument,
  simKeys: { apiKey: string; secret: string }[],
  hostility: number,
): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const fields = properties.map(([name, property]) => {
    const value = fc.oneof(
      { weight: 8, arbitrary: validValue(name, property, doc, simKeys) },
      { weight: 1 + hostility, arbitrary: boundaryValue(name, property, doc) },
      { weight: 1 + hostility, arbitrary: hostileValue },
    );
    return [name, value] as const;
  });
  const model = Object.fromEntries(fields) as Record<string, fc.Arbitrary<unknown>>;
  return fc.record(model, { requiredKeys: [...required].filter((k) => k in model) });
}

function resolve(schema: Schema, doc: OpenApiDocument): Schema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  return doc.components?.schemas?.[name] ?? {};
}

/** encodeURIComponent throws on a lone surrogate. */
function isWellFormed(text: string): boolean {
  try {
    encodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

function nest(depth: number, open: string, close: string, inner: string): string {
  return `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
}

/**
 * Requests for one route: mostly well-formed bodies with one field at a time going wrong
 * (boundary or hostile values), plus missing and unknown fields, bodies of the wrong shape,
 * malformed or deeply nested JSON, prototype keys, wrong content types, and a few without or
 * with a wrong token.
 */
export function requestsFor(
  doc: OpenApiDocument,
  entry: { route: string; method: string; operation: Operation },
  options: {
    token: string;
    simKeys: { apiKey: string; secret: string }[];
    /** Bodies that make sense together (an account of the right exchange for the symbol…), keyed `METHOD /route`: they get past validation into the domain. */
    coherent?: Record<string, fc.Arbitrary<unknown>>;
  },
): fc.Arbitrary<FuzzRequest> {
  const { route, method, operation } = entry;
  const resource = RESOURCE_OF_PATH.find(([pattern]) => pattern.test(route))?.[1] ?? 'accounts';
  const pathParams = (operation.parameters ?? []).filter((p) => p.in === 'path');
  const headerParams = (operation.parameters ?? []).filter((p) => p.in === 'header');
  const pathValue = fc.oneof(
    { weight: 6, arbitrary: idMarker(resource) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: hostileString.filter(isWellFormed).map((s) => encodeURIComponent(s)) },
  );
  const path = fc
    .tuple(...pathParams.map(() => pathValue))
    .map((values) => pathParams.reduce((p, param, i) => p.replace(`{${param.name}}`, String(values[i])), route));
  const headerValue = fc.oneof(
    fc.constant(undefined),
    fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/),
    fc.constantFrom('', 'a b', 'x'.repeat(200), 'ünïcödé'),
  );
  const headers = fc
    .tuple(...headerParams.map(() => headerValue))
    .map((values) =>
      Object.fromEntries(
        headerParams.flatMap<[string, string]>((param, i) => (values[i] === undefined ? [] : [[param.name, String(values[i])]])),
      ),
    );
  const auth = fc.oneof(
    { weight: 30, arbitrary: fc.constant(`Bearer ${options.token}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('Bearer wrong-token-wrong-token', 'Basic Zm9vOmJhcg==', 'Bearer', `bearer  ${options.token}x`),
    },
  );

  const schema = operation.requestBody?.content?.['application/json']?.schema;
  const resolved = schema ? resolve(schema, doc) : undefined;
  type Body = { kind: string; body?: string; contentType?: string };
  const json = (kind: string) => (value: unknown) => ({ kind, body: JSON.stringify(value), contentType: 'application/json' });
  const bodies: Array<fc.WeightedArbitrary<Body>> = [];
  const coherent = options.coherent?.[`${method} ${route}`];
  if (coherent) bodies.push({ weight: 12, arbitrary: coherent.map(json('coherent')) });
  if (resolved?.properties) {
    const names = Object.keys(resolved.properties);
    bodies.push(
      { weight: 10, arbitrary: objectOf(resolved, doc, options.simKeys, 0).map(json('valid-ish')) },
      { weight: 3, arbitrary: objectOf(resolved, doc, options.simKeys, 4).map(json('hostile fields')) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            objectOf(resolved, doc, options.simKeys, 0),
            fc.constantFrom('colour', 'isAdmin', 'role', 'id', 'status', 'createdAt', 'userId'),
            hostileValue,
          )
          .map(([object, key, value]) => json('unknown field')({ ...object, [key]: value })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(objectOf(resolved, doc, options.simKeys, 0), fc.subarray(names, { minLength: 1 }))
          .map(([object, drop]) => json('missing fields')(Object.fromEntries(Object.entries(object).filter(([k]) => !drop.includes(k))))),
      },
    );
  }
  bodies.push(
    { weight: 1, arbitrary: fc.constantFrom<unknown>([], 'text', 42, null, true, [{}]).map(json('not an object')) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Body>(
        { kind: 'malformed JSON', body: '{"a":', contentType: 'application/json' },
        { kind: 'malformed JSON', body: "{'single':'quotes'}", contentType: 'application/json' },
        { kind: 'malformed JSON', body: '{"a":1,}', contentType: 'application/json' },
        { kind: 'malformed JSON', body: '\u0000', contentType: 'application/json' },
        { kind: 'empty JSON body', body: '', contentType: 'application/json' },
        { kind: 'prototype key', body: '{"__proto__":{"isAdmin":true},"label":"x"}', contentType: 'application/json' },
        { kind: 'prototype key', body: '{"a":{"\\u005f_proto__":{}}}', contentType: 'application/json' },
        { kind: 'constructor key', body: '{"constructor":{"prototype":{"isAdmin":true}}}', contentType: 'application/json' },
        { kind: 'plain text', body: 'label=x', contentType: 'text/plain' },
        { kind: 'form', body: 'label=x&mode=sim', contentType: 'application/x-www-form-urlencoded' },
        { kind: 'xml', body: '<account><label>x</label></account>', contentType: 'application/xml' },
        { kind: 'over 1 MB', body: JSON.stringify({ label: 'x'.repeat(1024 * 1024) }), contentType: 'application/json' },
      ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 33, max: 5000 }), fc.boolean()).map(([depth, arrays]) => ({
        kind: `nested ${depth} deep`,
        body: arrays ? nest(depth, '[', ']', '') : nest(depth - 1, '{"when":', '}', '{}'),
        contentType: 'application/json',
      })),
    },
  );
  if (!resolved) bodies.push({ weight: 10, arbitrary: fc.constant<Body>({ kind: 'no body' }) });

  return fc.record({ path, headers, auth, body: fc.oneof(...bodies) }).map(({ path, headers, auth, body }) => ({
    route,
    method,
    path,
    headers: {
      ...headers,
      ...(auth === undefined ? {} : { Authorization: auth }),
      ...(body.contentType === undefined ? {} : { 'Content-Type': body.contentType }),
    },
    body: body.body,
    kind: body.kind,
  }));
}
