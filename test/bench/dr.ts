// DR benchmark: `npm run bench:dr [-- --runs 5 --scenario a1-lost,same-city-partition,remote-takeover,failback --dir D --json --no-write]`.
//
// Runs each drill scenario N times on the real lab (etcd ×3, Patroni/PostgreSQL ×3, pgBackRest, HAProxy,
// two control planes on loopback, every cross-center link through the lab network), rebuilding the lab
// whenever a run left it unhealthy or taken over (remote-takeover always does; failback takes over and
// fails back by itself, or fails back a lab B1 took over), and prints best/median/worst RTO and RPO
// against the issue's targets. The figures, machine and command go to BENCHMARKS.md between the
// bench:dr markers.
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  type DrillReport,
  labDown,
  labStatus,
  labUp,
  missingEngines,
  readState,
  runDrill,
  SCENARIOS,
  type ScenarioId,
  scenarioId,
} from '../../control-plane/src/dr/index'
import { describeMachine, median, progress, REPO_ROOT, writeBenchmarkSection } from './support'

/** `max N`, or what was not measured: a run that failed before its RPO step has none (NaN here). */
function maxOrUnmeasured(values: number[], unit: string): string {
  const missing = values.filter((x) => Number.isNaN(x)).length
  const measured = values.filter((x) => !Number.isNaN(x))
  const max = measured.length ? `max ${Math.max(...measured)}${unit}` : 'none measured'
  return missing ? `${max} (not measured in ${missing} of ${values.length} runs)` : max
}

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    scenario: { type: 'string', default: 'a1-lost,same-city-partition,remote-takeover,failback' },
    dir: { type: 'string', default: join(REPO_ROOT, '.suanpan', 'dr-bench') },
    json: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
})
const runs = Number(args.runs)
const scenarios = (args.scenario ?? '')
  .split(',')
  .filter(Boolean)
  .map((s) => {
    const id = scenarioId(s)
    if (!id) throw new Error(`unknown scenario ${s}`)
    return id
  })
const dir = args.dir ?? ''
const missing = missingEngines()
if (missing.length) {
  process.stderr.write(`bench:dr needs ${missing.join(', ')} (see control-plane/src/dr/README.md)\n`)
  process.exit(1)
}

const BEGIN = '<!-- bench:dr:begin (written by `npm run bench:dr`; edits inside are overwritten) -->'
const END = '<!-- bench:dr:end -->'
/** Issue 5 §5. */
const TARGETS: Record<string, { medianRto?: number; worstRto: number; rpoWrites: number | null; rpoSeconds: number | null }> = {
  'a1-lost': { medianRto: 15, worstRto: 30, rpoWrites: 0, rpoSeconds: null },
  'a1-db-lost': { medianRto: 15, worstRto: 30, rpoWrites: 0, rpoSeconds: null },
  // RTO = write unavailability while A1 and A2 are cut apart.
  'same-city-partition': { medianRto: 15, worstRto: 30, rpoWrites: 0, rpoSeconds: null },
  'remote-takeover': { worstRto: 60, rpoWrites: null, rpoSeconds: 5 },
  // RTO = the failback switch (longest write gap of the switchover B1 → A1).
  failback: { worstRto: 60, rpoWrites: 0, rpoSeconds: null },
  'backup-restore': { worstRto: 300, rpoWrites: null, rpoSeconds: 24 * 3600 },
  switchover: { worstRto: 15, rpoWrites: 0, rpoSeconds: null },
}

const machine = describeMachine()
const started = Date.now()
let rebuilds = 0
const rebuildSeconds: number[] = []

async function ensureLab(scenario: ScenarioId): Promise<void> {
  const state = readState(dir)
  // A lab B1 took over is what the failback starts from.
  if (state?.ready && state.takeover && SCENARIOS[scenario].acceptsTakenOver) return
  if (state?.ready && !state.takeover) {
    const status = await labStatus(state).catch(() => null)
    if (status?.healthy) return
    progress(`lab not healthy (${status?.problems.join('; ') ?? 'no status'}): rebuilding`)
  }
  const t0 = performance.now()
  await labDown({ dir })
  await labUp({ dir, progress: (step, d) => d?.status === 'done' && progress(`lab up: ${step} (${d.seconds} s)`) })
  rebuildSeconds.push((performance.now() - t0) / 1000)
  rebuilds += 1
}

const results: Record<string, DrillReport[]> = {}
try {
  for (const scenario of scenarios) {
    results[scenario] = []
    for (let i = 1; i <= runs; i++) {
      await ensureLab(scenario)
      progress(`${scenario} run ${i}/${runs}`)
      const { report } = await runDrill(scenario, { dir, operator: 'bench:dr', trigger: 'manual' })
      const m = report.measurements
      progress(
        `${scenario} run ${i}: ${report.verdict}, RTO ${m.rtoSeconds ?? '—'} s, missing ${m.rpo?.missingWrites ?? '—'} of ${m.rpo?.ackedWrites ?? '—'} acknowledged writes${
          report.verdictReasons.length ? ` (${report.verdictReasons.join('; ')})` : ''
        }`,
      )
      results[scenario].push(report)
    }
  }
} finally {
  progress('lab down')
  await labDown({ dir })
}

