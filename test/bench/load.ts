// Load benchmark: `npm run bench:load [-- options]` (issue 7 §7).
//
// Twice the design point for 2 minutes: 4,000 simulated clusters of 250 nodes (1,000,000 nodes) each send
// a report every 30 s, phases spread evenly (≈133 reports/s; one report in four is a full report, the
// agent's 60 s full / 15 s usage ratio, the rest usage reports), through the real HTTP path of a control
// plane running alone in its own process on loopback, each with its own cluster token. At the same time
// autocannon drives the read side with the URLs the console asks for: ledger groupings, the
// province → site → cluster → nodes drill-down, history, /metrics, and the console's page and entry
// script. Measured: p50/p99/max, non-2xx, errors and timeouts per family; lost reports (sent but not
// accepted, or acknowledged and then missing from the store); the control plane's event-loop delay, CPU
// and RSS. Figures, command and machine go to BENCHMARKS.md.
//
// Options:
//   --quick              smoke test: 400 clusters for 20 s (explicit --clusters / --duration win)
//   --clusters N         clusters (4000)                  --nodes N          nodes per cluster (250)
//   --duration S         measured seconds (120)           --interval S       seconds between a cluster's reports (30)
//   --full-every N       one report in N is full (4)      --seed N           fleet seed (1)
//   --read-scale X       multiply the read rates (1; 0: no rate limit, autocannon as fast as it can)
//   --history-hours H    hours of history filled in before the run (24; 0: none)
//   --postgres           PostgreSQL (test/support/postgres.ts) instead of the embedded SQLite store
//   --profile DIR        run the control plane under --cpu-prof, profiles to DIR, print a summary of the window
//   --json               one JSON object with every figure on stdout (progress stays on stderr; use
//                        `npm run --silent bench:load -- --json` so npm's banner stays off stdout)
//   --write / --no-write update BENCHMARKS.md (default: only for the full-size run without --profile)

import { randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createFleet, fullReport, fullReportJson, type SimCluster, usageReport, usageReportJson } from '@suanpan/agents'
import { bucketStart, type HistorySample, HistoryStore, loadCatalog, openStore, replayHistory } from '@suanpan/control-plane'
import autocannon from 'autocannon'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import { freePort, postgresBinDir, startPostgres } from '../support/postgres'
import { createSourceResolver, formatSummary, mainThreadFiles, monotonicUs, profileFiles, summarizeProfiles } from './cpuprofile'
import {
  type ControlPlaneProcess,
  cleanupStack,
  codeVersion,
  cpuSecondsOf,
  type Distribution,
  describeMachine,
  distribution,
  forEachLimited,
  HttpClient,
  type Machine,
  memoryOf,
  progress,
  REPO_ROOT,
  registerFleet,
  startControlPlane,
  writeBenchmarkSection,
} from './support'

const ADMIN_TOKEN = 'bench-admin-token'
const TARGET_P99_MS = 100
const REPORT_TIMEOUT_MS = 10_000
/**
 * A read with no answer within this long counts as a timeout (as a report does at the agent). autocannon's own
 * timeout is not used for it: after one, autocannon reconnects but keeps its HTTP parser's state, and when the
 * timeout struck in the middle of an answer every later answer on that connection is misparsed (the
 * connection never completes a request again).
 */
const READ_TIMEOUT_MS = 10_000
/** The history step the control plane samples at (its default), and the one the console asks for. */
const HISTORY_STEP_S = 300
/** Simulated history: values replayed from the simulator every 4 h, held in between. */
const HISTORY_REPLAY_EVERY_MS = 4 * 3_600_000
const PROGRESS_EVERY_MS = 10_000
/** Event-loop delay sampling: a timer every 10 ms, delay = gap − 10 ms. */
const ELD_RESOLUTION_MS = 10
const ELD_TAG = 'SUANPAN_BENCH_ELD '
const CONSOLE_DIST = join(REPO_ROOT, 'console', 'dist')
const BEGIN = '<!-- bench:load:begin (written by `npm run bench:load`; edits inside are overwritten) -->'
const END = '<!-- bench:load:end -->'
const FULL_SIZE = { clusters: 4000, nodes: 250, duration: 120, interval: 30, fullEvery: 4 }

// ---------------------------------------------------------------- options

interface Options {
  quick: boolean
  clusters: number
  nodes: number
  durationS: number
  intervalS: number
  fullEvery: number
  seed: number
  readScale: number
  historyHours: number
  postgres: boolean
  profile: string | null
  json: boolean
  write: boolean
  fullSize: boolean
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      clusters: { type: 'string' },
      nodes: { type: 'string', default: String(FULL_SIZE.nodes) },
      duration: { type: 'string' },
      interval: { type: 'string', default: String(FULL_SIZE.interval) },
      'full-every': { type: 'string', default: String(FULL_SIZE.fullEvery) },
      seed: { type: 'string', default: '1' },
      'read-scale': { type: 'string', default: '1' },
      'history-hours': { type: 'string', default: '24' },
      postgres: { type: 'boolean', default: false },
      profile: { type: 'string' },
      json: { type: 'boolean', default: false },
      write: { type: 'boolean' },
      'no-write': { type: 'boolean' },
    },
  })
  const int = (name: string, raw: string, min: number): number => {
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${raw}"`)
    return n
  }
  const readScale = Number(values['read-scale'])
  if (!Number.isFinite(readScale) || readScale < 0) throw new Error(`--read-scale must be a number >= 0, got "${values['read-scale']}"`)
  const quick = values.quick
  const o = {
    quick,
    clusters: int('clusters', values.clusters ?? (quick ? '400' : String(FULL_SIZE.clusters)), 1),
    nodes: int('nodes', values.nodes, 1),
    durationS: int('duration', values.duration ?? (quick ? '20' : String(FULL_SIZE.duration)), 1),
    intervalS: int('interval', values.interval, 1),
    fullEvery: int('full-every', values['full-every'], 1),
    seed: int('seed', values.seed, 0),
    readScale,
    historyHours: int('history-hours', values['history-hours'], 0),
    postgres: values.postgres,
    profile: values.profile ? resolve(values.profile) : null,
    json: values.json,
  }
  const fullSize =
    o.clusters === FULL_SIZE.clusters &&
    o.nodes === FULL_SIZE.nodes &&
    o.durationS === FULL_SIZE.duration &&
    o.intervalS === FULL_SIZE.interval &&
    o.fullEvery === FULL_SIZE.fullEvery &&
    o.readScale === 1 &&
    o.historyHours === 24
  return { ...o, fullSize, write: values['no-write'] ? false : (values.write ?? (fullSize && !o.profile)) }
}

// ---------------------------------------------------------------- recording

/** Latencies and outcomes of one family of requests, for the whole window and since the last progress line. */
class Recorder {
  readonly all: number[] = []
  window: number[] = []
  readonly byLabel = new Map<string, { ms: number[]; bytes: number }>()
  non2xx = 0
  errors = 0
  timeouts = 0
  readonly statuses = new Map<number, number>()
  /** First few error descriptions, for the report. */
  readonly samples: string[] = []

  record(label: string, ms: number, status: number, bytes: number): void {
    this.all.push(ms)
    this.window.push(ms)
    let entry = this.byLabel.get(label)
    if (!entry) {
      entry = { ms: [], bytes: 0 }
      this.byLabel.set(label, entry)
    }
    entry.ms.push(ms)
    entry.bytes += bytes
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1)
    if (status < 200 || status >= 300) {
      this.non2xx++
      this.note(`${label}: HTTP ${status}`)
    }
  }

  /** Of the errors, answers that came after the timeout (also in the latencies). */
  late = 0

  error(label: string, message: string, timeout: boolean, answered = false): void {
    this.errors++
    if (answered) this.late++
    if (timeout) this.timeouts++
    this.note(`${label}: ${message}`)
  }

  note(message: string): void {
    if (this.samples.length < 5) this.samples.push(message)
  }

  takeWindow(): number[] {
    const w = this.window
    this.window = []
    return w
  }
}

/** Event-loop delay of this process, sampled the same way as the control plane's (see ELD_PRELOAD). */
function sampleOwnEventLoop(): { values: number[]; stop(): void } {
  const values: number[] = []
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    values.push(Math.max(0, now - last - ELD_RESOLUTION_MS))
    last = now
  }, ELD_RESOLUTION_MS)
  return { values, stop: () => clearInterval(timer) }
}

/**
 * Loaded into the control plane before its own code (`node --import <data: URL>`): on the main thread, a
 * timer every 10 ms records how late it fires, and once a second the delays go to stderr as one line.
 */
const ELD_PRELOAD = `data:text/javascript,${encodeURIComponent(
  `import{isMainThread}from'node:worker_threads';` +
    `if(isMainThread){let last=performance.now();let buf=[];` +
    `setInterval(()=>{const n=performance.now();buf.push(Math.max(0,n-last-${ELD_RESOLUTION_MS}).toFixed(2));last=n},${ELD_RESOLUTION_MS}).unref();` +
    `setInterval(()=>{process.stderr.write('${ELD_TAG}'+buf.join(',')+'\\n');buf=[]},1000).unref()}`,
)}`

