import { type App, buildApp, loadConfig, type Store, verifyAuditTrail } from '@suanpan/control-plane'
import fc from 'fast-check'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, NO_DR_LAB } from '../support/app'
import { a100Node, ascendNode, cpuNode, fullReport, identity, usageReport } from '../support/reports'
import { type TestStore, testStores } from '../support/stores'
import {
  candidate,
  candidateGroups,
  captureSchemas,
  changedTables,
  type DiscoveredRoute,
  deepJson,
  discoverRoutes,
  exampleOf,
  excerpt,
  headerValueArb,
  INVALID_UTF8,
  installPgWriteCounter,
  isConsoleFile,
  LEAF_VALUES,
  leafPaths,
  MUTATING_METHODS,
  type Mutation,
  mutatedJson,
  mutationArb,
  type Nasty,
  NUMBER_STRINGS,
  nastyStringArb,
  normalized,
  PARAM,
  PROTO_KEYS,
  pgWriteCounter,
  propertiesOf,
  type RouteSchemas,
  requestExamples,
  SQL_METACHARACTERS,
  schemaVocabulary,
  sqliteWriteCounters,
  storeTables,
  tableChecksums,
  withInvalidUtf8,
  withLeaf,
} from './fuzz-support'

/**
 * Issue 7 §6: ≥ 10,000 random and malformed requests against every route of the real control plane (routes
 * discovered at run time, their request schemas read as requests reach them): a deterministic sweep (every query
 * key, path parameter and body field alone at and past its edges) and four fast-check families (bodies, headers,
 * query strings, paths and methods). Every answer must be < 500 and, for /api/ errors, the JSON error shape; the
 * process must survive; and the store must change only through requests the control plane accepted (see
 * `Fuzzer.checkStore`). SQLite always; PostgreSQL when the run has one (else reported skipped).
 *
 * Reproduce a failure with SUANPAN_FUZZ_SEED=<seed> (fast-check prints it with the shrunk counterexample);
 * SUANPAN_FUZZ_SCALE scales the number of runs.
 */
const SEED = Number(process.env.SUANPAN_FUZZ_SEED ?? 20_260_921)
const SCALE = Number(process.env.SUANPAN_FUZZ_SCALE ?? 1)
const BODY_LIMIT = 256 * 1024
const KNOWN_ROUTES = ['POST /api/v1/reports', 'GET /api/v1/ledger', 'POST /api/v1/clusters']
/** Random requests per family on SQLite, on top of the sweep (≥ 10,000 in all); PostgreSQL runs a tenth of them. */
const RUNS = { bodies: 2_200, headers: 1_600, queries: 1_600, paths: 1_600 }
const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH', 'QUERY', 'LOCK']

// ------------------------------------------------------------------------------------------ recipes

/*
 * fast-check generates recipes, not requests: small values that name a route, a credential, a body template and
 * its mutations by index. They are turned into a request against the routes, schemas and ids of the running
 * app, so a counterexample prints short and replays exactly.
 */
type Target = { t: 'route'; index: number } | { t: 'console'; index: number } | { t: 'unknown'; path: string }
type Param =
  | { t: 'cluster' }
  | { t: 'known' }
  | { t: 'schema'; group: number; item: number }
  | { t: 'value'; value: string; encoding: 'component' | 'raw' | 'double' }
type QueryKey = { t: 'schema'; slot: number } | { t: 'any'; key: string }
type QueryValue = { t: 'schema'; group: number; item: number } | { t: 'any'; value: string }
/** `valid`: the credential the route takes (learned at start-up: admin for the admin API, a cluster token for agents). */
type Auth =
  | { t: 'none' }
  | { t: 'valid'; variant: number }
  | { t: 'admin'; variant: number }
  | { t: 'agent'; other: boolean }
  | { t: 'raw'; value: string }
type Body =
  | { t: 'none' }
  | { t: 'text'; text: string }
  | { t: 'template'; template: number; mutations: Mutation[]; truncate: number | null; utf8: { at: number; bytes: number[] } | null }
  | { t: 'deep'; depth: number; style: 'array' | 'object' | 'mixed' | 'unclosed' }
  | { t: 'long'; template: number; at: number; length: number }
  | { t: 'bytes'; bytes: Uint8Array }
  | { t: 'form'; pairs: [string, string][] }
  | { t: 'leaf'; template: number; path: (string | number)[]; leaf: Nasty }

interface Recipe {
  target: Target
  /** null: the route's own method. */
  method: string | null
  params: Param[]
  query: { key: QueryKey; value: QueryValue; encode: boolean }[]
  querySuffix: string
  auth: Auth
  /** undefined: chosen by the body; null: no content-type header. */
  contentType: string | null | undefined
  headers: [string, string][]
  body: Body
  /** Which seeded cluster the request is about (agent token, report templates, path parameters). */
  cluster: number
}

const ADMIN_VARIANTS = [`Bearer ${ADMIN_TOKEN}`, `bearer ${ADMIN_TOKEN}`, `BEARER   ${ADMIN_TOKEN}  `, `Bearer\t${ADMIN_TOKEN}`]

const PROTO_TEXTS = [
  '{"__proto__":{"fuzzPolluted":"yes","isAdmin":true}}',
  '{"constructor":{"prototype":{"fuzzPolluted":"yes"}}}',
  '{"a":{"__proto__":{"fuzzPolluted":"yes"}},"b":[{"constructor":{"prototype":{"isAdmin":true}}}]}',
  '{"__proto__":null}',
  '{"__proto__":[]}',
  '{"toString":"x","valueOf":1,"hasOwnProperty":"y"}',
  '{"__proto__":{"__proto__":{"fuzzPolluted":"deep"}}}',
  '[{"__proto__":{"fuzzPolluted":"yes"}}]',
  '{"__pr\\u006fto__":{"fuzzPolluted":"escaped"}}',
]

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16le',
  'APPLICATION/JSON',
  'application/json;;;',
  'application/jsonp',
  'application/merge-patch+json',
  'application/vnd.api+json',
  'text/plain',
  'text/plain; charset=utf-8',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/octet-stream',
  'application/xml',
  '',
  ';',
  '*/*',
  'json',
  'application/',
  'application/json, text/plain',
]

const EXTRA_HEADERS: [string, fc.Arbitrary<string>][] = [
  ['accept', fc.constantFrom('text/html', 'application/json', '*/*', 'text/html,application/xhtml+xml', '', 'image/*;q=0.1')],
  ['accept-encoding', fc.constantFrom('gzip', 'br', 'gzip, deflate, br', 'identity;q=0', '*', 'x')],
  ['accept-language', fc.constantFrom('zh-CN', 'en', '*', 'xx-YY;q=2')],
  ['origin', fc.constantFrom('https://evil.example', 'null', 'http://localhost')],
  ['cookie', headerValueArb],
  ['x-forwarded-for', fc.constantFrom('1.2.3.4', '::1', 'not-an-ip', '1.2.3.4, 5.6.7.8', '')],
  ['x-forwarded-proto', fc.constantFrom('https', 'javascript', '')],
  ['x-request-id', headerValueArb],
  ['content-encoding', fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'x-unknown')],
  ['range', fc.constantFrom('bytes=0-10', 'bytes=-1', 'bytes=999999999999-', 'bytes=5-1,0-0,1-1', 'bytes=abc', 'items=0-1')],
  ['if-none-match', fc.constantFrom('*', '"x"', 'W/"y"', '')],
  ['if-modified-since', fc.constantFrom('Thu, 01 Jan 1970 00:00:00 GMT', 'garbage', '')],
  ['access-control-request-method', fc.constantFrom('POST', 'DELETE', 'X')],
  ['x-http-method-override', fc.constantFrom('DELETE', 'PUT', 'GET')],
  ['expect', fc.constantFrom('100-continue', 'x')],
  ['user-agent', headerValueArb],
  ['host', fc.constantFrom('localhost', 'evil.example', 'localhost:99999', '[::1]', '')],
  ['content-length', fc.constantFrom('0', '1', '-1', 'abc', '99999999999', '1e3')],
  ['x-csrf-token', headerValueArb],
]

