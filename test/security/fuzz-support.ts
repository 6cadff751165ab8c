import { createHash } from 'node:crypto'
import type { Store } from '@suanpan/control-plane'
import * as schemas from '@suanpan/control-plane/schemas'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'

// ------------------------------------------------------------------------------------------ routes

export interface DiscoveredRoute {
  method: string
  /** The pattern as printed (`/api/v1/clusters/:clusterId|:id/token` when two routes name a position differently). */
  url: string
}

/**
 * Every (method, pattern) the running app answers, read from `printRoutes({ commonPrefix: false })`: buildApp
 * registers its routes itself, so an `onRoute` hook cannot be added before them from outside. The tree is
 * parsed (each child line continues its parent's path) and every pair is then confirmed with `hasRoute`, so a
 * change in the printed format fails loudly instead of silently shrinking the list.
 */
export function discoverRoutes(app: FastifyInstance): DiscoveredRoute[] {
  const text = app.printRoutes({ commonPrefix: false })
  const paths: string[] = []
  const found: DiscoveredRoute[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    const m = /^((?:[│ ] {3})*)(?:├── |└── )(.+)$/u.exec(line)
    if (!m) throw new Error(`route discovery: cannot read printRoutes line ${JSON.stringify(line)}`)
    const depth = (m[1] ?? '').length / 4
    const node = /^(.*?)(?: \(([A-Z, -]+)\))?$/.exec(m[2] ?? '')
    const path = (depth > 0 ? (paths[depth - 1] ?? '') : '') + (node?.[1] ?? '')
    paths[depth] = path
    paths.length = depth + 1
    for (const method of node?.[2]?.split(',').map((s) => s.trim()) ?? []) found.push({ method, url: path })
  }
  for (const r of found) {
    if (!app.hasRoute({ method: r.method as 'GET', url: r.url })) {
      throw new Error(`route discovery: parsed ${r.method} ${r.url} from printRoutes but fastify has no such route`)
    }
  }
  return found
}

/** Console files served by @fastify/static: everything outside /api/ except the two operational endpoints. */
export function isConsoleFile(url: string): boolean {
  return !url.startsWith('/api/') && url !== '/metrics' && url !== '/healthz'
}

export const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * A path parameter in a pattern: `:id`, `:id(^\\d+$)`, find-my-way's printed `:clusterId|:id` (two routes
 * naming the same position differently), or a wildcard.
 */
export const PARAM = /:[A-Za-z0-9_]+(?:\([^)]*\))?(?:\|:[A-Za-z0-9_]+(?:\([^)]*\))?)*|\*/g

/** `METHOD url` with every parameter written `:`, so printed and registered patterns compare equal. */
export const normalized = (method: string, url: string): string => `${method} ${url.replace(PARAM, ':')}`

export interface RouteSchemas {
  querystring?: unknown
  params?: unknown
  body?: unknown
}

/**
 * Records each route's request schemas as requests reach it (`request.routeOptions.schema`), from a global
 * onRequest hook that only reads. Added after buildApp and before the app is ready, it runs for every route.
 * Keys are `normalized(method, url)`.
 */
export function captureSchemas(app: FastifyInstance): Map<string, RouteSchemas> {
  const captured = new Map<string, RouteSchemas>()
  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url
    if (url === undefined) return
    const key = normalized(request.method, url)
    if (captured.has(key)) return
    const s = (request.routeOptions.schema ?? {}) as Record<string, unknown>
    captured.set(key, { querystring: s.querystring, params: s.params, body: s.body })
  })
  return captured
}

/** The properties of an object schema (empty for anything else). */
export function propertiesOf(schema: unknown): Record<string, unknown> {
  const p = (schema as { properties?: unknown } | undefined)?.properties
  return p && typeof p === 'object' ? (p as Record<string, unknown>) : {}
}

// ------------------------------------------------------------------------------------------ store checksum

export async function storeTables(store: Store): Promise<string[]> {
  const rows =
    store.dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(
          store.db,
        )
      : await sql<{
          name: string
        }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(
          store.db,
        )
  return rows.rows.map((r) => r.name)
}

