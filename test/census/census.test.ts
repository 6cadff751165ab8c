import { createFleet, fullReport } from '@suanpan/agents'
import { loadCatalog, type Store } from '@suanpan/control-plane'
import type { Census, CensusComparison, CensusSummary, FullReport } from '@suanpan/control-plane/schemas'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app'
import { identity } from '../support/reports'
import { testStores } from '../support/stores'

const catalog = loadCatalog()

/** Totals recomputed from raw reports with the catalog alone: no ledger rows, view or query involved. */
function independentTotals(reports: FullReport[]) {
  const out = {
    clusters: reports.length,
    nodes: 0,
    cpuCores: 0,
    memoryBytes: 0,
    storageBytes: 0,
    fp32: 0,
    fp16: 0,
    accelerators: {} as Record<string, number>,
  }
  for (const r of reports) {
    for (const s of r.storage) out.storageBytes += s.capacityBytes
    for (const node of r.nodes) {
      const cls = catalog.classifyNode(node)
      out.nodes += 1
      out.cpuCores += node.cpu.cores
      out.memoryBytes += node.memoryBytes
      out.fp32 += cls.cpu.figures.fp32 ?? 0
      for (const a of cls.accelerators) {
        out.accelerators[a.kind] = (out.accelerators[a.kind] ?? 0) + a.devices
        out.fp32 += a.devices * (a.figures.fp32 ?? 0)
        out.fp16 += a.devices * (a.figures.fp16Dense ?? 0)
      }
    }
  }
  return out
}

function expectTotalsMatch(census: Census, reports: FullReport[]): void {
  const expected = independentTotals(reports)
  const t = census.total
  expect(t.clusters).toBe(expected.clusters)
  expect(t.nodes).toBe(expected.nodes)
  expect(t.cpuCores).toBe(expected.cpuCores)
  expect(t.memoryBytes).toBe(expected.memoryBytes)
  expect(t.storage?.capacityBytes).toBe(expected.storageBytes)
  for (const [kind, n] of Object.entries(expected.accelerators)) expect(t.accelerators[kind] ?? 0).toBeCloseTo(n, 9)
  // Sums of the same terms in another order: equal to the last few bits.
  expect(t.compute.fp32Pflops).toBeCloseTo(expected.fp32 / 1000, 9)
  expect(t.compute.fp16DensePflops).toBeCloseTo(expected.fp16 / 1000, 9)
}