/** Query keys no schema has: prototype keys and the array/object syntaxes of other query parsers. */
const ODD_QUERY_KEYS = [
  ...PROTO_KEYS,
  '__proto__[fuzzPolluted]',
  'constructor[prototype][fuzzPolluted]',
  'a[]',
  'a[0]',
  'groupBy[]',
  'limit[]',
  'a.b',
  '',
  ' ',
  '%',
  '%zz',
]
const RAW_QUERY_JUNK = [
  '',
  '&',
  '&&&',
  '=',
  '==x',
  '%',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%ED%A0%80',
  '%FF',
  '%00',
  '+',
  ';',
  '#frag',
  '?',
  '&=&=',
]

// ------------------------------------------------------------------------------------------ the fuzzer

/** encodeURIComponent, except that a lone surrogate is sent as the bytes Node would write for it (U+FFFD). */
function percent(text: string): string {
  try {
    return encodeURIComponent(text)
  } catch {
    return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('')
  }
}

const pick = <T>(list: readonly T[], n: number): T | undefined => list[n % Math.max(1, list.length)]

interface Seeded {
  clusterIds: string[]
  tokens: string[]
  /** Ids of things created (censuses, workloads …), learned from `location` headers: valid path parameters. */
  knownIds: string[]
}

interface Template {
  name: string
  /** Normalized `METHOD url` of the routes this template is made for; empty: made for none in particular. */
  routes: string[]
  make(cluster: number): unknown
}

/**
 * Background work of the control plane that writes to the store outside any request, made deterministic:
 * `settle` waits for work a request started (a flush after setImmediate), and `maintenance` runs the timed
 * maintenance — deferred from its timer to the gap between two requests, so what it writes is never mistaken
 * for the doing of the request that happened to be in flight.
 */
interface Background {
  settle(): Promise<void>
  maintenance(): Promise<boolean>
}

interface Built {
  routeKey: string
  options: InjectOptions
  path: string
  credential: 'admin' | 'agent' | null
  describe(): string
}

class Fuzzer {
  readonly counts = new Map<string, Map<number, number>>()
  readonly acceptedMutations = new Map<string, Set<string>>()
  readonly recordedRejections = new Map<string, Set<string>>()
  readonly backgroundChanges = new Set<string>()
  /** The credential each route takes, by `normalized(method, url)`; absent when the start-up probes could not tell. */
  readonly credentials = new Map<string, 'admin' | 'agent'>()
  total = 0
  private known: Record<string, string> = {}
  private counters = { changes: 0, audit: 0 }
  private freshId = 0
  private nextSequence = 1_000
  private readonly routeTemplates = new Map<string, Template[]>()

  constructor(
    readonly app: FastifyInstance,
    readonly store: Store,
    readonly tables: string[],
    readonly routes: DiscoveredRoute[],
    readonly schemas: Map<string, RouteSchemas>,
    readonly seeded: Seeded,
    readonly templates: Template[],
    private readonly logs: string[],
    private readonly background: Background,
  ) {}

  get apiRoutes(): DiscoveredRoute[] {
    return this.routes.filter((r) => !isConsoleFile(r.url))
  }

  get consoleRoutes(): DiscoveredRoute[] {
    return this.routes.filter((r) => isConsoleFile(r.url))
  }

  schemaOf(method: string, url: string): RouteSchemas {
    return this.schemas.get(normalized(method, url)) ?? (method === 'HEAD' ? this.schemas.get(normalized('GET', url)) : undefined) ?? {}
  }

  async baseline(): Promise<void> {
    this.known = await tableChecksums(this.store, this.tables)
    await this.resetCounters()
  }

  private async resetCounters(): Promise<void> {
    if (this.store.dialect === 'sqlite') this.counters = await sqliteWriteCounters(this.store)
    else this.counters = { changes: await pgWriteCounter(this.store), audit: 0 }
  }

  checksums(): Record<string, string> {
    return this.known
  }

  /** A route's own templates first (its body schema's examples, the hand-made ones for it), then every other. */
  private templatesFor(method: string, url: string): Template[] {
    const key = normalized(method, url)
    let list = this.routeTemplates.get(key)
    if (!list) {
      const body = this.schemaOf(method, url).body
      const fromSchema: Template[] = body
        ? [
            { name: `${key} body example`, routes: [key], make: () => exampleOf(body) },
            { name: `${key} body example (required only)`, routes: [key], make: () => exampleOf(body, true) },
          ]
        : []
      const own = this.templates.filter((t) => t.routes.includes(key))
      list = [...own, ...fromSchema, ...this.templates.filter((t) => !t.routes.includes(key))]
      this.routeTemplates.set(key, list)
    }
    return list
  }

  /** A registration nobody made yet, or a report with the next sequence: templates valid as they are. */
  freshClusterId(): string {
    this.freshId += 1
    return `fz-new-${this.freshId}`
  }

  sequence(): number {
    this.nextSequence += 1
    return this.nextSequence
  }

  private bodyOf(body: Body, cluster: number, templates: Template[]): { payload: string | Buffer | undefined; type: string | undefined } {
    const template = (index: number) => pick(templates, index)?.make(cluster) ?? {}
    switch (body.t) {
      case 'none':
        return { payload: undefined, type: undefined }
      case 'text':
        return { payload: body.text, type: 'application/json' }
      case 'template': {
        let text = mutatedJson(template(body.template), body.mutations)
        if (body.truncate !== null && text.length > 1) text = text.slice(0, body.truncate % text.length)
        return { payload: body.utf8 ? withInvalidUtf8(text, body.utf8.at, body.utf8.bytes) : text, type: 'application/json' }
      }
      case 'deep':
        return { payload: deepJson(body.depth, body.style), type: 'application/json' }
      case 'long':
        return {
          payload: mutatedJson(template(body.template), [{ op: 'set', at: body.at, value: { json: 'A'.repeat(body.length) } }]),
          type: 'application/json',
        }
      case 'bytes':
        return { payload: Buffer.from(body.bytes), type: 'application/octet-stream' }
      case 'form':
        return { payload: body.pairs.map(([k, v]) => `${percent(k)}=${percent(v)}`).join('&'), type: 'application/x-www-form-urlencoded' }
      case 'leaf':
        return { payload: withLeaf(template(body.template), body.path, body.leaf), type: 'application/json' }
    }
  }

  /** A value for a path parameter that its schema accepts: a seeded cluster's id, a created thing's, or an example. */
  private validParam(schema: unknown): Param {
    const s = (schema ?? {}) as { pattern?: string; maxLength?: number }
    const ok = (v: string) => (s.pattern === undefined || new RegExp(s.pattern).test(v)) && v.length <= (s.maxLength ?? 1_000)
    if (ok(this.seeded.clusterIds[0] as string)) return { t: 'cluster' }
    const known = this.seeded.knownIds.find(ok)
    return { t: 'value', value: known ?? candidate(schema, 0, 0), encoding: 'component' }
  }