function canonical(value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
  if (Buffer.isBuffer(value)) return `b64:${value.toString('base64')}`
  if (value instanceof Date) return `date:${value.toISOString()}`
  if (Array.isArray(value)) return value.map(canonical)
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, canonical(o[k])]),
    )
  }
  return value
}

/** Per table: row count and a SHA-256 over its rows, each in canonical JSON, sorted (so row order never matters). */
export async function tableChecksums(store: Store, tables: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const table of tables) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db)
    const lines = rows.map((r) => JSON.stringify(canonical(r))).sort()
    out[table] = `${rows.length}:${createHash('sha256').update(lines.join('\n')).digest('hex')}`
  }
  return out
}

export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((t) => before[t] !== after[t]).sort()
}

/**
 * SQLite only: the store's single connection counts every row an INSERT/UPDATE/DELETE touched
 * (`total_changes()`), and the audit trail's head says how many of those were audit records. When the first
 * grew by exactly as much as the second, nothing but the audit trail was written: no full checksum needed.
 */
export async function sqliteWriteCounters(store: Store): Promise<{ changes: number; audit: number }> {
  const { rows } = await sql<{
    changes: number
    audit: number | null
  }>`select total_changes() as changes, (select max(seq) from audit_log) as audit`.execute(store.db)
  return { changes: Number(rows[0]?.changes ?? 0), audit: Number(rows[0]?.audit ?? 0) }
}

const WRITE_COUNTER = 'fuzz_write_counter'

/**
 * PostgreSQL: a one-row counter that a statement-level trigger on each given table bumps on every INSERT,
 * UPDATE, DELETE or TRUNCATE (test instrumentation in the suite's own database). The counter unchanged means
 * those tables were not written; changed, the caller compares checksums. Its table is not among `tables`.
 */
export async function installPgWriteCounter(store: Store, tables: readonly string[]): Promise<void> {
  await sql`create table ${sql.table(WRITE_COUNTER)} (n bigint not null)`.execute(store.db)
  await sql`insert into ${sql.table(WRITE_COUNTER)} values (0)`.execute(store.db)
  await sql
    .raw(
      `create function fuzz_count_write() returns trigger language plpgsql as $f$ begin update ${WRITE_COUNTER} set n = n + 1; return null; end $f$`,
    )
    .execute(store.db)
  for (const t of tables) {
    await sql`create trigger ${sql.id(`fuzz_count_${t}`)} after insert or update or delete or truncate on ${sql.table(t)} for each statement execute function fuzz_count_write()`.execute(
      store.db,
    )
  }
}

export async function pgWriteCounter(store: Store): Promise<number> {
  const { rows } = await sql<{ n: number }>`select n from ${sql.table(WRITE_COUNTER)}`.execute(store.db)
  return Number(rows[0]?.n ?? 0)
}

// ------------------------------------------------------------------------------------------ vocabulary from the schemas

/** Property names and literal values of every exported request/response schema: real keys for query strings and bodies. */
export function schemaVocabulary(): { keys: string[]; literals: string[] } {
  const keys = new Set<string>()
  const literals = new Set<string>()
  const seen = new Set<unknown>()
  const walk = (node: unknown, depth: number): void => {
    if (depth > 30 || node === null || typeof node !== 'object' || seen.has(node)) return
    seen.add(node)
    const o = node as Record<string, unknown>
    if (o.properties && typeof o.properties === 'object') for (const k of Object.keys(o.properties)) keys.add(k)
    if (typeof o.const === 'string') literals.add(o.const)
    if (Array.isArray(o.enum)) for (const v of o.enum) if (typeof v === 'string') literals.add(v)
    for (const v of Object.values(o)) walk(v, depth + 1)
  }
  for (const value of Object.values(schemas)) walk(value, 0)
  return { keys: [...keys].sort(), literals: [...literals].sort() }
}

const KNOWN_PATTERNS: Record<string, string> = {
  '^[a-z0-9][a-z0-9._-]{0,62}$': 'fz-example',
  '^[1-8][0-9]0000$': '110000',
  '^[1-8][0-9]{3}00$': '130700',
  '^w-[0-9a-f]{12}$': 'w-000000000000',
  '^apr-[0-9a-f]{16}$': 'apr-0000000000000000',
  [schemas.CENSUS_PERIOD_PATTERN]: '2026-09',
}