const f = (n: number | null | undefined, d = 2) => (typeof n === 'number' && Number.isFinite(n) ? n.toFixed(d) : '—')
const summary = Object.entries(results).map(([scenario, reports]) => {
  const rto = reports.map((r) => r.measurements.rtoSeconds).filter((v): v is number => typeof v === 'number')
  const missingWrites = reports.map((r) => r.measurements.rpo?.missingWrites ?? Number.NaN)
  const rpoSeconds = reports.map((r) => r.measurements.rpo?.rpoSeconds ?? Number.NaN)
  const phase = (k: 'detectionSeconds' | 'promotionSeconds' | 'trafficSwitchSeconds') =>
    median(reports.map((r) => r.measurements.phases[k]).filter((v): v is number => typeof v === 'number'))
  const t = TARGETS[scenario] ?? { worstRto: Number.POSITIVE_INFINITY, rpoWrites: null, rpoSeconds: null }
  const best = rto.length ? Math.min(...rto) : null
  const worst = rto.length === reports.length && rto.length ? Math.max(...rto) : null
  const med = rto.length ? median(rto) : null
  const checks = [
    ...(t.medianRto !== undefined
      ? [{ what: `median RTO ≤ ${t.medianRto} s`, pass: med !== null && med <= t.medianRto, value: `${f(med)} s` }]
      : []),
    { what: `worst RTO ≤ ${t.worstRto} s`, pass: worst !== null && worst <= t.worstRto, value: `${f(worst)} s` },
    ...(t.rpoWrites !== null
      ? [
          {
            what: `RPO = ${t.rpoWrites} acknowledged writes lost`,
            pass: missingWrites.every((x) => x <= (t.rpoWrites ?? 0)),
            value: maxOrUnmeasured(missingWrites, ''),
          },
        ]
      : []),
    ...(t.rpoSeconds !== null
      ? [
          {
            what: `RPO as time ≤ ${t.rpoSeconds} s (configured lag bound)`,
            pass: rpoSeconds.every((x) => x <= (t.rpoSeconds ?? 0)),
            value: `max ${f(Math.max(...rpoSeconds))} s`,
          },
        ]
      : []),
  ]
  return {
    scenario,
    runs: reports.length,
    verdicts: reports.map((r) => r.verdict),
    rto: { best, median: med, worst },
    rpo: {
      missingWritesMax: Math.max(...missingWrites),
      ackedWrites: reports.map((r) => r.measurements.rpo?.ackedWrites ?? 0),
      rpoSecondsMax: Math.max(...rpoSeconds),
    },
    phases: { detection: phase('detectionSeconds'), promotion: phase('promotionSeconds'), trafficSwitch: phase('trafficSwitchSeconds') },
    failbackSwitchover: median(reports.map((r) => r.measurements.switchover?.seconds).filter((v): v is number => typeof v === 'number')),
    partition: scenario === 'same-city-partition' ? partitionFigures(reports) : null,
    takeoverRto:
      scenario === 'failback' ? extraMedian(reports, (e) => (e.takeover as { rtoSeconds?: number } | undefined)?.rtoSeconds) : null,
    checks,
    reports: reports.map((r) => r.id),
  }
})

function extraMedian(reports: DrillReport[], pick: (extra: Record<string, unknown>) => unknown): number | null {
  const values = reports.map((r) => pick(r.measurements.extra)).filter((v): v is number => typeof v === 'number')
  return values.length ? median(values) : null
}

/** The partition's own figures (measurements.extra.partition), medians over the runs. */
function partitionFigures(reports: DrillReport[]) {
  const p = (k: string) => extraMedian(reports, (e) => (e.partition as Record<string, unknown> | undefined)?.[k])
  const writable = reports.map((r) =>
    Number((r.measurements.extra.partition as { maxWritableAtOnce?: number } | undefined)?.maxWritableAtOnce ?? Number.NaN),
  )
  return {
    standbyDropped: p('standbyDroppedSeconds'),
    syncReleased: p('syncReleasedSeconds'),
    writeUnavailableAtHeal: p('writeUnavailableAtHealSeconds'),
    resyncAfterHeal: p('resyncSecondsAfterHeal'),
    maxWritableAtOnce: Math.max(...writable),
  }
}

/** Which reference points the same-city failover beats. */
function compare(): string {
  const a = summary.find((x) => x.scenario === 'a1-lost')
  if (!a || a.rto.worst === null || a.rto.median === null) return ''
  const vs = (limit: number, what: string) =>
    a.rto.worst !== null && a.rto.worst <= limit
      ? `beats ${what} (worst ${f(a.rto.worst)} s ≤ ${limit} s)`
      : a.rto.median !== null && a.rto.median <= limit
        ? `meets ${what} at the median (${f(a.rto.median)} s) but not at the worst (${f(a.rto.worst)} s)`
        : `does not beat ${what} (median ${f(a.rto.median)} s)`
  return `a1-lost ${vs(30, "Patroni's ~30 s")} and ${vs(10, "CloudNativePG's 10 s budget")}.`
}

