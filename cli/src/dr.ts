import { writeFileSync } from 'node:fs'
// The DR module is reached by path until control-plane/package.json exports "./dr".
import {
  type DrillReport,
  engageKillSwitch,
  htmlToPdf,
  type LabStatus,
  labDir,
  labDown,
  labStatus,
  labUp,
  listReports,
  loadReport,
  NOT_YET,
  type Progress,
  renderHtml,
  requireState,
  runDrill,
  SCENARIO_ALIASES,
  SCENARIOS,
  scenarioId,
  takeBackup,
  trends,
} from '@suanpan/control-plane/dr'
import { CliError } from './http'
import type { Output } from './output'

/** The lab's state, or a one-line error when there is none. */
function labState(dir?: string) {
  try {
    return requireState(labDir(dir))
  } catch (error) {
    throw new CliError((error as Error).message)
  }
}

const fmt = (v: number | null | undefined, digits = 2, unit = ' s') => (typeof v === 'number' ? `${v.toFixed(digits)}${unit}` : '—')

/** Progress of a lab or drill step: `step …` / `step: done in 1.2 s`, or JSON events. */
function progressOf(out: Output, label: string): Progress {
  return (step, detail = {}) => {
    const status = detail.status as string | undefined
    let text = `${label}: ${step}`
    if (status === 'start') text += ' …'
    else if (status === 'done' || status === 'ok') text += `: ${status === 'ok' ? 'ok' : 'done'} in ${fmt(detail.seconds as number)}`
    else if (status) text += `: ${status.toUpperCase()}${detail.error ? ` (${String(detail.error).split('\n')[0]})` : ''}`
    else if ('ok' in detail) text = `${label}: ${step}: ${detail.ok ? 'ok' : 'FAILED'} — ${detail.detail ?? ''}`
    out.event('progress', { label, step, ...detail }, text)
  }
}

function statusText(s: LabStatus): string {
  const yes = (v: boolean | null) => (v === null ? '-' : v ? 'ok' : 'DOWN')
  const head = ['center', 'city', 'role', 'timeline', 'lag', 'etcd', 'patroni', 'postgres', 'haproxy', 'control plane', 'problems']
  const rows = s.centers.map((c) => [
    c.name,
    c.city,
    c.role,
    String(c.timeline ?? '?'),
    c.lagBytes === null ? '?' : `${c.lagBytes} B`,
    c.processes.etcdHealthy ? 'ok' : c.processes.etcd ? 'unhealthy' : 'DOWN',
    s.takeover && !c.processes.patroni ? 'stopped' : yes(c.processes.patroni),
    yes(c.processes.postgres),
    yes(c.processes.haproxy),
    c.processes.controlPlane === null ? '-' : c.processes.controlPlaneHealthy ? 'ok' : 'DOWN',
    c.problems.join('; '),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]) =>
    r
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  return [
    `DR lab ${s.id} in ${s.dir}: ${s.healthy ? 'HEALTHY' : 'NOT HEALTHY'}; primary ${s.leader ?? 'none'} (timeline ${s.leaderTimeline ?? '?'})`,
    line(head),
    ...rows.map(line),
    s.backups ? `backups in B1: ${s.backups.full} full, latest ${s.backups.latest ?? 'none'}` : 'backups: unknown',
    ...(s.takeover
      ? [`B1 took over at ${s.takeover.at} (outside Patroni): fail back with \`suanpan drill run failback\` (or rebuild the lab)`]
      : []),
    ...(s.network
      ? [
          s.network.up
            ? s.network.cuts.length
              ? `network: CUT ${s.network.cuts.map((c) => `${c.a} ⇹ ${c.b} (${c.mode}, since ${c.since})`).join(', ')}`
              : 'network: every link between the centers open'
            : 'network: DOWN',
        ]
      : []),
    ...(s.problems.length ? ['problems:', ...s.problems.map((p) => `  - ${p}`)] : []),
  ].join('\n')
}

export async function drLabUp(options: { dir?: string }, out: Output): Promise<void> {
  const started = performance.now()
  const state = await labUp({ dir: options.dir ?? null, progress: progressOf(out, 'dr lab up') })
  const status = await labStatus(state)
  const endpoints = Object.values(state.centers)
    .filter((c) => c.controlPlane)
    .map((c) => `  ${c.name} control plane http://127.0.0.1:${c.controlPlane?.port}  (DATABASE_URL via HAProxy :${c.haproxy?.port})`)
  out.result(
    'dr-lab',
    { ...status, seconds: (performance.now() - started) / 1000, stateFile: `${state.dir}/lab.json` },
    [
      statusText(status),
      `up in ${fmt((performance.now() - started) / 1000, 1)}; state in ${state.dir}/lab.json`,
      ...endpoints,
      `admin token: in ${state.dir}/lab.json ("adminToken")`,
      'next: suanpan drill run a1-lost   |   suanpan dr lab down',
    ].join('\n'),
  )
}