/**
 * A plausible value for a JSON schema (first branch of unions; every optional property, or only the required
 * ones): a body template for routes this suite knows nothing about.
 */
export function exampleOf(schema: unknown, requiredOnly = false, depth = 0): unknown {
  if (depth > 8 || schema === null || typeof schema !== 'object') return null
  const s = schema as Record<string, unknown>
  if ('const' in s) return s.const
  if (Array.isArray(s.enum)) return s.enum[0]
  for (const key of ['anyOf', 'oneOf', 'allOf'])
    if (Array.isArray(s[key]) && (s[key] as unknown[]).length > 0) return exampleOf((s[key] as unknown[])[0], requiredOnly, depth + 1)
  switch (s.type) {
    case 'object': {
      const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : [])
      return Object.fromEntries(
        Object.entries(propertiesOf(s))
          .filter(([k]) => !requiredOnly || required.has(k))
          .map(([k, v]) => [k, exampleOf(v, requiredOnly, depth + 1)]),
      )
    }
    case 'array':
      return s.items && !requiredOnly ? [exampleOf(s.items, requiredOnly, depth + 1)] : []
    case 'string': {
      if (typeof s.pattern === 'string') return KNOWN_PATTERNS[s.pattern] ?? 'a'
      if (s.format === 'date-time') return '2026-09-21T00:00:00.000Z'
      return 'x'.repeat(Math.max(1, Number(s.minLength ?? 1)))
    }
    case 'integer':
    case 'number': {
      const min = typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : 1
      return typeof s.maximum === 'number' ? Math.min(min, s.maximum) : min
    }
    case 'boolean':
      return true
    case 'null':
      return null
    default:
      return {}
  }
}

/** Examples (full and minimal) of every exported schema that describes something a client sends. */
export function requestExamples(): { name: string; body: unknown }[] {
  return Object.entries(schemas)
    .filter(([name, value]) => /(Request|Spec|Registration|Status)Schema$/.test(name) && value && typeof value === 'object')
    .flatMap(([name, value]) => [
      { name, body: exampleOf(value) },
      { name: `${name} (required only)`, body: exampleOf(value, true) },
    ])
}

// ------------------------------------------------------------------------------------------ hostile values

export const SQL_METACHARACTERS = [
  "'; DROP TABLE clusters; --",
  "' OR '1'='1",
  '" OR 1=1 --',
  '1; DELETE FROM audit_log; --',
  "x' UNION SELECT token_hash, 1 FROM clusters --",
  '%',
  '_',
  '%_%',
  '\\',
  '\\%',
  "\\'",
  "''",
  '`',
  ';',
  '--',
  '/*',
  '*/',
  '$1',
  '?',
  ':id',
  '\u0000',
  "'; select pg_sleep(1); --",
  'NULL',
]

/** Literal JSON number texts that are legal JSON but not safe doubles, or not legal JSON at all. */
export const RAW_NUMBERS = [
  '1e309',
  '-1e309',
  '1e999999999',
  '123456789012345678901234567890',
  '-123456789012345678901234567890',
  '9007199254740993',
  '2147483648',
  '-2147483649',
  '9223372036854775808',
  '-0',
  '-0.0e-0',
  '1e-400',
  '0.1e1',
  '1E2',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '01',
  '+1',
  '.5',
  '1.',
]

export const NUMBER_STRINGS = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1e309',
  '-1',
  '0',
  '-0',
  '1.5',
  '2147483647',
  '2147483648',
  '4294967296',
  '9007199254740993',
  '9223372036854775807',
  '9223372036854775808',
  '99999999999999999999999999',
  '1e21',
  '1e-7',
  '0x1f',
  '0b1',
  '1_000',
  ' 1',
  '1 ',
  '',
  'true',
  'null',
  'undefined',
  '[]',
  '{}',
]

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString', 'valueOf']

const UNICODE = ['算盘', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '👩‍👩‍👧‍👦', '\u202eevil', 'e\u0301', '\ufeff', '\u2028\u2029', 'İ', 'ß', '\ud800', '\udfff']

