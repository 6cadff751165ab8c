import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { backoffCeiling } from './backoff'
import { ReportClient } from './client'
import { type FakeControlPlane, fakeFullReport, fakeUsageReport, startFakeControlPlane } from './fake-control-plane'
import { silentLogger } from './log'
import { type AttemptEvent, Pusher, type PusherOptions, type Sleep } from './pusher'
import { Spool } from './spool'

const TOKEN = 'token-bj-test-1'

/** A sleep the test releases by hand, so retries happen exactly when the test says. */
function manualSleep() {
  const pending: { ms: number; wake: () => void }[] = []
  const waiters: ((s: { ms: number; wake: () => void }) => void)[] = []
  const sleep: Sleep = (ms, signal) =>
    new Promise((resolve) => {
      const s = { ms, wake: () => resolve() }
      signal.addEventListener('abort', () => resolve(), { once: true })
      const waiter = waiters.shift()
      if (waiter) waiter(s)
      else pending.push(s)
    })
  const next = () =>
    new Promise<{ ms: number; wake: () => void }>((resolve) => {
      const s = pending.shift()
      if (s) resolve(s)
      else waiters.push(resolve)
    })
  return { sleep, next }
}

describe('Pusher against a fake control plane', () => {
  let cp: FakeControlPlane
  let dir: string
  const pushers: Pusher[] = []

  beforeEach(async () => {
    cp = await startFakeControlPlane({ tokens: { [TOKEN]: 'bj-test-1' } })
    dir = await mkdtemp(join(tmpdir(), 'suanpan-pusher-'))
  })
  afterEach(async () => {
    await Promise.all(pushers.splice(0).map((p) => p.stop()))
    await cp.close()
    await rm(dir, { recursive: true, force: true })
  })

  async function makePusher(opts: Partial<PusherOptions> = {}) {
    const spool = await Spool.open({ dir, fsync: false })
    const pusher = new Pusher({
      sender: new ReportClient({ baseUrl: cp.baseUrl, token: TOKEN, timeoutMs: 2000 }),
      spool,
      logger: silentLogger,
      random: () => 0.5,
      ...opts,
    })
    pushers.push(pusher)
    return { pusher, spool }
  }

  const acceptedSequences = () => cp.accepted.map((r) => r.sequence)

  it('sends straight through when the spool is empty and the control plane is up', async () => {
    const { pusher } = await makePusher()
    expect(await pusher.submit(fakeFullReport(1))).toBe('sent')
    expect(await pusher.submit(fakeUsageReport(2))).toBe('sent')
    expect(acceptedSequences()).toEqual([1, 2])
    expect(pusher.depth).toBe(0)
  })

  it('spools during an outage and drains in order once the control plane is back', async () => {
    const { sleep, next } = manualSleep()
    const { pusher } = await makePusher({ sleep })
    cp.mode = 'down'
    expect(await pusher.submit(fakeFullReport(1))).toBe('spooled')
    const firstRetry = await next()
    for (const seq of [2, 3, 4]) expect(await pusher.submit(fakeUsageReport(seq))).toBe('spooled')
    expect(await pusher.submit(fakeFullReport(5))).toBe('spooled')
    expect(pusher.depth).toBe(5)
    cp.mode = 'up'
    firstRetry.wake()
    await pusher.idle()
    expect(acceptedSequences()).toEqual([1, 2, 3, 4, 5])
    expect(pusher.depth).toBe(0)
    // While down, only the head was tried; nothing behind it jumped the queue.
    expect(cp.requests.filter((r) => r.status === 503).map((r) => r.sequence)).toEqual([1])
  })

  it('keeps order when a report arrives while another is on the wire', async () => {
    const { pusher } = await makePusher()
    const outcomes = await Promise.all([
      pusher.submit(fakeFullReport(1)),
      pusher.submit(fakeUsageReport(2)),
      pusher.submit(fakeUsageReport(3)),
    ])
    await pusher.idle()
    expect(outcomes).toEqual(['sent', 'spooled', 'spooled'])
    expect(acceptedSequences()).toEqual([1, 2, 3])
  })

  it('leaves the spool on disk when stopped, and a new agent on the same directory drains it', async () => {
    const { sleep, next } = manualSleep()
    const first = await makePusher({ sleep })
    cp.mode = 'down'
    await first.pusher.submit(fakeFullReport(1))
    await next()
    await first.pusher.submit(fakeUsageReport(2))
    await first.pusher.submit(fakeUsageReport(3))
    await first.pusher.stop()
    expect(acceptedSequences()).toEqual([])

    cp.mode = 'up'
    const second = await makePusher()
    expect(second.pusher.depth).toBe(3)
    second.pusher.start()
    await second.pusher.idle()
    expect(acceptedSequences()).toEqual([1, 2, 3])
    expect(second.spool.depth).toBe(0)
  })

  it('backs off exponentially with full jitter, capped, and resets after a success', async () => {
    const randoms = [0.9, 0.1, 0.99, 0.5, 0.75, 0.999, 0.3, 0.6]
    let r = 0
    const { sleep, next } = manualSleep()
    const backoff = { baseMs: 100, capMs: 1000 }
    const { pusher } = await makePusher({ sleep, backoff, random: () => randoms[r++ % randoms.length] ?? 0 })
    cp.mode = 'down'
    await pusher.submit(fakeFullReport(1))
    const delays: number[] = []
    for (let attempt = 1; attempt <= randoms.length; attempt++) {
      const s = await next()
      delays.push(s.ms)
      const ceiling = backoffCeiling(attempt, backoff)
      expect(s.ms).toBeGreaterThanOrEqual(0)
      expect(s.ms).toBeLessThan(ceiling)
      expect(s.ms).toBe(Math.floor((randoms[attempt - 1] ?? 0) * ceiling))
      if (attempt === randoms.length) cp.mode = 'up'
      s.wake()
    }
    await pusher.idle()
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000)
    expect(delays.slice(-3).every((d, i) => d === Math.floor((randoms[i + 5] ?? 0) * 1000))).toBe(true)
    expect(acceptedSequences()).toEqual([1])
    // A success resets the backoff: the next outage starts again from the base.
    cp.mode = 'down'
    await pusher.submit(fakeUsageReport(2))
    expect((await next()).ms).toBeLessThan(100)
  })

  it('does not retry a report the control plane rejects (4xx), and does not let it block the ones behind it', async () => {
    const events: AttemptEvent[] = []
    const { sleep, next } = manualSleep()
    const { pusher } = await makePusher({ sleep, hooks: { attempt: (e) => events.push(e) } })
    cp.mode = 'down'
    await pusher.submit(fakeFullReport(1))
    const retry = await next()
    await pusher.submit(fakeUsageReport(2))
    await pusher.submit(fakeUsageReport(3))
    cp.mode = 'up'
    cp.override = (report) =>
      report?.sequence === 2
        ? { status: 400, body: { statusCode: 400, code: 'INVALID_REPORT', error: 'Bad Request', message: 'no' } }
        : undefined
    retry.wake()
    await pusher.idle()
    expect(acceptedSequences()).toEqual([1, 3])
    expect(cp.requests.filter((r) => r.sequence === 2)).toHaveLength(1)
    expect(events.map((e) => `${e.sequence}:${e.outcome}`)).toEqual(['1:retry', '1:accepted', '2:rejected', '3:accepted'])
    expect(events.find((e) => e.outcome === 'rejected')?.error?.code).toBe('INVALID_REPORT')
    expect(pusher.depth).toBe(0)
  })

  it('answers a rejected direct send with "rejected" and sends the next report at once', async () => {
    const { pusher } = await makePusher()
    cp.override = (report) => (report?.sequence === 1 ? { status: 413, body: { code: 'TOO_LARGE', message: 'too large' } } : undefined)
    expect(await pusher.submit(fakeFullReport(1))).toBe('rejected')
    expect(await pusher.submit(fakeFullReport(2))).toBe('sent')
  })

  it('asks the producer for a full report on FULL_REPORT_REQUIRED, unless one is already queued', async () => {
    let requested = 0
    const { sleep, next } = manualSleep()
    const { pusher } = await makePusher({ sleep, hooks: { fullReportRequired: () => requested++ } })
    expect(await pusher.submit(fakeUsageReport(1))).toBe('rejected')
    expect(requested).toBe(1)

    cp.mode = 'down'
    await pusher.submit(fakeUsageReport(2))
    const retry = await next()
    await pusher.submit(fakeFullReport(3))
    cp.mode = 'up'
    retry.wake()
    await pusher.idle()
    expect(requested).toBe(1)
    expect(acceptedSequences()).toEqual([3])
  })

  it('retries through a cut connection just like a 503', async () => {
    const { sleep, next } = manualSleep()
    const { pusher } = await makePusher({ sleep })
    cp.mode = 'reset'
    expect(await pusher.submit(fakeFullReport(1))).toBe('spooled')
    cp.mode = 'up'
    ;(await next()).wake()
    await pusher.idle()
    expect(acceptedSequences()).toEqual([1])
  })
})