/** Busy and total CPU seconds of the whole machine, from /proc/stat. */
function machineCpu(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
    const f = line.trim().split(/\s+/).slice(1).map(Number)
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0)
    const idle = (f[3] ?? 0) + (f[4] ?? 0)
    return { busy: (total - idle) / 100, total: total / 100 }
  } catch {
    return { busy: Number.NaN, total: Number.NaN }
  }
}

/** Microseconds some runnable task waited for a CPU (Linux PSI, /proc/pressure/cpu "some"); NaN without PSI. */
function cpuPressureUs(): number {
  try {
    return Number(/^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1] ?? Number.NaN)
  } catch {
    return Number.NaN
  }
}

// ---------------------------------------------------------------- HTTP for the reports

interface Answer {
  status: number
  body: string
  ms: number
}

class TimeoutError extends Error {}

function post(agent: Agent, port: number, path: string, body: Buffer, authorization: string): Promise<Answer> {
  return new Promise((resolvePost, reject) => {
    const start = performance.now()
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': String(body.length), authorization },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolvePost({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), ms: performance.now() - start }),
        )
        res.on('error', reject)
      },
    )
    // As the agent's AbortSignal.timeout: the whole exchange, from the call, within REPORT_TIMEOUT_MS.
    const timer = setTimeout(() => req.destroy(new TimeoutError(`no answer within ${REPORT_TIMEOUT_MS} ms`)), REPORT_TIMEOUT_MS)
    req.on('close', () => clearTimeout(timer))
    req.on('error', reject)
    req.end(body)
  })
}

interface Ack {
  status?: string
  sequence?: number
  nodes?: number
}

// ---------------------------------------------------------------- the read side

interface ReadRequest {
  /** Row of the per-URL table: the URL with sample values replaced by placeholders. */
  label: string
  path: string
  headers?: Record<string, string>
}

interface Family {
  id: 'ledger' | 'drill' | 'history' | 'metrics' | 'console'
  title: string
  connections: number
  /** Requests a second per connection (0: no limit). */
  ratePerConnection: number
  requests: ReadRequest[]
}

/** The console's `apiPath`: empty values left out, lists comma-joined, URLSearchParams encoding. */
function apiPath(path: string, params: Record<string, string | number | readonly string[] | undefined> = {}): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue
    if (Array.isArray(value)) {
      if (value.length > 0) search.set(key, value.join(','))
    } else search.set(key, String(value))
  }
  const query = search.toString()
  return `/api/v1/${path}${query ? `?${query}` : ''}`
}

const ACCELERATOR_KINDS = ['GPU', 'NPU', 'DCU', 'XPU', 'unclassified']

function readFamilies(fleet: SimCluster[], scale: number, consoleDir: string | null): { families: Family[]; consoleServed: boolean } {
  const rate = (base: number) => (scale === 0 ? 0 : Math.max(1, Math.round(base * scale)))
  // What the overview, ledger, energy and utilization pages ask for (console/src/pages, console/src/api).
  const ledger: ReadRequest[] = [
    { label: 'ledger `limit=1` (national total: overview, energy)', path: apiPath('ledger', { limit: 1 }) },
    {
      label: 'ledger `groupBy=domestic,vendor&kind=<accelerators>` (overview)',
      path: apiPath('ledger', { groupBy: ['domestic', 'vendor'], limit: 500, kind: ACCELERATOR_KINDS }),
    },
    { label: 'ledger `groupBy=province&limit=100` (ledger map, energy)', path: apiPath('ledger', { groupBy: ['province'], limit: 100 }) },
    { label: 'ledger `groupBy=province&limit=10000` (ledger table)', path: apiPath('ledger', { groupBy: ['province'], limit: 10_000 }) },
    { label: 'ledger `groupBy=site,hub&limit=10000` (energy)', path: apiPath('ledger', { groupBy: ['site', 'hub'], limit: 10_000 }) },
    { label: 'ledger `groupBy=hub&limit=100` (energy)', path: apiPath('ledger', { groupBy: ['hub'], limit: 100 }) },
    {
      label: 'ledger `groupBy=model,kind&kind=<accelerators>` (utilization)',
      path: apiPath('ledger', { groupBy: ['model', 'kind'], limit: 500, kind: ACCELERATOR_KINDS }),
    },
    { label: 'ledger `groupBy=province,kind` (API, CLI)', path: apiPath('ledger', { groupBy: ['province', 'kind'] }) },
  ]
  // The ledger page's drill-down: province → site → cluster → nodes, for clusters spread over the fleet.
  const drill: ReadRequest[] = []
  const picks = Math.min(16, fleet.length)
  for (let p = 0; p < picks; p++) {
    const c = fleet[Math.floor((p * fleet.length) / picks)] as SimCluster
    const { province, site, clusterId } = c.identity
    drill.push(
      {
        label: 'ledger `groupBy=site&province=<p>` (drill: province)',
        path: apiPath('ledger', { groupBy: ['site'], limit: 10_000, province }),
      },
      {
        label: 'ledger `groupBy=cluster&province=<p>&site=<s>` (drill: site)',
        path: apiPath('ledger', { groupBy: ['cluster'], limit: 10_000, province, site: [site] }),
      },
      {
        label: 'ledger `groupBy=cluster&limit=1&cluster=<c>` (drill: cluster)',
        path: apiPath('ledger', { groupBy: ['cluster'], limit: 1, cluster: [clusterId] }),
      },
      { label: '`/api/v1/clusters/<c>/nodes` (drill: nodes)', path: apiPath(`clusters/${encodeURIComponent(clusterId)}/nodes`) },
    )
    if (p % 4 === 3) drill.push({ label: '`/api/v1/clusters` (names and liveness for the labels)', path: apiPath('clusters') })
  }
  const history: ReadRequest[] = [
    { label: 'history `step=300` (24 h national: overview, energy)', path: apiPath('history', { step: HISTORY_STEP_S }) },
    {
      label: 'history `groupBy=province&limit=10` (24 h, utilization)',
      path: apiPath('history', { groupBy: 'province', step: HISTORY_STEP_S, limit: 10 }),
    },
    {
      label: 'history/accelerators `kind=GPU,NPU,DCU,XPU` (24 h, utilization)',
      path: apiPath('history/accelerators', { step: HISTORY_STEP_S, kind: ['GPU', 'NPU', 'DCU', 'XPU'] }),
    },
    {
      label: 'history/idle `threshold=0.2&hours=24` (utilization)',
      path: apiPath('history/idle', { threshold: 0.2, hours: 24, measure: 'cpuRequested', limit: 2000 }),
    },
  ]
  const indexHtml = consoleDir ? join(consoleDir, 'index.html') : null
  const consoleServed = indexHtml !== null && existsSync(indexHtml)
  let consoleRequests: ReadRequest[]
  if (indexHtml && consoleServed) {
    const entry = /<script type="module"[^>]*src="([^"]+)"/.exec(readFileSync(indexHtml, 'utf8'))?.[1]
    if (!entry) throw new Error(`no entry script in ${indexHtml}`)
    consoleRequests = [
      { label: '`/` (index.html)', path: '/', headers: { accept: 'text/html,application/xhtml+xml', 'accept-encoding': 'gzip, br' } },
      { label: '`/assets/index-….js` (entry script, gzip)', path: entry, headers: { accept: '*/*', 'accept-encoding': 'gzip, br' } },
    ]
  } else {
    // No build: the API calls every console page makes first.
    consoleRequests = [
      { label: '`/api/v1/regions` (console start-up)', path: apiPath('regions') },
      { label: '`/api/v1/clusters` (console start-up)', path: apiPath('clusters') },
    ]
  }
  const families: Family[] = [
    { id: 'ledger', title: 'ledger queries', connections: 4, ratePerConnection: rate(4), requests: ledger },
    { id: 'drill', title: 'drill-downs', connections: 3, ratePerConnection: rate(4), requests: drill },
    { id: 'history', title: 'history', connections: 2, ratePerConnection: rate(2), requests: history },
    { id: 'metrics', title: '/metrics', connections: 1, ratePerConnection: rate(2), requests: [{ label: '`/metrics`', path: '/metrics' }] },
    {
      id: 'console',
      title: consoleServed ? 'console page + script' : 'console API start-up',
      connections: 2,
      ratePerConnection: rate(2),
      requests: consoleRequests,
    },
  ]
  return { families, consoleServed }
}

interface ReadRun {
  instances: autocannon.Instance[]
  done: Promise<autocannon.Result[]>
  stop(): void
}

/**
 * One autocannon instance per connection (connections: 1, its share of the rate), started staggered over
 * a second so the rate-limited connections do not all fire at the top of each second.
 */
