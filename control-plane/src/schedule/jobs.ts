import cron, { type ScheduledTask } from 'node-cron'
import type { Store } from '../store/open'
import { instanceName, SCHEDULE_TIMEZONE, SHANGHAI_OFFSET_MS } from './cron'

export { SCHEDULE_TIMEZONE } from './cron'

const INSTALLED = '(installed)'

/** "monthly D HH:MM" in Beijing time: day 1–28 so every month has it. */
export interface MonthlySchedule {
  day: number
  hour: number
  minute: number
}

export function parseMonthly(text: string): MonthlySchedule | null {
  if (text.trim() === 'off') return null
  const m = /^monthly\s+(\d{1,2})\s+(\d{1,2}):(\d{2})$/.exec(text.trim())
  const day = Number(m?.[1])
  const hour = Number(m?.[2])
  const minute = Number(m?.[3])
  if (!m || day < 1 || day > 28 || hour > 23 || minute > 59) {
    throw new Error(`schedule must be "monthly D HH:MM" (day 1-28, Beijing time) or "off", got "${text}"`)
  }
  return { day, hour, minute }
}

export function cronOf(s: MonthlySchedule): string {
  return `${s.minute} ${s.hour} ${s.day} * *`
}

/** The latest due time at or before `now` (epoch ms), in Beijing time. */
export function lastDue(s: MonthlySchedule, now: number): number {
  const local = new Date(now + SHANGHAI_OFFSET_MS)
  let y = local.getUTCFullYear()
  let mo = local.getUTCMonth()
  const at = (year: number, month: number) => Date.UTC(year, month, s.day, s.hour, s.minute) - SHANGHAI_OFFSET_MS
  if (at(y, mo) > now) {
    mo -= 1
    if (mo < 0) {
      mo = 11
      y -= 1
    }
  }
  return at(y, mo)
}

/** The month before the due time, as a census period: the run on 1 December covers 2026-11. */
export function previousMonthPeriod(due: number): string {
  const local = new Date(due + SHANGHAI_OFFSET_MS)
  const y = local.getUTCFullYear()
  const m = local.getUTCMonth()
  const py = m === 0 ? y - 1 : y
  const pm = m === 0 ? 12 : m
  return `${py}-${String(pm).padStart(2, '0')}`
}

export interface JobRun {
  slot: string
  claimedAt: string
  claimedBy: string
  finishedAt: string | null
  outcome: string | null
  detail: string | null
}

export interface JobStatus {
  job: string
  schedule: string
  timezone: string
  nextRun: string | null
  installedAt: string | null
  runs: JobRun[]
}

export interface MonthlyJob {
  name: string
  schedule: MonthlySchedule
  /** The slot a due time stands for (also the job's period label). */
  slotOf(due: number): string
  run(slot: string): Promise<string>
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString())

/**
 * Persisted monthly jobs. Each due slot is claimed by inserting its row: whichever control-plane
 * instance inserts first runs it, and a restart finds the row and does not repeat it. A slot that fell
 * due while no instance was running is run at start-up and marked late, so missed runs are visible.
 */
export class JobScheduler {
  private readonly tasks: ScheduledTask[] = []
  private readonly instance = instanceName()

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    private readonly log: { warn(obj: unknown, msg: string): void },
  ) {}

  async start(job: MonthlyJob): Promise<void> {
    const db = this.store.db
    await db
      .insertInto('scheduled_runs')
      .values({
        job: job.name,
        slot: INSTALLED,
        claimed_at: this.now(),
        claimed_by: this.instance,
        finished_at: null,
        outcome: 'installed',
        detail: null,
      })
      .onConflict((oc) => oc.columns(['job', 'slot']).doNothing())
      .execute()
    const installed = await db
      .selectFrom('scheduled_runs')
      .select('claimed_at')
      .where('job', '=', job.name)
      .where('slot', '=', INSTALLED)
      .executeTakeFirstOrThrow()
    const due = lastDue(job.schedule, this.now())
    if (due > Number(installed.claimed_at)) await this.runSlot(job, job.slotOf(due), true)
    const task = cron.schedule(
      cronOf(job.schedule),
      async () => {
        await this.runSlot(job, job.slotOf(lastDue(job.schedule, this.now())), false)
      },
      { timezone: SCHEDULE_TIMEZONE, name: job.name, noOverlap: true },
    )
    task.unref()
    this.tasks.push(task)
  }

  /** Claim and run one slot; false when it was already claimed (run before, or by another instance). */
  async runSlot(job: MonthlyJob, slot: string, catchUp: boolean): Promise<boolean> {
    const db = this.store.db
    const claimed = await db
      .insertInto('scheduled_runs')
      .values({ job: job.name, slot, claimed_at: this.now(), claimed_by: this.instance, finished_at: null, outcome: null, detail: null })
      .onConflict((oc) => oc.columns(['job', 'slot']).doNothing())
      .executeTakeFirst()
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) return false
    let outcome: string
    let detail: string
    try {
      detail = await job.run(slot)
      outcome = catchUp ? 'ok-late' : 'ok'
      if (catchUp) detail = `missed while no control plane was running; run at start-up. ${detail}`
    } catch (error) {
      outcome = 'failed'
      detail = error instanceof Error ? error.message : String(error)
      this.log.warn({ err: error, job: job.name, slot }, 'scheduled job failed')
    }
    await db
      .updateTable('scheduled_runs')
      .set({ finished_at: this.now(), outcome, detail })
      .where('job', '=', job.name)
      .where('slot', '=', slot)
      .execute()
    return true
  }

  async status(job: MonthlyJob): Promise<JobStatus> {
    const rows = await this.store.db
      .selectFrom('scheduled_runs')
      .selectAll()
      .where('job', '=', job.name)
      .orderBy('claimed_at', 'desc')
      .execute()
    const installed = rows.find((r) => r.slot === INSTALLED)
    const task = this.tasks.find((t) => t.name === job.name)
    return {
      job: job.name,
      schedule: `monthly ${job.schedule.day} ${String(job.schedule.hour).padStart(2, '0')}:${String(job.schedule.minute).padStart(2, '0')}`,
      timezone: SCHEDULE_TIMEZONE,
      nextRun: task?.getNextRun()?.toISOString() ?? null,
      installedAt: iso(installed ? Number(installed.claimed_at) : null),
      runs: rows
        .filter((r) => r.slot !== INSTALLED)
        .map((r) => ({
          slot: r.slot,
          claimedAt: iso(Number(r.claimed_at)) ?? '',
          claimedBy: r.claimed_by,
          finishedAt: iso(r.finished_at === null ? null : Number(r.finished_at)),
          outcome: r.outcome,
          detail: r.detail,
        })),
    }
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) await t.destroy()
    this.tasks.length = 0
  }
}
