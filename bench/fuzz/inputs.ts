/**
 * Request generation for the API fuzzer: from an operation of the OpenAPI document and a seeded
 * random source, a request that is plausible, malformed, oversized or mistyped. Pure: the same seed
 * gives the same requests.
 */

export type Rng = () => number;

/** The subset of JSON Schema that zod's OpenAPI output uses. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  default?: unknown;
  nullable?: boolean;
  additionalProperties?: boolean | JsonSchema;
}

export interface Operation {
  method: string;
  /** OpenAPI path, e.g. `/queues/{id}`. */
  path: string;
  params: string[];
  query: { name: string; schema: JsonSchema; required: boolean }[];
  body?: JsonSchema;
  /** Declared response statuses (`200`, `4XX`, …). */
  responses: string[];
  secured: boolean;
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** What kind of damage this request carries (for the report). */
  kind: Kind;
}

export const KINDS = ['plausible', 'wrong-types', 'missing-fields', 'huge-strings', 'unicode', 'nested-junk', 'bad-ids', 'bad-query', 'bad-json', 'wrong-content-type', 'oversized', 'bad-auth'] as const;
export type Kind = (typeof KINDS)[number];

interface OpenApiDoc {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string; required?: boolean; schema: JsonSchema }[]; requestBody?: { content: Record<string, { schema: JsonSchema }> }; responses?: Record<string, unknown>; security?: unknown[] }>>;
}

/** Every operation of the document, with what the fuzzer needs to build requests. */
export function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = op.parameters ?? [];
      ops.push({
        method: method.toUpperCase(),
        path,
        params: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema, required: p.required === true })),
        ...(op.requestBody?.content['application/json'] ? { body: op.requestBody.content['application/json'].schema } : {}),
        responses: Object.keys(op.responses ?? {}),
        secured: !(Array.isArray(op.security) && op.security.length === 0),
      });
    }
  }
  return ops;
}

/** Percent-encode UTF-8 bytes (lone surrogates become U+FFFD, as a client would send them). */
const enc = (s: string): string => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

const UNICODE = ['é', 'ß', '漢字', '🙂', '👩‍👩‍👧', '\u202e', '\u0000', '\ud800', '\udfff', '\ufeff', '\u2028', 'ﷺ', '\u0301', '\\', '"', "'", '<script>', '%', '../', '\n', '\t'];
const WEIRD_IDS = ['me', '0', '-1', '%00', '%2F', '..', '%2e%2e', 'null', 'undefined', '__proto__', 'constructor', ' ', '%20', '🙂', '%F0%9F%99%82', '%E0%A4%A', '%', 'a%ZZ', '1e309', 'NaN', "';--", '*', '${x}'];
const KNOWN_IDS = ['1001', '1002', '1006', 'q1', 'q2', 'q3', 'g1', 'g2', 'main', '1000', 'me', 'fuzz-user', 'ivr-main', 'nope'];

/** A string of `n` characters mixing ASCII and multi-byte text. */
export function hugeString(rng: Rng, n: number): string {
  const unit = pick(rng, ['x', 'é', '🙂', 'ab', '\u0000']);
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}

function unicodeString(rng: Rng): string {
  let s = '';
  const n = int(rng, 1, 12);
  for (let i = 0; i < n; i++) s += pick(rng, UNICODE);
  return s;
}

/** A nested or very wide JSON value (shallow enough to build as a value). */
export function nestedJunk(rng: Rng): unknown {
  if (rng() < 0.3) return Object.fromEntries(Array.from({ length: int(rng, 100, 5000) }, (_, i) => [`k${i}`, i]));
  let value: unknown = pick(rng, [null, 1, 'x', true, {}]);
  for (let i = pick(rng, [5, 50, 200]); i > 0; i--) value = rng() < 0.5 ? [value] : { a: value };
  return value;
}