for (const { store: testStore, skip } of testStores()) {
  describe.skipIf(skip)(`censuses on ${testStore.name}${skip ? ` (${skip})` : ''}`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let t: TestApp
    const fleet = createFleet({ clusters: 12, seed: 7, nodesPerCluster: [4, 20] })
    const reports: FullReport[] = []
    const staleId = identity('110000-stale', '110000')
    const missingId = identity('120000-missing', '120000')

    async function post(url: string, body: unknown, token: string | null = ADMIN_TOKEN) {
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        payload: JSON.stringify(body),
      })
      return { status: res.statusCode, body: res.json() as Record<string, unknown> }
    }
    async function get(url: string) {
      const res = await t.app.inject({ method: 'GET', url })
      return { status: res.statusCode, text: res.body, headers: res.headers }
    }

    beforeAll(async () => {
      const opened = await testStore.open()
      store = opened.store
      cleanup = opened.cleanup
      t = await startTestApp(store)
      // A cluster that reported long ago (stale by census time) and one that never reported.
      const staleToken = await t.register(staleId)
      const first = fleet[0]
      if (!first) throw new Error('empty fleet')
      expect((await t.post(fullReport({ ...first, identity: staleId }, 1, t.clock.now), staleToken)).status).toBe(200)
      await t.register(missingId)
      t.clock.now += 10 * 60_000
      for (const c of fleet) {
        const token = await t.register(c.identity)
        const report = fullReport(c, 1, t.clock.now)
        reports.push(report)
        expect((await t.post(report, token)).status).toBe(200)
      }
    })
    afterAll(async () => {
      await t?.close()
      await store?.close()
      await cleanup?.()
    })

    it('POST /api/v1/censuses freezes a numbered census whose totals equal the raw reports', async () => {
      const created = await post('/api/v1/censuses', { period: '2026Q4', title: '2026年第四季度算力普查' })
      expect(created.status).toBe(201)
      const summary = created.body as unknown as CensusSummary
      expect(summary.id).toBe(1)
      expect(summary.clustersIncluded).toBe(fleet.length)
      expect(summary.clustersStale).toBe(1)
      expect(summary.clustersMissing).toBe(1)
      const census = JSON.parse((await get('/api/v1/censuses/1')).text) as Census
      expectTotalsMatch(census, reports)
      expect(census.dataQuality.stale.map((c) => c.clusterId)).toEqual([staleId.clusterId])
      expect(census.dataQuality.missing.map((c) => c.clusterId)).toEqual([missingId.clusterId])
      expect(census.catalog.version).toMatch(/^sha256:[0-9a-f]{16}$/)
      expect(census.lineage).toHaveLength(fleet.length)
      // Every breakdown sums to the total; every figure states its basis.
      for (const [name, groups] of Object.entries(census.breakdowns)) {
        const nodes = groups.reduce((a, g) => a + g.nodes, 0)
        if (['kind', 'vendor', 'model', 'arch', 'domestic'].includes(name)) expect(nodes, name).toBeGreaterThanOrEqual(census.total.nodes)
        else expect(nodes, name).toBe(census.total.nodes)
        expect(
          groups.reduce((a, g) => a + g.compute.fp32Pflops, 0),
          name,
        ).toBeCloseTo(census.total.compute.fp32Pflops, 9)
      }
      expect(census.basis.fp32Pflops).toContain('FP32')
      expect(census.basis.fp16DensePflops).toMatch(/dense FP16.*no sparsity/)
      expect(census.utilizationBands.reduce((a, b) => a + b.clusters, 0)).toBe(fleet.length)
      expect(census.methodNotes.length).toBeGreaterThan(0)
      expect(census.energy.pueTargets.length).toBeGreaterThan(0)
      // The evaluation: the stale cluster is a finding; the same findings are served without a census.
      expect(census.recommendations).toContainEqual(expect.objectContaining({ code: 'stale-cluster', subject: staleId.clusterId }))
      const now = JSON.parse((await get('/api/v1/evaluation')).text) as { recommendations: Census['recommendations'] }
      expect(now.recommendations).toEqual(census.recommendations)
      for (const r of census.recommendations.filter((r) => r.code === 'pue-over-target')) {
        expect(r.figures.pue ?? 0).toBeGreaterThan(r.figures.target ?? Number.POSITIVE_INFINITY)
      }
    })

    it('a census never changes: new reports and new censuses leave it byte for byte the same', async () => {
      const before = await get('/api/v1/censuses/1')
      const c = fleet[1]
      if (!c) throw new Error('fleet too small')
      const token = await t.register({ ...identity('310000-late', '310000') })
      expect((await t.post(fullReport({ ...c, identity: identity('310000-late', '310000') }, 1, t.clock.now), token)).status).toBe(200)
      const second = await post('/api/v1/censuses', { period: '2026-12' })
      expect(second.status).toBe(201)
      expect((second.body as unknown as CensusSummary).id).toBe(2)
      expect((second.body as unknown as CensusSummary).clustersIncluded).toBe(fleet.length + 1)
      const after = await get('/api/v1/censuses/1')
      expect(after.text).toBe(before.text)
      const list = JSON.parse((await get('/api/v1/censuses')).text) as { censuses: CensusSummary[] }
      expect(list.censuses.map((s) => s.id)).toEqual([2, 1])
      const { createHash } = await import('node:crypto')
      expect(list.censuses[1]?.digest).toBe(`sha256:${createHash('sha256').update(after.text).digest('hex')}`)
    })

    it('compares two censuses by any breakdown: b − a', async () => {
      const res = await get('/api/v1/censuses/compare?a=1&b=2&by=province')
      expect(res.status).toBe(200)
      const cmp = JSON.parse(res.text) as CensusComparison
      expect(cmp.total.delta.clusters).toBe(1)
      const sh = cmp.rows.find((r) => r.key.province === '310000')
      expect(sh?.delta.clusters).toBe(1)
      expect(sh?.delta.nodes).toBe((sh?.b.nodes ?? 0) - (sh?.a.nodes ?? 0))
      const unchanged = cmp.rows.filter((r) => r.key.province !== '310000')
      for (const r of unchanged) expect(r.delta.nodes).toBe(0)
      expect((await get('/api/v1/censuses/compare?a=1&b=2&by=colour')).status).toBe(400)
      expect((await get('/api/v1/censuses/compare?a=1&b=99')).status).toBe(404)
    })

    it('bad requests name the field, need the admin token, and make no census', async () => {
      expect((await post('/api/v1/censuses', { period: '2026Q5' })).body.message).toContain('period')
      expect((await post('/api/v1/censuses', { period: '2026Q4', extra: 1 })).status).toBe(400)
      expect((await post('/api/v1/censuses', { period: '2026Q4' }, null)).status).toBe(401)
      expect((await post('/api/v1/censuses', { period: '2026Q4' }, 'wrong')).status).toBe(401)
      expect((await get('/api/v1/censuses/99')).status).toBe(404)
      expect((await get('/api/v1/censuses/0')).status).toBe(400)
      const list = JSON.parse((await get('/api/v1/censuses')).text) as { censuses: CensusSummary[] }
      expect(list.censuses).toHaveLength(2)
    })
  })
}

describe('census consistency over random fleets (property)', () => {
  it('census totals equal the independent sum of the included full reports', async () => {
    const { openStore } = await import('@suanpan/control-plane')
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 6 }), async (seed, clusters) => {
        const store = await openStore({ sqlitePath: ':memory:', databaseUrl: null })
        // Reports prepared on the main thread: worker start-up would dominate 15 tiny runs.
        const t = await startTestApp(store, { ingestWorkers: 0 })
        try {
          const fleet = createFleet({ clusters, seed, nodesPerCluster: [1, 12] })
          const reports: FullReport[] = []
          for (const c of fleet) {
            const token = await t.register(c.identity)
            const report = fullReport(c, 1, t.clock.now)
            reports.push(report)
            expect((await t.post(report, token)).status).toBe(200)
          }
          const created = await t.app.inject({
            method: 'POST',
            url: '/api/v1/censuses',
            headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
            payload: { period: '2026' },
          })
          expect(created.statusCode).toBe(201)
          const census = (await t.app.inject({ method: 'GET', url: '/api/v1/censuses/1' })).json() as Census
          expectTotalsMatch(census, reports)
        } finally {
          await t.close()
          await store.close()
        }
      }),
      { numRuns: 25 },
    )
  })
})
