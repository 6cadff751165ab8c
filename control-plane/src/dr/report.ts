// The drill report: what an auditor reads. Stored as JSON (and HTML) under <lab>/reports/, listed as
// history with a trend per scenario. The control plane also keeps it (drill_runs) and serves it as JSON, HTML
// or PDF (this HTML printed by the census PDF path): GET /api/v1/drills/:id/report.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LevelFit } from './gbt20988'
import type { PatroniTimings } from './state'

export const REPORT_SCHEMA = 'suanpan.drill-report/v1'

export type Verdict = 'pass' | 'fail' | 'aborted' | 'skipped'
export type StepStatus = 'ok' | 'failed' | 'timeout' | 'aborted'

export interface DrillTargets {
  /** Fault → first acknowledged write at the API. */
  rtoSeconds: number
  /** Acknowledged writes that may be missing afterwards. */
  rpoWrites: number | null
  /** Time span of missing acknowledged writes that is acceptable (the lag bound for async replicas). */
  rpoSeconds: number
  /** Replication lag allowed at pre-flight (bytes). */
  lagBoundBytes: number
  /** The drill must leave replication re-established (after failback). */
  requireReplication: boolean
}

export interface DrillStep {
  name: string
  /** Seconds from the drill's start. */
  startedAt: number
  seconds: number
  /** Seconds from the fault to the end of the step (null before the fault). */
  sinceFault: number | null
  timeoutSeconds: number
  status: StepStatus
  detail: Record<string, unknown>
  error?: string
}

export interface PreflightCheck {
  name: string
  ok: boolean
  detail: string
}

export interface TableDigest {
  table: string
  rows: number
  checksum: string
}

export interface MemberDigest {
  member: string
  role: string
  tables: TableDigest[]
}

export interface IntegrityResult {
  ok: boolean
  members: MemberDigest[]
  note: string
}

export interface RpoResult {
  /** Where the acknowledged writes were looked up. */
  checkedOn: string
  ackedWrites: number
  missingWrites: number
  /** First missing sequences (at most 50). */
  missingSequences: number[]
  /** From the first to the last missing write's acknowledgement (0 when none is missing). */
  missingSpanSeconds: number
  /** RPO as a time: how far before the fault the oldest missing acknowledged write was sent (0 when none). */
  rpoSeconds: number
  lastSequenceInLedger: number | null
}

export interface DrillMeasurements {
  faultAt: string | null
  firstAckAt: string | null
  rtoSeconds: number | null
  phases: {
    detectionSeconds: number | null
    promotionSeconds: number | null
    trafficSwitchSeconds: number | null
  }
  rpo: RpoResult | null
  /** RPO again on the final primary after recovery/failback (every acknowledged write of the drill). */
  rpoAfterRecovery: RpoResult | null
  probe: { writes: number; acked: number; failed: number; intervalMs: number; byTarget: Record<string, number> }
  integrity: IntegrityResult | null
  integrityAfterRecovery: IntegrityResult | null
  replication: { reestablished: boolean | null; note: string }
  /** Planned switchover / failback: duration and the longest stretch without an acknowledged write. */
  switchover: { seconds: number; longestWriteGapSeconds: number; to: string } | null
  extra: Record<string, unknown>
}

export interface DrillReport {
  schema: typeof REPORT_SCHEMA
  id: string
  scenario: string
  title: string
  titleZh: string
  description: string
  /** What `rtoSeconds` measures in this scenario (absent: fault → first acknowledged API write). */
  rtoMeaning?: string
  trigger: 'manual' | 'scheduled'
  operator: string
  startedAt: string
  endedAt: string
  durationSeconds: number
  lab: {
    id: string
    dir: string
    host: string
    timings: PatroniTimings
    engines: Record<string, string>
    topology: string
    pgGuard: boolean
  }
  targets: DrillTargets
  preflight: { ok: boolean; checks: PreflightCheck[] }
  steps: DrillStep[]
  measurements: DrillMeasurements
  findings: string[]
  verdict: Verdict
  verdictReasons: string[]
  gbt20988: LevelFit
  exports: { json: string; html: string; pdf: string }
}

export const reportsDir = (labDir: string) => join(labDir, 'reports')

