import { type Static, Type } from 'typebox'

const NullableStr = Type.Union([Type.String(), Type.Null()])
const NullableNum = Type.Union([Type.Number(), Type.Null()])

/** How a drill run came about: the API now, a schedule's due time, or `suanpan drill run` on the lab's host. */
export const DRILL_TRIGGERS = ['manual', 'scheduled', 'cli'] as const
export type DrillTrigger = (typeof DRILL_TRIGGERS)[number]

/**
 * `queued` (a scheduled run claimed, not started) → `running` → the verdict: `pass`, `fail`, `aborted` (kill
 * switch), `skipped` (pre-flight failed, no lab, or another drill was running); `missed`: a due time that passed
 * while no control plane was running — recorded, never run late.
 */
export const DRILL_STATUSES = ['queued', 'running', 'pass', 'fail', 'aborted', 'skipped', 'missed'] as const
export type DrillStatus = (typeof DRILL_STATUSES)[number]
const DrillStatusSchema = Type.Union(DRILL_STATUSES.map((s) => Type.Literal(s)))

export const DrillRunIdSchema = Type.String({ pattern: '^dr-[0-9a-f]{12}$', description: 'dr- and 12 hex digits' })
export const DrillScheduleIdSchema = Type.String({ pattern: '^ds-[0-9a-f]{12}$', description: 'ds- and 12 hex digits' })

/** One drill run as listed. Times are ISO 8601; figures are null until the drill measured them. */
export const DrillRunSummarySchema = Type.Object({
  id: Type.String(),
  scenario: Type.String(),
  trigger: Type.String(),
  status: Type.String(),
  scheduleId: NullableStr,
  scheduledFor: NullableStr,
  startedAt: NullableStr,
  finishedAt: NullableStr,
  verdict: NullableStr,
  /** Fault → first acknowledged write through the API. */
  rtoSeconds: NullableNum,
  /** Acknowledged writes missing after the fault. */
  rpoWrites: NullableNum,
  /** GB/T 20988 level the RTO/RPO permit. */
  level: NullableNum,
  /** The report's own id (its file in the lab's reports/). */
  reportId: NullableStr,
  requestedBy: Type.String(),
  /** Why it was skipped, missed, aborted, or failed without a report. */
  detail: NullableStr,
})
export type DrillRunSummary = Static<typeof DrillRunSummarySchema>

export const DrillProgressEventSchema = Type.Object({
  at: Type.String(),
  step: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
})
export type DrillProgressEvent = Static<typeof DrillProgressEventSchema>

export const DrillRunListSchema = Type.Object({ runs: Type.Array(DrillRunSummarySchema) })

export const DrillRunDetailSchema = Type.Object({
  run: DrillRunSummarySchema,
  /** The drill report (control-plane/src/dr/report.ts, schema suanpan.drill-report/v1), null before it finished. */
  report: Type.Unknown(),
  /** Steps of a drill this instance runs or ran since it started (kept in memory); empty otherwise. */
  progress: Type.Array(DrillProgressEventSchema),
})

export const DrillListQuerySchema = Type.Object(
  {
    scenario: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    status: Type.Optional(DrillStatusSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
)

/** POST /api/v1/drills: run one scenario now on the control plane's DR lab. */
export const DrillRequestSchema = Type.Object({ scenario: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false })
export type DrillRequest = Static<typeof DrillRequestSchema>

export const DrillReportQuerySchema = Type.Object(
  {
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('html'), Type.Literal('pdf')])),
    lang: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])),
  },
  { additionalProperties: false },
)

export const DrillScenarioSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  titleZh: Type.String(),
  description: Type.String(),
  targets: Type.Object({
    rtoSeconds: Type.Number(),
    rpoWrites: NullableNum,
    rpoSeconds: Type.Number(),
    requireReplication: Type.Boolean(),
  }),
})

export const DrillScenarioListSchema = Type.Object({
  scenarios: Type.Array(DrillScenarioSchema),
  /** Scenarios of the issue not built yet, with why. */
  notYet: Type.Array(Type.Object({ id: Type.String(), why: Type.String() })),
  /** The DR lab drills run on: `problem` says why none can start (no lab at `dir`), null when one can. */
  lab: Type.Object({ dir: Type.String(), problem: Type.Union([Type.String(), Type.Null()]) }),
})

/** Per scenario over the stored reports (report.ts trends()): runs, passes, RTO best/median/worst, direction. */
export const DrillTrendListSchema = Type.Object({ trends: Type.Array(Type.Unknown()) })

/** POST /api/v1/drill-schedules: a scenario and a 5-field cron expression in Beijing time. */
export const DrillScheduleRequestSchema = Type.Object(
  {
    scenario: Type.String({ minLength: 1, maxLength: 64 }),
    /** minute hour day-of-month month day-of-week, Asia/Shanghai; e.g. `0 3 * * 1` (Mondays 03:00). */
    cron: Type.String({ minLength: 1, maxLength: 120 }),
    enabled: Type.Optional(Type.Boolean()),
    /** Always Asia/Shanghai: given only to be explicit. */
    timezone: Type.Optional(Type.Literal('Asia/Shanghai')),
  },
  { additionalProperties: false },
)
export type DrillScheduleRequest = Static<typeof DrillScheduleRequestSchema>

export const DrillScheduleSchema = Type.Object({
  id: Type.String(),
  scenario: Type.String(),
  cron: Type.String(),
  timezone: Type.String(),
  enabled: Type.Boolean(),
  createdBy: Type.String(),
  createdAt: Type.String(),
  /** Next due time (ISO), null when disabled. */
  nextRun: NullableStr,
  /** The latest run of this schedule (any status, `missed` included). */
  lastRun: Type.Union([DrillRunSummarySchema, Type.Null()]),
})
export type DrillSchedule = Static<typeof DrillScheduleSchema>

export const DrillScheduleListSchema = Type.Object({ schedules: Type.Array(DrillScheduleSchema) })

export const DrillAbortSchema = Type.Object({
  /** The drill this control plane runs (stopped through its AbortSignal); null for a drill started from the CLI. */
  run: Type.Union([DrillRunSummarySchema, Type.Null()]),
  /** The kill-switch file written for a CLI drill on the lab (`suanpan drill abort` writes the same). */
  killSwitch: NullableStr,
  via: Type.Union([Type.Literal('signal'), Type.Literal('file')]),
})
