// Figures of the ingest benchmark: per-store summaries, the issue's targets, and the BENCHMARKS.md section.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import type { BaselineResult } from './baseline'
import { type Distribution, distribution, type Machine, median } from './support'

export interface CycleResult {
  cycle: number
  warmup: boolean
  wallMs: number
  nodes: number
  nodesPerSec: number
  /** Per report, request written to response read, ms. */
  latency: Distribution
  latencies: number[]
  /** CPU seconds of the control plane process during the cycle. */
  serverCpuS: number
  /** CPU seconds of the PostgreSQL server processes during the cycle. */
  pgCpuS: number | null
  /** CPU seconds of the load generator (this process) during the cycle. */
  clientCpuS: number
  bytes: number
}

export interface QueryResult {
  groupBy: string
  latency: Distribution
  groups: number
  bytes: number
}

export interface Target {
  target: string
  value: string
  /** null: not applicable to this run (e.g. not full size). */
  pass: boolean | null
}

export interface StoreResult {
  store: 'sqlite' | 'postgres'
  status: 'ok' | 'skipped'
  reason?: string
  /** Reports in flight during ingest; connections of the PostgreSQL baseline. */
  concurrency?: number
  version?: string
  registerMs?: number
  cycles?: CycleResult[]
  ingest?: {
    medianWallMs: number
    bestWallMs: number
    medianNodesPerSec: number
    bestNodesPerSec: number
    /** Pooled over the measured cycles. */
    latency: Distribution
    medianServerCpuS: number
    medianPgCpuS: number | null
  }
  queries?: QueryResult[]
  peakRssAfterIngest?: number | null
  peakRss?: number | null
  baseline?: BaselineResult & { medianNodesPerSec: number; bestNodesPerSec: number; medianWallMs: number }
  /** ingest nodes/s divided by baseline nodes/s. */
  ratio?: { median: number; best: number }
  targets?: Target[]
  profile?: string | null
}

export interface BenchResult {
  date: string
  command: string
  /** The code measured (commit, and whether it had uncommitted changes). */
  code: string
  machine: Machine
  workload: {
    clusters: number
    nodesPerCluster: number
    nodes: number
    nodesWithAccelerators: number
    accelerators: number
    seed: number
    /** Reports in flight, as configured (per store unless --concurrency). */
    concurrency: string
    measuredCycles: number
    queries: number
    otherQueries: number
    reportIntervalSeconds: number
  }
  stores: StoreResult[]
}

const MiB = 2 ** 20
const FULL_CYCLE_NODES = 500_000
const TARGET_CYCLE_S = 5
const TARGET_NODES_PER_S = 100_000
const TARGET_RATIO = 0.6
const TARGET_QUERY_P99_MS = 20
const TARGET_RSS_MIB = 512

const int = (n: number): string => Math.round(n).toLocaleString('en-US')
const ms = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(1))
const mib = (n: number | null | undefined): string => (n == null ? 'n/a' : `${(n / MiB).toFixed(0)} MiB`)

