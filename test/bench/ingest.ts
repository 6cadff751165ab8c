// Ingest benchmark: `npm run bench:ingest [-- options]`.
//
// A national cycle (2,000 clusters x 250 nodes = 500,000 nodes with accelerators by default) of full
// reports goes through the real HTTP path of a control plane running in its own process, on SQLite
// and on PostgreSQL; then the ledger is queried under every grouping. In the same run a raw baseline
// (JSON.parse + plain bulk insert of one row per node, no validation) sets the floor the ingest rate
// is compared to. Figures, command and machine go to BENCHMARKS.md.
//
// Options:
//   --clusters N         clusters (2000)              --nodes N          nodes per cluster (250)
//   --store S            sqlite | postgres | both (both)
//   --cycles N           measured cycles after 1 warm-up (3)
//   --concurrency N      reports in flight (SQLite 4, PostgreSQL 8: the fastest of 4/8/16 on 2 cores)
//   --seed N             fleet seed (1)
//   --queries N          timed `groupBy=province,kind` queries (200)
//   --other-queries N    timed queries per other grouping (50)
//   --profile DIR        run the SQLite control plane under --cpu-prof, profiles to DIR, print a summary
//   --json               one JSON object with every figure on stdout (progress stays on stderr; use
//                        `npm run --silent bench:ingest -- --json` so npm's banner stays off stdout)
//   --write / --no-write update BENCHMARKS.md (default: only for a full-size run without --profile)
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createFleet, fullReportJson, type SimCluster } from '@suanpan/agents'
import { LEDGER_DIMENSIONS } from '@suanpan/control-plane/schemas'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import { freePort, postgresBinDir, startPostgres } from '../support/postgres'
import type { BaselineResult } from './baseline'
import {
  createSourceResolver,
  formatSummary,
  mainThreadFiles,
  monotonicUs,
  type Phases,
  profileFiles,
  summarizeProfiles,
  type TimeWindow,
} from './cpuprofile'
import { type BenchResult, type CycleResult, type QueryResult, type StoreResult, summarizeStore, writeBenchmarksMd } from './report'
import {
  type ControlPlaneProcess,
  cleanupStack,
  codeVersion,
  cpuSecondsOf,
  cpuSecondsOfCommand,
  describeMachine,
  distribution,
  encodeBodies,
  forEachLimited,
  HttpClient,
  memoryOf,
  progress,
  REPO_ROOT,
  registerFleet,
  startControlPlane,
} from './support'

const ADMIN_TOKEN = 'bench-admin-token'
/**
 * Reports in flight. On 2 cores SQLite ingests as fast with 4 as with 8 (at half the latency) and slower
 * with 16; PostgreSQL gains a little from 8 (its own backends run on the other core).
 */
const DEFAULT_CONCURRENCY = { sqlite: 4, postgres: 8 } as const
/** Long enough that no cluster turns stale while the benchmark queries the ledger. */
const REPORT_INTERVAL_SECONDS = 3600

interface Options {
  clusters: number
  nodes: number
  stores: ('sqlite' | 'postgres')[]
  cycles: number
  /** null: per store, DEFAULT_CONCURRENCY. */
  concurrency: number | null
  seed: number
  queries: number
  otherQueries: number
  profile: string | null
  json: boolean
  write: boolean
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      clusters: { type: 'string', default: '2000' },
      nodes: { type: 'string', default: '250' },
      store: { type: 'string', default: 'both' },
      cycles: { type: 'string', default: '3' },
      concurrency: { type: 'string' },
      seed: { type: 'string', default: '1' },
      queries: { type: 'string', default: '200' },
      'other-queries': { type: 'string', default: '50' },
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
  const store = values.store
  if (store !== 'sqlite' && store !== 'postgres' && store !== 'both')
    throw new Error(`--store must be sqlite, postgres or both, got "${store}"`)
  const clusters = int('clusters', values.clusters, 1)
  const nodes = int('nodes', values.nodes, 1)
  const profile = values.profile ? resolve(values.profile) : null
  const fullSize = clusters === 2000 && nodes === 250
  return {
    clusters,
    nodes,
    stores: store === 'both' ? ['sqlite', 'postgres'] : [store],
    cycles: int('cycles', values.cycles, 1),
    concurrency: values.concurrency === undefined ? null : int('concurrency', values.concurrency, 1),
    seed: int('seed', values.seed, 0),
    queries: int('queries', values.queries, 1),
    otherQueries: int('other-queries', values['other-queries'], 1),
    profile,
    json: values.json,
    write: values['no-write'] ? false : (values.write ?? (fullSize && !profile)),
  }
}

