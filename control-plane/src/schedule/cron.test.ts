import { describe, expect, it } from 'vitest'
import { CronError, dueTimes, nextDue, parseCron } from './cron'

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

describe('cron expressions in Beijing time', () => {
  it('accepts 5 fields and normalizes whitespace; names the field that is wrong', () => {
    expect(parseCron('  0   3 * *  1 ')).toBe('0 3 * * 1')
    expect(parseCron('*/15 9-17 * * mon-fri')).toBe('*/15 9-17 * * mon-fri')
    expect(() => parseCron('0 0 3 * * 1')).toThrow(/expected 5 fields .* got 6/)
    expect(() => parseCron('@daily')).toThrow(CronError)
    expect(() => parseCron('61 3 * * *')).toThrow(/^minute "61" is not valid/)
    expect(() => parseCron('0 24 * * *')).toThrow(/^hour "24"/)
    expect(() => parseCron('0 3 32 * *')).toThrow(/^day of month "32"/)
    expect(() => parseCron('0 3 * 13 *')).toThrow(/^month "13"/)
    expect(() => parseCron('0 3 * * 9')).toThrow(/^day of week "9"/)
    expect(() => parseCron('0 3 30 2 *')).toThrow(/impossible day of month/)
    expect(() => parseCron('0 3 * * ;')).toThrow(CronError)
  })

  it('lists due times in (after, until] in UTC+8, across a year end, keeping the latest when capped', () => {
    // 03:00 Beijing = 19:00 UTC the day before.
    const after = Date.UTC(2026, 11, 30, 19, 0)
    const { times, total } = dueTimes('0 3 * * *', after, Date.UTC(2027, 0, 2, 19, 0))
    expect(times.map(iso)).toEqual(['2026-12-31T19:00:00.000Z', '2027-01-01T19:00:00.000Z', '2027-01-02T19:00:00.000Z'])
    expect(total).toBe(3)
    const capped = dueTimes('0 3 * * *', after, Date.UTC(2027, 0, 2, 19, 0), 1)
    expect(capped).toEqual({ times: [Date.UTC(2027, 0, 2, 19, 0)], total: 3 })
    // Day of week is Beijing's: Monday 1 a.m. in Beijing is still Sunday in UTC.
    expect(dueTimes('0 1 * * 1', Date.UTC(2026, 8, 19), Date.UTC(2026, 8, 27)).times.map(iso)).toEqual(['2026-09-20T17:00:00.000Z'])
    expect(dueTimes('0 3 * * *', 10, 10)).toEqual({ times: [], total: 0 })
  })

  it('finds the next due time strictly after now', () => {
    expect(iso(nextDue('0 3 * * *', Date.UTC(2026, 8, 21, 19, 0)))).toBe('2026-09-22T19:00:00.000Z')
    expect(iso(nextDue('*/10 * * * *', Date.UTC(2026, 8, 21, 19, 1)))).toBe('2026-09-21T19:10:00.000Z')
    // 29 February: the next one is in 2028.
    expect(iso(nextDue('0 0 29 2 *', Date.UTC(2026, 8, 21), 800))).toBe('2028-02-28T16:00:00.000Z')
  })
})
