import { openStore, type Store } from '@suanpan/control-plane'
import type { HistoryResponse } from '@suanpan/control-plane/schemas'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../support/app'
import { a100Node, cpuNode, fullReport, identity, usageReport } from '../support/reports'
import { startVictoria, type VictoriaServer, victoriaBinary } from '../support/victoria'

const STEP = 300
const T0 = 1_790_000_000_000 - (1_790_000_000_000 % 3_600_000)
const required = process.env.SUANPAN_REQUIRE_SERVICES === '1'
const skip = victoriaBinary() ? null : 'skipped: no VictoriaMetrics (apt-get install victoria-metrics)'
if (skip && required) throw new Error('SUANPAN_REQUIRE_SERVICES=1 but victoria-metrics is not installed')
if (skip) console.warn(`\n*** ${skip} ***\n`)

describe.skipIf(skip)(`history in the real VictoriaMetrics (VM_URL)${skip ? ` (${skip})` : ''}`, () => {
  let vm: VictoriaServer
  let store: Store
  let t: TestApp
  const idA = identity('110000-vm', '110000')
  const idB = identity('650000-vm', '650000', { city: 'Urumqi' })
  const nodesA = [cpuNode('a-1'), cpuNode('a-2'), a100Node('a-gpu')]
  const nodesB = [cpuNode('b-1', 32)]

  beforeAll(async () => {
    vm = await startVictoria()
    store = await openStore({ sqlitePath: ':memory:', databaseUrl: null })
    t = await startTestApp(store, { historyStepSeconds: STEP, vmUrl: vm.url })
    const tokenA = await t.register(idA)
    const tokenB = await t.register(idB)
    t.clock.now = T0
    expect((await t.post(fullReport(idA, 1, nodesA), tokenA)).status).toBe(200)
    expect((await t.post(fullReport(idB, 1, nodesB), tokenB)).status).toBe(200)
    for (let i = 0; i < 6; i++) {
      t.clock.now = T0 + i * STEP * 1000 + 1000
      expect((await t.post(usageReport(idA.clusterId, 2 + i, nodesA, 0.1 * (i + 1)), tokenA)).status).toBe(200)
      expect((await t.post(usageReport(idB.clusterId, 2 + i, nodesB, 0.05), tokenB)).status).toBe(200)
      await t.services.recordHistory()
    }
    await t.services.vm?.flush()
  })
  afterAll(async () => {
    await t?.close()
    await store?.close()
    await vm?.stop()
  })

  async function history(query: string): Promise<HistoryResponse> {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/history?${query}` })
    expect(res.statusCode, res.body).toBe(200)
    return res.json() as HistoryResponse
  }

  it('answers /api/v1/history from VictoriaMetrics with the same figures as the store', async () => {
    const from = new Date(T0).toISOString()
    const to = new Date(T0 + 6 * STEP * 1000).toISOString()
    for (const q of [`step=${STEP}`, `step=${STEP * 3}`, `groupBy=province&step=${STEP}`, `groupBy=cluster&province=650000&step=${STEP}`]) {
      const query = `from=${from}&to=${to}&${q}`
      const fromVm = await history(query)
      expect(fromVm.source).toBe('victoriametrics')
      const fromStore = await t.services.history.series(Object.fromEntries(new URLSearchParams(query)) as never, t.clock.now)
      expect(fromVm.t).toEqual(fromStore.t)
      expect(fromVm.series.map((s) => s.key)).toEqual(fromStore.series.map((s) => s.key))
      for (const [i, s] of fromVm.series.entries()) {
        const other = fromStore.series[i]
        if (!other) throw new Error('series missing')
        for (const measure of [
          'cpuRequested',
          'cpuUsed',
          'memoryRequested',
          'acceleratorsInUse',
          'itPowerKw',
          'pue',
          'greenShare',
          'clusters',
        ] as const) {
          const a = s[measure]
          const b = other[measure]
          for (let p = 0; p < a.length; p++) {
            if (b[p] === null) expect(a[p], `${q} ${measure}[${p}]`).toBeNull()
            else expect(a[p], `${q} ${measure}[${p}]`).toBeCloseTo(b[p] as number, 6)
          }
        }
      }
    }
  })

  it('a bad question is still a 400; VictoriaMetrics going away falls back to the store', async () => {
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/history?groupBy=kind' })
    expect(bad.statusCode).toBe(400)
    await vm.stop()
    const from = new Date(T0).toISOString()
    const to = new Date(T0 + 6 * STEP * 1000).toISOString()
    const answer = await history(`from=${from}&to=${to}&step=${STEP}`)
    expect(answer.source).toBe('store')
    expect(answer.series[0]?.cpuRequested[5]).toBeGreaterThan(0)
  })
})