export function saveReport(labDir: string, report: DrillReport): { json: string; html: string } {
  const dir = reportsDir(labDir)
  mkdirSync(dir, { recursive: true })
  const json = join(dir, `${report.id}.json`)
  const html = join(dir, `${report.id}.html`)
  report.exports = { json, html, pdf: 'from the control plane: GET /api/v1/drills/<run id>/report?format=pdf (or print the HTML)' }
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`)
  writeFileSync(html, renderHtml(report, listReports(labDir)))
  return { json, html }
}

export function listReports(labDir: string): DrillReport[] {
  const dir = reportsDir(labDir)
  if (!existsSync(dir)) return []
  const reports: DrillReport[] = []
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue
    try {
      const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as DrillReport
      if (r.schema === REPORT_SCHEMA) reports.push(r)
    } catch {}
  }
  return reports.sort((a, b) => a.startedAt.localeCompare(b.startedAt))
}

export function loadReport(labDir: string, id: string): DrillReport {
  const reports = listReports(labDir)
  const found = reports.find((r) => r.id === id) ?? (id === 'latest' ? reports[reports.length - 1] : undefined)
  if (!found) throw new Error(`no drill report "${id}" in ${reportsDir(labDir)}`)
  return found
}

const median = (values: number[]): number | null => {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}

export interface Trend {
  scenario: string
  runs: number
  passed: number
  rtoSeconds: { best: number | null; median: number | null; worst: number | null; last: number | null }
  missingWrites: { total: number; last: number | null }
  /** Median RTO of the last 5 runs against the 5 before them: 'better', 'worse', 'steady' or 'n/a'. */
  direction: 'better' | 'worse' | 'steady' | 'n/a'
  series: { id: string; startedAt: string; verdict: Verdict; rtoSeconds: number | null; missingWrites: number | null }[]
}

export function trends(reports: DrillReport[]): Trend[] {
  const byScenario = new Map<string, DrillReport[]>()
  for (const r of reports) byScenario.set(r.scenario, [...(byScenario.get(r.scenario) ?? []), r])
  const out: Trend[] = []
  for (const [scenario, list] of byScenario) {
    const measured = list.filter((r) => r.verdict === 'pass' || r.verdict === 'fail')
    const rtos = measured.map((r) => r.measurements.rtoSeconds).filter((v): v is number => typeof v === 'number')
    const recent = median(rtos.slice(-5))
    const before = median(rtos.slice(-10, -5))
    let direction: Trend['direction'] = 'n/a'
    if (recent !== null && before !== null) {
      const change = (recent - before) / before
      direction = change < -0.1 ? 'better' : change > 0.1 ? 'worse' : 'steady'
    }
    const missing = measured.map((r) => r.measurements.rpo?.missingWrites ?? 0)
    out.push({
      scenario,
      runs: list.length,
      passed: list.filter((r) => r.verdict === 'pass').length,
      rtoSeconds: {
        best: rtos.length ? Math.min(...rtos) : null,
        median: median(rtos),
        worst: rtos.length ? Math.max(...rtos) : null,
        last: rtos[rtos.length - 1] ?? null,
      },
      missingWrites: { total: missing.reduce((a, b) => a + b, 0), last: missing[missing.length - 1] ?? null },
      direction,
      series: list.map((r) => ({
        id: r.id,
        startedAt: r.startedAt,
        verdict: r.verdict,
        rtoSeconds: r.measurements.rtoSeconds,
        missingWrites: r.measurements.rpo?.missingWrites ?? null,
      })),
    })
  }
  return out.sort((a, b) => a.scenario.localeCompare(b.scenario))
}

// ---------------------------------------------------------------- HTML

const esc = (v: unknown): string =>
  String(v ?? '—')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')

const num = (v: number | null | undefined, digits = 2, unit = '') => (typeof v === 'number' ? `${v.toFixed(digits)}${unit}` : '—')

const VERDICT_ZH: Record<Verdict, string> = { pass: '通过', fail: '未通过', aborted: '已中止', skipped: '已跳过' }

function table(head: string[], rows: (string | number)[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${typeof c === 'number' ? c : c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`
}

function sparkline(values: (number | null)[]): string {
  const v = values.filter((x): x is number => typeof x === 'number')
  if (v.length < 2) return ''
  const max = Math.max(...v)
  const w = 160
  const h = 32
  const pts = v.map((x, i) => `${((i / (v.length - 1)) * w).toFixed(1)},${(h - (x / (max || 1)) * (h - 2) - 1).toFixed(1)}`).join(' ')
  return `<svg width="${w}" height="${h}" role="img" aria-label="RTO trend"><polyline fill="none" stroke="#1f6feb" stroke-width="1.5" points="${pts}"/></svg>`
}