  /**
   * The deterministic half of the suite: every query key of every route alone, every path parameter alone, and
   * every leaf of every route's body template, each set in turn to the values most likely to break a parser or a
   * column (extreme numbers and times, NUL, lone surrogates, SQL metacharacters, lengths past the limit).
   */
  sweep(): Recipe[] {
    const base: Omit<Recipe, 'target'> = {
      method: null,
      params: [],
      query: [],
      querySuffix: '',
      auth: { t: 'valid', variant: 0 },
      contentType: undefined,
      headers: [],
      body: { t: 'none' },
      cluster: 0,
    }
    const out: Recipe[] = []
    this.apiRoutes.forEach((route, index) => {
      if (route.method === 'HEAD') return
      const target: Target = { t: 'route', index }
      const schema = this.schemaOf(route.method, route.url)
      const paramProps = propertiesOf(schema.params)
      const tokens = route.url.match(PARAM) ?? []
      const propOf = (token: string) => {
        const names = token.split('|').map((n) => n.replace(/^:/, '').replace(/\(.*$/, ''))
        return paramProps[names.find((n) => n in paramProps) ?? '']
      }
      const valid = tokens.map((token) => this.validParam(propOf(token)))
      // Routes that read a body get their first template as it is while a parameter is swept.
      const key = normalized(route.method, route.url)
      const readsBody =
        MUTATING_METHODS.has(route.method) && (schema.body !== undefined || this.templates.some((t) => t.routes.includes(key)))
      const body: Body = readsBody ? { t: 'template', template: 0, mutations: [], truncate: null, utf8: null } : { t: 'none' }
      // Required query keys keep a valid value while another is swept, so the sweep gets past the schema.
      const queryProps = propertiesOf(schema.querystring)
      const required = ((schema.querystring as { required?: string[] } | undefined)?.required ?? []).filter((k) => k in queryProps)
      const pair = (key: string, value: string): Recipe['query'][number] => ({
        key: { t: 'any', key },
        value: { t: 'any', value },
        encode: true,
      })
      for (const [key, prop] of Object.entries(queryProps)) {
        const others = required.filter((k) => k !== key).map((k) => pair(k, String(exampleOf(queryProps[k]))))
        for (const value of sweepValues(prop)) out.push({ ...base, target, params: valid, query: [pair(key, value), ...others] })
      }
      tokens.forEach((token, position) => {
        for (const value of sweepValues(propOf(token))) {
          out.push({
            ...base,
            target,
            body,
            params: valid.map((p, i) => (i === position ? { t: 'value', value, encoding: 'component' } : p)),
          })
        }
      })
      if (!readsBody) return
      const example = this.templatesFor(route.method, route.url)[0]?.make(0)
      for (const path of leafPaths(example).slice(0, 40)) {
        for (const leaf of LEAF_VALUES) out.push({ ...base, target, params: valid, body: { t: 'leaf', template: 0, path, leaf } })
      }
    })
    return out
  }

  build(r: Recipe): Built {
    const { clusterIds, tokens, knownIds } = this.seeded
    const cluster = r.cluster % clusterIds.length
    let pattern: string
    let ownMethod: string
    if (r.target.t === 'unknown') {
      pattern = r.target.path
      ownMethod = 'GET'
    } else {
      const list = r.target.t === 'route' ? this.apiRoutes : this.consoleRoutes
      const route = pick(list, r.target.index) as DiscoveredRoute
      pattern = route.url
      ownMethod = route.method
    }
    const method = r.method ?? ownMethod
    const schema = r.target.t === 'route' ? this.schemaOf(ownMethod, pattern) : {}

    const paramSchemas = propertiesOf(schema.params)
    let nth = 0
    const fill = (token: string) => {
      const p = r.params.length > 0 ? (pick(r.params, nth++) as Param) : ({ t: 'cluster' } as Param)
      switch (p.t) {
        case 'cluster':
          return clusterIds[cluster] as string
        case 'known':
          return pick(knownIds, r.cluster) ?? '1'
        case 'schema': {
          const names = token.split('|').map((n) => n.replace(/^:/, '').replace(/\(.*$/, ''))
          const name = names.find((n) => n in paramSchemas) ?? names[0] ?? ''
          return percent(candidate(paramSchemas[name], p.group, p.item))
        }
        case 'value':
          return p.encoding === 'raw' ? p.value : p.encoding === 'double' ? percent(percent(p.value)) : percent(p.value)
      }
    }
    const path = r.target.t === 'unknown' ? pattern : pattern.replace(PARAM, fill)

    const queryProps = propertiesOf(schema.querystring)
    const queryKeys = Object.keys(queryProps)
    const query = r.query.map((q) => {
      const key = q.key.t === 'any' ? q.key.key : (pick(queryKeys, q.key.slot) ?? pick(ODD_QUERY_KEYS, q.key.slot) ?? 'x')
      const value = q.value.t === 'any' ? q.value.value : candidate(queryProps[key], q.value.group, q.value.item)
      return q.encode ? `${percent(key)}=${percent(value)}` : `${key}=${value}`
    })
    const search = [...query, ...(r.querySuffix ? [r.querySuffix] : [])].join('&')
    const url = search ? `${path}?${search}` : path

    const headers: Record<string, string> = {}
    let credential: Built['credential'] = null
    let auth = r.auth
    if (auth.t === 'valid') {
      const takes = r.target.t === 'route' ? this.credentials.get(normalized(ownMethod, pattern)) : undefined
      auth =
        (takes ?? (auth.variant % 2 === 0 ? 'admin' : 'agent')) === 'admin'
          ? { t: 'admin', variant: auth.variant >> 1 }
          : { t: 'agent', other: false }
    }
    switch (auth.t) {
      case 'admin':
        headers.authorization = pick(ADMIN_VARIANTS, auth.variant) as string
        credential = 'admin'
        break
      case 'agent':
        headers.authorization = `Bearer ${tokens[auth.other ? (cluster + 1) % tokens.length : cluster]}`
        credential = 'agent'
        break
      case 'raw':
        headers.authorization = auth.value
        break
    }
    const templates = this.templatesFor(r.target.t === 'route' ? ownMethod : method, pattern)
    const { payload, type } = this.bodyOf(r.body, cluster, templates)
    const contentType = r.contentType === undefined ? type : r.contentType
    if (contentType !== undefined && contentType !== null) headers['content-type'] = contentType
    for (const [name, value] of r.headers) headers[name] = value
    const options: InjectOptions = {
      method: method as InjectOptions['method'],
      url,
      headers,
      ...(payload !== undefined ? { payload } : {}),
    }
    const routed = this.routes.some((x) => x.method === method && x.url === pattern)
    const routeKey =
      r.target.t === 'unknown'
        ? `${method} (unknown path)`
        : r.target.t === 'console'
          ? `${method} (console file)`
          : `${method} ${pattern}${routed ? '' : ' (method not routed here)'}`
    return {
      routeKey,
      options,
      path,
      credential,
      describe: () =>
        [
          `${method} ${excerpt(url, 300)}`,
          ...Object.entries(headers).map(
            ([k, v]) => `${k}: ${excerpt(k === 'authorization' ? v.replace(ADMIN_TOKEN, '<admin>') : v, 200)}`,
          ),
          payload === undefined
            ? '(no body)'
            : Buffer.isBuffer(payload)
              ? `body (${payload.length} bytes): ${excerpt(payload.toString('latin1'), 600)}`
              : `body (${payload.length} chars): ${excerpt(payload, 600)}`,
        ].join('\n    '),
    }
  }

  /** Send one request and check everything the issue asks of its answer. Throws (so fast-check shrinks) on a violation. */
  async send(recipe: Recipe): Promise<LightMyRequestResponse> {
    if (await this.background.maintenance()) {
      const now = await tableChecksums(this.store, this.tables)
      for (const t of changedTables(this.known, now)) this.backgroundChanges.add(t)
      this.known = now
      await this.resetCounters()
    }
    const built = this.build(recipe)
    this.total += 1
    const res = await this.app.inject(built.options)
    // Work the request left for later (a batched write) must succeed too: its failure is this request's.
    const settled = await this.background.settle().then(
      () => null,
      (error: unknown) => `a write the control plane deferred after answering failed: ${(error as Error).message}`,
    )
    const statuses = this.counts.get(built.routeKey) ?? new Map<number, number>()
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
    this.counts.set(built.routeKey, statuses)
    // Every check runs (the store check always, so the baseline follows even a failed request); then all that
    // went wrong is thrown together.
    const problems: string[] = settled ? [settled] : []
    if (res.statusCode >= 500) problems.push(`answered ${res.statusCode}`)
    const method = String(built.options.method)
    const type = String(res.headers['content-type'] ?? '')
    let json: unknown
    if (method !== 'HEAD' && res.body.length > 0 && type.includes('json')) {
      try {
        json = JSON.parse(res.body)
      } catch {
        problems.push('content-type says JSON but the body does not parse')
      }
    }
    // API errors always carry the error shape; console files and the SPA fallback may answer otherwise.
    if (res.statusCode >= 400 && res.statusCode < 500 && method !== 'HEAD' && built.path.startsWith('/api/')) {
      const body = (json ?? {}) as Record<string, unknown>
      if (!type.includes('application/json')) problems.push(`a ${res.statusCode} from the API that is not JSON`)
      else if (
        body.statusCode !== res.statusCode ||
        typeof body.code !== 'string' ||
        body.code === '' ||
        typeof body.message !== 'string'
      ) {
        problems.push('a 4xx without the error shape { statusCode, code, message }')
      }
      // A stack frame or a source path in the answer (the fuzzed values never contain one).
      if ('stack' in body || /node_modules\/|control-plane\/src\/|\.(?:ts|js|mjs):\d+:\d+|\\n\s+at /.test(res.body)) {
        problems.push('a 4xx that leaks internals')
      }
    }
    const stored = await this.checkStore(built, res)
    if (stored) problems.push(stored)
    if (problems.length > 0) {
      const requestId = String(res.headers['x-request-id'] ?? '')
      const logged = this.logs.filter((l) => requestId && l.includes(requestId)).map(logExcerpt)
      throw new Error(
        `${problems.join('; ')}\n  request (${built.routeKey}):\n    ${built.describe()}\n  response ${res.statusCode} ${type}: ${excerpt(res.body, 800)}${
          logged.length > 0 ? `\n  control-plane log:\n    ${logged.join('\n    ')}` : ''
        }`,
      )
    }
    this.learn(built, res)
    return res
  }

  /**
   * The store may change only through a request the control plane accepted: a 2xx to a mutating method that
   * carried a real credential. After every request the store is compared with the state after the previous one
   * (the audit trail excepted: it records denials and rejections by design, and is verified separately) — so a
   * change is pinned on the exact request that made it, and the baseline moves on with each accepted mutation
   * (which tables it changed is recorded and printed per route). A write counter saves most full checksums:
   * on SQLite the connection's total_changes() (nothing else was written if it grew by exactly the number of
   * audit records appended), on PostgreSQL a statement trigger on every table but the audit trail.
   * Returns what is wrong, or null.
   */
  private async checkStore(built: Built, res: LightMyRequestResponse): Promise<string | null> {
    if (this.store.dialect === 'sqlite') {
      const counters = await sqliteWriteCounters(this.store)
      const onlyAudit = counters.changes - this.counters.changes === counters.audit - this.counters.audit
      this.counters = counters
      if (onlyAudit) return null
    } else {
      const writes = await pgWriteCounter(this.store)
      const none = writes === this.counters.changes
      this.counters.changes = writes
      if (none) return null
    }
    const now = await tableChecksums(this.store, this.tables)
    const changed = changedTables(this.known, now)
    this.known = now
    if (changed.length === 0) return null
    const method = String(built.options.method)
    const mutating = MUTATING_METHODS.has(method)
    const accepted = mutating && res.statusCode >= 200 && res.statusCode < 300
    // 422: the request was well-formed and authorized, and what was decided about it is kept (a workload the
    // scheduler rejects is stored so its owner can read why). Allowed, but listed apart in the summary.
    const decided = mutating && res.statusCode === 422
    if (!accepted && !decided) {
      return (
        `the store changed (${changed.join(', ')}) on a ${res.statusCode} answer to ${method} ` +
        '(if this request cannot have done it, a timer of the control plane wrote to the store: see the config and backgroundOf)'
      )
    }
    if (!built.credential) return `the store changed (${changed.join(', ')}) on a request without a valid credential`
    const book = accepted ? this.acceptedMutations : this.recordedRejections
    const tables = book.get(built.routeKey) ?? new Set<string>()
    for (const t of changed) tables.add(t)
    book.set(built.routeKey, tables)
    return null
  }

  /** Follow what accepted requests did: a rotated token replaces the agent's; a created thing's id becomes a path parameter. */
  private learn(built: Built, res: LightMyRequestResponse): void {
    if (res.statusCode < 200 || res.statusCode >= 300 || !String(res.headers['content-type'] ?? '').includes('json')) return
    if (String(built.options.method) === 'HEAD' || res.body.length === 0) return
    const body = res.json() as { clusterId?: unknown; token?: unknown }
    if (typeof body.clusterId === 'string' && typeof body.token === 'string') {
      const i = this.seeded.clusterIds.indexOf(body.clusterId)
      if (i >= 0) this.seeded.tokens[i] = body.token
    }
    const created = learnedId(res)
    if (created && this.seeded.knownIds.length < 50) this.seeded.knownIds.push(created)
  }
}

/** A control-plane log line, short: the error and the frames of the control plane's own code. */
function logExcerpt(line: string): string {
  try {
    const entry = JSON.parse(line) as { msg?: string; err?: { type?: string; message?: string; stack?: string } }
    const frames = [
      ...new Set(
        (entry.err?.stack ?? '')
          .split('\n')
          .filter((f) => f.includes('control-plane/src'))
          .map((f) => f.trim()),
      ),
    ].slice(0, 4)
    return `${entry.msg ?? ''}: ${entry.err?.type ?? ''}: ${entry.err?.message ?? ''}${frames.length > 0 ? `\n      ${frames.join('\n      ')}` : ''}`
  } catch {
    return excerpt(line, 2_000)
  }
}

/** What the sweep sends for one property: a few of each of its candidate groups. */
function sweepValues(schema: unknown): string[] {
  return [...new Set(candidateGroups(schema).flatMap((g) => (g === SQL_METACHARACTERS ? g.slice(0, 6) : g)))]
}

/** The id at the end of a 201's `location` header (`/api/v1/censuses/3` → `3`). */
function learnedId(res: LightMyRequestResponse): string | null {
  const location = res.headers.location
  if (res.statusCode !== 201 || typeof location !== 'string') return null
  return decodeURIComponent(location.split('?')[0]?.split('/').pop() ?? '') || null
}

// ------------------------------------------------------------------------------------------ arbitraries

/** The value `weight` times in `weight + nulls`, else null. */
const sometimes = <T>(arb: fc.Arbitrary<T>, weight: number, nulls: number): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: nulls, arbitrary: fc.constant(null) }, { weight, arbitrary: arb })
const rarely = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => sometimes(arb, 1, 9)