export async function drLabDown(options: { dir?: string; purge?: boolean }, out: Output): Promise<void> {
  const result = await labDown({ dir: options.dir ?? null, purge: options.purge ?? false, progress: progressOf(out, 'dr lab down') })
  out.result(
    'dr-lab-down',
    result,
    `${result.stopped.length ? `stopped ${result.stopped.length}: ${result.stopped.join(', ')}` : 'nothing was running'}; removed ${result.dir}${options.purge ? '' : ' (reports kept)'}`,
  )
}

export async function drLabStatus(options: { dir?: string }, out: Output): Promise<boolean> {
  const state = labState(options.dir)
  const status = await labStatus(state)
  out.result('dr-lab', status, statusText(status))
  return status.healthy
}

export async function drBackup(options: { dir?: string; type: 'full' | 'diff' | 'incr' }, out: Output): Promise<void> {
  const state = labState(options.dir)
  out.event(
    'progress',
    { label: 'dr backup', step: `${options.type} backup`, status: 'start' },
    `pgbackrest ${options.type} backup to B1 …`,
  )
  const result = await takeBackup(state, options.type)
  out.result('dr-backup', result, `${options.type} backup ${result.label ?? '?'} in ${fmt(result.seconds, 1)}`)
}

function reportText(r: DrillReport): string {
  const m = r.measurements
  const rpo = m.rpo
  return [
    `drill ${r.id}: ${r.scenario} — ${r.verdict.toUpperCase()}`,
    ...r.verdictReasons.map((x) => `  - ${x}`),
    `RTO ${fmt(m.rtoSeconds)}${r.rtoMeaning ? ` = ${r.rtoMeaning}` : ''} (target ≤ ${r.targets.rtoSeconds} s): detection ${fmt(m.phases.detectionSeconds)}, promotion ${fmt(
      m.phases.promotionSeconds,
    )}, traffic switch ${fmt(m.phases.trafficSwitchSeconds)}`,
    rpo
      ? `RPO ${rpo.missingWrites} of ${rpo.ackedWrites} acknowledged writes missing on ${rpo.checkedOn}, ${fmt(rpo.rpoSeconds)} of data (target ${
          r.targets.rpoWrites === null ? '' : `≤ ${r.targets.rpoWrites} writes, `
        }≤ ${r.targets.rpoSeconds} s)`
      : 'RPO not measured',
    ...(m.rpoAfterRecovery
      ? [
          `after recovery: ${m.rpoAfterRecovery.missingWrites} of ${m.rpoAfterRecovery.ackedWrites} acknowledged writes missing on ${m.rpoAfterRecovery.checkedOn}`,
        ]
      : []),
    `integrity: ${m.integrity ? m.integrity.note : '—'}${m.integrityAfterRecovery ? `; after recovery: ${m.integrityAfterRecovery.note}` : ''}`,
    `replication: ${m.replication.note}`,
    ...partitionLines(m.extra.partition),
    ...(m.switchover
      ? [
          `failback: switchover to ${m.switchover.to} in ${fmt(m.switchover.seconds)}, longest write gap ${fmt(m.switchover.longestWriteGapSeconds)}`,
        ]
      : []),
    `GB/T 20988: ${r.gbt20988.level === null ? 'no level (not measured or out of range)' : `RTO/RPO fit level ${r.gbt20988.level} ${r.gbt20988.nameZh} (${r.gbt20988.nameEn})`}; a level needs all seven elements`,
    ...r.findings.map((f) => `finding: ${f}`),
    `report: ${r.exports.json}`,
    `        ${r.exports.html}`,
  ].join('\n')
}

/** The same-city partition's own figures (measurements.extra.partition), when the report has them. */
function partitionLines(p: unknown): string[] {
  if (!p || typeof p !== 'object') return []
  const x = p as Record<string, number | string | null | string[]>
  const n = (k: string) => fmt(typeof x[k] === 'number' ? (x[k] as number) : null)
  return [
    `partition: held ${n('heldSeconds')}; writes unavailable ${n('writeUnavailableSeconds')} (at the heal ${n('writeUnavailableAtHealSeconds')}); the primary dropped A2 after ${n(
      'standbyDroppedSeconds',
    )}, Patroni set synchronous_standby_names to "${x.syncReleasedTo ?? '?'}" after ${n('syncReleasedSeconds')}; writable members seen: ${
      Array.isArray(x.writableMembers) ? x.writableMembers.join(', ') : '?'
    } (at most ${x.maxWritableAtOnce ?? '?'} at once); A2 synchronous again ${n('resyncSecondsAfterHeal')} after the heal`,
  ]
}

/** Exit status of `drill run`: 0 pass, 1 fail, 2 aborted, 3 skipped (pre-flight failed). */
export const DRILL_EXIT: Record<DrillReport['verdict'], number> = { pass: 0, fail: 1, aborted: 2, skipped: 3 }