/** JSON text nested far deeper than any parser's recursion would like. */
export function deepJunkText(rng: Rng): string {
  const depth = pick(rng, [1000, 10_000, 100_000]);
  return rng() < 0.5 ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** A value of some other JSON type than `schema` asks for. */
export function wrongType(rng: Rng, schema: JsonSchema | undefined): unknown {
  const type = [schema?.type].flat()[0];
  const candidates: unknown[] = [null, true, -1, 1.5, 1e308, 'text', '', [], [1, 'a'], {}, { nested: { x: 1 } }];
  return pick(rng, candidates.filter((v) => jsonType(v) !== type));
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** A value that often satisfies `schema` (not always: patterns are only guessed). */
export function valueFor(rng: Rng, schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return null;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return pick(rng, schema.enum);
  const alt = schema.anyOf ?? schema.oneOf;
  if (alt && alt.length > 0) return valueFor(rng, pick(rng, alt), depth + 1);
  if (schema.allOf && schema.allOf.length > 0) return valueFor(rng, schema.allOf[0], depth + 1);
  if (schema.default !== undefined && rng() < 0.3) return schema.default;
  const type = [schema.type].flat()[0];
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, prop] of Object.entries(schema.properties ?? {})) {
        if ((schema.required ?? []).includes(key) || rng() < 0.5) out[key] = valueFor(rng, prop, depth + 1);
      }
      return out;
    }
    case 'array':
      return Array.from({ length: int(rng, 0, 3) }, () => valueFor(rng, schema.items, depth + 1));
    case 'integer':
    case 'number': {
      const lo = schema.minimum ?? 0;
      const hi = schema.maximum ?? lo + 100;
      const n = lo + rng() * (hi - lo);
      return type === 'integer' ? Math.round(n) : n;
    }
    case 'boolean':
      return rng() < 0.5;
    case 'string': {
      if (schema.pattern?.includes('0-9') && !schema.pattern.includes('A-Z')) return String(int(rng, 1000, 1006));
      const s = pick(rng, KNOWN_IDS);
      return schema.maxLength !== undefined ? s.slice(0, schema.maxLength) : s;
    }
    default:
      return pick(rng, [null, 'x', 1]);
  }
}

/** Replace one random leaf or field of `value` by `replacement(schema of that spot)`. */
function mutateField(rng: Rng, value: unknown, schema: JsonSchema | undefined, replacement: (s: JsonSchema | undefined) => unknown): unknown {
  if (value === null || typeof value !== 'object' || rng() < 0.25) return replacement(schema);
  if (Array.isArray(value)) {
    if (value.length === 0) return [replacement(schema?.items)];
    const i = int(rng, 0, value.length - 1);
    const copy = [...value];
    copy[i] = mutateField(rng, copy[i], schema?.items, replacement);
    return copy;
  }
  const keys = Object.keys(value);
  const props = schema?.properties ?? {};
  const key = keys.length > 0 && rng() < 0.8 ? pick(rng, keys) : pick(rng, [...Object.keys(props), 'unexpected']);
  return { ...(value as Record<string, unknown>), [key]: mutateField(rng, (value as Record<string, unknown>)[key], props[key], replacement) };
}

function dropRequired(rng: Rng, value: unknown, schema: JsonSchema | undefined): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return rng() < 0.5 ? undefined : {};
  const copy = { ...(value as Record<string, unknown>) };
  const required = schema?.required ?? Object.keys(copy);
  for (const key of required) if (rng() < 0.7) delete copy[key];
  return copy;
}

export interface Credentials {
  /** The admin session token. */
  session: string;
}

const BAD_JSON = ['{', '{"a":', '[1,2', '{"a":1,}', "{'a':1}", 'nul', '{"a":1}{"b":2}', '\u0000', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '"just a string"', '123', 'true', '{"a":"\\ud800"}', '{"a":1e999}'];
const CONTENT_TYPES = ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/yaml', 'application/octet-stream', 'application/jsonx', '', '*/*'];

/** Fill `{name}` placeholders with plausible, known or hostile ids. */
function urlFor(rng: Rng, op: Operation, hostile: boolean): string {
  return op.path.replace(/\{([^}]+)\}/g, () => {
    if (!hostile) return enc(pick(rng, KNOWN_IDS));
    const r = rng();
    if (r < 0.5) return pick(rng, WEIRD_IDS);
    if (r < 0.7) return enc(unicodeString(rng));
    if (r < 0.85) return 'x'.repeat(pick(rng, [65, 1000, 20_000]));
    return enc(pick(rng, KNOWN_IDS)) + pick(rng, ['/', '//', '/extra', ';x', '%3F']);
  });
}