function arbitraries(f: Fuzzer) {
  const vocabulary = schemaVocabulary()
  const apiRoutes = f.apiRoutes
  const mutatingRoutes = apiRoutes.map((r, i) => [r, i] as const).filter(([r]) => MUTATING_METHODS.has(r.method))
  const routeTarget = fc.noBias(fc.nat({ max: apiRoutes.length - 1 })).map((index): Target => ({ t: 'route', index }))
  const consoleTarget = fc
    .noBias(fc.nat({ max: Math.max(0, f.consoleRoutes.length - 1) }))
    .map((index): Target => ({ t: 'console', index }))
  const unknownTarget = fc
    .oneof(
      fc.constantFrom(
        '/',
        '/ledger',
        '/api',
        '/api/v1',
        '/api/v1/',
        '/api/v2/ledger',
        '/API/V1/LEDGER',
        '/api/v1/ledger/',
        '/api/v1//ledger',
        '//api/v1/ledger',
        '/../etc/passwd',
        '/%2e%2e/%2e%2e/etc/passwd',
        '/assets/..%2f..%2fpackage.json',
        '/index.html%00',
        '/.env',
        '/api/v1/clusters/%ZZ/nodes',
        '/api/v1/censuses/%E0%A4%A',
        '/assets/%C0%AF',
      ),
      fc.webPath(),
    )
    .map((path): Target => ({ t: 'unknown', path: path.startsWith('/') ? path : `/${path}` }))
  const anyTarget = fc.oneof(
    { weight: 16, arbitrary: routeTarget },
    { weight: f.consoleRoutes.length > 0 ? 1 : 0, arbitrary: consoleTarget },
    { weight: 1, arbitrary: unknownTarget },
  )
  // Bodies mostly go to the mutating routes: that is where bodies are read.
  const bodyTarget = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...mutatingRoutes.map(([, i]) => i)).map((index): Target => ({ t: 'route', index })) },
    { weight: 1, arbitrary: routeTarget },
  )

  const validParam = fc.constantFrom<Param>({ t: 'cluster' }, { t: 'known' })
  const fuzzedParam: fc.Arbitrary<Param> = fc.oneof(
    { weight: 2, arbitrary: validParam },
    { weight: 3, arbitrary: fc.record({ t: fc.constant('schema' as const), group: fc.noBias(fc.nat()), item: fc.noBias(fc.nat()) }) },
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant('value' as const),
        value: fc.oneof(
          nastyStringArb,
          fc.constantFrom('..', '.', '%2e%2e', '%00', '%2F', '%ZZ', '%', '%C3%28', '%ED%A0%80', '0', '-1', '1.5', '1e309', 'NaN', '01'),
          fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
        ),
        encoding: fc.constantFrom('component' as const, 'component' as const, 'raw' as const, 'double' as const),
      }),
    },
  )

  const validAuth: fc.Arbitrary<Auth> = fc.oneof(
    { weight: 6, arbitrary: fc.nat({ max: 7 }).map((variant): Auth => ({ t: 'valid', variant })) },
    { weight: 1, arbitrary: fc.nat({ max: 3 }).map((variant): Auth => ({ t: 'admin', variant })) },
    { weight: 1, arbitrary: fc.constant<Auth>({ t: 'agent', other: false }) },
  )
  const anyAuth: fc.Arbitrary<Auth> = fc.oneof(
    { weight: 2, arbitrary: fc.constant<Auth>({ t: 'none' }) },
    { weight: 3, arbitrary: validAuth },
    { weight: 1, arbitrary: fc.constant<Auth>({ t: 'agent', other: true }) },
    {
      weight: 4,
      arbitrary: fc
        .oneof(
          fc.constantFrom(
            'Bearer',
            'Bearer ',
            `Bearer ${ADMIN_TOKEN}x`,
            `Bearer ${ADMIN_TOKEN} extra`,
            `Bearer ${ADMIN_TOKEN.slice(0, -1)}`,
            `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`,
            `Token ${ADMIN_TOKEN}`,
            `${ADMIN_TOKEN}`,
            'Bearer null',
            'Bearer undefined',
            "Bearer ' OR '1'='1",
            'Bearer %00',
            'Negotiate YII=',
          ),
          headerValueArb.map((v) => `Bearer ${v}`),
          headerValueArb,
        )
        .map((value): Auth => ({ t: 'raw', value })),
    },
  )

  // Query keys: mostly the route's own (from its schema), with values at and past their schema's edges.
  const queryKey: fc.Arbitrary<QueryKey> = fc.oneof(
    { weight: 8, arbitrary: fc.noBias(fc.nat()).map((slot): QueryKey => ({ t: 'schema', slot })) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.constantFrom(...vocabulary.keys), fc.constantFrom(...ODD_QUERY_KEYS), fc.string({ maxLength: 12 }))
        .map((key): QueryKey => ({ t: 'any', key })),
    },
  )
  const anyQueryValue = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...vocabulary.literals) },
    { weight: 3, arbitrary: fc.constantFrom(...NUMBER_STRINGS) },
    { weight: 2, arbitrary: fc.constantFrom(...SQL_METACHARACTERS) },
    { weight: 2, arbitrary: nastyStringArb },
    {
      weight: 1,
      arbitrary: fc.constantFrom('province,kind', 'province,province', ',,,', 'cluster,model,arch,vendor', 'true', 'false', '1', '2'),
    },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERY_JUNK) },
  )
  const queryValue: fc.Arbitrary<QueryValue> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ t: fc.constant('schema' as const), group: fc.noBias(fc.nat()), item: fc.noBias(fc.nat()) }) },
    { weight: 3, arbitrary: anyQueryValue.map((value): QueryValue => ({ t: 'any', value })) },
  )
  const queryPairs = fc.array(fc.record({ key: queryKey, value: queryValue, encode: fc.boolean() }), { maxLength: 4 }).chain((pairs) =>
    // Repeated keys: some pairs again.
    fc.subarray(pairs).map((dups) => [...pairs, ...dups]),
  )

  // Template indexes: mostly the route's own templates, which come first.
  const templateIndex = fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 3, arbitrary: fc.nat({ max: 3 }) },
    { weight: 1, arbitrary: fc.nat() },
  )
  const templateBody: fc.Arbitrary<Body> = fc.record({
    t: fc.constant('template' as const),
    template: templateIndex,
    // Some templates go as they are (valid: an accepted mutation the store check must account for).
    mutations: fc.oneof(
      { weight: 1, arbitrary: fc.constant<Mutation[]>([]) },
      { weight: 4, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 4 }) },
    ),
    truncate: rarely(fc.nat()),
    utf8: rarely(fc.record({ at: fc.nat(), bytes: fc.constantFrom(...INVALID_UTF8.map((b) => [...b])) })),
  })
  const anyBody: fc.Arbitrary<Body> = fc.oneof(
    { weight: 2, arbitrary: fc.constant<Body>({ t: 'none' }) },
    { weight: 10, arbitrary: templateBody },
    { weight: 2, arbitrary: fc.json({ maxDepth: 6 }).map((text): Body => ({ t: 'text', text })) },
    { weight: 2, arbitrary: fc.constantFrom(...PROTO_TEXTS).map((text): Body => ({ t: 'text', text })) },
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('deep' as const),
        depth: fc.oneof(fc.integer({ min: 10, max: 2_000 }), fc.integer({ min: 2_000, max: 40_000 })),
        style: fc.constantFrom('array' as const, 'object' as const, 'mixed' as const, 'unclosed' as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('long' as const),
        template: templateIndex,
        at: fc.nat(),
        // Mostly within the body limit; some just over it, some far over.
        length: fc.oneof(
          { weight: 4, arbitrary: fc.integer({ min: 1_000, max: 100_000 }) },
          { weight: 2, arbitrary: fc.integer({ min: BODY_LIMIT - 2_000, max: BODY_LIMIT + 2_000 }) },
          { weight: 1, arbitrary: fc.constant(3 * BODY_LIMIT) },
        ),
      }),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes): Body => ({ t: 'bytes', bytes })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((text): Body => ({ t: 'text', text })) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.tuple(fc.oneof(fc.constantFrom(...vocabulary.keys), fc.constantFrom(...PROTO_KEYS)), anyQueryValue), { maxLength: 6 })
        .map((pairs): Body => ({ t: 'form', pairs })),
    },
  )
  const contentType = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: headerValueArb },
  )
  const extraHeaders: fc.Arbitrary<[string, string][]> = fc
    .uniqueArray(fc.constantFrom(...EXTRA_HEADERS), { maxLength: 4, selector: ([name]) => name })
    .chain((chosen) =>
      chosen.length === 0
        ? fc.constant<[string, string][]>([])
        : fc.tuple(...chosen.map(([name, value]) => value.map((v): [string, string] => [name, v]))).map((hs) => [...hs]),
    )
  // Content-length and content-encoding lies belong to the header family; elsewhere the framing is honest.
  const politeHeaders = extraHeaders.map((hs) => hs.filter(([name]) => name !== 'content-length' && name !== 'content-encoding'))
  const noHeaders = fc.constant<[string, string][]>([])

  const base = {
    target: anyTarget,
    method: fc.constant(null),
    params: fc.array(validParam, { maxLength: 2 }),
    query: fc.constant<Recipe['query']>([]),
    querySuffix: fc.constant(''),
    auth: validAuth,
    contentType: fc.constant(undefined),
    headers: noHeaders,
    body: fc.constant<Body>({ t: 'none' }),
    cluster: fc.nat(),
  }
  const recipe = (over: Partial<{ [K in keyof Recipe]: fc.Arbitrary<Recipe[K]> }>): fc.Arbitrary<Recipe> =>
    fc.record({ ...base, ...over } as { [K in keyof Recipe]: fc.Arbitrary<Recipe[K]> })

  return {
    /** Bodies: random, hostile, malformed, deep, long, invalid UTF-8 — with a valid credential so they are read. */
    bodies: recipe({
      target: bodyTarget,
      auth: fc.oneof({ weight: 9, arbitrary: validAuth }, { weight: 1, arbitrary: anyAuth }),
      contentType: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: contentType }),
      body: anyBody,
      headers: fc.oneof({ weight: 4, arbitrary: noHeaders }, { weight: 1, arbitrary: politeHeaders }),
    }),
    /** Headers: malformed and foreign credentials, content types, proxy headers, length lies. */
    headers: recipe({
      method: sometimes(fc.constantFrom(...ALL_METHODS), 1, 4),
      auth: anyAuth,
      contentType: fc.oneof(fc.constant(undefined), contentType),
      headers: extraHeaders,
      body: fc.oneof(
        { weight: 2, arbitrary: fc.constant<Body>({ t: 'none' }) },
        { weight: 3, arbitrary: templateBody },
        { weight: 1, arbitrary: anyBody },
      ),
    }),
    /** Query strings: the keys each route knows (at and past their edges) and many it does not, repeated. */
    queries: recipe({
      auth: fc.oneof({ weight: 3, arbitrary: validAuth }, { weight: 1, arbitrary: anyAuth }),
      query: queryPairs,
      querySuffix: fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERY_JUNK) }),
      headers: fc.oneof({ weight: 3, arbitrary: noHeaders }, { weight: 1, arbitrary: politeHeaders }),
    }),
    /** Paths and methods: fuzzed path parameters, methods no route has, unknown paths, console files. */
    paths: recipe({
      target: fc.oneof(
        { weight: 8, arbitrary: routeTarget },
        { weight: 1, arbitrary: consoleTarget },
        { weight: 2, arbitrary: unknownTarget },
      ),
      method: sometimes(fc.constantFrom(...ALL_METHODS), 2, 3),
      params: fc.array(fuzzedParam, { minLength: 1, maxLength: 3 }),
      auth: fc.oneof({ weight: 1, arbitrary: validAuth }, { weight: 1, arbitrary: anyAuth }),
      query: fc.oneof({ weight: 3, arbitrary: fc.constant<Recipe['query']>([]) }, { weight: 1, arbitrary: queryPairs }),
      body: fc.oneof({ weight: 3, arbitrary: fc.constant<Body>({ t: 'none' }) }, { weight: 1, arbitrary: templateBody }),
    }),
  }
}

