// DR benchmark: `npm run bench:dr [-- --runs 5 --scenario a1-lost,remote-takeover --dir D --json --no-write]`.
//
// Runs each drill scenario N times on the real lab (etcd ×3, Patroni/PostgreSQL ×3, pgBackRest, HAProxy,
// two control planes on loopback), rebuilding the lab whenever a run left it unhealthy or taken over
// (remote-takeover always does), and prints best/median/worst RTO and RPO against the issue's
// targets. The figures, machine and command go to BENCHMARKS.md between the bench:dr markers.
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  type DrillReport,
  isScenario,
  labDown,
  labStatus,
  labUp,
  missingEngines,
  readState,
  runDrill,
  type ScenarioId,
} from '../../control-plane/src/dr/index'
import { describeMachine, median, progress, REPO_ROOT, writeBenchmarkSection } from './support'

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    scenario: { type: 'string', default: 'a1-lost,remote-takeover' },
    dir: { type: 'string', default: join(REPO_ROOT, '.suanpan', 'dr-bench') },
    json: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
})
const runs = Number(args.runs)
const scenarios = (args.scenario ?? '').split(',').filter(Boolean)
for (const s of scenarios) if (!isScenario(s)) throw new Error(`unknown scenario ${s}`)
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
  'remote-takeover': { worstRto: 60, rpoWrites: null, rpoSeconds: 5 },
  'backup-restore': { worstRto: 300, rpoWrites: null, rpoSeconds: 24 * 3600 },
  switchover: { worstRto: 15, rpoWrites: 0, rpoSeconds: null },
}

const machine = describeMachine()
const started = Date.now()
let rebuilds = 0
const rebuildSeconds: number[] = []

async function ensureLab(): Promise<void> {
  const state = readState(dir)
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
  for (const scenario of scenarios as ScenarioId[]) {
    results[scenario] = []
    for (let i = 1; i <= runs; i++) {
      await ensureLab()
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
            value: `max ${Math.max(...missingWrites)}`,
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
    checks,
    reports: reports.map((r) => r.id),
  }
})

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
  `- Lab: etcd ×3 (one member per center), Patroni with ttl/loop_wait/retry_timeout ${timings} s (${engines}): A1 leader, A2 synchronous standby, B1 asynchronous replica (nofailover + nosync) with the pgBackRest repository; HAProxy (\`option httpchk GET /primary\`) and a control plane in A1 and A2 (node-postgres has no multi-host URLs). ${rebuilds} lab builds, median ${f(median(rebuildSeconds), 1)} s each.`,
  '- Method: `suanpan drill run <scenario>` per run. A probe registers a cluster and POSTs a report every 100 ms through the public API to whichever control plane answers. RTO = kill -9 → first acknowledged write sent after it; RPO = acknowledged writes missing from `report_log` on the new primary (and their age at the fault). a1-lost restarts A1 (pg_rewind) and fails back by a Patroni switchover after each run; remote-takeover needs a lab rebuild after each run.',
  '',
  '| scenario | runs | verdicts | RTO best / median / worst | detection / promotion / traffic (median) | lost acknowledged writes (max) | RPO as time (max) | failback switchover (median) |',
  '| --- | ---: | --- | --- | --- | ---: | ---: | ---: |',
  ...summary.map(
    (s) =>
      `| ${s.scenario} | ${s.runs} | ${s.verdicts.join(', ')} | ${f(s.rto.best)} / ${f(s.rto.median)} / ${f(s.rto.worst)} s | ${f(s.phases.detection)} / ${f(
        s.phases.promotion,
      )} / ${f(s.phases.trafficSwitch)} s | ${s.rpo.missingWritesMax} | ${f(s.rpo.rpoSecondsMax)} s | ${s.failbackSwitchover === null || Number.isNaN(s.failbackSwitchover) ? '—' : `${f(s.failbackSwitchover)} s`} |`,
  ),
  '',
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