function startReads(
  port: number,
  families: Family[],
  recorders: Map<string, Recorder>,
  durationS: number,
  expected: ExpectedTotals,
): ReadRun {
  const instances: autocannon.Instance[] = []
  const results: Promise<autocannon.Result>[] = []
  const timers: NodeJS.Timeout[] = []
  const total = families.reduce((a, f) => a + f.connections, 0)
  let index = 0
  let stopped = false
  const pendingReads: { outstanding: { since: number | null }; recorder: Recorder; label: () => string }[] = []
  for (const family of families) {
    const recorder = recorders.get(family.id) as Recorder
    for (let c = 0; c < family.connections; c++) {
      // Each connection starts at another place in the family's list.
      const offset = Math.floor((c * family.requests.length) / family.connections)
      const list = [...family.requests.slice(offset), ...family.requests.slice(0, offset)]
      // With one connection and no pipelining, the request being sent is the last one set up, and the
      // answer being recorded is the last one whose onResponse ran (it runs just before the event).
      let sending: ReadRequest = list[0] as ReadRequest
      let answered: ReadRequest = sending
      const outstanding = { since: null as number | null }
      const requests: autocannon.Request[] = list.map((r) => ({
        method: 'GET',
        path: r.path,
        headers: r.headers,
        setupRequest: (req: autocannon.Request) => {
          sending = r
          outstanding.since = performance.now()
          return req
        },
        onResponse: (status: number, body: string) => {
          answered = r
          if (status === 200 && r.path === '/api/v1/ledger?limit=1') checkTotals(body, expected, recorder, r.label)
        },
      }))
      const delay = Math.floor((1000 * index++) / total)
      results.push(
        new Promise((resolveRun, reject) => {
          const timer = setTimeout(() => {
            if (stopped) return resolveRun(emptyResult())
            const instance = autocannon(
              {
                url: `http://127.0.0.1:${port}`,
                connections: 1,
                ...(family.ratePerConnection > 0 ? { overallRate: family.ratePerConnection } : {}),
                duration: durationS + 30,
                // Effectively none (see READ_TIMEOUT_MS): slow answers are timed here.
                timeout: durationS + 120,
                requests,
              },
              (err, result) => (err ? reject(err) : resolveRun(result)),
            )
            // The first request is set up when the instance is built, before it is sent.
            outstanding.since = performance.now()
            instance.on('response', (_client, status, bytes, ms) => {
              outstanding.since = null
              recorder.record(answered.label, ms, status, bytes)
              if (ms > READ_TIMEOUT_MS) recorder.error(answered.label, `answered after ${(ms / 1000).toFixed(1)} s`, true, true)
            })
            instance.on('reqError', (err: unknown) => {
              const message = err instanceof Error ? err.message : String(err)
              recorder.error(sending.label, message, /timed out/.test(message))
            })
            instances.push(instance)
            pendingReads.push({ outstanding, recorder, label: () => sending.label })
          }, delay)
          timers.push(timer)
        }),
      )
    }
  }
  return {
    instances,
    done: Promise.all(results),
    stop() {
      stopped = true
      for (const t of timers) clearTimeout(t)
      for (const i of instances) i.stop()
      // A request still unanswered at the end, for longer than the timeout, timed out.
      const now = performance.now()
      for (const p of pendingReads) {
        const since = p.outstanding.since
        if (since !== null && now - since > READ_TIMEOUT_MS) {
          p.recorder.error(p.label(), `no answer for ${((now - since) / 1000).toFixed(1)} s at the end`, true)
        }
      }
    },
  }
}

function emptyResult(): autocannon.Result {
  return { errors: 0, timeouts: 0, non2xx: 0 } as autocannon.Result
}

interface ExpectedTotals {
  clusters: number
  nodes: number
  /** National answers that did not hold the whole fleet (a cluster gone stale or missing). */
  incomplete: number
}

function checkTotals(body: string, expected: ExpectedTotals, recorder: Recorder, label: string): void {
  try {
    const total = (JSON.parse(body) as { total?: { clusters?: number; nodes?: number } }).total
    if (total?.clusters !== expected.clusters || total?.nodes !== expected.nodes) {
      expected.incomplete++
      recorder.note(
        `${label}: ledger total ${total?.clusters} clusters / ${total?.nodes} nodes, expected ${expected.clusters} / ${expected.nodes}`,
      )
    }
  } catch {
    expected.incomplete++
  }
}

/**
 * What a signed-in console sends with every read. Older control planes answered reads without a principal;
 * with access control a console user signs in and the browser sends the session cookie, so the bench creates
 * a national planner (reads the ledger, history, clusters and /metrics) and signs in as it.
 */
async function readCredentials(port: number): Promise<{ headers: Record<string, string>; how: string }> {
  const base = `http://127.0.0.1:${port}`
  const probe = await fetch(`${base}/api/v1/ledger?limit=1`, { headers: { accept: 'application/json' } })
  await probe.arrayBuffer()
  if (probe.status === 200) return { headers: {}, how: 'reads answered without signing in' }
  if (probe.status !== 401) throw new Error(`GET /api/v1/ledger?limit=1: HTTP ${probe.status}`)
  const username = 'bench-load-viewer'
  const password = `Bench-${randomBytes(12).toString('base64url')}-1a`
  const json = { 'content-type': 'application/json' }
  const created = await fetch(`${base}/api/v1/users`, {
    method: 'POST',
    headers: { ...json, authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ username, password, role: 'planner', scope: 'national' }),
  })
  if (created.status !== 201) throw new Error(`POST /api/v1/users: HTTP ${created.status} ${await created.text()}`)
  const session = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: json, body: JSON.stringify({ username, password }) })
  if (session.status !== 200) throw new Error(`POST /api/v1/session: HTTP ${session.status} ${await session.text()}`)
  await session.arrayBuffer()
  const cookie = session.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  if (!cookie) throw new Error('POST /api/v1/session set no cookie')
  return { headers: { cookie }, how: 'signed in as a national planner, every read sends its session cookie' }
}

// ---------------------------------------------------------------- set-up

/**
 * A day of history for the fleet, written to the store before the control plane starts (as `suanpan
 * start` fills it): each cluster's full report and a usage report every 4 h replayed through the
 * ledger's own classification (`replayHistory`), each value held until the next replay, one sample per
 * cluster per step. On SQLite the rows go in directly, step by step (the same rows HistoryStore.record
 * writes, a hundred times faster); on PostgreSQL through HistoryStore.record.
 */