// ------------------------------------------------------------------------------------------ the suite

// Seeded (accepted) labels carry every SQL metacharacter; U+0000 is refused by the control plane, so not here.
const SQL_LABELS = Object.fromEntries(
  SQL_METACHARACTERS.map((s, i) => [`fuzz.example.com/${i}${s.replaceAll('\u0000', '')}`, s.replaceAll('\u0000', '')]),
)

async function seed(app: FastifyInstance, services: App['services'], clock: { now: number }, routes: DiscoveredRoute[]): Promise<Seeded> {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
  const ids = [
    identity('110000-fz-a', '110000'),
    identity('440000-fz-b', '440000', { siteName: "'; DROP TABLE clusters; --", hub: 'zhangjiakou' }),
    identity('650000-fz-c', '650000', { level: 'ministry', ministry: '%_\\', city: "O'Brien %_" }),
  ]
  const tokens: string[] = []
  for (const id of ids) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/clusters', headers: admin, payload: id })
    expect(res.statusCode, res.body).toBe(201)
    tokens.push((res.json() as { token: string }).token)
  }
  const nodes = [
    [cpuNode('n1', 64, { labels: { ...cpuNode('n1').labels, ...SQL_LABELS } }), a100Node('g1', 8, 6)],
    [ascendNode('a1', 8, 2), cpuNode('n2', 32)],
    [cpuNode('n3', 16)],
  ]
  const report = async (i: number, body: unknown) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    })
    expect(res.statusCode, res.body).toBe(200)
  }
  let sequence = 1
  for (const [i, id] of ids.entries()) await report(i, fullReport(id, sequence++, nodes[i] ?? []))
  for (let step = 0; step < 3; step++) {
    // The last round is at the clock the fuzzing runs at: every seeded cluster stays fresh (not stale) throughout.
    if (step > 0) clock.now += 3_600_000
    for (const [i, id] of ids.entries()) await report(i, usageReport(id.clusterId, sequence++, nodes[i] ?? [], 0.1 + 0.3 * step))
    await services.recordHistory()
  }
  const knownIds: string[] = []
  const census = await app.inject({
    method: 'POST',
    url: '/api/v1/censuses',
    headers: admin,
    payload: { period: '2026-09', title: "Q'3 %_ census" },
  })
  expect(census.statusCode, census.body).toBe(201)
  knownIds.push(learnedId(census) ?? '1')
  // Whatever else can be created from a schema example (workloads …) is created once, so its routes have data.
  const creators = routes.filter(
    (r) => r.method === 'POST' && !r.url.includes(':') && !['/api/v1/clusters', '/api/v1/censuses', '/api/v1/reports'].includes(r.url),
  )
  for (const { name, body } of requestExamples()) {
    for (const route of creators) {
      const res = await app.inject({ method: 'POST', url: route.url, headers: admin, payload: body as object })
      expect(res.statusCode, `seeding ${route.url} with ${name}: ${res.body}`).toBeLessThan(500)
      const id = learnedId(res)
      if (id) knownIds.push(id)
    }
  }
  return { clusterIds: ids.map((id) => id.clusterId), tokens, knownIds }
}

