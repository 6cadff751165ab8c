// Drill runs and drill schedules in the store (migration 0010_drills): rows in, API shapes out. No fastify here.
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import type { DrillRunSummary, DrillStatus, DrillTrigger } from '../schemas/drills'
import type { Store } from '../store/open'
import type { DrillRunsTable, DrillSchedulesTable } from '../store/schema'
import type { DrillReport } from './report'

export const newRunId = () => `dr-${randomBytes(6).toString('hex')}`
export const newScheduleId = () => `ds-${randomBytes(6).toString('hex')}`

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString())
const num = (v: number | null): number | null => (v === null ? null : Number(v))

export function summaryOf(row: DrillRunsTable): DrillRunSummary {
  return {
    id: row.id,
    scenario: row.scenario,
    trigger: row.trigger,
    status: row.status,
    scheduleId: row.schedule_id,
    scheduledFor: iso(num(row.scheduled_for)),
    startedAt: iso(num(row.started_at)),
    finishedAt: iso(num(row.finished_at)),
    verdict: row.verdict,
    rtoSeconds: num(row.rto_seconds),
    rpoWrites: num(row.rpo_writes),
    level: num(row.level),
    reportId: row.report_id,
    requestedBy: row.requested_by,
    detail: row.detail,
  }
}

export interface NewRun {
  id: string
  scenario: string
  trigger: DrillTrigger
  status: DrillStatus
  requestedBy: string
  claimedBy: string
  createdAt: number
  startedAt?: number | null
  finishedAt?: number | null
  scheduleId?: string | null
  scheduledFor?: number | null
  detail?: string | null
}

const rowOf = (r: NewRun): DrillRunsTable => ({
  id: r.id,
  scenario: r.scenario,
  trigger: r.trigger,
  status: r.status,
  schedule_id: r.scheduleId ?? null,
  scheduled_for: r.scheduledFor ?? null,
  created_at: r.createdAt,
  started_at: r.startedAt ?? null,
  finished_at: r.finishedAt ?? null,
  verdict: null,
  rto_seconds: null,
  rpo_writes: null,
  level: null,
  report_id: null,
  report: null,
  detail: r.detail ?? null,
  requested_by: r.requestedBy,
  claimed_by: r.claimedBy,
})

/** What a run's row says once its drill produced a report. */
export function finishedFields(report: DrillReport, finishedAt: number): Partial<DrillRunsTable> {
  return {
    status: report.verdict,
    verdict: report.verdict,
    finished_at: finishedAt,
    rto_seconds: report.measurements.rtoSeconds,
    rpo_writes: report.measurements.rpo?.missingWrites ?? null,
    level: report.gbt20988.level,
    report_id: report.id,
    report: JSON.stringify(report),
    detail: report.verdictReasons.length > 0 ? report.verdictReasons.join('; ').slice(0, 2000) : null,
  }
}

export interface ScheduleRow {
  id: string
  scenario: string
  cron: string
  timezone: string
  enabled: boolean
  createdBy: string
  createdAt: number
}

const scheduleOf = (r: DrillSchedulesTable): ScheduleRow => ({
  id: r.id,
  scenario: r.scenario,
  cron: r.cron,
  timezone: r.timezone,
  enabled: Number(r.enabled) === 1,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
})