const HOSTILE_INTEGERS = [
  '0',
  '-1',
  '-0',
  '0.5',
  '1e-7',
  '2147483647',
  '2147483648',
  '-2147483649',
  '4294967296',
  '9007199254740991',
  '9007199254740993',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775809',
  '99999999999999999999',
  '1e21',
  '1e308',
  '1e309',
  '-1e309',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '',
]

const HOSTILE_TIMES = [
  '-271821-04-20T00:00:00.000Z',
  '+275760-09-13T00:00:00.000Z',
  '+275760-09-13T00:00:00.001Z',
  '0000-01-01T00:00:00Z',
  '1970-01-01',
  '2026-09-21T13:33:20Z',
  '2026-09-20',
  '9999-12-31T23:59:59Z',
  '2026-13-45T99:99:99Z',
  '1',
  '-1',
  '1e21',
  'now',
  'Invalid Date',
]

/**
 * Values (as query-string or path text) worth sending for one property schema, in groups: its literals, its
 * numeric edges and just past them, integers no column holds, lengths at and past its limit, extreme times, SQL
 * metacharacters, NUL and other odd strings. A recipe picks a group, then a value: every group is as likely as
 * any other, however long.
 */
export function candidateGroups(schema: unknown): string[][] {
  const s = (schema ?? {}) as Record<string, unknown>
  const literals = new Set<string>()
  const edges = new Set<string>()
  const lengths = new Set<string>()
  let numeric = false
  let text = false
  let boolean = false
  const unions = (['anyOf', 'oneOf'] as const).flatMap((k) => (Array.isArray(s[k]) ? (s[k] as Record<string, unknown>[]) : []))
  for (const b of [s, ...unions]) {
    if (typeof b.const === 'string' || typeof b.const === 'number') {
      literals.add(String(b.const))
      literals.add(String(b.const).toUpperCase())
    }
    if (typeof b.pattern === 'string' && KNOWN_PATTERNS[b.pattern]) literals.add(KNOWN_PATTERNS[b.pattern] as string)
    if (b.type === 'integer' || b.type === 'number') {
      numeric = true
      for (const edge of [b.minimum, b.maximum, b.exclusiveMinimum, b.exclusiveMaximum]) {
        if (typeof edge !== 'number') continue
        for (const v of [edge, edge - 1, edge + 1, edge - 0.5, edge + 0.5]) edges.add(String(v))
      }
    }
    if (b.type === 'string') {
      text = true
      if (typeof b.maxLength === 'number') {
        lengths.add('x'.repeat(b.maxLength))
        lengths.add('x'.repeat(b.maxLength + 1))
        lengths.add('算'.repeat(b.maxLength))
      }
    }
    if (b.type === 'boolean') boolean = true
  }
  const unknown = !numeric && !text && !boolean && literals.size === 0
  const groups = [
    [...literals],
    [...edges],
    numeric || unknown ? HOSTILE_INTEGERS : [],
    [...lengths],
    text || unknown ? HOSTILE_TIMES : [],
    text || unknown ? SQL_METACHARACTERS : [],
    text || unknown ? ODD_STRINGS : [],
    boolean ? ['true', 'false', 'TRUE', '1', '0', 'yes', ''] : [],
  ]
  return groups.filter((g) => g.length > 0)
}

/** Group `group`, value `item` of `candidateGroups(schema)` (both taken modulo their lengths). */
export function candidate(schema: unknown, group: number, item: number): string {
  const groups = candidateGroups(schema)
  const g = groups[group % groups.length] ?? []
  return g[item % Math.max(1, g.length)] ?? ''
}

const ODD_STRINGS = ['', ',', ',,,', 'a,b,a', ' ', '\u0000', 'a\u0000b', '%00', '算盘', '\ud800', '\u202eevil', '\r\n']

/** Header values a real HTTP parser lets through: tab, visible ASCII, obs-text. */
const headerChar = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\t', '\u0080', '\u00ff', '\u00e9'),
)
export const headerValueArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: headerChar, maxLength: 80 }) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 8_000 }).map((n) => 'A'.repeat(n)) },
)