async function fillHistory(
  storeOptions: { sqlitePath: string; databaseUrl: string | null },
  fleet: SimCluster[],
  hours: number,
): Promise<{ samples: number; accelerators: number; ms: number }> {
  const started = performance.now()
  const catalog = loadCatalog({})
  const step = HISTORY_STEP_S * 1000
  const end = bucketStart(Date.now(), HISTORY_STEP_S)
  const begin = end - hours * 3_600_000
  const keys: number[] = []
  for (let ts = begin; ts < end; ts += HISTORY_REPLAY_EVERY_MS) keys.push(ts)
  let lastProgress = performance.now()
  /** Per cluster, per replayed step: its sample rows. */
  const replays: Map<number, HistorySample>[] = fleet.map((c, i) => {
    const replayed = replayHistory(
      catalog,
      fullReport(c, 1, begin),
      keys.map((ts, k) => ({ ts, report: usageReport(c, 2 + k, ts) })),
    )
    const byKey = new Map<number, HistorySample>(keys.map((k) => [k, { samples: [], accelerators: [] }]))
    for (const s of replayed.samples) byKey.get(s.ts)?.samples.push(s)
    for (const a of replayed.accelerators) byKey.get(a.ts)?.accelerators.push(a)
    if (performance.now() - lastProgress > PROGRESS_EVERY_MS) {
      lastProgress = performance.now()
      progress(`  history: replayed ${int(i + 1)}/${int(fleet.length)} clusters`)
    }
    return byKey
  })
  const sampleAt = (ts: number): HistorySample => {
    const key = keys[Math.floor((ts - begin) / HISTORY_REPLAY_EVERY_MS)] as number
    const out: HistorySample = { samples: [], accelerators: [] }
    for (const r of replays) {
      const s = r.get(key)
      if (!s) continue
      for (const x of s.samples) out.samples.push({ ...x, ts })
      for (const x of s.accelerators) out.accelerators.push({ ...x, ts })
    }
    return out
  }
  let samples = 0
  let accelerators = 0
  const store = await openStore(storeOptions) // creates the tables
  try {
    if (storeOptions.databaseUrl) {
      const history = new HistoryStore(store, HISTORY_STEP_S)
      for (let ts = begin; ts < end; ts += step) {
        const sample = sampleAt(ts)
        await history.record(sample)
        samples += sample.samples.length
        accelerators += sample.accelerators.length
      }
    }
  } finally {
    await store.close()
  }
  if (!storeOptions.databaseUrl) {
    const db = new SQLite(storeOptions.sqlitePath)
    try {
      db.pragma('cache_size = -262144')
      db.pragma('synchronous = OFF')
      let insert: { samples: SQLite.Statement; accelerators: SQLite.Statement } | null = null
      const statement = (table: string, row: object) => {
        const columns = Object.keys(row)
        return db.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`)
      }
      const write = db.transaction((sample: HistorySample) => {
        const s0 = sample.samples[0]
        const a0 = sample.accelerators[0]
        if (!s0 || !a0) return
        insert ??= { samples: statement('history_samples', s0), accelerators: statement('history_accelerators', a0) }
        for (const row of sample.samples) insert.samples.run(row)
        for (const row of sample.accelerators) insert.accelerators.run(row)
      })
      for (let ts = begin; ts < end; ts += step) {
        const sample = sampleAt(ts)
        write(sample)
        samples += sample.samples.length
        accelerators += sample.accelerators.length
      }
    } finally {
      db.close()
    }
  }
  return { samples, accelerators, ms: performance.now() - started }
}

/** Every cluster's first full report (an agent starting up), a few in flight, before the clock starts. */
async function firstRound(agent: Agent, port: number, fleet: SimCluster[], auth: string[], sequence: number): Promise<number> {
  const started = performance.now()
  let done = 0
  let lastProgress = performance.now()
  await forEachLimited(fleet.length, 8, async (i) => {
    const c = fleet[i] as SimCluster
    const res = await post(
      agent,
      port,
      '/api/v1/reports',
      Buffer.from(fullReportJson(c, sequence, Date.now()), 'latin1'),
      auth[i] as string,
    )
    const ack = res.status === 200 ? (JSON.parse(res.body) as Ack) : null
    if (ack?.status !== 'accepted') throw new Error(`first report of ${c.identity.clusterId}: HTTP ${res.status} ${res.body.slice(0, 300)}`)
    done++
    if (performance.now() - lastProgress > 5_000) {
      lastProgress = performance.now()
      progress(`  fleet start-up: ${done.toLocaleString('en-US')}/${fleet.length.toLocaleString('en-US')} first full reports accepted`)
    }
  })
  return performance.now() - started
}

interface Planned {
  cluster: number
  /** Milliseconds after the start of the window. */
  dueMs: number
  kind: 'full' | 'usage'
  sequence: number
  body: Buffer
}

/**
 * The window's reports, serialized before the clock starts (so generating them costs the shared CPUs
 * nothing while it runs): cluster i reports at i/N of the interval and every interval after; its k-th
 * report is full when (i + k) is a multiple of fullEvery, so full reports are spread as evenly as the rest.
 */
function planReports(fleet: SimCluster[], opts: Options, firstSequence: number): Planned[] {
  const plan: Planned[] = []
  const intervalMs = opts.intervalS * 1000
  const windowMs = opts.durationS * 1000
  const wallStart = Date.now()
  let lastProgress = performance.now()
  for (let i = 0; i < fleet.length; i++) {
    const c = fleet[i] as SimCluster
    const phase = (i / fleet.length) * intervalMs
    for (let k = 0; phase + k * intervalMs < windowMs; k++) {
      const dueMs = phase + k * intervalMs
      const kind = (i + k) % opts.fullEvery === 0 ? 'full' : 'usage'
      const sequence = firstSequence + 1 + k
      const t = wallStart + dueMs
      const json = kind === 'full' ? fullReportJson(c, sequence, t) : usageReportJson(c, sequence, t)
      plan.push({ cluster: i, dueMs, kind, sequence, body: Buffer.from(json, 'latin1') })
    }
    if (performance.now() - lastProgress > PROGRESS_EVERY_MS) {
      lastProgress = performance.now()
      progress(`  serialized the reports of ${(i + 1).toLocaleString('en-US')}/${fleet.length.toLocaleString('en-US')} clusters`)
    }
  }
  return plan.sort((a, b) => a.dueMs - b.dueMs)
}

// ---------------------------------------------------------------- the run

interface ReportState {
  sent: number
  accepted: number
  inFlight: number
  maxInFlight: number
  /** Highest accepted sequence per cluster, and of its full reports. */
  lastAccepted: number[]
  lastFull: number[]
  /** Every sent and every accepted (cluster, sequence), as `${cluster}:${sequence}`. */
  sentKeys: Set<string>
  acked: Set<string>
  notAccepted: number
  lateness: number[]
}

interface WindowSample {
  atS: number
  reports: number
  reportP50: number
  reportP99: number
  reads: Record<string, { n: number; p99: number }>
  serverCpuPct: number
  otherCpuPct: number
  cpuPressurePct: number
  eldP99: number
  eldMax: number
  rssMiB: number
  load1: number
}

interface FamilyResult {
  id: string
  title: string
  connections: number | null
  targetRate: number | null
  requests: number
  ratePerS: number
  latency: Distribution
  non2xx: number
  errors: number
  timeouts: number
  statuses: Record<string, number>
  errorSamples: string[]
}

interface LabelResult {
  family: string
  label: string
  requests: number
  latency: Distribution
  meanBytes: number
}

interface Target {
  target: string
  value: string
  pass: boolean
}

interface LoadResult {
  date: string
  command: string
  code: string
  machine: Machine
  store: string
  workload: {
    clusters: number
    nodesPerCluster: number
    nodes: number
    intervalS: number
    fullEvery: number
    seed: number
    durationS: number
    reportsPerS: number
    plannedReports: number
    plannedFull: number
    meanFullBytes: number
    meanUsageBytes: number
    historyHours: number
    historyRows: { samples: number; accelerators: number }
    readScale: number
    readConnections: number
    readTargetRate: number | null
    consoleServed: boolean
    readAuth: string
  }
  setup: { fleetMs: number; historyMs: number; registerMs: number; firstRoundMs: number; serializeMs: number }
  families: FamilyResult[]
  overall: { requests: number; latency: Distribution; errors: number }
  labels: LabelResult[]
  reports: {
    sent: number
    accepted: number
    /** Not answered `accepted` (errors, timeouts, other answers). */
    notAccepted: number
    /** Sent and not in the report log after the run. */
    notStored: number
    ackedMissingFromStore: number
    clustersWithStateBehind: number
    /** Timed out or failed at the sender, yet committed. */
    committedUnacknowledged: number
    apiClustersBehind: number
    lost: number
    maxInFlight: number
    generatorLatenessMs: Distribution
  }
  incompleteLedgerAnswers: number
  server: {
    cpuSeconds: number
    cpuPctOfOneCore: number
    eventLoopDelayMs: Distribution
    rssMiB: { start: number; max: number; end: number }
    peakRssMiB: number
  }
  generator: { cpuSeconds: number; eventLoopDelayMs: Distribution }
  otherCpuPct: number
  /** Share of the window in which some runnable task waited for a CPU (PSI). */
  cpuPressurePct: number
  loadAverage: { start: number; meanDuring: number; end: number }
  /** The control plane's own log lines (warnings), last few. */
  serverLog: string[]
  windows: WindowSample[]
  targets: Target[]
  pass: boolean
  profile: string | null
}

const { cleanups, runCleanups } = cleanupStack('interrupted: stopping the control plane')

const MiB = 2 ** 20
const int = (n: number): string => Math.round(n).toLocaleString('en-US')
const ms = (n: number): string => (!Number.isFinite(n) ? 'n/a' : n >= 100 ? n.toFixed(0) : n.toFixed(1))
const mib = (bytes: number): number => bytes / MiB

async function main(): Promise<void> {
  const opts = options()
  const machine = describeMachine()
  const args = process.argv.slice(2)
  const command = `npm run bench:load${args.length ? ` -- ${args.join(' ')}` : ''}`
  const code = codeVersion()
  progress(command)
  progress(`code: ${code}`)
  progress(
    `machine: ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  )

  // The fleet.
  let t = performance.now()
  progress(`creating the fleet: ${int(opts.clusters)} clusters x ${opts.nodes} nodes (seed ${opts.seed})`)
  const fleet = createFleet({ clusters: opts.clusters, seed: opts.seed, nodesPerCluster: opts.nodes })
  const nodes = fleet.reduce((a, c) => a + c.nodes.length, 0)
  const fleetMs = performance.now() - t

  // The store.
  const dir = mkdtempSync(join(tmpdir(), 'suanpan-bench-load-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  const sqlitePath = join(dir, 'ledger.db')
  let databaseUrl: string | null = null
  let storeName = 'SQLite (embedded, WAL, synchronous=NORMAL)'
  if (opts.postgres) {
    if (!postgresBinDir())
      throw new Error('--postgres: no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)')
    progress('starting a PostgreSQL server (test/support/postgres.ts)')
    const server = await startPostgres()
    cleanups.push(() => server.stop())
    const admin = new pg.Client({ connectionString: server.url })
    await admin.connect()
    await admin.query('create database suanpan_load')
    const version = (await admin.query<{ server_version: string }>('show server_version')).rows[0]?.server_version ?? '?'
    await admin.end()
    databaseUrl = server.url.replace(/\/postgres$/, '/suanpan_load')
    storeName = `PostgreSQL ${version.split(' ')[0]} (loopback, fsync=off)`
  }

  // History first (the control plane is not running yet), so the history queries read a full day.
  let historyRows = { samples: 0, accelerators: 0 }
  let historyMs = 0
  if (opts.historyHours > 0) {
    progress(`filling ${opts.historyHours} h of history at a ${HISTORY_STEP_S} s step for ${int(fleet.length)} clusters`)
    const h = await fillHistory({ sqlitePath, databaseUrl }, fleet, opts.historyHours)
    historyRows = { samples: h.samples, accelerators: h.accelerators }
    historyMs = h.ms
    progress(`  ${int(h.samples)} cluster samples and ${int(h.accelerators)} accelerator samples in ${(h.ms / 1000).toFixed(1)} s`)
  }

  // The control plane.
  // A copy of the console build: other work on the machine may rebuild console/dist during the run.
  let consoleDir: string | null = null
  if (existsSync(join(CONSOLE_DIST, 'index.html'))) {
    consoleDir = join(dir, 'console')
    cpSync(CONSOLE_DIST, consoleDir, { recursive: true })
  }
  const { families, consoleServed } = readFamilies(fleet, opts.readScale, consoleDir)
  const serverStartMs = Date.now()
  if (opts.profile) mkdirSync(opts.profile, { recursive: true })
  const server: ControlPlaneProcess = await startControlPlane({
    port: await freePort(),
    env: {
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { SUANPAN_SQLITE_PATH: sqlitePath }),
      SUANPAN_ADMIN_TOKEN: ADMIN_TOKEN,
      SUANPAN_CONSOLE_DIR: consoleServed && consoleDir ? consoleDir : 'none',
    },
    nodeFlags: ['--import', ELD_PRELOAD, ...(opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${opts.profile}`] : [])],
  })
  cleanups.push(() => server.stop(5_000))
  progress(
    `control plane pid ${server.pid} on 127.0.0.1:${server.port}, ${storeName}, console ${consoleServed ? 'served from a copy of console/dist' : 'not built (console family: its start-up API calls)'}`,
  )
  const serverEld: { at: number; values: number[] }[] = []
  let eldBuffer = ''
  server.child.stderr?.on('data', (chunk: Buffer) => {
    eldBuffer += chunk.toString('utf8')
    let nl = eldBuffer.indexOf('\n')
    while (nl >= 0) {
      const line = eldBuffer.slice(0, nl)
      eldBuffer = eldBuffer.slice(nl + 1)
      if (line.startsWith(ELD_TAG)) {
        const values = line.slice(ELD_TAG.length).split(',').filter(Boolean).map(Number)
        serverEld.push({ at: performance.now(), values })
      }
      nl = eldBuffer.indexOf('\n')
    }
  })

  // Fleet start-up: registration, then every cluster's first full report.
  let client = new HttpClient(server.port, 8)
  cleanups.push(() => client.close())
  t = performance.now()
  progress(`fleet start-up: registering ${int(fleet.length)} clusters through POST /api/v1/clusters`)
  const auth = (await registerFleet(client, fleet, ADMIN_TOKEN)).map((token) => `Bearer ${token}`)
  const registerMs = performance.now() - t
  progress(`  registered ${int(fleet.length)} clusters in ${(registerMs / 1000).toFixed(1)} s`)
  let agent = new Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 })
  cleanups.push(() => agent.destroy())
  const firstSequence = Date.now()
  progress(`fleet start-up: each cluster's first full report (${int(nodes)} nodes)`)
  const firstRoundMs = await firstRound(agent, server.port, fleet, auth, firstSequence)
  progress(`  ${int(fleet.length)} first full reports accepted in ${(firstRoundMs / 1000).toFixed(1)} s`)

  // The window's report bodies.
  t = performance.now()
  progress(
    `serializing the window's reports (${opts.durationS} s, a report every ${opts.intervalS} s per cluster, 1 in ${opts.fullEvery} full)`,
  )
  const plan = planReports(fleet, opts, firstSequence)
  const serializeMs = performance.now() - t
  const planned = { full: plan.filter((p) => p.kind === 'full'), usage: plan.filter((p) => p.kind === 'usage') }
  const meanBytes = (ps: Planned[]) => (ps.length ? ps.reduce((a, p) => a + p.body.length, 0) / ps.length : 0)
  progress(
    `  ${int(plan.length)} reports (${int(planned.full.length)} full of ${(meanBytes(planned.full) / 1024).toFixed(0)} KiB, ${int(planned.usage.length)} usage of ${(meanBytes(planned.usage) / 1024).toFixed(0)} KiB on average) in ${(serializeMs / 1000).toFixed(1)} s`,
  )

  // Serializing kept this process busy: connections idle since start-up may have been closed by the
  // server (keep-alive timeout) without this process noticing yet. Start the window on fresh ones.
  await new Promise((r) => setTimeout(r, 100))
  client.close()
  agent.destroy()
  client = new HttpClient(server.port, 8)
  // No socket limit: 4,000 agents do not queue behind each other, each has its own connection.
  agent = new Agent({ keepAlive: true, maxFreeSockets: 256 })

  const credentials = await readCredentials(server.port)
  progress(`reads: ${credentials.how}`)
  for (const f of families) for (const r of f.requests) r.headers = { accept: 'application/json', ...r.headers, ...credentials.headers }

  // Warm-up and check of every read URL: a wrong URL must fail here, not count as 400s in the window.
  for (const f of families) {
    for (const r of f.requests) {
      const res = await client.send('GET', r.path, null, r.headers ?? {})
      if (res.status !== 200) throw new Error(`${r.path}: HTTP ${res.status} ${res.body.toString().slice(0, 300)}`)
    }
  }
  progress(`read URLs checked (${families.reduce((a, f) => a + f.requests.length, 0)} distinct, all 200)`)

  // ------------------------------------------------------------ the window
  const recorders = new Map<string, Recorder>()
  for (const id of ['reports', 'full', 'usage', ...families.map((f) => f.id)]) recorders.set(id, new Recorder())
  const reportRec = recorders.get('reports') as Recorder
  const state: ReportState = {
    sent: 0,
    accepted: 0,
    inFlight: 0,
    maxInFlight: 0,
    lastAccepted: new Array(fleet.length).fill(firstSequence),
    lastFull: new Array(fleet.length).fill(firstSequence),
    sentKeys: new Set(),
    acked: new Set(),
    notAccepted: 0,
    lateness: [],
  }
  const expected: ExpectedTotals = { clusters: fleet.length, nodes, incomplete: 0 }
  const readTargetRate = opts.readScale === 0 ? null : families.reduce((a, f) => a + f.connections * f.ratePerConnection, 0)
  progress(
    `window: ${opts.durationS} s; reports ${(fleet.length / opts.intervalS).toFixed(1)}/s; reads over ${families.reduce((a, f) => a + f.connections, 0)} autocannon connections, ${readTargetRate === null ? 'no rate limit' : `${readTargetRate} req/s`} (${families.map((f) => `${f.id} ${f.connections}×${f.ratePerConnection || '∞'}/s`).join(', ')})`,
  )

  const startLoad = loadavg()[0] ?? 0
  const windowStart = performance.now() + 200
  const ownEld = sampleOwnEventLoop()
  const ownCpu0 = process.cpuUsage()
  const serverCpu0 = cpuSecondsOf(server.pid)
  const machine0 = machineCpu()
  const pressure0 = cpuPressureUs()
  const rss0 = memoryOf(server.pid)?.rss ?? Number.NaN
  const rssSeries: number[] = []
  const loadSeries: number[] = []
  const windows: WindowSample[] = []
  const profileStartUs = monotonicUs()

  // Reports: fire each at its due time; latency is from the request to the last byte of the answer.
  let next = 0
  let pumpTimer: NodeJS.Timeout | null = null
  let allFired: () => void = () => {}
  const fired = new Promise<void>((r) => {
    allFired = r
  })
  const pending = new Set<Promise<void>>()
  const fire = (p: Planned, now: number) => {
    state.sent++
    state.sentKeys.add(`${p.cluster}:${p.sequence}`)
    state.inFlight++
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight)
    state.lateness.push(now - p.dueMs)
    const label = p.kind === 'full' ? 'full report' : 'usage report'
    const kindRec = recorders.get(p.kind) as Recorder
    const task = post(agent, server.port, '/api/v1/reports', p.body, auth[p.cluster] as string)
      .then((res) => {
        reportRec.record(label, res.ms, res.status, p.body.length)
        kindRec.record(label, res.ms, res.status, p.body.length)
        if (res.status !== 200) {
          state.notAccepted++
          reportRec.note(`${label} ${fleet[p.cluster]?.identity.clusterId}#${p.sequence}: ${res.body.slice(0, 200)}`)
          return
        }
        const ack = JSON.parse(res.body) as Ack
        if (ack.status === 'accepted' && ack.sequence === p.sequence) {
          state.accepted++
          state.acked.add(`${p.cluster}:${p.sequence}`)
          state.lastAccepted[p.cluster] = Math.max(state.lastAccepted[p.cluster] ?? 0, p.sequence)
          if (p.kind === 'full') state.lastFull[p.cluster] = Math.max(state.lastFull[p.cluster] ?? 0, p.sequence)
        } else {
          state.notAccepted++
          reportRec.note(`${label} ${fleet[p.cluster]?.identity.clusterId}#${p.sequence}: answered ${res.body.slice(0, 200)}`)
        }
      })
      .catch((error: unknown) => {
        state.notAccepted++
        const message = error instanceof Error ? error.message : String(error)
        reportRec.error(label, message, error instanceof TimeoutError)
        kindRec.error(label, message, error instanceof TimeoutError)
      })
      .finally(() => {
        state.inFlight--
        pending.delete(task)
      })
    pending.add(task)
  }
  const pump = () => {
    const now = performance.now() - windowStart
    while (next < plan.length && (plan[next] as Planned).dueMs <= now) fire(plan[next++] as Planned, now)
    if (next < plan.length) pumpTimer = setTimeout(pump, Math.max(0, (plan[next] as Planned).dueMs - (performance.now() - windowStart)))
    else allFired()
  }
  pumpTimer = setTimeout(pump, Math.max(0, windowStart - performance.now()))

  // Reads.
  await new Promise((r) => setTimeout(r, Math.max(0, windowStart - performance.now())))
  const reads = startReads(server.port, families, recorders, opts.durationS, expected)

  // Progress and resource sampling.
  let lastTick = { at: performance.now(), serverCpu: serverCpu0, machine: machine0, ownCpu: process.cpuUsage(), pressure: pressure0 }
  let eldSeen = serverEld.length
  const sampler = setInterval(() => {
    const m = memoryOf(server.pid)
    if (m) rssSeries.push(m.rss)
    loadSeries.push(loadavg()[0] ?? 0)
  }, 1000)
  const ticker = setInterval(() => {
    const now = performance.now()
    const seconds = (now - lastTick.at) / 1000
    const serverCpu = cpuSecondsOf(server.pid)
    const mc = machineCpu()
    const pressure = cpuPressureUs()
    const own = process.cpuUsage()
    const ownS = (own.user + own.system - lastTick.ownCpu.user - lastTick.ownCpu.system) / 1e6
    const serverPct = (100 * (serverCpu - lastTick.serverCpu)) / seconds
    const otherPct = (100 * (mc.busy - lastTick.machine.busy - (serverCpu - lastTick.serverCpu) - ownS)) / seconds
    const pressurePct = (100 * (pressure - lastTick.pressure)) / 1000 / (now - lastTick.at)
    lastTick = { at: now, serverCpu, machine: mc, ownCpu: own, pressure }
    const eld = distribution(serverEld.slice(eldSeen).flatMap((e) => e.values))
    eldSeen = serverEld.length
    const rep = distribution(reportRec.takeWindow())
    for (const id of ['full', 'usage']) recorders.get(id)?.takeWindow()
    const readsNow: Record<string, { n: number; p99: number }> = {}
    for (const f of families) {
      const d = distribution((recorders.get(f.id) as Recorder).takeWindow())
      readsNow[f.id] = { n: d.n, p99: d.p99 }
    }
    const rss = mib(memoryOf(server.pid)?.rss ?? Number.NaN)
    const load1 = loadavg()[0] ?? 0
    const atS = (now - windowStart) / 1000
    windows.push({
      atS,
      reports: rep.n,
      reportP50: rep.p50,
      reportP99: rep.p99,
      reads: readsNow,
      serverCpuPct: serverPct,
      otherCpuPct: otherPct,
      cpuPressurePct: pressurePct,
      eldP99: eld.p99,
      eldMax: eld.max,
      rssMiB: rss,
      load1,
    })
    const readN = Object.values(readsNow).reduce((a, r) => a + r.n, 0)
    progress(
      `t=${atS.toFixed(0).padStart(3)} s  reports ${int(rep.n)} (${int(state.sent)} sent, ${int(state.accepted)} accepted, ${int(state.notAccepted)} not) p50 ${ms(rep.p50)} p99 ${ms(rep.p99)} max ${ms(rep.max)} ms | reads ${int(readN)}, p99 ms: ${families.map((f) => `${f.id} ${ms(readsNow[f.id]?.p99 ?? Number.NaN)}`).join(', ')}`,
    )
    progress(
      `          control plane CPU ${serverPct.toFixed(0)} %, event-loop delay p99 ${ms(eld.p99)} max ${ms(eld.max)} ms, RSS ${rss.toFixed(0)} MiB | other processes CPU ${otherPct.toFixed(0)} %, CPU pressure ${pressurePct.toFixed(0)} %, load ${load1.toFixed(2)}`,
    )
  }, PROGRESS_EVERY_MS)

  // End of the window: every report has been fired, the reads stop; then wait for what is in flight.
  await new Promise((r) => setTimeout(r, Math.max(0, windowStart + opts.durationS * 1000 - performance.now())))
  await fired
  ownEld.stop()
  reads.stop()
  const readResults = await reads.done
  // Every report ends within REPORT_TIMEOUT_MS of being sent: answered, failed or timed out (none rejects).
  await Promise.allSettled([...pending])
  if (pumpTimer) clearTimeout(pumpTimer)
  clearInterval(ticker)
  clearInterval(sampler)
  const windowEnd = performance.now()
  const profileEndUs = monotonicUs()
  const windowS = (windowEnd - windowStart) / 1000
  const serverCpuS = cpuSecondsOf(server.pid) - serverCpu0
  const ownCpu = process.cpuUsage(ownCpu0)
  const ownCpuS = (ownCpu.user + ownCpu.system) / 1e6
  const machine1 = machineCpu()
  const otherCpuPct = (100 * (machine1.busy - machine0.busy - serverCpuS - ownCpuS)) / windowS
  const cpuPressurePct = (100 * (cpuPressureUs() - pressure0)) / 1e6 / windowS
  const endLoad = loadavg()[0] ?? 0
  const rssEnd = memoryOf(server.pid)
  progress(
    `window over: ${int(state.sent)} reports sent, ${int(state.accepted)} accepted; ${int(readResults.reduce((a, r) => a + (r.requests?.total ?? 0), 0))} reads`,
  )

  // Lost reports, through the API: no cluster's last sequence may be older than its last acknowledged one.
  client.close()
  client = new HttpClient(server.port, 1)
  const listed = await client.send('GET', '/api/v1/clusters', null)
  let apiBehind = 0
  if (listed.status !== 200) throw new Error(`GET /api/v1/clusters: HTTP ${listed.status}`)
  const byId = new Map(fleet.map((c, i) => [c.identity.clusterId, i]))
  for (const c of (JSON.parse(listed.body.toString()) as { clusters: { clusterId: string; lastSequence: number | null }[] }).clusters) {
    const i = byId.get(c.clusterId)
    if (i !== undefined && (c.lastSequence ?? 0) < (state.lastAccepted[i] ?? 0)) apiBehind++
  }

  // ... and in the store, once the control plane has shut down. A report is in the ledger when its
  // (cluster, sequence) is in the report log (written in the same transaction as the ledger rows); a
  // report sent and not there is lost, whatever it was answered. A cluster whose stored last or full
  // sequence is older than the last one acknowledged lost an acknowledged report too. A report that
  // timed out at the sender but was committed later is not lost (it is an error, counted as one).
  client.close()
  agent.destroy()
  await server.stop()
  const store = await readStore(sqlitePath, databaseUrl, fleet, firstSequence)
  let notStored = 0
  for (const key of state.sentKeys) if (!store.logged.has(key)) notStored++
  let ackedMissing = 0
  for (const key of state.acked) if (!store.logged.has(key)) ackedMissing++
  let committedUnacked = 0
  for (const key of state.sentKeys) if (store.logged.has(key) && !state.acked.has(key)) committedUnacked++
  let stateBehind = 0
  for (let i = 0; i < fleet.length; i++) {
    const s = store.state[i]
    if (!s || (s.last ?? 0) < (state.lastAccepted[i] ?? 0) || (s.full ?? 0) < (state.lastFull[i] ?? 0)) stateBehind++
  }
  const lost = notStored + stateBehind
  const lostDetail = `${notStored - ackedMissing} sent and never stored, ${ackedMissing} acknowledged but not in the report log, ${stateBehind} clusters whose stored state is older than their last acknowledged report`
  progress(
    `lost reports: ${lost} (${lostDetail}); ${committedUnacked} committed after their sender gave up; API: ${apiBehind} clusters behind their last acknowledged sequence`,
  )

  // ------------------------------------------------------------ figures
  const familyResult = (id: string, title: string, f: Family | null, result: autocannon.Result[] | null): FamilyResult => {
    const r = recorders.get(id) as Recorder
    const latency = distribution(r.all)
    return {
      id,
      title,
      connections: f?.connections ?? null,
      targetRate: f ? (f.ratePerConnection ? f.ratePerConnection * f.connections : null) : fleet.length / opts.intervalS,
      requests: latency.n + r.errors - r.late,
      ratePerS: latency.n / windowS,
      latency,
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      statuses: Object.fromEntries([...r.statuses].map(([k, v]) => [String(k), v])),
      errorSamples: [...r.samples, ...(result ? checkAutocannon(r, result) : [])],
    }
  }
  let connIndex = 0
  const familyResults: FamilyResult[] = [
    familyResult('reports', 'reports (all)', null, null),
    familyResult('full', '… full', null, null),
    familyResult('usage', '… usage', null, null),
    ...families.map((f) => {
      const mine = readResults.slice(connIndex, connIndex + f.connections)
      connIndex += f.connections
      return familyResult(f.id, f.title, f, mine)
    }),
  ]
  familyResults[1] = { ...(familyResults[1] as FamilyResult), targetRate: fleet.length / opts.intervalS / opts.fullEvery }
  familyResults[2] = {
    ...(familyResults[2] as FamilyResult),
    targetRate: (fleet.length / opts.intervalS) * (1 - 1 / opts.fullEvery),
  }
  const pooledIds = ['reports', ...families.map((f) => f.id)]
  const pooled = pooledIds.flatMap((id) => (recorders.get(id) as Recorder).all)
  const errorsTotal = pooledIds.reduce((a, id) => {
    const r = recorders.get(id) as Recorder
    return a + r.non2xx + r.errors
  }, 0)
  const labels: LabelResult[] = []
  for (const id of ['full', 'usage', ...families.map((f) => f.id)]) {
    for (const [label, e] of (recorders.get(id) as Recorder).byLabel) {
      labels.push({
        family: id,
        label,
        requests: e.ms.length,
        latency: distribution(e.ms),
        meanBytes: e.ms.length ? e.bytes / e.ms.length : 0,
      })
    }
  }
  const windowEld = serverEld.filter((e) => e.at >= windowStart && e.at <= windowEnd + 1000).flatMap((e) => e.values)
  const eldDist = distribution(windowEld)
  const overall = { requests: pooled.length, latency: distribution(pooled), errors: errorsTotal }

  const targets: Target[] = [
    {
      target: `p99 ≤ ${TARGET_P99_MS} ms, all requests together`,
      value: `${ms(overall.latency.p99)} ms (${int(overall.requests)} requests)`,
      pass: overall.latency.p99 <= TARGET_P99_MS,
    },
    ...familyResults
      .filter((f) => f.id !== 'full' && f.id !== 'usage')
      .map((f) => ({
        target: `p99 ≤ ${TARGET_P99_MS} ms: ${f.title.replace(' (all)', '')}`,
        value: `${ms(f.latency.p99)} ms`,
        pass: f.latency.p99 <= TARGET_P99_MS,
      })),
    {
      target: 'zero errors (non-2xx, connection errors, timeouts)',
      value: `${errorsTotal}`,
      pass: errorsTotal === 0,
    },
    {
      target: 'zero lost reports',
      value: `${lost} (${lostDetail})`,
      pass: lost === 0,
    },
  ]

  let profile: string | null = null
  if (opts.profile) {
    const all = profileFiles(opts.profile).filter((f) => statSync(f).mtimeMs >= serverStartMs)
    const main = mainThreadFiles(all)
    const workers = all.filter((f) => !main.includes(f))
    const window = { startUs: profileStartUs, endUs: profileEndUs }
    writeFileSync(join(opts.profile, 'phases.json'), `${JSON.stringify({ 'load window': window }, null, 2)}\n`)
    const resolver = await createSourceResolver()
    profile = [
      formatSummary(summarizeProfiles(main, window, resolver), 20, 'control plane main thread, load window'),
      workers.length ? formatSummary(summarizeProfiles(workers, window, resolver), 10, 'ingest worker threads, load window') : '',
    ]
      .filter(Boolean)
      .join('\n\n')
    writeFileSync(join(opts.profile, 'summary.txt'), `${profile}\n`)
  }

  const result: LoadResult = {
    date: new Date().toISOString(),
    command,
    code,
    machine,
    store: storeName,
    workload: {
      clusters: fleet.length,
      nodesPerCluster: opts.nodes,
      nodes,
      intervalS: opts.intervalS,
      fullEvery: opts.fullEvery,
      seed: opts.seed,
      durationS: opts.durationS,
      reportsPerS: fleet.length / opts.intervalS,
      plannedReports: plan.length,
      plannedFull: planned.full.length,
      meanFullBytes: meanBytes(planned.full),
      meanUsageBytes: meanBytes(planned.usage),
      historyHours: opts.historyHours,
      historyRows,
      readScale: opts.readScale,
      readConnections: families.reduce((a, f) => a + f.connections, 0),
      readTargetRate,
      consoleServed,
      readAuth: credentials.how,
    },
    setup: { fleetMs, historyMs, registerMs, firstRoundMs, serializeMs },
    families: familyResults,
    overall,
    labels,
    reports: {
      sent: state.sent,
      accepted: state.accepted,
      notAccepted: state.notAccepted,
      notStored,
      ackedMissingFromStore: ackedMissing,
      clustersWithStateBehind: stateBehind,
      committedUnacknowledged: committedUnacked,
      apiClustersBehind: apiBehind,
      lost,
      maxInFlight: state.maxInFlight,
      generatorLatenessMs: distribution(state.lateness),
    },
    incompleteLedgerAnswers: expected.incomplete,
    server: {
      cpuSeconds: serverCpuS,
      cpuPctOfOneCore: (100 * serverCpuS) / windowS,
      eventLoopDelayMs: eldDist,
      rssMiB: { start: mib(rss0), max: mib(Math.max(...rssSeries, 0)), end: mib(rssEnd?.rss ?? Number.NaN) },
      peakRssMiB: mib(rssEnd?.peakRss ?? Number.NaN),
    },
    generator: { cpuSeconds: ownCpuS, eventLoopDelayMs: distribution(ownEld.values) },
    otherCpuPct,
    cpuPressurePct,
    loadAverage: { start: startLoad, meanDuring: loadSeries.reduce((a, b) => a + b, 0) / Math.max(1, loadSeries.length), end: endLoad },
    serverLog: server
      .output()
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith(ELD_TAG))
      .slice(-8),
    windows,
    targets,
    pass: targets.every((x) => x.pass),
    profile,
  }
  await runCleanups()

  const section = loadSection(result)
  if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  else process.stdout.write(`\n${section}\n`)
  if (profile) process.stderr.write(`\n${profile}\n`)
  process.stderr.write('\n')
  for (const x of targets) progress(`${x.pass ? 'PASS' : 'FAIL'}  ${x.target}: ${x.value}`)
  if (opts.write) {
    writeBenchmarkSection(BEGIN, END, section)
    progress('BENCHMARKS.md updated')
  } else {
    progress(
      `BENCHMARKS.md not written (${opts.fullSize ? 'pass --write to write it' : 'not the full-size run; pass --write to write it anyway'})`,
    )
  }
}

/** autocannon's own count of non-2xx answers, as a cross-check of what the response events recorded. */
function checkAutocannon(recorder: Recorder, results: autocannon.Result[]): string[] {
  const non2xx = results.reduce((a, r) => a + (r.non2xx ?? 0), 0)
  return non2xx !== recorder.non2xx ? [`autocannon counted ${non2xx} non-2xx, the events ${recorder.non2xx}`] : []
}

interface StoreState {
  /** Every logged (cluster index, sequence) at or after the first round, as `${cluster}:${sequence}`. */
  logged: Set<string>
  state: ({ last: number | null; full: number | null; usage: number | null } | undefined)[]
}

async function readStore(sqlitePath: string, databaseUrl: string | null, fleet: SimCluster[], firstSequence: number): Promise<StoreState> {
  const index = new Map(fleet.map((c, i) => [c.identity.clusterId, i]))
  type LogRow = { cluster_id: string; sequence: number | string }
  type StateRow = {
    id: string
    last_sequence: number | string | null
    full_sequence: number | string | null
    usage_sequence: number | string | null
  }
  const stateSql =
    'select c.id, c.last_sequence, s.full_sequence, s.usage_sequence from clusters c left join cluster_state s on s.cluster_id = c.id'
  let logRows: LogRow[]
  let stateRows: StateRow[]
  if (databaseUrl) {
    const c = new pg.Client({ connectionString: databaseUrl })
    await c.connect()
    try {
      logRows = (await c.query<LogRow>('select cluster_id, sequence from report_log where sequence >= $1', [firstSequence])).rows
      stateRows = (await c.query<StateRow>(stateSql)).rows
    } finally {
      await c.end()
    }
  } else {
    const db = new SQLite(sqlitePath, { readonly: true })
    try {
      logRows = db.prepare('select cluster_id, sequence from report_log where sequence >= ?').all(firstSequence) as LogRow[]
      stateRows = db.prepare(stateSql).all() as StateRow[]
    } finally {
      db.close()
    }
  }
  const num = (v: number | string | null): number | null => (v === null ? null : Number(v))
  const logged = new Set<string>()
  for (const r of logRows) {
    const i = index.get(r.cluster_id)
    if (i !== undefined) logged.add(`${i}:${Number(r.sequence)}`)
  }
  const state: StoreState['state'] = new Array(fleet.length)
  for (const r of stateRows) {
    const i = index.get(r.id)
    if (i !== undefined) state[i] = { last: num(r.last_sequence), full: num(r.full_sequence), usage: num(r.usage_sequence) }
  }
  return { logged, state }
}

// ---------------------------------------------------------------- BENCHMARKS.md

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

function loadSection(r: LoadResult): string {
  const { machine: m, workload: w } = r
  const out: string[] = []
  const verdict = (pass: boolean) => (pass ? '**PASS**' : '**FAIL**')
  out.push(`## Load: twice the design point, reports and queries together (\`${r.command}\`)`, '')
  out.push(`- Date: ${r.date.slice(0, 16).replace('T', ' ')} UTC`)
  out.push(
    `- Machine: \`nproc\` = ${m.nproc}, ${m.cpuModel}, ${m.memoryGiB} GiB RAM, Node ${m.node}, Linux ${m.kernel}; 1-minute load average **${r.loadAverage.start.toFixed(2)}** at the start of the window, ${r.loadAverage.meanDuring.toFixed(2)} on average during it, ${r.loadAverage.end.toFixed(2)} at the end; other processes on the machine used ${(r.otherCpuPct / 100).toFixed(2)} CPUs on average during the window, and some runnable task was waiting for a CPU ${r.cpuPressurePct.toFixed(0)} % of the time (Linux CPU pressure): the machine is shared, and every latency below is affected by that work.`,
  )
  out.push(`- Command: \`${r.command}\``)
  out.push(`- Code: ${r.code}`)
  out.push(`- Store: ${r.store}`)
  out.push(
    `- Workload: ${int(w.clusters)} clusters × ${int(w.nodesPerCluster)} nodes = ${int(w.nodes)} nodes (fleet seed ${w.seed}); each cluster sends a report every ${w.intervalS} s, phases spread evenly over the interval = ${w.reportsPerS.toFixed(1)} reports/s; one report in ${w.fullEvery} is full (the agent's 60 s full / 15 s usage ratio), the others usage reports: ${int(w.plannedReports)} reports in the ${w.durationS} s window, ${int(w.plannedFull)} full (${(w.meanFullBytes / 1024).toFixed(0)} KiB each on average) and ${int(w.plannedReports - w.plannedFull)} usage (${(w.meanUsageBytes / 1024).toFixed(0)} KiB). ${w.historyHours > 0 ? `History: ${w.historyHours} h at the ${HISTORY_STEP_S} s step (${int(w.historyRows.samples)} cluster samples, ${int(w.historyRows.accelerators)} accelerator samples; simulator values replayed every 4 h and held in between) written before the control plane starts, so history queries read a full day.` : 'No history.'}`,
  )
  out.push(
    `- Reads: autocannon, ${w.readConnections} keep-alive connections, ${w.readTargetRate === null ? 'without a rate limit' : `${w.readTargetRate} requests/s in all (per connection, started staggered over a second)`}, the URLs the console's pages ask for (the rows of the per-URL table below); ${w.consoleServed ? 'the console served from a copy of `console/dist` (`/` and the entry script, gzip)' : 'no console build, so the console family is its start-up API calls'}; ${w.readAuth}.`,
  )
  out.push(
    `- Method: the control plane runs alone in its own process (\`node --import tsx control-plane/src/server.ts\`, LOG_LEVEL=warn, rate limit off, default ingest workers), on 127.0.0.1. Fleet start-up (not measured): clusters registered through \`POST /api/v1/clusters\` (${(r.setup.registerMs / 1000).toFixed(1)} s), then each cluster's first full report (${(r.setup.firstRoundMs / 1000).toFixed(1)} s); the window's report bodies are serialized before the clock starts. In the window each report is a real agent report to \`POST /api/v1/reports\` with its cluster's token, sent at its due time (latency: request to last byte of the answer, 10 s timeout as the agent's; the sender was late by ${ms(r.reports.generatorLatenessMs.p99)} ms at p99, ${ms(r.reports.generatorLatenessMs.max)} ms at most). Lost reports, read from the store after the control plane shut down: reports sent whose (cluster, sequence) is not in the report log (written in the ledger's own transaction), whatever they were answered, plus clusters whose stored last or full sequence is older than the last one acknowledged; a report that timed out at the sender and was committed later is an error, not a loss. Event-loop delay: a 10 ms timer on the control plane's main thread (a preload), delay = gap − 10 ms.`,
  )
  out.push('')
  out.push(
    '### Results',
    '',
    'Percentiles are over answered requests. A report with no answer within 10 s is abandoned (as the agent does) and counted in the errors column as a timeout; a read answered after more than 10 s is counted there too, and its latency is in the percentiles. Where reports timed out, their real tail is longer than the p99 shown.',
    '',
  )
  out.push(
    table(
      ['', 'requests', 'rate (target)', 'p50', 'p99', 'max', 'non-2xx', 'errors (timeouts)'],
      [
        ...r.families.map((f) => [
          f.title,
          int(f.requests),
          `${f.ratePerS.toFixed(1)}/s${f.targetRate !== null ? ` (${f.targetRate.toFixed(1)})` : ''}`,
          `${ms(f.latency.p50)} ms`,
          `${ms(f.latency.p99)} ms${f.latency.p99 > TARGET_P99_MS ? ' ✗' : ''}`,
          `${ms(f.latency.max)} ms`,
          String(f.non2xx),
          `${f.errors} (${f.timeouts})`,
        ]),
        [
          '**all requests**',
          int(r.overall.requests),
          `${(r.overall.requests / r.workload.durationS).toFixed(1)}/s`,
          `${ms(r.overall.latency.p50)} ms`,
          `**${ms(r.overall.latency.p99)} ms**`,
          `${ms(r.overall.latency.max)} ms`,
          '',
          String(r.overall.errors),
        ],
      ],
    ),
    '',
  )
  out.push('### Targets (issue 7 §7)', '')
  out.push(
    table(
      ['target', 'measured', ''],
      r.targets.map((x) => [x.target, x.value, verdict(x.pass)]),
    ),
    '',
  )
  out.push('### The control plane during the window', '')
  const s = r.server
  out.push(
    table(
      ['measure', 'value'],
      [
        ['CPU (main thread + ingest workers)', `${s.cpuSeconds.toFixed(1)} s = ${s.cpuPctOfOneCore.toFixed(0)} % of one core`],
        [
          'event-loop delay p50 / p99 / max',
          `${ms(s.eventLoopDelayMs.p50)} / ${ms(s.eventLoopDelayMs.p99)} / ${ms(s.eventLoopDelayMs.max)} ms (${int(s.eventLoopDelayMs.n)} samples)`,
        ],
        [
          'RSS at the start / max / end of the window',
          `${s.rssMiB.start.toFixed(0)} / ${s.rssMiB.max.toFixed(0)} / ${s.rssMiB.end.toFixed(0)} MiB`,
        ],
        ['peak RSS (VmHWM, including start-up)', `${s.peakRssMiB.toFixed(0)} MiB`],
        [
          'reports: sent / acknowledged / failed at the sender but committed / lost',
          `${int(r.reports.sent)} / ${int(r.reports.accepted)} / ${int(r.reports.committedUnacknowledged)} / ${int(r.reports.lost)}`,
        ],
        ['reports in flight, at most', String(r.reports.maxInFlight)],
        [
          'load generator: CPU, event-loop delay p99 / max',
          `${r.generator.cpuSeconds.toFixed(1)} s, ${ms(r.generator.eventLoopDelayMs.p99)} / ${ms(r.generator.eventLoopDelayMs.max)} ms`,
        ],
        ['national ledger answers missing clusters or nodes', String(r.incompleteLedgerAnswers)],
      ],
    ),
    '',
  )
  out.push('### Per URL', '', 'p50 / p99 / max in ms; answer size on the wire (report rows: request size).', '')
  out.push(
    table(
      ['family', 'request', 'requests', 'p50 / p99 / max', 'size'],
      r.labels.map((l) => [
        l.family,
        l.label,
        int(l.requests),
        `${ms(l.latency.p50)} / ${ms(l.latency.p99)}${l.latency.p99 > TARGET_P99_MS ? ' ✗' : ''} / ${ms(l.latency.max)}`,
        `${(l.meanBytes / 1024).toFixed(l.meanBytes < 10_240 ? 1 : 0)} KiB`,
      ]),
    ),
    '',
  )
  out.push('### Every 10 s', '')
  out.push(
    table(
      [
        't',
        'reports',
        'report p50 / p99',
        'read p99 (ledger, drill, history, metrics, console)',
        'CP CPU',
        'CP event-loop p99 / max',
        'RSS',
        'other CPU',
        'CPU pressure',
        'load',
      ],
      r.windows.map((x) => [
        `${x.atS.toFixed(0)} s`,
        int(x.reports),
        `${ms(x.reportP50)} / ${ms(x.reportP99)} ms`,
        Object.values(x.reads)
          .map((v) => ms(v.p99))
          .join(', '),
        `${x.serverCpuPct.toFixed(0)} %`,
        `${ms(x.eldP99)} / ${ms(x.eldMax)} ms`,
        `${x.rssMiB.toFixed(0)} MiB`,
        `${x.otherCpuPct.toFixed(0)} %`,
        `${x.cpuPressurePct.toFixed(0)} %`,
        x.load1.toFixed(2),
      ]),
    ),
    '',
  )
  const samples = r.families.flatMap((f) => f.errorSamples.map((e) => `${f.title}: ${e}`))
  if (samples.length) out.push(`Errors seen (first few): ${samples.slice(0, 8).join('; ')}.`, '')
  if (r.serverLog.length) out.push(`Control plane log (last lines): ${r.serverLog.map((l) => `\`${l.slice(0, 200)}\``).join('; ')}.`, '')
  out.push(
    `Notes: load generator (this process and autocannon) and control plane share the machine's ${m.nproc} CPUs. The read rates model a few hundred console sessions (each page refreshes its ledger queries every 30 s and history every 60 s) plus a Prometheus scrape; \`--read-scale\` multiplies them, \`--read-scale 0\` runs autocannon without a limit. Each report has its own connection when it needs one (keep-alive, no pool limit), as independent agents would, and the agent's 10 s timeout for the whole exchange; a report that times out is not retried (the agent would spool it and send it again). The history sampler (every ${HISTORY_STEP_S} s) may or may not fall inside a ${w.durationS} s window. Smoke test: \`npm run bench:load -- --quick\` (400 clusters, 20 s, not written here).`,
  )
  return out.join('\n')
}

try {
  await main()
} catch (error) {
  await runCleanups()
  throw error
}
