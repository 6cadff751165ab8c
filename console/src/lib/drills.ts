import type { DrillProgressEvent, DrillRunSummary, DrillSchedule, DrillStatus } from '@suanpan/control-plane/schemas'

// The drills API (control-plane/src/routes/drills): the console imports only types from the contract, so the
// lists it needs at run time are copied here (each fails to compile when the contract gains a value the copy
// lacks), and the shapes the contract leaves open (the report, the trends) are mirrored from dr/report.ts.
type Exhaustive<T extends never> = T

export type { DrillProgressEvent, DrillRunSummary, DrillSchedule, DrillStatus }

/** Run statuses: queued → running → the verdict, or missed (mirrors DRILL_STATUSES). */
export const DRILL_STATUSES = [
  'queued',
  'running',
  'pass',
  'fail',
  'aborted',
  'skipped',
  'missed',
] as const satisfies readonly DrillStatus[]
export type DrillStatusesCovered = Exhaustive<Exclude<DrillStatus, (typeof DRILL_STATUSES)[number]>>

/** Statuses a run is still going in (its progress is followed, no other drill may start). */
export const ACTIVE_STATUSES: readonly string[] = ['queued', 'running']

export function isDrillStatus(value: string | null | undefined): value is DrillStatus {
  return (DRILL_STATUSES as readonly string[]).includes(value ?? '')
}

export const isActive = (status: string): boolean => ACTIVE_STATUSES.includes(status)

/** `dr-` and 12 hex digits (DrillRunIdSchema). */
export const isRunId = (value: string | null | undefined): value is string => /^dr-[0-9a-f]{12}$/.test(value ?? '')
/** A scenario id as the API accepts it in a filter (1–64 characters). */
export const isScenarioId = (value: string | null | undefined): value is string => /^[a-z0-9][a-z0-9-]{0,63}$/.test(value ?? '')

/** `GET /api/v1/drills/scenarios` (mirrors DrillScenarioListSchema, which has no exported type). */
export interface DrillScenario {
  id: string
  title: string
  titleZh: string
  description: string
  targets: { rtoSeconds: number; rpoWrites: number | null; rpoSeconds: number; requireReplication: boolean }
}

export interface DrillScenarioList {
  scenarios: DrillScenario[]
  notYet: { id: string; why: string }[]
  /** Why no drill can start now (no DR lab at `dir`), or null. */
  lab?: { dir: string; problem: string | null }
}

export interface DrillRunList {
  runs: DrillRunSummary[]
}

export interface DrillScheduleList {
  schedules: DrillSchedule[]
}

/** `POST /api/v1/drills/abort` (mirrors DrillAbortSchema). */
export interface DrillAbortResult {
  run: DrillRunSummary | null
  killSwitch: string | null
  via: 'signal' | 'file'
}

export type Verdict = 'pass' | 'fail' | 'aborted' | 'skipped'

/** One trend of `GET /api/v1/drills/trends` (mirrors Trend in control-plane/src/dr/report.ts). */
export interface DrillTrend {
  scenario: string
  runs: number
  passed: number
  rtoSeconds: { best: number | null; median: number | null; worst: number | null; last: number | null }
  missingWrites: { total: number; last: number | null }
  direction: 'better' | 'worse' | 'steady' | 'n/a'
  series: { id: string; startedAt: string; verdict: Verdict; rtoSeconds: number | null; missingWrites: number | null }[]
}

export interface DrillTrendList {
  trends: DrillTrend[]
}

export interface DrillStep {
  name: string
  /** Seconds from the drill's start. */
  startedAt: number
  seconds: number
  /** Seconds from the fault to the end of the step (null before the fault). */
  sinceFault: number | null
  timeoutSeconds: number
  status: 'ok' | 'failed' | 'timeout' | 'aborted'
  detail: Record<string, unknown>
  error?: string
}

export interface DrillRpo {
  checkedOn: string
  ackedWrites: number
  missingWrites: number
  missingSequences: number[]
  missingSpanSeconds: number
  rpoSeconds: number
  lastSequenceInLedger: number | null
}

export interface DrillIntegrity {
  ok: boolean
  members: { member: string; role: string; tables: { table: string; rows: number; checksum: string }[] }[]
  note: string
}

/** The drill report as stored (schema suanpan.drill-report/v1, control-plane/src/dr/report.ts): what the console reads of it. */
export interface DrillReport {
  schema: string
  id: string
  scenario: string
  title: string
  titleZh: string
  description: string
  rtoMeaning?: string
  trigger: string
  operator: string
  startedAt: string
  endedAt: string
  durationSeconds: number
  lab: { id: string; host: string; topology: string; engines: Record<string, string> }
  targets: { rtoSeconds: number; rpoWrites: number | null; rpoSeconds: number; lagBoundBytes: number; requireReplication: boolean }
  preflight: { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] }
  steps: DrillStep[]
  measurements: {
    faultAt: string | null
    firstAckAt: string | null
    rtoSeconds: number | null
    phases: { detectionSeconds: number | null; promotionSeconds: number | null; trafficSwitchSeconds: number | null }
    rpo: DrillRpo | null
    rpoAfterRecovery: DrillRpo | null
    probe: { writes: number; acked: number; failed: number; intervalMs: number; byTarget: Record<string, number> }
    integrity: DrillIntegrity | null
    integrityAfterRecovery: DrillIntegrity | null
    replication: { reestablished: boolean | null; note: string }
    switchover: { seconds: number; longestWriteGapSeconds: number; to: string } | null
    extra: Record<string, unknown>
  }
  findings: string[]
  verdict: Verdict
  verdictReasons: string[]
  gbt20988: {
    level: number | null
    nameZh: string | null
    nameEn: string | null
    rtoMax: string | null
    rpoMax: string | null
    note: string
  }
}

/** `GET /api/v1/drills/:id`: the run, its report once finished, its steps so far while it runs. */
export interface DrillRunDetail {
  run: DrillRunSummary
  report: DrillReport | null
  progress: DrillProgressEvent[]
}

export type ReportFormat = 'html' | 'pdf' | 'json'
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'pdf', 'json']

/** Whether a measured RTO meets its target; null when either is unknown. */
export function rtoMeets(measured: number | null | undefined, target: number | null | undefined): boolean | null {
  if (typeof measured !== 'number' || typeof target !== 'number') return null
  return measured <= target
}

/** Whether the acknowledged writes lost meet the target; null when unknown or no target in writes. */
export function rpoMeets(measured: number | null | undefined, target: number | null | undefined): boolean | null {
  if (typeof measured !== 'number' || typeof target !== 'number') return null
  return measured <= target
}

/** Seconds from start to finish of a run; null while either is missing. */
export function runSeconds(run: Pick<DrillRunSummary, 'startedAt' | 'finishedAt'>): number | null {
  if (!run.startedAt || !run.finishedAt) return null
  const s = (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000
  return Number.isFinite(s) && s >= 0 ? s : null
}

/** The file name a `Content-Disposition: attachment; filename="…"` names, else the fallback. */
export function fileNameOf(disposition: string | null, fallback: string): string {
  const m = /filename="([^"]+)"/.exec(disposition ?? '')
  return m?.[1] ?? fallback
}