export interface RenderHtmlOptions {
  /** The document's language attribute; the headings are bilingual either way. Default zh-CN. */
  lang?: 'zh-CN' | 'en'
  /** The closing line (default: where the JSON is and how to get a PDF). */
  footer?: string
}

/** A self-contained HTML page (no scripts, no external assets), bilingual headings. */
export function renderHtml(r: DrillReport, history: DrillReport[] = [], options: RenderHtmlOptions = {}): string {
  const m = r.measurements
  const mark = (ok: boolean | null) => (ok === null ? '—' : ok ? '<b class="ok">✓</b>' : '<b class="bad">✗</b>')
  const rtoOk = m.rtoSeconds === null ? null : m.rtoSeconds <= r.targets.rtoSeconds
  const rpoOk =
    m.rpo === null
      ? null
      : (r.targets.rpoWrites === null || m.rpo.missingWrites <= r.targets.rpoWrites) && m.rpo.rpoSeconds <= r.targets.rpoSeconds
  const trend = trends(history.filter((h) => h.scenario === r.scenario))[0]
  const integrityRows = (i: IntegrityResult | null) =>
    i
      ? `${table(
          ['member', 'role', ...(i.members[0]?.tables.map((t) => t.table) ?? [])],
          i.members.map((mm) => [
            esc(mm.member),
            esc(mm.role),
            ...mm.tables.map((t) => `${t.rows} <code>${esc(t.checksum.slice(0, 12))}</code>`),
          ]),
        )}<p>${mark(i.ok)} ${esc(i.note)}</p>`
      : '<p>—</p>'
  return `<!doctype html>
<html lang="${options.lang ?? 'zh-CN'}"><head><meta charset="utf-8"><title>灾备演练报告 DR drill report ${esc(r.id)}</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:2rem;color:#1b1f24;max-width:70rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;font-size:.9rem}
th{background:#f6f8fa}.ok{color:#1a7f37}.bad{color:#cf222e}.verdict{font-size:1.2rem;padding:.3rem .6rem;border-radius:4px}
@page{size:A4;margin:12mm}.pass{background:#dafbe1}td code{word-break:break-all}.fail{background:#ffebe9}.aborted,.skipped{background:#fff8c5}code{font-size:.8rem}
</style></head><body>
<h1>灾备演练报告 DR drill report — ${esc(r.titleZh)} / ${esc(r.title)}</h1>
<p class="verdict ${esc(r.verdict)}">结论 Verdict: <b>${esc(VERDICT_ZH[r.verdict])} ${esc(r.verdict.toUpperCase())}</b></p>
${r.verdictReasons.length ? `<ul>${r.verdictReasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}
<h2>标识 Identity</h2>
${table(
  ['field', 'value'],
  [
    ['drill id', esc(r.id)],
    ['scenario 场景', `${esc(r.scenario)} — ${esc(r.description)}`],
    ['trigger 触发', esc(r.trigger)],
    ['operator 操作员', esc(r.operator)],
    ['started 开始', esc(r.startedAt)],
    ['ended 结束', esc(r.endedAt)],
    ['duration', num(r.durationSeconds, 1, ' s')],
    ['lab', `${esc(r.lab.id)} on ${esc(r.lab.host)} (${esc(r.lab.dir)})`],
    ['topology', esc(r.lab.topology)],
    ['Patroni ttl / loop_wait / retry_timeout', `${r.lab.timings.ttl} / ${r.lab.timings.loopWait} / ${r.lab.timings.retryTimeout} s`],
    [
      'engines',
      esc(
        Object.entries(r.lab.engines)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
      ),
    ],
  ],
)}
<h2>目标与实测 Targets and measurements</h2>
${table(
  ['measure', 'target', 'measured', ''],
  [
    [
      `RTO (${esc(r.rtoMeaning ?? 'fault → first acknowledged API write')})`,
      `≤ ${r.targets.rtoSeconds} s`,
      num(m.rtoSeconds, 2, ' s'),
      mark(rtoOk),
    ],
    [
      'RPO acknowledged writes missing',
      r.targets.rpoWrites === null ? '—' : `≤ ${r.targets.rpoWrites}`,
      m.rpo ? `${m.rpo.missingWrites} of ${m.rpo.ackedWrites}` : '—',
      mark(rpoOk),
    ],
    ['RPO as time (oldest missing write before the fault)', `≤ ${r.targets.rpoSeconds} s`, num(m.rpo?.rpoSeconds, 2, ' s'), mark(rpoOk)],
    ['detection', '', num(m.phases.detectionSeconds, 2, ' s'), ''],
    ['promotion', '', num(m.phases.promotionSeconds, 2, ' s'), ''],
    ['traffic switch', '', num(m.phases.trafficSwitchSeconds, 2, ' s'), ''],
    [
      'integrity across centers',
      'identical',
      m.integrity ? (m.integrity.ok ? 'identical' : 'DIFFERENT') : '—',
      mark(m.integrity ? m.integrity.ok : null),
    ],
    [
      'replication re-established',
      r.targets.requireReplication ? 'yes' : 'not required',
      esc(m.replication.note),
      mark(m.replication.reestablished),
    ],
    ...(m.switchover
      ? [
          [
            `failback switchover to ${esc(m.switchover.to)}`,
            '',
            `${num(m.switchover.seconds, 2, ' s')}, longest write gap ${num(m.switchover.longestWriteGapSeconds, 2, ' s')}`,
            '',
          ],
        ]
      : []),
  ],
)}
<p>Probe: ${m.probe.writes} writes every ${m.probe.intervalMs} ms through the public API, ${m.probe.acked} acknowledged, ${m.probe.failed} not; by instance: ${esc(
    Object.entries(m.probe.byTarget)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  )}.</p>
${
  Object.keys(m.extra).length
    ? `<h2>场景实测 Scenario measurements</h2>${table(
        ['measure', 'value'],
        Object.entries(m.extra).map(([k, v]) => [
          esc(k),
          `<code>${esc((typeof v === 'string' ? v : JSON.stringify(v)).slice(0, 1500))}</code>`,
        ]),
      )}`
    : ''
}
<h2>GB/T 20988 等级 Level</h2>
<p>${m.rtoSeconds === null ? 'not measured' : r.gbt20988.level === null ? 'no level fits' : `RTO/RPO fit level <b>${r.gbt20988.level}</b> ${esc(r.gbt20988.nameZh)} (${esc(r.gbt20988.nameEn)}): RTO ${esc(r.gbt20988.rtoMax)}, RPO ${esc(r.gbt20988.rpoMax)}`}</p>
<p><small>${esc(r.gbt20988.note)}</small></p>
<h2>预检 Pre-flight</h2>
${table(
  ['check', '', 'detail'],
  r.preflight.checks.map((c) => [esc(c.name), mark(c.ok), esc(c.detail)]),
)}
<h2>步骤 Steps</h2>
${table(
  ['#', 'step', 'start (s)', 'duration (s)', 'since fault (s)', 'timeout (s)', 'status', 'detail'],
  r.steps.map((s, i) => [
    i + 1,
    esc(s.name),
    num(s.startedAt, 2),
    num(s.seconds, 2),
    num(s.sinceFault, 2),
    s.timeoutSeconds,
    s.status === 'ok' ? '<b class="ok">ok</b>' : `<b class="bad">${esc(s.status)}</b>`,
    `<code>${esc(JSON.stringify(s.detail).slice(0, 400))}</code>${s.error ? ` ${esc(s.error)}` : ''}`,
  ]),
)}
<h2>数据一致性 Integrity (row counts and checksums of ledger tables)</h2>
${integrityRows(m.integrity)}
${m.integrityAfterRecovery ? `<h3>after recovery</h3>${integrityRows(m.integrityAfterRecovery)}` : ''}
${m.rpo?.missingSequences.length ? `<p>Missing acknowledged sequences: <code>${esc(m.rpo.missingSequences.join(', '))}</code></p>` : ''}
<h2>发现 Findings</h2>
${r.findings.length ? `<ul>${r.findings.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : '<p>none</p>'}
<h2>历史与趋势 History and trend</h2>
${
  trend
    ? `<p>${trend.runs} runs of ${esc(r.scenario)}, ${trend.passed} passed; RTO best ${num(trend.rtoSeconds.best)} s, median ${num(trend.rtoSeconds.median)} s, worst ${num(trend.rtoSeconds.worst)} s; trend: ${esc(trend.direction)} ${sparkline(trend.series.map((s) => s.rtoSeconds))}</p>` +
      table(
        ['drill', 'started', 'verdict', 'RTO (s)', 'missing writes'],
        trend.series
          .slice(-20)
          .reverse()
          .map((s) => [esc(s.id), esc(s.startedAt), esc(s.verdict), num(s.rtoSeconds), s.missingWrites ?? '—']),
      )
    : '<p>first run</p>'
}
<p><small>${esc(options.footer ?? `PDF: GET /api/v1/drills/<run id>/report?format=pdf from the control plane, or print this page. JSON: ${r.exports.json}`)}</small></p>
</body></html>
`
}
