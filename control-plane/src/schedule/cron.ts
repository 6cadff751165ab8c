import { hostname } from 'node:os'
import cron from 'node-cron'

/** Every schedule of the control plane is in Beijing time. */
export const SCHEDULE_TIMEZONE = 'Asia/Shanghai'
/** China has one offset all year (no daylight saving), so local days are fixed 24 h spans. */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000
const DAY_MS = 86_400_000

/**
 * Who claims a scheduled run: host and process. A restarted control plane (a new pid on the same host) can so
 * tell that a claim left unfinished was its dead predecessor's.
 */
export const instanceName = (): string => `${hostname()}:${process.pid}`

/** A cron expression that is not a valid 5-field expression; the message names the part. */
export class CronError extends Error {}

const FIELD_NAMES: Record<string, string> = {
  second: 'second',
  minute: 'minute',
  hour: 'hour',
  dayOfMonth: 'day of month',
  month: 'month',
  dayOfWeek: 'day of week',
  expression: 'expression',
}

/**
 * A 5-field cron expression (minute hour day-of-month month day-of-week), in Beijing time, checked by node-cron
 * (which also schedules it). Seconds (a sixth field) and nicknames are refused: nothing here runs more than once a
 * minute. Returns the expression with its whitespace normalized; throws CronError naming the wrong part.
 */
export function parseCron(text: string): string {
  const fields = text.trim().split(/\s+/).filter(Boolean)
  if (fields.length !== 5)
    throw new CronError(`expected 5 fields (minute hour day-of-month month day-of-week, Beijing time), got ${fields.length}`)
  const expression = fields.join(' ')
  const result = cron.validateDetailed(expression)
  const first = result.errors[0]
  if (!result.valid || first) {
    const field = FIELD_NAMES[first?.field ?? 'expression'] ?? first?.field
    throw new CronError(
      `${field} "${first?.value ?? expression}" is not valid${first && !first.message.includes('invalid') ? `: ${first.message}` : ''}`,
    )
  }
  return expression
}

/**
 * Calls `visit` with each due time (epoch ms) of a valid 5-field expression in (after, until], oldest first, until it
 * returns false. Matching is node-cron's own (day of month and day of week both apply), walked over the expression's
 * hours and minutes of each Beijing day rather than minute by minute.
 */
function walkDue(expression: string, after: number, until: number, visit: (at: number) => boolean): void {
  if (until <= after) return
  const fields = cron.parse(expression)
  const sorted = (values: number[]) => [...new Set(values.map(Number))].sort((a, b) => a - b)
  const hours = sorted(fields.hour)
  const minutes = sorted(fields.minute)
  const task = cron.createTask(expression, () => {}, { timezone: SCHEDULE_TIMEZONE })
  try {
    const firstDay = Math.floor((after + SHANGHAI_OFFSET_MS) / DAY_MS)
    const lastDay = Math.floor((until + SHANGHAI_OFFSET_MS) / DAY_MS)
    for (let day = firstDay; day <= lastDay; day++) {
      for (const hour of hours) {
        for (const minute of minutes) {
          const at = day * DAY_MS + hour * 3_600_000 + minute * 60_000 - SHANGHAI_OFFSET_MS
          if (at <= after || at > until || !task.match(new Date(at))) continue
          if (!visit(at)) return
        }
      }
    }
  } finally {
    void task.destroy()
  }
}

/** The due times in (after, until], oldest first: at most `max` of them (the latest), with `total` counting all. */
export function dueTimes(
  expression: string,
  after: number,
  until: number,
  max = Number.POSITIVE_INFINITY,
): { times: number[]; total: number } {
  const times: number[] = []
  let total = 0
  walkDue(expression, after, until, (at) => {
    total += 1
    times.push(at)
    if (times.length > max) times.shift()
    return true
  })
  return { times, total }
}

/** The next due time strictly after `after`, looking at most `horizonDays` ahead; null when there is none. */
export function nextDue(expression: string, after: number, horizonDays = 400): number | null {
  let next: number | null = null
  walkDue(expression, after, after + horizonDays * DAY_MS, (at) => {
    next = at
    return false
  })
  return next
}
