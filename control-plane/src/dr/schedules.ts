// Scheduled drills (issue 5 §4): persisted schedules, node-cron tasks in Beijing time, each due run claimed in
// the store exactly once, and due times nobody was up for recorded as missed (never run late).
import cron, { type ScheduledTask } from 'node-cron'
import { LedgerError } from '../ledger/errors'
import { CronError, dueTimes, nextDue, parseCron, SCHEDULE_TIMEZONE } from '../schedule/cron'
import type { DrillSchedule, DrillScheduleRequest } from '../schemas/drills'
import { isScenario, SCENARIOS } from './drills'
import { type DrillRunStore, newRunId, newScheduleId, type ScheduleRow } from './run-store'

/**
 * A due time that passes within this long before a start-up is left for a running instance to claim (its cron
 * tick may be a moment late); if nobody does, the next tick or start-up records it as missed.
 */
export const MISSED_GRACE_MS = 120_000
/** At most this many missed due times are recorded per schedule at once (the latest); older ones are counted in the log. */
export const MISSED_MAX_PER_SCHEDULE = 50
/** Missed due times are looked for this far back at most. */
const MISSED_LOOKBACK_MS = 35 * 86_400_000

export const MISSED_DETAIL =
  'no control plane was running at this due time: recorded as missed, not run late (a drill disturbs the lab; run one now with POST /api/v1/drills)'

export interface ClaimedRun {
  id: string
  scenario: string
  requestedBy: string
  scheduleId: string
  scheduledFor: number
}

export interface DrillSchedulerOptions {
  runs: DrillRunStore
  now: () => number
  /** Who claims (`host:pid`). */
  instance: string
  log: { warn(obj: unknown, msg: string): void }
  /** Called with a run this instance claimed (status `queued`): start it, or record why it cannot run. */
  launch(run: ClaimedRun): Promise<void>
  /** Reload the schedules this often to see other instances' changes (PostgreSQL); 0: only on changes made here. */
  syncEveryMs: number
}

const badRequest = (path: string, message: string) => new LedgerError(400, 'INVALID_DRILL_SCHEDULE', message, [{ path, message }])

/** Drill schedules and their cron tasks. One per control-plane instance; several may share one PostgreSQL. */
export class DrillScheduler {
  private readonly tasks = new Map<string, { cron: string; task: ScheduledTask }>()
  private timer: NodeJS.Timeout | null = null
  private syncing: Promise<void> = Promise.resolve()
  private suspended = false

  constructor(private readonly o: DrillSchedulerOptions) {}

