import { createServer } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ReportClient } from './client'
import { ReportError } from './errors'
import { type FakeControlPlane, fakeFullReport, fakeUsageReport, startFakeControlPlane } from './fake-control-plane'

const TOKEN = 'token-bj-test-1'

async function rejection(p: Promise<unknown>): Promise<ReportError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(err instanceof ReportError)) throw new Error(`expected a ReportError, got ${String(err)}`)
  return err
}

describe('ReportClient against a fake control plane', () => {
  let cp: FakeControlPlane
  let client: ReportClient
  beforeEach(async () => {
    cp = await startFakeControlPlane({ tokens: { [TOKEN]: 'bj-test-1' } })
    client = new ReportClient({ baseUrl: `${cp.baseUrl}/`, token: TOKEN, timeoutMs: 2000 })
  })
  afterEach(() => cp.close())

  it('returns the ack of an accepted report, and the same ack for a replay', async () => {
    const ack = await client.send(fakeFullReport(5))
    expect(ack).toMatchObject({ status: 'accepted', clusterId: 'bj-test-1', sequence: 5, lastSequence: 5 })
    expect(await client.send(fakeFullReport(5))).toEqual(ack)
    expect(await client.send(fakeFullReport(4))).toMatchObject({ status: 'ignored-older', lastSequence: 5 })
  })

  it('throws a non-retryable error carrying the ApiError fields on 400', async () => {
    const bad = { ...fakeFullReport(1), nodes: [{ name: '' }] }
    const err = await rejection(client.sendBody(JSON.stringify(bad)))
    expect(err).toMatchObject({ retryable: false, status: 400, code: 'INVALID_REPORT', reason: 'rejected' })
    expect(err.apiError?.fields?.some((f) => f.path.startsWith('/nodes/0'))).toBe(true)
  })

  it('throws a non-retryable error on a bad token', async () => {
    const other = new ReportClient({ baseUrl: cp.baseUrl, token: 'wrong' })
    expect(await rejection(other.send(fakeFullReport(1)))).toMatchObject({ retryable: false, status: 401, code: 'UNAUTHENTICATED' })
  })

  it('marks FULL_REPORT_REQUIRED so the pusher can ask for a full report', async () => {
    const err = await rejection(client.send(fakeUsageReport(1)))
    expect(err).toMatchObject({ retryable: false, status: 409, code: 'FULL_REPORT_REQUIRED', reason: 'full-report-required' })
  })

  it('treats 5xx and 429 as retryable and reads retry-after', async () => {
    cp.mode = 'down'
    expect(await rejection(client.send(fakeFullReport(1)))).toMatchObject({ retryable: true, status: 503, reason: 'server' })
    cp.mode = 'up'
    cp.override = () => ({ status: 429, body: { code: 'TOO_MANY', message: 'slow down' }, headers: { 'retry-after': '7' } })
    expect(await rejection(client.send(fakeFullReport(1)))).toMatchObject({
      retryable: true,
      status: 429,
      reason: 'throttled',
      retryAfterMs: 7000,
    })
  })

  it('treats a 200 that is not an ack as retryable', async () => {
    cp.override = () => ({ status: 200, body: { hello: 'portal' } })
    expect(await rejection(client.send(fakeFullReport(1)))).toMatchObject({ retryable: true, code: 'BAD_ACK' })
  })

  it('treats a cut connection as a retryable network error, with the cause', async () => {
    cp.mode = 'reset'
    const err = await rejection(client.send(fakeFullReport(1)))
    expect(err).toMatchObject({ retryable: true, reason: 'network' })
    expect(err.cause).toBeInstanceOf(Error)
  })

  it('gives up after timeoutMs with a retryable timeout', async () => {
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const address = silent.address()
    const port = typeof address === 'object' && address ? address.port : 0
    try {
      const slow = new ReportClient({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN, timeoutMs: 100 })
      expect(await rejection(slow.send(fakeFullReport(1)))).toMatchObject({ retryable: true, reason: 'timeout' })
    } finally {
      silent.close()
    }
  })
})