function backgroundOf(services: App['services']): Background {
  const workloads = services.workloads
  const maintain = workloads.maintain.bind(workloads)
  let due = false
  workloads.maintain = () => {
    due = true
  }
  const settle = async () => {
    await new Promise((resolve) => setImmediate(resolve))
    await workloads.flush()
  }
  return {
    settle,
    async maintenance() {
      if (!due) return false
      due = false
      maintain()
      await settle()
      return true
    },
  }
}

function fuzzSuite(testStore: TestStore, skip: string | null, scale: number): void {
  describe.skipIf(skip)(`fuzzing every route of the control plane on ${testStore.name}${skip ? ` (${skip})` : ''}`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let app: FastifyInstance
    let fuzzer: Fuzzer
    let initial: Record<string, string>
    let auditHead: { seq: number; hash: string } | null
    let sweepCount = 0
    const logs: string[] = []
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort()
    const runs = Object.fromEntries(Object.entries(RUNS).map(([k, v]) => [k, Math.max(50, Math.round(v * scale * SCALE))])) as typeof RUNS

    beforeAll(async () => {
      const opened = await testStore.open()
      store = opened.store
      cleanup = opened.cleanup
      const clock = { now: 1_790_000_000_000 }
      // startTestApp's configuration, plus what a fuzz run needs: a log to find the stack of any 5xx in; one real
      // ingest worker (its crash or out-of-memory is a 503 this suite must see); a rate limit still in the path
      // (its key function reads every fuzzed authorization header) but too high to turn 10,000 requests into 429s;
      // a small body limit, so over-limit bodies are cheap. Timers that write to the store on their own are kept
      // from writing during the run: no history sampling tick (hourly), and answers kept for replays for 30 days
      // (the minute's prune of the report log then finds nothing to delete at the fixed clock).
      const config = loadConfig(
        {},
        {
          adminToken: ADMIN_TOKEN,
          logLevel: 'error',
          ingestWorkers: 1,
          rateLimitPerMinute: 1_000_000,
          bodyLimitBytes: BODY_LIMIT,
          historyStepSeconds: 3_600,
          reportLogRetentionSeconds: 30 * 86_400,
          // No DR lab: a fuzzed POST /api/v1/drills can never start a drill (409 DR_LAB_MISSING, nothing stored).
          drLabDir: NO_DR_LAB,
        },
      )
      let services: App['services']
      ;({ app, services } = await buildApp({
        config,
        store,
        now: () => clock.now,
        logStream: {
          write: (line) => {
            logs.push(line)
            if (logs.length > 500) logs.shift()
          },
        },
      }))
      const schemas = captureSchemas(app)
      // The monthly census job stays installed (its status route reads the store) but its cron task is stopped:
      // a wall-clock tick on the 1st of a month must not write to the store in the middle of the run.
      await services.scheduler.stop()
      // Likewise drill schedules a fuzzed request adds: stored and listed, but their cron tasks never fire.
      await services.drills.schedules.suspend()
      const background = backgroundOf(services)
      const routes = discoverRoutes(app)
      const seeded = await seed(app, services, clock, routes)
      // Two requests per route, one with the admin token and one with a cluster's, before fuzzing starts: every
      // route's request schemas are known, and which credential it takes (the one not answered 401/403).
      const credentials = new Map<string, 'admin' | 'agent'>()
      for (const r of routes.filter((x) => !isConsoleFile(x.url))) {
        const probe = async (token: string) =>
          (
            await app.inject({
              method: r.method as InjectOptions['method'],
              url: r.url.replace(PARAM, 'x'),
              headers: { authorization: `Bearer ${token}` },
            })
          ).statusCode
        const denied = (status: number) => status === 401 || status === 403
        const [asAdmin, asAgent] = [await probe(ADMIN_TOKEN), await probe(seeded.tokens[0] as string)]
        if (denied(asAgent) && !denied(asAdmin)) credentials.set(normalized(r.method, r.url), 'admin')
        if (denied(asAdmin) && !denied(asAgent)) credentials.set(normalized(r.method, r.url), 'agent')
      }
      const ownTemplates: Template[] = [
        {
          name: 'cluster registration (new id, SQL metacharacters in free-text fields)',
          routes: ['POST /api/v1/clusters'],
          make: () => ({
            ...identity(fuzzer.freshClusterId(), '110000'),
            city: "Beijing'; DROP TABLE clusters; --",
            siteName: '%_\\',
            ministry: "' OR '1'='1",
          }),
        },
        {
          name: 'census request',
          routes: ['POST /api/v1/censuses'],
          make: () => ({ period: '2026-09', title: "'; DROP TABLE censuses; --" }),
        },
        // Valid drill requests: with no lab they must be refused (409) and store nothing.
        { name: 'drill request', routes: ['POST /api/v1/drills'], make: () => ({ scenario: 'a1-lost' }) },
        {
          name: 'drill schedule',
          routes: ['POST /api/v1/drill-schedules'],
          make: () => ({ scenario: 'switchover', cron: '30 3 * * 1', enabled: false }),
        },
        {
          name: 'full report (SQL metacharacters in labels)',
          routes: ['POST /api/v1/reports'],
          make: (c) =>
            fullReport(identity(seeded.clusterIds[c % seeded.clusterIds.length] as string), fuzzer.sequence(), [
              cpuNode('n1', 64, { labels: SQL_LABELS }),
              a100Node('g1', 8, 3),
            ]),
        },
        {
          name: 'usage report',
          routes: ['POST /api/v1/reports'],
          make: (c) => usageReport(seeded.clusterIds[c % seeded.clusterIds.length] as string, fuzzer.sequence(), [cpuNode('n1', 64)], 0.5),
        },
        ...requestExamples().map(({ name, body }): Template => ({ name: `schema example ${name}`, routes: [], make: () => body })),
      ]
      const tables = await storeTables(store)
      expect(tables).toContain('audit_log')
      expect(tables).toContain('clusters')
      if (store.dialect === 'postgres')
        await installPgWriteCounter(
          store,
          tables.filter((t) => t !== 'audit_log'),
        )
      // The audit trail records every denied and rejected request by design: it is checked by verifying its chain.
      fuzzer = new Fuzzer(
        app,
        store,
        tables.filter((t) => t !== 'audit_log'),
        routes,
        schemas,
        seeded,
        ownTemplates,
        logs,
        background,
      )
      for (const [k, v] of credentials) fuzzer.credentials.set(k, v)
      await fuzzer.baseline()
      initial = fuzzer.checksums()
      auditHead = (await verifyAuditTrail(store)).head
    })

    afterAll(async () => {
      try {
        await app?.close()
      } finally {
        await store?.close()
        await cleanup?.()
      }
    })

    it('discovers every route and its request schemas, including the known ones', () => {
      const keys = fuzzer.routes.map((r) => `${r.method} ${r.url}`)
      for (const known of KNOWN_ROUTES) expect(keys).toContain(known)
      expect(fuzzer.apiRoutes.length).toBeGreaterThanOrEqual(15)
      for (const r of fuzzer.apiRoutes)
        expect(fuzzer.schemas.has(normalized(r.method, r.url)), `${r.method} ${r.url} was reached`).toBe(true)
      expect(Object.keys(propertiesOf(fuzzer.schemaOf('GET', '/api/v1/ledger').querystring))).toContain('groupBy')
      expect(Object.keys(propertiesOf(fuzzer.schemaOf('POST', '/api/v1/clusters').body))).toContain('clusterId')
      expect(fuzzer.credentials.get('POST /api/v1/clusters')).toBe('admin')
      expect(fuzzer.credentials.get('POST /api/v1/reports')).toBe('agent')
    })

    const family = (name: keyof typeof RUNS, title: string) =>
      it(`${title} (${runs[name]} requests)`, { timeout: 300_000 }, async () => {
        const arbs = arbitraries(fuzzer)
        await fc.assert(
          fc.asyncProperty(arbs[name], async (recipe) => {
            await fuzzer.send(recipe)
          }),
          { numRuns: runs[name], seed: SEED },
        )
      })

    it('every query key, path parameter and body field alone, at and past its edges, never gets a 5xx', { timeout: 300_000 }, async () => {
      const recipes = fuzzer.sweep()
      sweepCount = recipes.length
      // Every failure is kept (not only the first), grouped by what failed, where, and the error logged.
      const failures = new Map<string, { count: number; example: string }>()
      for (const recipe of recipes) {
        try {
          await fuzzer.send(recipe)
        } catch (error) {
          const message = (error as Error).message
          const lines = message.split('\n')
          // Numbers left out of the key: the same bug with another huge number is the same failure.
          const key = [lines[0], lines[1], lines.find((l) => l.includes('request failed'))].join(' | ').replace(/[0-9][0-9.e+]*/gi, '#')
          const seen = failures.get(key)
          if (seen) seen.count += 1
          else failures.set(key, { count: 1, example: excerpt(message, 3_000) })
        }
      }
      const total = [...failures.values()].reduce((a, b) => a + b.count, 0)
      const report = [...failures.values()].map((f) => `(${f.count}×) ${f.example}`).join('\n\n')
      expect(total, `${total} of ${recipes.length} sweep requests failed, ${failures.size} distinct failures:\n\n${report}`).toBe(0)
    })

    family('bodies', 'random, hostile, deep, long, truncated and invalid UTF-8 bodies get a 4xx or are accepted, never a 5xx')
    family('headers', 'malformed credentials, content types and headers never get a 5xx')
    family('queries', 'hostile, repeated and malformed query strings never get a 5xx')
    family('paths', 'fuzzed path parameters, unrouted methods and unknown paths never get a 5xx')

    it('changed nothing but what it accepted; the audit chain is intact; the process still answers', { timeout: 60_000 }, async () => {
      const books = (m: Map<string, Set<string>>) => [...m.entries()].map(([k, t]) => `${k} → ${[...t].join(', ')}`).join('; ') || 'none'
      const table = [...fuzzer.counts.entries()].sort(([a], [b]) => a.localeCompare(b))
      console.info(
        [
          `fuzz on ${testStore.name}: ${fuzzer.total} requests (${sweepCount} of them the sweep; seed ${SEED}); per route, with the statuses answered:`,
          ...table.map(([k, statuses]) => {
            const n = [...statuses.values()].reduce((a, b) => a + b, 0)
            const detail = [...statuses.entries()]
              .sort(([a], [b]) => a - b)
              .map(([s, c]) => `${s}×${c}`)
              .join(' ')
            return `  ${String(n).padStart(6)}  ${k}  [${detail}]`
          }),
          `  accepted mutations changed: ${books(fuzzer.acceptedMutations)}`,
          `  422 answers that stored their decision: ${books(fuzzer.recordedRejections)}`,
          `  background maintenance changed: ${[...fuzzer.backgroundChanges].join(', ') || 'nothing'}`,
        ].join('\n'),
      )
      const expected = Object.values(runs).reduce((a, b) => a + b, 0) + sweepCount
      expect(fuzzer.total).toBeGreaterThanOrEqual(expected)
      if (scale * SCALE >= 1) expect(fuzzer.total).toBeGreaterThanOrEqual(10_000)
      // Every discovered API route was hit with its own method.
      // (The PostgreSQL run is a sample: a route may be missed there, not on the full SQLite run.)
      const minimum = scale * SCALE >= 1 ? Math.max(1, Math.floor((expected - sweepCount) / fuzzer.apiRoutes.length / 20)) : 0
      for (const r of fuzzer.apiRoutes) {
        const n = [...(fuzzer.counts.get(`${r.method} ${r.url}`)?.values() ?? [])].reduce((a, b) => a + b, 0)
        expect(n, `${r.method} ${r.url}`).toBeGreaterThanOrEqual(minimum)
      }

      // The store as a whole: any difference from before the run is in a table an accepted request changed.
      const final = await tableChecksums(store, fuzzer.tables)
      expect(changedTables(fuzzer.checksums(), final)).toEqual([])
      const owned = new Set(
        [...fuzzer.acceptedMutations.values(), ...fuzzer.recordedRejections.values(), fuzzer.backgroundChanges].flatMap((s) => [...s]),
      )
      expect(changedTables(initial, final).filter((t) => !owned.has(t))).toEqual([])

      const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
      const verify = await app.inject({ url: '/api/v1/audit/verify', headers: admin })
      expect(verify.statusCode).toBe(200)
      expect(verify.json()).toMatchObject({ ok: true, problems: [] })
      if (auditHead) expect(await verifyAuditTrail(store, auditHead)).toMatchObject({ ok: true, problems: [] })
      expect((verify.json() as { records: number }).records).toBeGreaterThan(auditHead?.seq ?? 0)

      const health = await app.inject({ url: '/healthz' })
      expect(health.statusCode).toBe(200)
      expect(health.json()).toMatchObject({ status: 'ok', store: testStore.name })
      // Registration and the ingest worker still work: a new cluster's first report is accepted (the seeded
      // clusters' tokens may have been rotated or revoked by accepted fuzz requests).
      const after = identity('110000-fz-after', '110000')
      const registered = await app.inject({ method: 'POST', url: '/api/v1/clusters', headers: admin, payload: after })
      expect(registered.statusCode, registered.body).toBe(201)
      const ok = await app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { authorization: `Bearer ${(registered.json() as { token: string }).token}`, 'content-type': 'application/json' },
        payload: JSON.stringify(fullReport(after, 1, [cpuNode('n1')])),
      })
      expect(ok.statusCode, ok.body).toBe(200)
      // No prototype pollution reached this process (the app runs in it).
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore)
      const probe = {} as Record<string, unknown>
      expect(probe.fuzzPolluted).toBeUndefined()
      expect(probe.isAdmin).toBeUndefined()
    })
  })
}

for (const { store: testStore, skip } of testStores()) {
  // PostgreSQL is several times slower per request: the whole sweep, a tenth of the random runs.
  fuzzSuite(testStore, skip, testStore.name === 'sqlite' ? 1 : 1 / 10)
}