function queryFor(rng: Rng, op: Operation, hostile: boolean): string {
  const parts: string[] = [];
  for (const q of op.query) {
    if (!hostile) {
      if (q.name.endsWith('date')) parts.push(`${q.name}=${pick(rng, ['2026-01-01', '2026-11-30T10:00:00Z', '0', '1796000000000'])}`);
      else if (q.required || rng() < 0.3) parts.push(`${q.name}=${enc(String(valueFor(rng, q.schema)))}`);
      continue;
    }
    const r = rng();
    if (r < 0.15) continue;
    if (r < 0.3) parts.push(`${q.name}=${enc(hugeString(rng, pick(rng, [41, 513, 100_000])))}`);
    else if (r < 0.45) parts.push(`${q.name}=1&${q.name}=2`);
    else if (r < 0.6) parts.push(`${q.name}[a]=1`);
    else if (r < 0.75) parts.push(`${q.name}=${pick(rng, ['%', '%ZZ', '%00', '-1', '1e309', '99999999999999999999', 'NaN', '2026-13-45', '', 'null'])}`);
    else parts.push(`${q.name}=${enc(unicodeString(rng))}`);
  }
  if (hostile && rng() < 0.3) parts.push(pick(rng, ['unknown=1', '__proto__[x]=1', 'constructor=1', '&&&', '=', '%=%', 'a=' + 'b'.repeat(10_000)]));
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

let bigBody: string | undefined;
/** A JSON body just over the API's 5 MiB limit (built once). */
const oversized = (): string => (bigBody ??= `{"a":"${'x'.repeat(5 * 1024 * 1024 + 16)}"}`);

/** How often each kind is drawn: an oversized body is costly to build and send, so it is rare. */
const WEIGHTS: Record<Kind, number> = {
  plausible: 12, 'wrong-types': 12, 'missing-fields': 8, 'huge-strings': 6, unicode: 8, 'nested-junk': 6,
  'bad-ids': 12, 'bad-query': 8, 'bad-json': 8, 'wrong-content-type': 8, oversized: 1, 'bad-auth': 5,
};
const TOTAL_WEIGHT = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);

export function pickKind(rng: Rng): Kind {
  let r = rng() * TOTAL_WEIGHT;
  for (const kind of KINDS) {
    r -= WEIGHTS[kind];
    if (r < 0) return kind;
  }
  return 'plausible';
}

/** One request of the given kind (or a weighted random kind) against `op`. */
export function requestFor(rng: Rng, op: Operation, creds: Credentials, kind: Kind = pickKind(rng)): FuzzRequest {
  const headers: Record<string, string> = { authorization: `Bearer ${creds.session}` };
  const hostileUrl = kind === 'bad-ids' || (kind !== 'plausible' && rng() < 0.15);
  const url = urlFor(rng, op, hostileUrl) + queryFor(rng, op, kind === 'bad-query');
  const plausible = op.body ? valueFor(rng, op.body) : rng() < 0.3 ? {} : undefined;
  let payload: string | undefined = plausible === undefined ? undefined : JSON.stringify(plausible);
  const json = (v: unknown) => {
    payload = v === undefined ? undefined : JSON.stringify(v);
  };
  switch (kind) {
    case 'plausible':
    case 'bad-ids':
    case 'bad-query':
      break;
    case 'wrong-types':
      json(mutateField(rng, plausible ?? {}, op.body, (s) => wrongType(rng, s)));
      break;
    case 'missing-fields':
      json(dropRequired(rng, plausible, op.body));
      break;
    case 'huge-strings':
      json(mutateField(rng, plausible ?? {}, op.body, () => hugeString(rng, pick(rng, [65, 257, 10_000, 1_000_000]))));
      break;
    case 'unicode':
      json(mutateField(rng, plausible ?? {}, op.body, () => unicodeString(rng)));
      break;
    case 'nested-junk':
      if (rng() < 0.3) payload = deepJunkText(rng);
      else json(rng() < 0.3 ? nestedJunk(rng) : mutateField(rng, plausible ?? {}, op.body, () => nestedJunk(rng)));
      break;
    case 'bad-json':
      payload = pick(rng, BAD_JSON);
      break;
    case 'wrong-content-type':
      headers['content-type'] = pick(rng, CONTENT_TYPES);
      payload = payload ?? pick(rng, ['x', '<a/>', 'a=1&b=2', '{}']);
      if (headers['content-type'] === '') delete headers['content-type'];
      break;
    case 'oversized':
      payload = oversized();
      break;
    case 'bad-auth': {
      const r = rng();
      if (r < 0.3) delete headers.authorization;
      else if (r < 0.6) headers.authorization = pick(rng, ['Bearer', 'Bearer ', 'Basic abc', 'Bearer a b', `Bearer ${'x'.repeat(10_000)}`, 'bearer \u00e9']);
      else headers['x-api-key'] = pick(rng, ['', 'short', 'x'.repeat(5000)]);
      if (r >= 0.6) delete headers.authorization;
      break;
    }
  }
  if (payload !== undefined && headers['content-type'] === undefined && kind !== 'wrong-content-type') headers['content-type'] = 'application/json';
  return { method: op.method, url, headers, ...(payload !== undefined ? { payload } : {}), kind };
}