/** Every grouping the ledger offers: `province,kind` first (the headline), each dimension, `cluster,kind` and none. */
function groupings(): string[] {
  return ['province,kind', ...LEDGER_DIMENSIONS, 'cluster,kind', '']
}

const { cleanups, runCleanups } = cleanupStack('interrupted: stopping the control plane and databases')

interface Ack {
  status?: string
  nodes?: number
}

/** One timed cycle: every cluster's pre-serialized full report, `concurrency` in flight. */
async function ingestCycle(
  client: HttpClient,
  server: ControlPlaneProcess,
  bodies: Buffer[],
  auth: string[],
  expectedNodes: number[],
  concurrency: number,
  postgres: boolean,
): Promise<Omit<CycleResult, 'cycle' | 'warmup'>> {
  const latencies = new Float64Array(bodies.length)
  const failures: string[] = []
  const serverCpu0 = cpuSecondsOf(server.pid)
  const pgCpu0 = postgres ? cpuSecondsOfCommand('postgres') : 0
  const clientCpu0 = process.cpuUsage()
  const start = performance.now()
  await forEachLimited(bodies.length, concurrency, async (i) => {
    const res = await client.send('POST', '/api/v1/reports', bodies[i] as Buffer, { authorization: auth[i] as string })
    latencies[i] = res.ms
    if (res.status !== 200) {
      failures.push(`report ${i}: HTTP ${res.status} ${res.body.toString().slice(0, 500)}`)
      return
    }
    const ack = JSON.parse(res.body.toString()) as Ack
    if (ack.status !== 'accepted' || ack.nodes !== expectedNodes[i]) failures.push(`report ${i}: unexpected ack ${res.body.toString()}`)
  })
  const wallMs = performance.now() - start
  const clientCpu = process.cpuUsage(clientCpu0)
  if (failures.length > 0) throw new Error(`${failures.length} of ${bodies.length} reports failed; first: ${failures[0]}`)
  const nodes = expectedNodes.reduce((a, b) => a + b, 0)
  return {
    wallMs,
    nodes,
    nodesPerSec: nodes / (wallMs / 1000),
    latency: distribution(Array.from(latencies)),
    latencies: Array.from(latencies),
    serverCpuS: cpuSecondsOf(server.pid) - serverCpu0,
    pgCpuS: postgres ? cpuSecondsOfCommand('postgres') - pgCpu0 : null,
    clientCpuS: (clientCpu.user + clientCpu.system) / 1e6,
    bytes: bodies.reduce((a, b) => a + b.length, 0),
  }
}

interface LedgerTotals {
  total: { clusters: number; nodes: number }
  groups: unknown[]
}