export function summarizeStore(input: {
  store: 'sqlite' | 'postgres'
  version: string
  concurrency: number
  registerMs: number
  cycles: CycleResult[]
  queries: QueryResult[]
  peakRssAfterIngest: number | null
  peakRss: number | null
  baseline: BaselineResult
  profile: string | null
}): StoreResult {
  const measured = input.cycles.filter((c) => !c.warmup)
  const rates = measured.map((c) => c.nodesPerSec)
  const pgCpu = measured.map((c) => c.pgCpuS).filter((x): x is number => x !== null)
  const ingest = {
    medianWallMs: median(measured.map((c) => c.wallMs)),
    bestWallMs: Math.min(...measured.map((c) => c.wallMs)),
    medianNodesPerSec: median(rates),
    bestNodesPerSec: Math.max(...rates),
    latency: distribution(measured.flatMap((c) => c.latencies)),
    medianServerCpuS: median(measured.map((c) => c.serverCpuS)),
    medianPgCpuS: pgCpu.length ? median(pgCpu) : null,
  }
  const passes = input.baseline.passes.slice(1)
  const baselineRates = passes.map((p) => p.nodesPerSec)
  const baseline = {
    ...input.baseline,
    medianNodesPerSec: median(baselineRates),
    bestNodesPerSec: Math.max(...baselineRates),
    medianWallMs: median(passes.map((p) => p.wallMs)),
  }
  const ratio = { median: ingest.medianNodesPerSec / baseline.medianNodesPerSec, best: ingest.bestNodesPerSec / baseline.bestNodesPerSec }
  const nodes = measured[0]?.nodes ?? 0
  const worst = [...input.queries].sort((a, b) => b.latency.p99 - a.latency.p99)[0]
  const headline = input.queries.find((q) => q.groupBy === 'province,kind')
  const targets: Target[] = [
    {
      target: `full cycle of ${int(FULL_CYCLE_NODES)} nodes ≤ ${TARGET_CYCLE_S} s`,
      value: `${(ingest.medianWallMs / 1000).toFixed(2)} s`,
      pass: nodes === FULL_CYCLE_NODES ? ingest.medianWallMs <= TARGET_CYCLE_S * 1000 : null,
    },
    {
      target: `≥ ${int(TARGET_NODES_PER_S)} nodes/s`,
      value: `${int(ingest.medianNodesPerSec)} nodes/s`,
      pass: ingest.medianNodesPerSec >= TARGET_NODES_PER_S,
    },
    { target: `≥ ${TARGET_RATIO} of the raw baseline's rate`, value: ratio.median.toFixed(2), pass: ratio.median >= TARGET_RATIO },
    {
      target: `ledger \`groupBy=province,kind\` p99 ≤ ${TARGET_QUERY_P99_MS} ms`,
      value: headline ? `${ms(headline.latency.p99)} ms` : 'n/a',
      pass: headline ? headline.latency.p99 <= TARGET_QUERY_P99_MS : null,
    },
    {
      target: `ledger p99 ≤ ${TARGET_QUERY_P99_MS} ms for any group-by`,
      value: worst ? `worst ${ms(worst.latency.p99)} ms (${worst.groupBy})` : 'n/a',
      pass: worst ? worst.latency.p99 <= TARGET_QUERY_P99_MS : null,
    },
    {
      target: `control plane peak RSS ≤ ${TARGET_RSS_MIB} MiB`,
      value: mib(input.peakRss),
      pass: input.peakRss == null ? null : input.peakRss <= TARGET_RSS_MIB * MiB,
    },
  ]
  return {
    store: input.store,
    status: 'ok',
    version: input.version,
    concurrency: input.concurrency,
    registerMs: input.registerMs,
    cycles: input.cycles,
    ingest,
    queries: input.queries,
    peakRssAfterIngest: input.peakRssAfterIngest,
    peakRss: input.peakRss,
    baseline,
    ratio,
    targets,
    profile: input.profile,
  }
}

const verdict = (pass: boolean | null): string => (pass === null ? 'n/a' : pass ? '**PASS**' : '**FAIL**')

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

export const SECTION_BEGIN = '<!-- bench:ingest:begin (written by `npm run bench:ingest`; edits inside are overwritten) -->'
export const SECTION_END = '<!-- bench:ingest:end -->'