const lab = Object.values(results)[0]?.[0]?.lab
const engines = lab
  ? Object.entries(lab.engines)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')
  : 'unknown'
const timings = lab ? `${lab.timings.ttl}/${lab.timings.loopWait}/${lab.timings.retryTimeout}` : '?'
const command = `npm run bench:dr${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`
const lines = [
  '## DR drills: failover on the real lab',
  '',
  `- Date: ${new Date(started).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  `- Machine: \`nproc\` = ${machine.nproc}, ${machine.cpuModel}, ${machine.memoryGiB} GiB RAM, Node ${machine.node}, Linux ${machine.kernel}; 1-minute load average at the start ${machine.loadAverage.toFixed(2)}`,
  `- Command: \`${command}\``,
  `- Lab: etcd ×3 (one member per center), Patroni with ttl/loop_wait/retry_timeout ${timings} s (${engines}): A1 leader, A2 synchronous standby, B1 asynchronous replica (nofailover + nosync) with the pgBackRest repository; HAProxy (\`option httpchk GET /primary\`) and a control plane in A1 and A2 (node-postgres has no multi-host URLs); every cross-center connection through the lab network (a TCP proxy that can cut two centers apart). ${rebuilds} lab builds, median ${f(median(rebuildSeconds), 1)} s each.`,
  '- Method: `suanpan drill run <scenario>` per run. A probe registers a cluster and POSTs a report every 100 ms through the public API to whichever control plane answers. RTO = kill -9 → first acknowledged write sent after it; for same-city-partition the write unavailability (longest stretch without an acknowledged write while A1 and A2 are cut apart), for failback the failback switch (longest write gap of the switchover B1 → A1). RPO = acknowledged writes missing from `report_log` on the new primary (and their age at the fault). a1-lost restarts A1 (pg_rewind) and fails back by a Patroni switchover after each run; same-city-partition heals and checks A2 is synchronous again; remote-takeover needs a lab rebuild after each run; failback performs the takeover itself and leaves the lab whole.',
  '',
  '| scenario | runs | verdicts | RTO best / median / worst | detection / promotion / traffic (median) | lost acknowledged writes (max) | RPO as time (max) | failback switchover (median) |',
  '| --- | ---: | --- | --- | --- | ---: | ---: | ---: |',
  ...summary.map(
    (s) =>
      `| ${s.scenario} | ${s.runs} | ${s.verdicts.join(', ')} | ${f(s.rto.best)} / ${f(s.rto.median)} / ${f(s.rto.worst)} s | ${f(s.phases.detection)} / ${f(
        s.phases.promotion,
      )} / ${f(s.phases.trafficSwitch)} s | ${Number.isNaN(s.rpo.missingWritesMax) ? 'not measured in every run' : s.rpo.missingWritesMax} | ${f(s.rpo.rpoSecondsMax)} s | ${s.failbackSwitchover === null || Number.isNaN(s.failbackSwitchover) ? '—' : `${f(s.failbackSwitchover)} s`} |`,
  ),
  '',
  ...summary.flatMap((s) =>
    s.partition
      ? [
          `same-city-partition (medians): A2 dropped by the primary's walsender after ${f(s.partition.standbyDropped)} s, Patroni released it (synchronous_standby_names '') after ${f(
            s.partition.syncReleased,
          )} s, A2 synchronous again ${f(s.partition.resyncAfterHeal)} s after the heal (write gap at the heal ${f(s.partition.writeUnavailableAtHeal)} s); at most ${
            s.partition.maxWritableAtOnce
          } writable member(s) in any 250 ms sample.`,
          '',
        ]
      : s.takeoverRto !== null
        ? [
            `failback: the remote takeover it starts from took ${f(s.takeoverRto)} s (median RTO); the failback switch is the RTO above.`,
            '',
          ]
        : [],
  ),
  '### Targets (issue 5 §5)',
  '',
  '| scenario | target | measured | |',
  '| --- | --- | --- | --- |',
  ...summary.flatMap((s) => s.checks.map((c) => `| ${s.scenario} | ${c.what} | ${c.value} | ${c.pass ? 'PASS' : 'FAIL'} |`)),
  '',
  `Reference points from the issue: Patroni tuned ~30 s worst case; CloudNativePG in-cluster failover budget 10 s. ${compare()} The a1-lost RTO is dominated by detection (the leader key TTL of 10 s minus the last renewal); promotion and the traffic switch take well under a second.`,
]
const section = lines.join('\n')
if (args.json) process.stdout.write(`${JSON.stringify({ machine, command, summary })}\n`)
else process.stdout.write(`${section}\n`)
if (!args['no-write']) {
  writeBenchmarkSection(BEGIN, END, section)
  progress('BENCHMARKS.md updated')
}
