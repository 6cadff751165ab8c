import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type FullReport, FullReportSchema, type UsageReport, UsageReportSchema } from '@suanpan/control-plane/schemas'
import { Compile } from 'typebox/compile'
import { afterEach, describe, expect, it } from 'vitest'
import type { SimCluster } from './cluster-types'
import { createFleet } from './fleet'
import { type FleetRunner, type SimReportClient, startFleet } from './runner'

const checkFull = Compile(FullReportSchema)
const checkUsage = Compile(UsageReportSchema)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function tokensFor(fleet: SimCluster[]): Map<string, string> {
  return new Map(fleet.map((c, i) => [c.identity.clusterId, `token-${i}`]))
}

interface Sent {
  token: string
  report: FullReport | UsageReport
}

function recordingClient(sent: Sent[], fail?: (report: FullReport | UsageReport, token: string) => boolean) {
  return (_baseUrl: string, token: string): SimReportClient => ({
    async send(report) {
      await sleep(1)
      if (fail?.(report, token)) throw Object.assign(new Error('HTTP 503'), { retryable: true, status: 503 })
      sent.push({ token, report })
    },
  })
}

function byCluster(sent: Sent[]): Map<string, Sent[]> {
  const out = new Map<string, Sent[]>()
  for (const s of sent) {
    const list = out.get(s.report.cluster.clusterId) ?? []
    list.push(s)
    out.set(s.report.cluster.clusterId, list)
  }
  return out
}

let runner: FleetRunner | undefined
afterEach(async () => {
  await runner?.stop()
  runner = undefined
})

describe('startFleet', () => {
  it('sends a full report per cluster first, then usage and full reports on staggered timers', async () => {
    const fleet = createFleet({ clusters: 6, seed: 1, nodesPerCluster: 3 })
    const tokens = tokensFor(fleet)
    const sent: Sent[] = []
    const progress: { sent: number; total: number; failed: number }[] = []
    runner = await startFleet({
      baseUrl: 'http://control-plane.invalid',
      clusters: fleet,
      tokens,
      fullIntervalMs: 90,
      usageIntervalMs: 20,
      concurrency: 2,
      onProgress: (p) => progress.push(p),
      createClient: recordingClient(sent),
    })
    expect(sent).toHaveLength(6)
    expect(sent.every((s) => s.report.kind === 'full')).toBe(true)
    expect(progress).toHaveLength(6)
    expect(progress.at(-1)).toEqual({ sent: 6, total: 6, failed: 0 })

    await sleep(300)
    await runner.stop()
    const after = sent.length
    await sleep(60)
    expect(sent.length).toBe(after)

    for (const [clusterId, reports] of byCluster(sent)) {
      expect(reports.every((r) => r.token === tokens.get(clusterId))).toBe(true)
      expect(reports[0]?.report.kind).toBe('full')
      const seqs = reports.map((r) => r.report.sequence)
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1] ?? Number.POSITIVE_INFINITY)
      expect(reports.filter((r) => r.report.kind === 'usage').length).toBeGreaterThanOrEqual(3)
      expect(reports.filter((r) => r.report.kind === 'full').length).toBeGreaterThanOrEqual(2)
      for (const { report } of reports) expect(report.kind === 'full' ? checkFull.Check(report) : checkUsage.Check(report)).toBe(true)
    }
    const stats = runner.stats()
    expect(stats.sent).toBe(sent.length)
    expect(stats.full + stats.usage).toBe(sent.length)
    expect(stats.failed).toBe(0)
  })

  it('bounds the reports in flight', async () => {
    const fleet = createFleet({ clusters: 20, seed: 2, nodesPerCluster: 2 })
    let active = 0
    let peak = 0
    runner = await startFleet({
      baseUrl: 'http://control-plane.invalid',
      clusters: fleet,
      tokens: tokensFor(fleet),
      concurrency: 3,
      createClient: () => ({
        async send() {
          active++
          peak = Math.max(peak, active)
          await sleep(5)
          active--
        },
      }),
    })
    expect(runner.stats().full).toBe(20)
    expect(peak).toBe(3)
  })

  it('counts failures without throwing and sends a full report on the next tick', async () => {
    const fleet = createFleet({ clusters: 3, seed: 3, nodesPerCluster: 2 })
    const sent: Sent[] = []
    const victim = fleet[1]?.identity.clusterId
    let failures = 0
    const progress: { sent: number; total: number; failed: number }[] = []
    runner = await startFleet({
      baseUrl: 'http://control-plane.invalid',
      clusters: fleet,
      tokens: tokensFor(fleet),
      fullIntervalMs: 10_000,
      usageIntervalMs: 20,
      onProgress: (p) => progress.push(p),
      // Fails all three tries of the first round, then works.
      createClient: recordingClient(sent, (report) => report.cluster.clusterId === victim && failures++ < 3),
    })
    expect(progress.at(-1)).toEqual({ sent: 2, total: 3, failed: 1 })
    await sleep(150)
    await runner.stop()
    const stats = runner.stats()
    expect(stats.failed).toBe(3)
    expect(stats.lastError).toContain(victim)
    const reports = byCluster(sent).get(victim ?? '') ?? []
    // Both failed attempts were full reports (the first, then its retry); the first success is full too.
    expect(reports[0]?.report.kind).toBe('full')
    expect(reports.some((r) => r.report.kind === 'usage')).toBe(true)
  })

  it('retries a failed first report within the first round, as an agent would', async () => {
    const fleet = createFleet({ clusters: 2, seed: 3, nodesPerCluster: 2 })
    const sent: Sent[] = []
    const victim = fleet[0]?.identity.clusterId
    let failures = 0
    const progress: { sent: number; total: number; failed: number }[] = []
    runner = await startFleet({
      baseUrl: 'http://control-plane.invalid',
      clusters: fleet,
      tokens: tokensFor(fleet),
      fullIntervalMs: 10_000,
      usageIntervalMs: 10_000,
      onProgress: (p) => progress.push(p),
      createClient: recordingClient(sent, (report) => report.cluster.clusterId === victim && failures++ < 1),
    })
    expect(progress.at(-1)).toEqual({ sent: 2, total: 2, failed: 0 })
    expect(runner.stats()).toMatchObject({ failed: 1, full: 2 })
    await runner.stop()
  })

  it('sends serialized bodies when the client takes them', async () => {
    const fleet = createFleet({ clusters: 2, seed: 4, nodesPerCluster: 4 })
    const bodies: string[] = []
    runner = await startFleet({
      baseUrl: 'http://control-plane.invalid',
      clusters: fleet,
      tokens: tokensFor(fleet),
      usageIntervalMs: 20,
      createClient: () => ({
        send: () => Promise.reject(new Error('send() should not be used')),
        sendBody: async (body) => {
          bodies.push(body)
        },
      }),
    })
    await sleep(60)
    await runner.stop()
    expect(runner.stats().failed).toBe(0)
    const reports = bodies.map((b) => JSON.parse(b) as FullReport | UsageReport)
    expect(reports.some((r) => r.kind === 'usage')).toBe(true)
    for (const r of reports) expect(r.kind === 'full' ? checkFull.Check(r) : checkUsage.Check(r)).toBe(true)
  })

  it('refuses to start without a token for every cluster', async () => {
    const fleet = createFleet({ clusters: 2, seed: 5, nodesPerCluster: 1 })
    await expect(startFleet({ baseUrl: 'http://x.invalid', clusters: fleet, tokens: new Map() })).rejects.toThrow(/no token/)
  })
})