/** The BENCHMARKS.md section for this run. */
export function ingestSection(result: BenchResult): string {
  const { machine, workload: w } = result
  const ok = result.stores.filter((s) => s.status === 'ok')
  const name = (s: StoreResult) =>
    `${s.store === 'sqlite' ? 'SQLite' : 'PostgreSQL'}${s.version ? ` (${s.version.replace(/^\S+ /, '')})` : ''}`
  const col = (f: (s: StoreResult) => string) => ok.map(f)
  const out: string[] = []
  out.push('## Ingest: a national cycle through the HTTP path', '')
  out.push(`- Date: ${result.date.slice(0, 16).replace('T', ' ')} UTC`)
  out.push(
    `- Machine: \`nproc\` = ${machine.nproc}, ${machine.cpuModel}, ${machine.memoryGiB} GiB RAM, Node ${machine.node}, Linux ${machine.kernel}; 1-minute load average at the start ${machine.loadAverage.toFixed(2)}`,
  )
  out.push(`- Command: \`${result.command}\``)
  out.push(`- Code: ${result.code}`)
  out.push(
    `- Workload: ${int(w.clusters)} clusters × ${int(w.nodesPerCluster)} nodes = ${int(w.nodes)} nodes (${int(w.nodesWithAccelerators)} with accelerators, ${int(w.accelerators)} devices), fleet seed ${w.seed}; ${ok[0]?.cycles?.[0] ? `${(ok[0].cycles[0].bytes / 1e6).toFixed(0)} MB` : 'n/a'} of full-report JSON per cycle`,
  )
  out.push(
    `- Method: the control plane runs alone in its own process (\`node --import tsx control-plane/src/server.ts\`, LOG_LEVEL=warn). Clusters are registered through \`POST /api/v1/clusters\` and every report body is serialized before the clock starts; a cycle sends all ${int(w.clusters)} full reports to \`POST /api/v1/reports\` over HTTP/1.1 keep-alive with a fixed number of reports in flight (${w.concurrency}) and ends when the last ack arrives. 1 warm-up cycle, then ${w.measuredCycles} measured; targets are judged on the median measured cycle. Ledger queries run one at a time after ingest (3 untimed warm-ups each; ${w.queries} timed for \`province,kind\`, ${w.otherQueries} for every other grouping), and each answer is checked to hold all clusters and nodes. Peak RSS is the control plane's VmHWM. The raw baseline runs in a separate process on the same bodies: \`JSON.parse\` + one plain row per node (cluster id, name, cores, memory, accelerator count) bulk-inserted without validation — SQLite: better-sqlite3 prepared statement, one transaction per report, WAL, synchronous=NORMAL; PostgreSQL: one multi-row INSERT per report in a transaction, as many connections as reports in flight.`,
  )
  for (const s of result.stores.filter((x) => x.status === 'skipped')) out.push(`- **${name(s)}: ${s.reason}**`)
  out.push('')
  if (ok.length === 0) return out.join('\n')

  out.push('### Results', '')
  out.push(
    table(
      ['', ...ok.map(name)],
      [
        [
          'ingest cycle, median (best)',
          ...col((s) => `${((s.ingest?.medianWallMs ?? 0) / 1000).toFixed(2)} s (${((s.ingest?.bestWallMs ?? 0) / 1000).toFixed(2)} s)`),
        ],
        [
          'ingest nodes/s, median (best)',
          ...col((s) => `${int(s.ingest?.medianNodesPerSec ?? 0)} (${int(s.ingest?.bestNodesPerSec ?? 0)})`),
        ],
        [
          'spread of measured cycles, (max − min) / median',
          ...col((s) => {
            const walls = (s.cycles ?? []).filter((c) => !c.warmup).map((c) => c.wallMs)
            return walls.length > 1 ? `${((100 * (Math.max(...walls) - Math.min(...walls))) / median(walls)).toFixed(0)}%` : 'n/a'
          }),
        ],
        ['ingest latency per report, p50 / p99', ...col((s) => `${ms(s.ingest?.latency.p50 ?? 0)} / ${ms(s.ingest?.latency.p99 ?? 0)} ms`)],
        [
          'CPU per cycle: control plane (database)',
          ...col(
            (s) =>
              `${(s.ingest?.medianServerCpuS ?? 0).toFixed(1)} s${s.ingest?.medianPgCpuS != null ? ` (${s.ingest.medianPgCpuS.toFixed(1)} s)` : ''}`,
          ),
        ],
        [
          'raw baseline nodes/s, median (best)',
          ...col((s) => `${int(s.baseline?.medianNodesPerSec ?? 0)} (${int(s.baseline?.bestNodesPerSec ?? 0)})`),
        ],
        ['ingest / baseline, median (best)', ...col((s) => `${(s.ratio?.median ?? 0).toFixed(2)} (${(s.ratio?.best ?? 0).toFixed(2)})`)],
        [
          '`GET /api/v1/ledger?groupBy=province,kind` p50 / p99',
          ...col((s) => {
            const q = s.queries?.find((x) => x.groupBy === 'province,kind')
            return q ? `${ms(q.latency.p50)} / ${ms(q.latency.p99)} ms` : 'n/a'
          }),
        ],
        [
          'worst ledger p99 over all group-bys',
          ...col((s) => {
            const q = [...(s.queries ?? [])].sort((a, b) => b.latency.p99 - a.latency.p99)[0]
            return q ? `${ms(q.latency.p99)} ms (${q.groupBy})` : 'n/a'
          }),
        ],
        ['control plane peak RSS (after ingest)', ...col((s) => `${mib(s.peakRss)} (${mib(s.peakRssAfterIngest)})`)],
        ['reports in flight', ...col((s) => String(s.concurrency ?? 'n/a'))],
        ['registering the clusters (setup)', ...col((s) => `${((s.registerMs ?? 0) / 1000).toFixed(1)} s`)],
      ],
    ),
    '',
  )

  out.push(
    '### Targets',
    '',
    'The issue sets the targets for SQLite on this 2-core machine; PostgreSQL is judged against the same figures for information.',
    '',
  )
  const targetRows = (ok[0]?.targets ?? []).map((t, i) => [
    t.target,
    ...col((s) => {
      const x = s.targets?.[i]
      return x ? `${x.value} ${verdict(x.pass)}` : 'n/a'
    }),
  ])
  out.push(table(['target', ...ok.map(name)], targetRows), '')

  out.push('### Cycles', '')
  const cycleRows: string[][] = []
  for (const s of ok) {
    for (const c of s.cycles ?? []) {
      cycleRows.push([
        name(s),
        c.warmup ? 'warm-up' : String(c.cycle),
        `${(c.wallMs / 1000).toFixed(2)} s`,
        int(c.nodesPerSec),
        `${ms(c.latency.p50)} / ${ms(c.latency.p99)} / ${ms(c.latency.max)} ms`,
        `${c.serverCpuS.toFixed(1)} s`,
        c.pgCpuS === null ? '–' : `${c.pgCpuS.toFixed(1)} s`,
        `${c.clientCpuS.toFixed(1)} s`,
      ])
    }
    for (const [i, p] of (s.baseline?.passes ?? []).entries()) {
      cycleRows.push([
        `${name(s)} raw baseline`,
        i === 0 ? 'warm-up' : String(i),
        `${(p.wallMs / 1000).toFixed(2)} s`,
        int(p.nodesPerSec),
        '–',
        '–',
        '–',
        '–',
      ])
    }
  }
  out.push(
    table(
      ['store', 'cycle', 'wall', 'nodes/s', 'latency p50 / p99 / max', 'control plane CPU', 'PostgreSQL CPU', 'generator CPU'],
      cycleRows,
    ),
    '',
  )

  out.push('### Ledger queries', '', 'p50 / p99 / max in ms; groups in the answer; answer size.', '')
  const groupBys = ok[0]?.queries?.map((q) => q.groupBy) ?? []
  out.push(
    table(
      ['groupBy', ...ok.map(name)],
      groupBys.map((g) => [
        `\`${g}\``,
        ...col((s) => {
          const q = s.queries?.find((x) => x.groupBy === g)
          return q
            ? `${ms(q.latency.p50)} / ${ms(q.latency.p99)} / ${ms(q.latency.max)}${q.latency.p99 > TARGET_QUERY_P99_MS ? ' ✗' : ''}, ${q.groups} groups, ${(q.bytes / 1024).toFixed(0)} KiB`
            : 'n/a'
        }),
      ]),
    ),
    '',
  )
  out.push(
    `Notes: PostgreSQL is the one \`test/support/postgres.ts\` starts (loopback, fsync=off); SQLite WAL with synchronous=NORMAL does not fsync per commit either. The control plane is started with SUANPAN_REPORT_INTERVAL_SECONDS=${w.reportIntervalSeconds} so no cluster turns stale while the ledger is queried. Load generator and PostgreSQL share the machine's ${machine.nproc} CPUs with the control plane. To measure a fixed commit while the tree is being edited: \`test/bench/snapshot.sh [commit]\`, then \`npm run bench:ingest\` in the directory it prints.`,
  )
  return out.join('\n')
}

/** Replace (or add) the ingest section of BENCHMARKS.md; returns the section either way. */
export function writeBenchmarksMd(result: BenchResult, path: string | null): { markdown: string; summary: string } {
  const section = ingestSection(result)
  const block = `${SECTION_BEGIN}\n${section}\n${SECTION_END}`
  if (path) {
    let text = existsSync(path)
      ? readFileSync(path, 'utf8')
      : "# Benchmarks\n\nFigures measured on this repository's reference machine. Each section is rewritten by its benchmark.\n"
    const begin = text.indexOf(SECTION_BEGIN)
    const end = text.indexOf(SECTION_END)
    if (begin >= 0 && end > begin) text = `${text.slice(0, begin)}${block}${text.slice(end + SECTION_END.length)}`
    else text = `${text.trimEnd()}\n\n${block}\n`
    writeFileSync(path, text)
  }
  return { markdown: block, summary: section }
}