export async function drillRun(
  scenario: string,
  options: { dir?: string; operator?: string; trigger?: 'manual' | 'scheduled'; recover?: boolean },
  out: Output,
): Promise<DrillReport> {
  const id = scenarioId(scenario)
  if (!id)
    throw new CliError(
      `unknown scenario "${scenario}"; one of: ${Object.keys(SCENARIOS).join(', ')} (or ${Object.keys(SCENARIO_ALIASES).join(', ')})`,
    )
  labState(options.dir)
  const controller = new AbortController()
  let interrupts = 0
  const onSigint = () => {
    interrupts += 1
    if (interrupts > 1) process.exit(130)
    process.stderr.write('\nsuanpan: drill aborting (kill switch): restoring the lab; Ctrl-C again to quit at once\n')
    controller.abort()
  }
  process.on('SIGINT', onSigint)
  try {
    const { report } = await runDrill(id, {
      dir: options.dir ?? null,
      operator: options.operator,
      trigger: options.trigger ?? 'manual',
      recover: options.recover ?? true,
      signal: controller.signal,
      progress: progressOf(out, `drill ${id}`),
    })
    out.result('drill', report, reportText(report))
    process.exitCode = DRILL_EXIT[report.verdict]
    return report
  } finally {
    process.off('SIGINT', onSigint)
  }
}

export async function drillList(options: { dir?: string }, out: Output): Promise<void> {
  const dir = labDir(options.dir)
  const reports = listReports(dir)
  const trend = trends(reports)
  const scenarios = Object.values(SCENARIOS).map((s) => ({ id: s.id, title: s.title, titleZh: s.titleZh, targets: s.targets }))
  const lines = [
    'scenarios:',
    ...scenarios.map((s) => `  ${s.id.padEnd(20)} ${s.titleZh} — ${s.title} (RTO ≤ ${s.targets.rtoSeconds} s)`),
    ...Object.entries(SCENARIO_ALIASES).map(([alias, target]) => `  ${alias.padEnd(20)} = ${target}`),
    ...NOT_YET.map((s) => `  ${s.id.padEnd(20)} not yet: ${s.why}`),
    '',
    reports.length ? `history (${reports.length} drills in ${dir}/reports):` : `no drills yet in ${dir}/reports`,
    ...reports
      .slice(-20)
      .reverse()
      .map(
        (r) =>
          `  ${r.id.padEnd(42)} ${r.verdict.padEnd(8)} RTO ${fmt(r.measurements.rtoSeconds).padStart(8)}  missing writes ${String(r.measurements.rpo?.missingWrites ?? '—').padStart(3)}  level ${r.gbt20988.level ?? '—'}`,
      ),
    ...(trend.length ? ['', 'trend:'] : []),
    ...trend.map(
      (t) =>
        `  ${t.scenario.padEnd(20)} ${t.runs} runs, ${t.passed} passed; RTO best ${fmt(t.rtoSeconds.best)}, median ${fmt(t.rtoSeconds.median)}, worst ${fmt(
          t.rtoSeconds.worst,
        )}; ${t.direction}`,
    ),
  ]
  out.result(
    'drills',
    {
      scenarios,
      notYet: NOT_YET,
      reports: reports.map((r) => ({
        id: r.id,
        scenario: r.scenario,
        verdict: r.verdict,
        startedAt: r.startedAt,
        rtoSeconds: r.measurements.rtoSeconds,
        missingWrites: r.measurements.rpo?.missingWrites ?? null,
        level: r.gbt20988.level,
      })),
      trends: trend,
    },
    lines.join('\n'),
  )
}

export async function drillExport(
  id: string,
  options: { dir?: string; format: 'json' | 'html' | 'pdf'; lang?: 'zh-CN' | 'en'; output?: string },
  out: Output,
): Promise<void> {
  const dir = labDir(options.dir)
  if (options.format === 'pdf' && !options.output) throw new CliError('a PDF goes to a file: add --output <file>.pdf')
  const report = loadReport(dir, id)
  const html = () => renderHtml(report, listReports(dir), { lang: options.lang ?? 'zh-CN' })
  const body =
    options.format === 'pdf'
      ? await htmlToPdf(html(), { what: 'drill report' })
      : options.format === 'html'
        ? html()
        : `${JSON.stringify(report, null, 2)}\n`
  if (!options.output) {
    process.stdout.write(body)
    return
  }
  writeFileSync(options.output, body)
  out.result('drill-export', { id: report.id, file: options.output, format: options.format }, `wrote ${options.output}`)
}

export async function drillAbort(options: { dir?: string }, out: Output): Promise<void> {
  const file = engageKillSwitch(options.dir ?? null)
  out.result(
    'drill-abort',
    { file },
    `kill switch engaged (${file}): a running drill stops and restores the lab; the file is removed when it has`,
  )
}
