import type { DrillSchedule } from '@suanpan/control-plane/schemas'
import { adminToken } from './cluster'
import { requestJson } from './http'
import type { Output } from './output'

interface Common {
  url: string
  /** A national-admin or drill-operator token (or the admin token). */
  adminToken?: string
}

const base = (url: string) => url.replace(/\/$/, '')
/** An ISO time as Beijing time (UTC+8 all year), to the minute. */
const beijing = (iso: string | null) => (iso ? new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ') : '—')

function scheduleLine(s: DrillSchedule): string {
  const last = s.lastRun
  return [
    s.id,
    s.scenario.padEnd(16),
    `"${s.cron}"`.padEnd(18),
    s.enabled ? 'enabled ' : 'disabled',
    `next ${beijing(s.nextRun)}`.padEnd(22),
    last ? `last ${last.status}${last.scheduledFor ? ` (due ${beijing(last.scheduledFor)})` : ''}` : 'never run',
  ].join('  ')
}

/** `suanpan drill schedule list`: the control plane's drill schedules (cron in Beijing time). */
export async function drillScheduleList(options: Common, out: Output): Promise<DrillSchedule[]> {
  const { schedules } = await requestJson<{ schedules: DrillSchedule[] }>(`${base(options.url)}/api/v1/drill-schedules`, {
    token: adminToken(options.adminToken),
  })
  out.result(
    'drill-schedules',
    { schedules },
    schedules.length === 0
      ? 'no drill schedules: suanpan drill schedule add a1-lost --cron "0 3 * * 1"'
      : ['times are Beijing time (Asia/Shanghai)', ...schedules.map(scheduleLine)].join('\n'),
  )
  return schedules
}

/** `suanpan drill schedule add <scenario> --cron "0 3 * * 1"`. */
export async function drillScheduleAdd(
  options: Common & { scenario: string; cron: string; enabled?: boolean },
  out: Output,
): Promise<DrillSchedule> {
  const schedule = await requestJson<DrillSchedule>(`${base(options.url)}/api/v1/drill-schedules`, {
    method: 'POST',
    token: adminToken(options.adminToken),
    body: { scenario: options.scenario, cron: options.cron, enabled: options.enabled ?? true },
  })
  out.result(
    'drill-schedule',
    schedule,
    `scheduled ${schedule.scenario} at "${schedule.cron}" (Beijing time) as ${schedule.id}; next ${beijing(schedule.nextRun)}${schedule.enabled ? '' : ' (disabled)'}`,
  )
  return schedule
}

/** `suanpan drill schedule remove <id>`: its past runs stay. */
export async function drillScheduleRemove(options: Common & { id: string }, out: Output): Promise<void> {
  const result = await requestJson<{ deleted: string }>(`${base(options.url)}/api/v1/drill-schedules/${encodeURIComponent(options.id)}`, {
    method: 'DELETE',
    token: adminToken(options.adminToken),
  })
  out.result('drill-schedule-removed', result, `removed drill schedule ${result.deleted} (its past runs stay)`)
}