export const nastyStringArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SQL_METACHARACTERS) },
  { weight: 2, arbitrary: fc.constantFrom('\u0000', 'a\u0000b', '\u0000\u0000') },
  { weight: 3, arbitrary: fc.constantFrom(...NUMBER_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom(...UNICODE) },
  { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 64, max: 5_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_TIMES) },
)

/** A value to put somewhere in a JSON body: either a JSON value, or raw JSON text (numbers JSON.stringify cannot write). */
export type Nasty = { json: unknown } | { raw: string }

export const nastyValueArb: fc.Arbitrary<Nasty> = fc.oneof(
  { weight: 3, arbitrary: nastyStringArb.map((json) => ({ json })) },
  { weight: 3, arbitrary: fc.constantFrom(...RAW_NUMBERS).map((raw) => ({ raw })) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.constantFrom(0, -1, -0.5, 1.7976931348623157e308, -1.7976931348623157e308, 5e-324, 2 ** 31, 2 ** 53 + 2, 2 ** 64, 1e21),
        fc.double(),
        fc.integer(),
      )
      .map((n) => (Number.isFinite(n) ? { json: n } : { raw: String(n) })),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((json) => ({ json })) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [[[]]], { '': '' }).map((json) => ({ json })) },
  {
    weight: 1,
    arbitrary: fc
      .dictionary(fc.oneof(nastyStringArb, fc.constantFrom(...PROTO_KEYS)), nastyStringArb, { maxKeys: 4 })
      .map((json) => ({ json })),
  },
)

// ------------------------------------------------------------------------------------------ building bodies from recipes

const RAW = '\u0001fuzz-raw-'
const PROTO = '\u0001fuzz-proto-key'

export type Mutation =
  | { op: 'set'; at: number; value: Nasty }
  | { op: 'delete'; at: number }
  | { op: 'add'; at: number; key: string; value: Nasty }
  | { op: 'proto'; at: number; key: '__proto__' | 'constructor' | 'prototype'; value: Nasty }
  | { op: 'wrap'; at: number }

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: nastyValueArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('add' as const),
      at: fc.nat(),
      key: fc.oneof(nastyStringArb, fc.string()),
      value: nastyValueArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('proto' as const),
      at: fc.nat(),
      key: fc.constantFrom('__proto__' as const, 'constructor' as const, 'prototype' as const),
      value: fc.oneof(
        fc.constant<Nasty>({ json: { fuzzPolluted: 'yes', isAdmin: true } }),
        fc.constant<Nasty>({ json: { prototype: { fuzzPolluted: 'yes' } } }),
        nastyValueArb,
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wrap' as const), at: fc.nat() }) },
)

type Container = Record<string, unknown> | unknown[]

/** Every container (object or array) in a value, with the value itself first. */
function containers(root: unknown): Container[] {
  const out: Container[] = []
  const visit = (v: unknown) => {
    if (v === null || typeof v !== 'object' || out.includes(v as Container)) return
    out.push(v as Container)
    for (const child of Object.values(v as object)) visit(child)
  }
  visit(root)
  return out
}

function place(value: Nasty): unknown {
  // A copy: later mutations must neither change the generated value (fast-check replays it when shrinking)
  // nor make the tree cyclic by inserting a container into itself.
  return 'raw' in value ? `${RAW}${value.raw}` : structuredClone(value.json)
}

/**
 * Apply mutations to a copy of a template and write it as JSON text. Raw number texts and prototype keys go in
 * through placeholders replaced in the text, so `1e309` and a literal `"__proto__"` key survive as sent.
 */