/** The drill tables. Every method is one statement or one transaction: safe with several instances on one PostgreSQL. */
export class DrillRunStore {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.db
  }

  async insert(run: NewRun): Promise<void> {
    await this.db.insertInto('drill_runs').values(rowOf(run)).execute()
  }

  /**
   * The lease of a scheduled run: in one transaction, the schedule must still exist and be enabled, and the
   * (schedule, due time) row is inserted unless one is there. True when this call inserted it: only then may the
   * caller run (or record) it. A conflicting insert by another instance makes this false, never an error.
   */
  async claim(run: NewRun & { scheduleId: string; scheduledFor: number }): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const schedule = await trx
        .selectFrom('drill_schedules')
        .select('id')
        .where('id', '=', run.scheduleId)
        .where('enabled', '=', 1)
        .executeTakeFirst()
      if (!schedule) return false
      const inserted = await trx
        .insertInto('drill_runs')
        .values(rowOf(run))
        .onConflict((oc) => oc.columns(['schedule_id', 'scheduled_for']).doNothing())
        .executeTakeFirst()
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1
    })
  }

  async update(id: string, fields: Partial<DrillRunsTable>): Promise<void> {
    await this.db.updateTable('drill_runs').set(fields).where('id', '=', id).execute()
  }

  async get(id: string): Promise<DrillRunsTable | null> {
    return (await this.db.selectFrom('drill_runs').selectAll().where('id', '=', id).executeTakeFirst()) ?? null
  }

  /** Newest first: by due time for scheduled runs, by creation otherwise. Without the report text. */
  async list(filter: { scenario?: string; status?: string; scheduleId?: string; limit: number }): Promise<DrillRunSummary[]> {
    let q = this.db
      .selectFrom('drill_runs')
      .select([
        'id',
        'scenario',
        'trigger',
        'status',
        'schedule_id',
        'scheduled_for',
        'created_at',
        'started_at',
        'finished_at',
        'verdict',
        'rto_seconds',
        'rpo_writes',
        'level',
        'report_id',
        'detail',
        'requested_by',
        'claimed_by',
      ])
    if (filter.scenario) q = q.where('scenario', '=', filter.scenario)
    if (filter.status) q = q.where('status', '=', filter.status)
    if (filter.scheduleId) q = q.where('schedule_id', '=', filter.scheduleId)
    const rows = await q.orderBy(sql`coalesce(scheduled_for, created_at)`, 'desc').orderBy('id', 'desc').limit(filter.limit).execute()
    return rows.map((r) => summaryOf({ ...r, report: null }))
  }

  /** The reports of finished runs, oldest first (what trends() and the report's history want), the latest `limit`. */
  async reports(filter: { scenario?: string; limit: number }): Promise<DrillReport[]> {
    let q = this.db.selectFrom('drill_runs').select(['report', 'started_at']).where('report', 'is not', null)
    if (filter.scenario) q = q.where('scenario', '=', filter.scenario)
    const rows = await q.orderBy('started_at', 'desc').limit(filter.limit).execute()
    const out: DrillReport[] = []
    for (const r of rows.reverse()) {
      try {
        out.push(JSON.parse(r.report ?? '') as DrillReport)
      } catch {
        // A report that does not parse is left out of the history; the run itself still lists.
      }
    }
    return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt))
  }

  /** Runs left `queued` or `running` by an instance (`host:pid`) that is gone. */
  async unfinished(): Promise<{ id: string; claimedBy: string; status: string }[]> {
    const rows = await this.db
      .selectFrom('drill_runs')
      .select(['id', 'claimed_by', 'status'])
      .where('status', 'in', ['queued', 'running'])
      .execute()
    return rows.map((r) => ({ id: r.id, claimedBy: r.claimed_by, status: r.status }))
  }

  /** The latest due time any run of this schedule was recorded for (run, skipped or missed). */
  async lastDue(scheduleId: string): Promise<number | null> {
    const row = await this.db
      .selectFrom('drill_runs')
      .select((eb) => eb.fn.max('scheduled_for').as('last'))
      .where('schedule_id', '=', scheduleId)
      .executeTakeFirst()
    return row?.last === null || row?.last === undefined ? null : Number(row.last)
  }

  async schedules(): Promise<ScheduleRow[]> {
    const rows = await this.db.selectFrom('drill_schedules').selectAll().orderBy('created_at', 'asc').orderBy('id', 'asc').execute()
    return rows.map(scheduleOf)
  }

  async schedule(id: string): Promise<ScheduleRow | null> {
    const row = await this.db.selectFrom('drill_schedules').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? scheduleOf(row) : null
  }

  async addSchedule(s: ScheduleRow): Promise<void> {
    await this.db
      .insertInto('drill_schedules')
      .values({
        id: s.id,
        scenario: s.scenario,
        cron: s.cron,
        timezone: s.timezone,
        enabled: s.enabled ? 1 : 0,
        created_by: s.createdBy,
        created_at: s.createdAt,
      })
      .execute()
  }

  /** True when it existed. Its runs stay (they are history). */
  async removeSchedule(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('drill_schedules').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows ?? 0) > 0
  }
}