/** A fake control plane: bearer auth, schema validation, per-cluster sequences, full-before-usage. */
function fakeControlPlane(tokens: Map<string, string>) {
  const last = new Map<string, number>()
  const received: (FullReport | UsageReport)[] = []
  const rejected: string[] = []
  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    if (req.method !== 'POST' || req.url !== '/api/v1/reports') return reply(res, 404, { code: 'NOT_FOUND', message: req.url })
    const report = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FullReport | UsageReport
    const clusterId = report.cluster?.clusterId
    if (req.headers.authorization !== `Bearer ${tokens.get(clusterId)}`)
      return reply(res, 401, { code: 'UNAUTHORIZED', message: 'bad token' })
    const valid = report.kind === 'full' ? checkFull.Check(report) : report.kind === 'usage' && checkUsage.Check(report)
    if (!valid) {
      rejected.push(clusterId)
      return reply(res, 400, { code: 'SCHEMA_VIOLATION', message: 'invalid report' })
    }
    const prev = last.get(clusterId)
    if (report.kind === 'usage' && prev === undefined)
      return reply(res, 409, { code: 'FULL_REPORT_REQUIRED', message: 'send a full report first' })
    if (prev !== undefined && report.sequence <= prev) rejected.push(`${clusterId} sequence ${report.sequence} after ${prev}`)
    last.set(clusterId, report.sequence)
    received.push(report)
    reply(res, 200, {
      status: 'accepted',
      clusterId,
      sequence: report.sequence,
      lastSequence: report.sequence,
      receivedAt: new Date().toISOString(),
      nodes: report.nodes.length,
      message: 'ok',
    })
  }
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => reply(res, 500, { code: 'INTERNAL', message: String(err) }))
  })
  return { server, received, rejected }
}

describe('startFleet against a fake control plane over HTTP', () => {
  it('delivers every cluster through the real ReportClient: auth, schema and sequences hold', async () => {
    const fleet = createFleet({ clusters: 12, seed: 6, nodesPerCluster: [2, 12] })
    const tokens = tokensFor(fleet)
    const fake = fakeControlPlane(tokens)
    fake.server.listen(0, '127.0.0.1')
    await once(fake.server, 'listening')
    const { port } = fake.server.address() as AddressInfo
    try {
      runner = await startFleet({
        baseUrl: `http://127.0.0.1:${port}`,
        clusters: fleet,
        tokens,
        fullIntervalMs: 200,
        usageIntervalMs: 40,
        concurrency: 4,
      })
      expect(runner.stats()).toMatchObject({ full: 12, failed: 0 })
      // Usage reports every 40 ms: wait until each cluster could have sent one more (bounded, so a
      // loaded machine is slower, not wrong).
      const deadline = Date.now() + 15_000
      while (fake.received.filter((r) => r.kind === 'usage').length <= 12 && Date.now() < deadline) await sleep(50)
      await runner.stop()
      const stats = runner.stats()
      expect(stats.failed).toBe(0)
      expect(fake.rejected).toEqual([])
      expect(new Set(fake.received.map((r) => r.cluster.clusterId)).size).toBe(12)
      expect(fake.received.filter((r) => r.kind === 'usage').length).toBeGreaterThan(12)
      expect(stats.sent).toBe(fake.received.length)
    } finally {
      fake.server.closeAllConnections()
      fake.server.close()
    }
  })
})