  /** Records what was missed while no control plane ran, then installs a cron task per enabled schedule. */
  async start(): Promise<void> {
    const until = this.o.now() - MISSED_GRACE_MS
    for (const s of await this.o.runs.schedules()) if (s.enabled) await this.recordMissed(s, until)
    await this.sync()
    if (this.o.syncEveryMs > 0) {
      this.timer = setInterval(() => {
        this.sync().catch((error: unknown) => this.o.log.warn({ err: error }, 'drill schedules: reload failed'))
      }, this.o.syncEveryMs)
      this.timer.unref()
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.syncing.catch(() => {})
    for (const { task } of this.tasks.values()) await task.destroy()
    this.tasks.clear()
  }

  /** Stops the cron tasks and keeps them stopped: schedules can still be added, listed and removed, nothing fires. */
  async suspend(): Promise<void> {
    this.suspended = true
    await this.stop()
  }

  /** Cron tasks for exactly the enabled schedules in the store (serialized: a reload never installs one twice). */
  sync(): Promise<void> {
    this.syncing = this.syncing.catch(() => {}).then(() => this.syncNow())
    return this.syncing
  }

  private async syncNow(): Promise<void> {
    if (this.suspended) return
    const wanted = new Map((await this.o.runs.schedules()).filter((s) => s.enabled).map((s) => [s.id, s]))
    for (const [id, installed] of this.tasks) {
      if (wanted.get(id)?.cron === installed.cron) continue
      await installed.task.destroy()
      this.tasks.delete(id)
    }
    for (const s of wanted.values()) {
      if (this.tasks.has(s.id)) continue
      const task = cron.schedule(
        s.cron,
        (context) => {
          // The minute it was due (the tick may come a moment late).
          const due = Math.floor(context.date.getTime() / 60_000) * 60_000
          this.fire(s.id, due).catch((error: unknown) => this.o.log.warn({ err: error, schedule: s.id }, 'scheduled drill failed to start'))
        },
        { timezone: SCHEDULE_TIMEZONE, name: `drill-schedule-${s.id}`, noOverlap: true },
      )
      task.unref()
      this.tasks.set(s.id, { cron: s.cron, task })
    }
  }

  /**
   * A due time of a schedule: first any earlier due times nobody recorded (this instance was down for them, or
   * just started) are recorded as missed, then this one is claimed. Only the instance whose claim inserts the
   * row launches it. True when this call claimed it.
   */
  async fire(scheduleId: string, dueAt: number): Promise<boolean> {
    const s = await this.o.runs.schedule(scheduleId)
    if (!s?.enabled) return false
    await this.recordMissed(s, dueAt - 1)
    const run: ClaimedRun = { id: newRunId(), scenario: s.scenario, requestedBy: s.createdBy, scheduleId: s.id, scheduledFor: dueAt }
    const claimed = await this.o.runs.claim({
      ...run,
      trigger: 'scheduled',
      status: 'queued',
      claimedBy: this.o.instance,
      createdAt: this.o.now(),
    })
    if (claimed) await this.o.launch(run)
    return claimed
  }

  /**
   * Due times of `s` after the last one recorded for it (or its creation) up to `until` that have no run: recorded
   * as `missed`, each through the same claim as a run, so two instances starting together record each once. A
   * missed drill is not run late: a drill disturbs the lab on purpose, and at an unplanned hour nobody expects it.
   */
  async recordMissed(s: ScheduleRow, until: number): Promise<number> {
    const last = await this.o.runs.lastDue(s.id)
    const after = Math.max(s.createdAt, last ?? Number.NEGATIVE_INFINITY, until - MISSED_LOOKBACK_MS)
    const { times, total } = dueTimes(s.cron, after, until, MISSED_MAX_PER_SCHEDULE)
    let recorded = 0
    for (const at of times) {
      const claimed = await this.o.runs.claim({
        id: newRunId(),
        scenario: s.scenario,
        trigger: 'scheduled',
        status: 'missed',
        requestedBy: s.createdBy,
        claimedBy: this.o.instance,
        createdAt: this.o.now(),
        scheduleId: s.id,
        scheduledFor: at,
        detail: MISSED_DETAIL,
      })
      if (claimed) recorded += 1
    }
    if (total > times.length)
      this.o.log.warn(
        { schedule: s.id, missed: total, recorded: times.length },
        'drill schedule: more due times were missed than are recorded (the latest are)',
      )
    return recorded
  }

  async create(request: DrillScheduleRequest, createdBy: string): Promise<DrillSchedule> {
    if (!isScenario(request.scenario))
      throw badRequest('/scenario', `scenario "${request.scenario}" is not one of: ${Object.keys(SCENARIOS).join(', ')}`)
    let expression: string
    try {
      expression = parseCron(request.cron)
    } catch (error) {
      if (error instanceof CronError) throw badRequest('/cron', `cron: ${error.message}`)
      throw error
    }
    const row: ScheduleRow = {
      id: newScheduleId(),
      scenario: request.scenario,
      cron: expression,
      timezone: SCHEDULE_TIMEZONE,
      enabled: request.enabled ?? true,
      createdBy,
      createdAt: this.o.now(),
    }
    await this.o.runs.addSchedule(row)
    await this.sync()
    return this.view(row)
  }

  /** False when there is no such schedule. Its past runs stay. */
  async remove(id: string): Promise<boolean> {
    const removed = await this.o.runs.removeSchedule(id)
    if (removed) await this.sync()
    return removed
  }

  async list(): Promise<DrillSchedule[]> {
    return Promise.all((await this.o.runs.schedules()).map((s) => this.view(s)))
  }

  private async view(s: ScheduleRow): Promise<DrillSchedule> {
    const next = s.enabled ? nextDue(s.cron, this.o.now()) : null
    const [lastRun] = await this.o.runs.list({ scheduleId: s.id, limit: 1 })
    return {
      id: s.id,
      scenario: s.scenario,
      cron: s.cron,
      timezone: s.timezone,
      enabled: s.enabled,
      createdBy: s.createdBy,
      createdAt: new Date(s.createdAt).toISOString(),
      nextRun: next === null ? null : new Date(next).toISOString(),
      lastRun: lastRun ?? null,
    }
  }
}
