import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../store/open'
import { cronOf, JobScheduler, lastDue, type MonthlyJob, parseMonthly, previousMonthPeriod } from './jobs'

const dir = mkdtempSync(join(tmpdir(), 'suanpan-jobs-'))
const stores: Store[] = []
afterAll(async () => {
  for (const s of stores) await s.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('monthly schedules in Beijing time', () => {
  it('parses "monthly D HH:MM" and "off", naming what is wrong', () => {
    expect(parseMonthly('monthly 1 02:00')).toEqual({ day: 1, hour: 2, minute: 0 })
    expect(cronOf({ day: 1, hour: 2, minute: 0 })).toBe('0 2 1 * *')
    expect(parseMonthly('off')).toBeNull()
    expect(() => parseMonthly('monthly 31 02:00')).toThrow(/day 1-28/)
    expect(() => parseMonthly('weekly')).toThrow(/monthly D HH:MM/)
  })

  it('finds the last due time across month and year ends, in UTC+8', () => {
    const s = { day: 1, hour: 2, minute: 0 }
    // 2026-12-01 01:59 Beijing = 2026-11-30 17:59 UTC: the December run is not due yet.
    expect(new Date(lastDue(s, Date.UTC(2026, 10, 30, 17, 59))).toISOString()).toBe('2026-10-31T18:00:00.000Z')
    expect(new Date(lastDue(s, Date.UTC(2026, 10, 30, 18, 0))).toISOString()).toBe('2026-11-30T18:00:00.000Z')
    // 2027-01-01 00:30 Beijing (still 2026 in UTC): the last due run was 2026-12-01 02:00 Beijing.
    expect(new Date(lastDue(s, Date.UTC(2026, 11, 31, 16, 30))).toISOString()).toBe('2026-11-30T18:00:00.000Z')
    expect(previousMonthPeriod(Date.UTC(2026, 11, 31, 18, 0))).toBe('2026-12')
    expect(previousMonthPeriod(Date.UTC(2026, 11, 31, 15, 0))).toBe('2026-11')
  })
})

describe('persisted monthly jobs on the real SQLite store', () => {
  async function setup() {
    const store = await openStore({ sqlitePath: join(dir, `${stores.length}.db`), databaseUrl: null })
    stores.push(store)
    const clock = { now: Date.UTC(2026, 10, 15) }
    const ran: string[] = []
    const job: MonthlyJob = {
      name: 'test-census',
      schedule: { day: 1, hour: 2, minute: 0 },
      slotOf: previousMonthPeriod,
      run: async (slot) => {
        ran.push(slot)
        return `made ${slot}`
      },
    }
    const scheduler = () => new JobScheduler(store, () => clock.now, { warn: () => {} })
    return { store, clock, ran, job, scheduler }
  }

  it('a fresh install does not run the slots before it; a run missed while down runs once at start-up, marked late', async () => {
    const { clock, ran, job, scheduler } = await setup()
    const first = scheduler()
    await first.start(job)
    expect(ran).toEqual([])
    await first.stop()
    // Down over 1 December 02:00 Beijing; back on the 3rd.
    clock.now = Date.UTC(2026, 11, 3)
    const second = scheduler()
    await second.start(job)
    expect(ran).toEqual(['2026-11'])
    const status = await second.status(job)
    expect(status.runs).toHaveLength(1)
    expect(status.runs[0]).toMatchObject({ slot: '2026-11', outcome: 'ok-late' })
    expect(status.runs[0]?.detail).toContain('missed')
    expect(status.nextRun).not.toBeNull()
    await second.stop()
    // Restarting again repeats nothing.
    const third = scheduler()
    await third.start(job)
    expect(ran).toEqual(['2026-11'])
    await third.stop()
  })

  it('two instances due at the same moment: the slot runs once', async () => {
    const { ran, job, scheduler } = await setup()
    const [a, b] = [scheduler(), scheduler()]
    const results = await Promise.all([a.runSlot(job, '2026-12', false), b.runSlot(job, '2026-12', false)])
    expect(results.filter(Boolean)).toHaveLength(1)
    expect(ran).toEqual(['2026-12'])
  })

  it('a failing run is recorded as failed with its message, not retried as if it never ran', async () => {
    const { job, scheduler } = await setup()
    const s = scheduler()
    const failing = { ...job, run: async () => Promise.reject(new Error('store is read-only')) }
    expect(await s.runSlot(failing, '2026-10', false)).toBe(true)
    expect(await s.runSlot(failing, '2026-10', false)).toBe(false)
    expect((await s.status(failing)).runs[0]).toMatchObject({ outcome: 'failed', detail: 'store is read-only' })
  })
})
