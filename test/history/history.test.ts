import type { Store } from '@suanpan/control-plane'
import type { AcceleratorHistoryResponse, HistoryResponse, IdleResponse } from '@suanpan/control-plane/schemas'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../support/app'
import { a100Node, cpuNode, fullReport, identity, usageReport } from '../support/reports'
import { testStores } from '../support/stores'

const STEP = 300
const T0 = 1_790_000_000_000 - (1_790_000_000_000 % 3_600_000)

for (const { store: testStore, skip } of testStores()) {
  describe.skipIf(skip)(`utilization and energy history on ${testStore.name}${skip ? ` (${skip})` : ''}`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let t: TestApp
    const idA = identity('110000-h', '110000')
    const idB = identity('650000-h', '650000', { city: 'Urumqi' })
    const nodesA = [cpuNode('a-1'), cpuNode('a-2'), a100Node('a-gpu')]
    const nodesB = [cpuNode('b-1', 32)]

    async function get<T>(url: string): Promise<{ status: number; body: T }> {
      const res = await t.app.inject({ method: 'GET', url })
      return { status: res.statusCode, body: res.json() as T }
    }

    beforeAll(async () => {
      const opened = await testStore.open()
      store = opened.store
      cleanup = opened.cleanup
      t = await startTestApp(store, { historyStepSeconds: STEP })
      const tokenA = await t.register(idA)
      const tokenB = await t.register(idB)
      // Six steps: A's CPU requests climb 10% → 60%; B stays at 5% (idle); both report energy.
      t.clock.now = T0
      expect((await t.post(fullReport(idA, 1, nodesA), tokenA)).status).toBe(200)
      expect((await t.post(fullReport(idB, 1, nodesB), tokenB)).status).toBe(200)
      for (let i = 0; i < 6; i++) {
        t.clock.now = T0 + i * STEP * 1000 + 1000
        expect((await t.post(usageReport(idA.clusterId, 2 + i, nodesA, 0.1 * (i + 1)), tokenA)).status).toBe(200)
        expect((await t.post(usageReport(idB.clusterId, 2 + i, nodesB, 0.05), tokenB)).status).toBe(200)
        await t.services.recordHistory()
      }
    })
    afterAll(async () => {
      await t?.close()
      await store?.close()
      await cleanup?.()
    })

    it('keeps one sample per cluster per step and recording a step twice replaces it', async () => {
      await t.services.recordHistory()
      const rows = await store.db.selectFrom('history_samples').select(['ts', 'cluster_id']).execute()
      expect(rows).toHaveLength(12)
      expect(new Set(rows.map((r) => Number(r.ts)))).toEqual(new Set([0, 1, 2, 3, 4, 5].map((i) => T0 + i * STEP * 1000)))
    })

    it('national series: each point equals the ledger at that step', async () => {
      const from = new Date(T0).toISOString()
      const to = new Date(T0 + 6 * STEP * 1000).toISOString()
      const { status, body } = await get<HistoryResponse>(`/api/v1/history?from=${from}&to=${to}&step=${STEP}`)
      expect(status).toBe(200)
      expect(body.source).toBe('store')
      expect(body.t).toHaveLength(6)
      expect(body.series).toHaveLength(1)
      const s = body.series[0]
      if (!s) throw new Error('no series')
      // Requests are fractions of each node's allocatable CPU (see usageReport).
      const allocA = nodesA.map((n) => n.allocatable.cpuMillis)
      const allocB = nodesB.map((n) => n.allocatable.cpuMillis)
      const total = [...allocA, ...allocB].reduce((a, b) => a + b, 0)
      for (let i = 0; i < 6; i++) {
        const requested =
          allocA.reduce((a, m) => a + Math.floor(m * 0.1 * (i + 1)), 0) + allocB.reduce((a, m) => a + Math.floor(m * 0.05), 0)
        const expected = requested / total
        expect(s.cpuRequested[i]).toBeCloseTo(expected, 2)
        expect(s.clusters[i]).toBe(2)
      }
      // The last point is what the ledger says now.
      const ledger = await t.ledger()
      expect(s.cpuRequested[5]).toBeCloseTo(ledger.total.utilization.cpuRequested ?? -1, 6)
      expect(s.itPowerKw[5]).toBeCloseTo(ledger.total.energy?.itPowerKw ?? -1, 6)
      expect(s.pue[5]).toBeCloseTo(ledger.total.energy?.pue ?? -1, 6)
      expect(s.greenShare[5]).toBeCloseTo(ledger.total.energy?.greenShare ?? -1, 6)
      expect(s.acceleratorsInUse[5]).toBeCloseTo(1, 6)
    })

    it('groups by province and filters; a coarser step averages the samples in it', async () => {
      const from = new Date(T0).toISOString()
      const to = new Date(T0 + 6 * STEP * 1000).toISOString()
      const { body } = await get<HistoryResponse>(`/api/v1/history?groupBy=province&from=${from}&to=${to}&step=${STEP * 3}`)
      expect(body.t).toHaveLength(2)
      expect(body.series.map((s) => s.key.province).sort()).toEqual(['110000', '650000'])
      const bj = body.series.find((s) => s.key.province === '110000')
      // Mean of 10/20/30% and of 40/50/60%: requests and allocatable are both summed over the step.
      expect(bj?.cpuRequested[0]).toBeCloseTo(0.2, 2)
      expect(bj?.cpuRequested[1]).toBeCloseTo(0.5, 2)
      const only = await get<HistoryResponse>(`/api/v1/history?groupBy=cluster&province=650000&from=${from}&to=${to}&step=${STEP}`)
      expect(only.body.series.map((s) => s.key.cluster)).toEqual(['650000-h'])
    })

    it('accelerator history per model', async () => {
      const from = new Date(T0).toISOString()
      const to = new Date(T0 + 6 * STEP * 1000).toISOString()
      const { status, body } = await get<AcceleratorHistoryResponse>(`/api/v1/history/accelerators?from=${from}&to=${to}&step=${STEP}`)
      expect(status).toBe(200)
      expect(body.series).toHaveLength(1)
      expect(body.series[0]?.model).toMatch(/A100/)
      expect(body.series[0]?.devices[0]).toBe(8)
      expect(body.series[0]?.inUse[5]).toBeCloseTo(1, 6)
    })

    it('rollups answer every national and single-dimension question exactly as the samples do, also for history written before them', async () => {
      const { HistoryStore } = await import('@suanpan/control-plane')
      const from = new Date(T0).toISOString()
      const to = new Date(T0 + 6 * STEP * 1000).toISOString()
      const now = T0 + 6 * STEP * 1000
      const questions = [
        { from, to, step: STEP },
        { from, to, step: STEP * 2 },
        { from, to, groupBy: 'province' },
        { from, to, groupBy: 'province', province: '650000' },
        { from, to, city: 'Urumqi' },
        { from, to, groupBy: 'hub' },
        { from, to, groupBy: 'site', step: STEP * 3 },
        { from, to, groupBy: 'level' },
      ] as const
      const samplesOnly = new HistoryStore(store, STEP, { rollups: false })
      const check = async (history: InstanceType<typeof HistoryStore>) => {
        for (const q of questions) {
          const expected = await samplesOnly.series(q, now)
          expect(expected.series.length).toBeGreaterThan(0)
          expect(await history.series(q, now)).toEqual(expected)
        }
        const acc = await history.accelerators({ from, to, step: STEP }, now)
        expect(acc).toEqual(await samplesOnly.accelerators({ from, to, step: STEP }, now))
        expect(acc.series[0]?.devices[0]).toBe(8)
      }
      // Rolled up as each step was recorded.
      await check(t.services.history)
      // History from before the rollups (an upgraded or directly filled store): rolled up when first asked.
      await store.db.deleteFrom('history_rollups').execute()
      await store.db.deleteFrom('history_accelerator_rollups').execute()
      const fresh = new HistoryStore(store, STEP)
      await check(fresh)
      const rolled = await store.db.selectFrom('history_rollups').select(['ts']).where('dim', '=', '').execute()
      expect(rolled).toHaveLength(6)
    })

    it('idle list: a cluster below the threshold for the whole window, with its idle capacity', async () => {
      t.clock.now = T0 + 5 * STEP * 1000 + 2000
      const hours = (5 * STEP) / 3600
      const { status, body } = await get<IdleResponse>(`/api/v1/history/idle?threshold=0.2&hours=${hours}`)
      expect(status).toBe(200)
      expect(body.clusters.map((c) => c.clusterId)).toEqual(['650000-h'])
      const b = body.clusters[0]
      expect(b?.peak).toBeCloseTo(0.05, 2)
      const allocB = nodesB[0]?.allocatable.cpuMillis ?? 0
      expect(b?.idleCpuCores).toBeCloseTo((allocB - Math.floor(allocB * 0.05)) / 1000, 6)
      // A window longer than B has existed lists nobody: it has not been idle that long.
      const longer = await get<IdleResponse>('/api/v1/history/idle?threshold=0.2&hours=24')
      expect(longer.body.clusters).toEqual([])
      // A higher threshold lets A's early steps in but not its 60% peak.
      const high = await get<IdleResponse>(`/api/v1/history/idle?threshold=0.7&hours=${hours}`)
      expect(high.body.clusters.map((c) => c.clusterId).sort()).toEqual(['110000-h', '650000-h'])

      // The evaluation: idle clusters, and idle sites (every fresh cluster of the site idle).
      type Findings = { recommendations: { code: string; subject: string; figures: Record<string, number> }[] }
      const findings = async (threshold: number) =>
        (await get<Findings>(`/api/v1/evaluation?idleThreshold=${threshold}&idleHours=${hours}`)).body.recommendations
      const low = await findings(0.2)
      expect(low.filter((r) => r.code === 'idle-cluster').map((r) => r.subject)).toEqual(['650000-h'])
      const site = low.filter((r) => r.code === 'idle-site')
      expect(site.map((r) => r.subject)).toEqual([idB.site])
      expect(site[0]?.figures.clusters).toBe(1)
      expect(site[0]?.figures.idleCpuCores).toBeCloseTo(b?.idleCpuCores ?? -1, 6)
      const both = await findings(0.7)
      expect(
        both
          .filter((r) => r.code === 'idle-site')
          .map((r) => r.subject)
          .sort(),
      ).toEqual([idA.site, idB.site].sort())
    })

    it('bad input names the field and changes nothing', async () => {
      const before = await store.db.selectFrom('history_samples').select(['ts']).execute()
      const cases: [string, string][] = [
        ['/api/v1/history?groupBy=kind', 'groupBy'],
        ['/api/v1/history?from=yesterday', 'from'],
        ['/api/v1/history?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
        ['/api/v1/history?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&step=60', 'step'],
        ['/api/v1/history?step=1', 'step'],
        ['/api/v1/history/idle?threshold=2', 'threshold'],
        ['/api/v1/history?nope=1', 'nope'],
      ]
      for (const [url, field] of cases) {
        const res = await get<{ message: string }>(url)
        expect(res.status, url).toBe(400)
        expect(res.body.message, url).toContain(field)
      }
      const after = await store.db.selectFrom('history_samples').select(['ts']).execute()
      expect(after).toHaveLength(before.length)
    })
  })
}