export function mutatedJson(template: unknown, mutations: readonly Mutation[]): string {
  let root: unknown = structuredClone(template)
  for (const m of mutations) {
    const all = containers(root)
    if (all.length === 0) {
      root = m.op === 'set' ? place(m.value) : root
      continue
    }
    const target = all[m.at % all.length] as Container
    const keys = Object.keys(target)
    const key = keys.length > 0 ? keys[m.at % keys.length] : undefined
    switch (m.op) {
      case 'set':
        if (key === undefined) {
          if (Array.isArray(target)) target.push(place(m.value))
          else target.fuzz = place(m.value)
        } else if (Array.isArray(target)) target[Number(key)] = place(m.value)
        else target[key] = place(m.value)
        break
      case 'delete':
        if (key !== undefined) {
          if (Array.isArray(target)) target.splice(Number(key), 1)
          else delete target[key]
        }
        break
      case 'add':
        if (Array.isArray(target)) target.push(place(m.value))
        else Object.defineProperty(target, m.key, { value: place(m.value), enumerable: true, configurable: true, writable: true })
        break
      case 'proto':
        if (Array.isArray(target)) target.push({ [`${PROTO}${m.key}`]: place(m.value) })
        else target[`${PROTO}${m.key}`] = place(m.value)
        break
      case 'wrap':
        if (key !== undefined) {
          if (Array.isArray(target)) target[Number(key)] = [target[Number(key)]]
          else target[key] = [target[key]]
        }
        break
    }
  }
  return serialize(root)
}

/** JSON text of a value holding placeholders: raw number texts and prototype keys written as they are. */
function serialize(root: unknown): string {
  return JSON.stringify(root)
    .replace(/"\\u0001fuzz-raw-((?:[^"\\]|\\.)*)"/g, (_all, raw: string) => JSON.parse(`"${raw}"`) as string)
    .replace(/"\\u0001fuzz-proto-key(__proto__|constructor|prototype)"/g, '"$1"')
}

/** The path of every leaf (string, number, boolean, null) of a JSON value. */
export function leafPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix]
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value as Record<string, unknown>)
  return entries.flatMap(([k, v]) => leafPaths(v, [...prefix, k]))
}

/** JSON text of `value` with the leaf at `path` replaced. */
export function withLeaf(value: unknown, path: readonly (string | number)[], leaf: Nasty): string {
  if (path.length === 0) return serialize(place(leaf))
  const root = structuredClone(value) as Record<string | number, unknown>
  let node = root
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>
  node[path[path.length - 1] as string | number] = place(leaf)
  return serialize(root)
}

/** What the body sweep puts at each leaf: what databases, number parsers and string columns trip on. */
export const LEAF_VALUES: Nasty[] = [
  { json: '\u0000' },
  { json: 'a\u0000b' },
  { json: '\ud800' },
  { json: '' },
  { json: 'x'.repeat(5_000) },
  { json: "'; DROP TABLE clusters; --" },
  { json: 'NaN' },
  { raw: '1e309' },
  { raw: '-1' },
  { raw: '2147483648' },
  { raw: '9223372036854775808' },
  { raw: '1e-400' },
  { json: 1.5 },
  { json: null },
  { json: [] },
]

/** Bytes that are never valid UTF-8 (lone continuation, overlong, surrogate, truncated sequences, 0xFF). */
export const INVALID_UTF8: readonly number[][] = [
  [0x80],
  [0xbf],
  [0xc0, 0xaf],
  [0xc3, 0x28],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf0, 0x28, 0x8c, 0x28],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xfe],
  [0xff],
  [0xff, 0xfe, 0x00],
]

/** Insert invalid UTF-8 into JSON text, inside a string literal when there is one (so only the encoding is wrong). */
export function withInvalidUtf8(text: string, at: number, bytes: readonly number[]): Buffer {
  const quotes = [...text.matchAll(/"/g)].map((m) => m.index)
  const pos = quotes.length > 0 ? (quotes[at % quotes.length] as number) + 1 : at % (text.length + 1)
  const head = Buffer.from(text.slice(0, pos), 'utf8')
  const tail = Buffer.from(text.slice(pos), 'utf8')
  return Buffer.concat([head, Buffer.from(bytes), tail])
}

export function deepJson(depth: number, style: 'array' | 'object' | 'mixed' | 'unclosed'): string {
  switch (style) {
    case 'array':
      return `${'['.repeat(depth)}${']'.repeat(depth)}`
    case 'object':
      return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
    case 'mixed':
      return `${'{"a":['.repeat(depth)}null${']}'.repeat(depth)}`
    case 'unclosed':
      return '['.repeat(depth)
  }
}

/** Short, printable description of a response body for failure messages. */
export function excerpt(text: string, max = 400): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text
}