async function queryPhase(client: HttpClient, opts: Options, expected: { clusters: number; nodes: number }): Promise<QueryResult[]> {
  const out: QueryResult[] = []
  for (const groupBy of groupings()) {
    const path = groupBy ? `/api/v1/ledger?groupBy=${groupBy}` : '/api/v1/ledger'
    const runs = groupBy === 'province,kind' ? opts.queries : opts.otherQueries
    let last: { body: Buffer } | null = null
    for (let w = 0; w < 3; w++) await client.send('GET', path, null) // warm-up, untimed
    const latencies: number[] = []
    for (let i = 0; i < runs; i++) {
      const res = await client.send('GET', path, null)
      if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${res.body.toString().slice(0, 500)}`)
      latencies.push(res.ms)
      last = res
    }
    const body = JSON.parse((last as { body: Buffer }).body.toString()) as LedgerTotals
    // A ledger that lost clusters (stale) or nodes would make the timing meaningless.
    if (body.total.clusters !== expected.clusters || body.total.nodes !== expected.nodes) {
      throw new Error(
        `GET ${path}: ledger total is ${body.total.clusters} clusters / ${body.total.nodes} nodes, expected ${expected.clusters} / ${expected.nodes}`,
      )
    }
    const result: QueryResult = {
      groupBy: groupBy || '(none)',
      latency: distribution(latencies),
      groups: body.groups.length,
      bytes: (last as { body: Buffer }).body.length,
    }
    out.push(result)
    progress(
      `  ledger groupBy=${result.groupBy}: p50 ${result.latency.p50.toFixed(1)} ms, p99 ${result.latency.p99.toFixed(1)} ms (${runs} queries, ${result.groups} groups, ${(result.bytes / 1024).toFixed(0)} KiB)`,
    )
  }
  return out
}

async function runBaseline(
  kind: 'sqlite' | 'postgres',
  bodies: Buffer[],
  dir: string,
  passes: number,
  concurrency: number,
  pgUrl: string | null,
): Promise<BaselineResult> {
  const file = join(dir, 'bodies.bin')
  writeFileSync(file, encodeBodies(bodies))
  const target = kind === 'sqlite' ? ['--sqlite', join(dir, 'baseline.db')] : ['--pg', pgUrl as string]
  const args = [
    '--import',
    'tsx',
    'test/bench/baseline.ts',
    '--bodies',
    file,
    ...target,
    '--passes',
    String(passes),
    '--concurrency',
    String(concurrency),
  ]
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)))
  rmSync(file, { force: true })
  if (code !== 0) throw new Error(`baseline failed (exit ${code}): ${stderr}`)
  return JSON.parse(stdout) as BaselineResult
}

async function createDatabases(adminUrl: string, names: string[]): Promise<{ urls: string[]; version: string }> {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    for (const name of names) await admin.query(`create database ${name}`)
    const version = (await admin.query<{ server_version: string }>('show server_version')).rows[0]?.server_version ?? 'unknown'
    return { urls: names.map((n) => adminUrl.replace(/\/postgres$/, `/${n}`)), version: `PostgreSQL ${version.split(' ')[0]}` }
  } finally {
    await admin.end()
  }
}

function sqliteVersion(): string {
  const db = new SQLite(':memory:')
  const row = db.prepare('select sqlite_version() as v').get() as { v: string }
  db.close()
  return `SQLite ${row.v}`
}

async function runStore(kind: 'sqlite' | 'postgres', fleet: SimCluster[], opts: Options): Promise<StoreResult> {
  const label = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'
  if (kind === 'postgres' && !postgresBinDir()) {
    const reason = 'skipped: no PostgreSQL (server binaries not under /usr/lib/postgresql; apt-get install postgresql)'
    progress(`\n*** ${label}: ${reason} ***\n`)
    return { store: kind, status: 'skipped', reason }
  }
  const dir = mkdtempSync(join(tmpdir(), `suanpan-bench-${kind}-`))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  let env: Record<string, string>
  let version: string
  let baselineUrl: string | null = null
  if (kind === 'postgres') {
    progress(`${label}: starting a PostgreSQL server (test/support/postgres.ts)`)
    const server = await startPostgres()
    cleanups.push(() => server.stop())
    const dbs = await createDatabases(server.url, ['suanpan_bench', 'suanpan_raw'])
    env = { DATABASE_URL: dbs.urls[0] as string }
    baselineUrl = dbs.urls[1] as string
    version = dbs.version
  } else {
    env = { SUANPAN_SQLITE_PATH: join(dir, 'ledger.db') }
    version = sqliteVersion()
  }
  const profiling = kind === 'sqlite' && opts.profile !== null
  const serverStartMs = Date.now()
  if (profiling) mkdirSync(opts.profile as string, { recursive: true })
  const server = await startControlPlane({
    port: await freePort(),
    env: { ...env, SUANPAN_ADMIN_TOKEN: ADMIN_TOKEN, SUANPAN_REPORT_INTERVAL_SECONDS: String(REPORT_INTERVAL_SECONDS) },
    nodeFlags: profiling ? ['--cpu-prof', `--cpu-prof-dir=${opts.profile}`] : [],
  })
  cleanups.push(() => server.stop(5_000))
  progress(`${label}: control plane pid ${server.pid} on port ${server.port}${profiling ? ` (CPU profile to ${opts.profile})` : ''}`)
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY[kind]
  const client = new HttpClient(server.port, Math.max(concurrency, 8))
  cleanups.push(() => client.close())

  const registerStart = performance.now()
  const tokens = await registerFleet(client, fleet, ADMIN_TOKEN, 8)
  const registerMs = performance.now() - registerStart
  progress(`${label}: registered ${fleet.length} clusters in ${(registerMs / 1000).toFixed(1)} s`)
  const auth = tokens.map((t) => `Bearer ${t}`)
  const expectedNodes = fleet.map((c) => c.nodes.length)

  const cycles: CycleResult[] = []
  /** Measured cycles and the query phase, to slice the CPU profile by. */
  const ingestWindows: TimeWindow[] = []
  let bodies: Buffer[] = []
  for (let cycle = 0; cycle <= opts.cycles; cycle++) {
    const sequence = cycle + 1
    const at = Date.now()
    // Untimed: the generator's cost during the cycle is only sending these bytes.
    bodies = []
    bodies = fleet.map((c) => Buffer.from(fullReportJson(c, sequence, at), 'latin1'))
    const startUs = monotonicUs()
    const r = await ingestCycle(client, server, bodies, auth, expectedNodes, concurrency, kind === 'postgres')
    if (cycle > 0) ingestWindows.push({ startUs, endUs: monotonicUs() })
    const result: CycleResult = { cycle, warmup: cycle === 0, ...r }
    cycles.push(result)
    progress(
      `${label}: ${cycle === 0 ? 'warm-up cycle' : `cycle ${cycle}/${opts.cycles}`}: ${r.nodes.toLocaleString('en-US')} nodes in ${(r.wallMs / 1000).toFixed(2)} s = ${Math.round(r.nodesPerSec).toLocaleString('en-US')} nodes/s; per report p50 ${r.latency.p50.toFixed(0)} ms, p99 ${r.latency.p99.toFixed(0)} ms; control plane CPU ${r.serverCpuS.toFixed(1)} s${r.pgCpuS !== null ? `, postgres CPU ${r.pgCpuS.toFixed(1)} s` : ''}, generator CPU ${r.clientCpuS.toFixed(1)} s`,
    )
  }
  const afterIngest = memoryOf(server.pid)
  progress(`${label}: control plane peak RSS after ingest ${((afterIngest?.peakRss ?? 0) / 2 ** 20).toFixed(0)} MiB`)

  const expected = { clusters: fleet.length, nodes: expectedNodes.reduce((a, b) => a + b, 0) }
  progress(`${label}: ledger queries`)
  const queryStartUs = monotonicUs()
  const queries = await queryPhase(client, opts, expected)
  const queryWindow: TimeWindow = { startUs: queryStartUs, endUs: monotonicUs() }
  const final = memoryOf(server.pid)
  progress(
    `${label}: control plane peak RSS ${((final?.peakRss ?? 0) / 2 ** 20).toFixed(0)} MiB (current ${((final?.rss ?? 0) / 2 ** 20).toFixed(0)} MiB)`,
  )
  client.close()
  await server.stop()

  progress(`${label}: raw baseline (JSON.parse + bulk insert of one plain row per node, no validation), ${opts.cycles + 1} passes`)
  const baseline = await runBaseline(kind, bodies, dir, opts.cycles + 1, concurrency, baselineUrl)
  for (const [i, p] of baseline.passes.entries()) {
    progress(
      `${label}: baseline ${i === 0 ? 'warm-up pass' : `pass ${i}/${opts.cycles}`}: ${(p.wallMs / 1000).toFixed(2)} s = ${Math.round(p.nodesPerSec).toLocaleString('en-US')} nodes/s`,
    )
  }

  let profile: string | null = null
  if (profiling) {
    // Only this run's profile (the directory may hold earlier ones), main thread only.
    const files = mainThreadFiles(profileFiles(opts.profile as string).filter((f) => statSync(f).mtimeMs >= serverStartMs))
    const first = ingestWindows[0]
    const last = ingestWindows[ingestWindows.length - 1]
    const phases: Phases = {}
    if (first && last) phases['measured ingest cycles'] = { startUs: first.startUs, endUs: last.endUs }
    phases['ledger queries'] = queryWindow
    writeFileSync(join(opts.profile as string, 'phases.json'), `${JSON.stringify(phases, null, 2)}\n`)
    const resolver = await createSourceResolver()
    profile = Object.entries(phases)
      .map(([phase, window]) => formatSummary(summarizeProfiles(files, window, resolver), 15, `${label} control plane, ${phase}`))
      .join('\n\n')
    writeFileSync(join(opts.profile as string, 'summary.txt'), `${profile}\n`)
    progress(`${label}: CPU profile written to ${files.join(', ')}`)
  }
  return summarizeStore({
    store: kind,
    version,
    concurrency,
    registerMs,
    cycles,
    queries,
    peakRssAfterIngest: afterIngest?.peakRss ?? null,
    peakRss: final?.peakRss ?? null,
    baseline,
    profile,
  })
}

async function main(): Promise<void> {
  const opts = options()
  const machine = describeMachine()
  const args = process.argv.slice(2)
  const command = `npm run bench:ingest${args.length ? ` -- ${args.join(' ')}` : ''}`
  progress(`${command}`)
  progress(`code: ${codeVersion()}`)
  progress(`machine: ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}`)
  progress(`creating the fleet: ${opts.clusters} clusters x ${opts.nodes} nodes (seed ${opts.seed})`)
  const fleet = createFleet({ clusters: opts.clusters, seed: opts.seed, nodesPerCluster: opts.nodes })
  let nodes = 0
  let withAccelerators = 0
  let accelerators = 0
  for (const c of fleet) {
    for (const n of c.nodes) {
      nodes++
      const acc = c.pools[n.pool]?.accelerator
      if (acc) {
        withAccelerators++
        accelerators += acc.count
      }
    }
  }
  progress(
    `fleet: ${nodes.toLocaleString('en-US')} nodes, ${withAccelerators.toLocaleString('en-US')} with accelerators (${accelerators.toLocaleString('en-US')} devices)`,
  )

  const result: BenchResult = {
    date: new Date().toISOString(),
    command,
    code: codeVersion(),
    machine,
    workload: {
      clusters: opts.clusters,
      nodesPerCluster: opts.nodes,
      nodes,
      nodesWithAccelerators: withAccelerators,
      accelerators,
      seed: opts.seed,
      concurrency:
        opts.concurrency === null
          ? `SQLite ${DEFAULT_CONCURRENCY.sqlite}, PostgreSQL ${DEFAULT_CONCURRENCY.postgres}`
          : String(opts.concurrency),
      measuredCycles: opts.cycles,
      queries: opts.queries,
      otherQueries: opts.otherQueries,
      reportIntervalSeconds: REPORT_INTERVAL_SECONDS,
    },
    stores: [],
  }
  try {
    for (const kind of opts.stores) {
      try {
        result.stores.push(await runStore(kind, fleet, opts))
      } finally {
        await runCleanups()
      }
    }
  } catch (error) {
    await runCleanups()
    throw error
  }

  const { markdown, summary } = writeBenchmarksMd(result, opts.write ? join(REPO_ROOT, 'BENCHMARKS.md') : null)
  for (const store of result.stores) if (store.profile) process.stderr.write(`\n${store.profile}\n`)
  if (opts.json) {
    const { stores, ...rest } = result
    const lean = { ...rest, stores: stores.map(({ cycles, ...s }) => ({ ...s, cycles: cycles?.map(({ latencies: _, ...c }) => c) })) }
    process.stdout.write(`${JSON.stringify(lean, null, 2)}\n`)
  } else {
    process.stdout.write(`\n${summary}\n`)
  }
  progress(opts.write ? 'BENCHMARKS.md updated' : `BENCHMARKS.md not written (${markdown.length} characters; pass --write to write it)`)
}

await main()
