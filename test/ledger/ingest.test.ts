import type { Store } from '@suanpan/control-plane'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../support/app'
import { a100Node, ascendNode, cpuNode, fullReport, identity, usageReport } from '../support/reports'
import { testStores } from '../support/stores'

for (const { store: testStore, skip } of testStores()) {
  describe.skipIf(skip)(`POST /api/v1/reports and GET /api/v1/ledger on ${testStore.name}${skip ? ` (${skip})` : ''}`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let t: TestApp
    let tokenA: string
    let tokenB: string
    const idA = identity('110000-a', '110000')
    const idB = identity('650000-b', '650000', { city: 'Urumqi', hub: 'ningxia-zhongwei' })
    const nodesA = [cpuNode('a-cpu-1'), cpuNode('a-cpu-2'), a100Node('a-gpu-1')]
    const nodesB = [cpuNode('b-cpu-1', 32), ascendNode('b-npu-1'), ascendNode('b-npu-2')]

    beforeAll(async () => {
      const opened = await testStore.open()
      store = opened.store
      cleanup = opened.cleanup
      t = await startTestApp(store, { bodyLimitBytes: 64 * 1024 })
      tokenA = await t.register(idA)
      tokenB = await t.register(idB)
    })
    afterAll(async () => {
      await t?.close()
      await store?.close()
      await cleanup?.()
    })

    it('accepts a full report and shows its nodes, devices and compute in the ledger', async () => {
      const res = await t.post(fullReport(idA, 1, nodesA), tokenA)
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ status: 'accepted', clusterId: '110000-a', sequence: 1, nodes: 3 })
      const ledger = await t.ledger('groupBy=kind,model')
      const gpu = ledger.groups.find((g) => g.key.kind === 'GPU')
      expect(gpu?.key.model).toMatch(/A100/)
      expect(gpu?.devices).toBe(8)
      expect(gpu?.compute.fp16DensePflops).toBeCloseTo((8 * 312) / 1000, 6)
      expect(ledger.total.nodes).toBe(3)
      expect(ledger.total.cpuCores).toBe(64 + 64 + 128)
      expect(ledger.total.accelerators.GPU).toBe(8)
      expect(ledger.total.utilization.acceleratorsInUse).toBeCloseTo(0.5, 6)
    })

    it('answers a replay of the same (cluster, sequence) with the same ack and changes nothing', async () => {
      const before = await t.ledger('groupBy=cluster,kind')
      const changed = fullReport(idA, 1, [...nodesA, cpuNode('a-cpu-3')])
      const replay = await t.post(changed, tokenA)
      expect(replay.status).toBe(200)
      expect(replay.headers['suanpan-replay']).toBe('true')
      expect(replay.body).toMatchObject({ status: 'accepted', sequence: 1, nodes: 3 })
      const after = await t.ledger('groupBy=cluster,kind')
      expect(after.groups).toEqual(before.groups)
    })

    it('ignores an older sequence and says so', async () => {
      await t.post(fullReport(idA, 5, nodesA), tokenA)
      const older = await t.post(fullReport(idA, 3, [cpuNode('x')]), tokenA)
      expect(older.status).toBe(200)
      expect(older.body).toMatchObject({ status: 'ignored-older', lastSequence: 5 })
      expect(String(older.body.message)).toMatch(/older/)
      expect((await t.ledger()).total.nodes).toBe(3)
    })

    it('applies usage reports to the last full report, and asks for a full report first', async () => {
      const first = await t.post(usageReport(idB.clusterId, 1, nodesB, 0.5), tokenB)
      expect(first.status).toBe(409)
      expect(first.body.code).toBe('FULL_REPORT_REQUIRED')
      expect((await t.post(fullReport(idB, 2, nodesB), tokenB)).status).toBe(200)
      const usage = await t.post(usageReport(idB.clusterId, 3, nodesB, 0.9), tokenB)
      expect(usage.status).toBe(200)
      const ledger = await t.ledger('groupBy=cluster')
      const b = ledger.groups.find((g) => g.key.cluster === idB.clusterId)
      const alloc = nodesB.reduce((s, n) => s + n.allocatable.cpuMillis, 0)
      const req = nodesB.reduce((s, n) => s + Math.floor(n.allocatable.cpuMillis * 0.9), 0)
      expect(b?.utilization.cpuRequested).toBeCloseTo(req / alloc, 6)
      expect(b?.utilization.acceleratorsInUse).toBeCloseTo(1, 6)
      expect(b?.energy?.itPowerKw).toBe(150)
      expect(b?.accelerators.NPU).toBe(16)
    })

    it('rejects bad input with the right status, naming the field, and changes nothing', async () => {
      const before = await t.ledger('groupBy=cluster,kind')
      const bad = fullReport(idA, 10, [cpuNode('a-cpu-1', -4)])
      const schema = await t.post(bad, tokenA)
      expect(schema.status).toBe(400)
      expect(schema.body.code).toBe('SCHEMA_VIOLATION')
      expect(JSON.stringify(schema.body.fields)).toContain('/nodes/0/cpu/cores')
      const kind = await t.post({ ...fullReport(idA, 10, nodesA), kind: 'weird' }, tokenA)
      expect(kind.status).toBe(400)
      expect(JSON.stringify(kind.body.fields)).toContain('/kind')
      const mix = await t.post(fullReport(idA, 10, nodesA, { energy: { itPowerKw: 1, pue: 1.2, mix: { coal: 0.5, hydro: 0.2 } } }), tokenA)
      expect(mix.status).toBe(400)
      expect(JSON.stringify(mix.body.fields)).toContain('/energy/mix')
      const notJson = await t.post('{"kind": "full", ', tokenA)
      expect(notJson.status).toBe(400)
      const big = fullReport(
        idA,
        11,
        Array.from({ length: 400 }, (_, i) => cpuNode(`n-${i}`)),
      )
      expect((await t.post(big, tokenA)).status).toBe(413)
      expect((await t.post(fullReport(idA, 12, nodesA), 'not-a-token')).status).toBe(401)
      expect((await t.post(fullReport(idA, 12, nodesA), null)).status).toBe(401)
      const unknown = await t.post(fullReport(identity('110000-nobody'), 12, nodesA), tokenA)
      expect(unknown.status).toBe(404)
      expect(unknown.body.code).toBe('CLUSTER_NOT_FOUND')
      const other = await t.post(fullReport(idB, 12, nodesA), tokenA)
      expect(other.status).toBe(403)
      const moved = await t.post(fullReport({ ...idA, province: '120000' }, 12, nodesA), tokenA)
      expect(moved.status).toBe(422)
      expect(JSON.stringify(moved.body.fields)).toContain('/cluster/province')
      expect((await t.ledger('groupBy=cluster,kind')).groups).toEqual(before.groups)
    })

    it('lists clusters silent for 3 intervals as stale and leaves them out of every figure', async () => {
      const ledger = await t.ledger('groupBy=province&lineage=true')
      expect(ledger.total.clusters).toBe(2)
      const bj = ledger.groups.find((g) => g.key.province === '110000')
      expect(bj?.lineage?.map((l) => `${l.clusterId}#${l.sequence}:${l.kind}`)).toEqual(['110000-a#5:full'])
      t.clock.now += 181_000
      await t.post(usageReport(idB.clusterId, 4, nodesB, 0.5), tokenB)
      const later = await t.ledger('groupBy=province')
      expect(later.stale.map((s) => s.clusterId)).toEqual(['110000-a'])
      expect(later.total.clusters).toBe(1)
      expect(later.groups.map((g) => g.key.province)).toEqual(['650000'])
      t.clock.now -= 181_000
    })

    it('exposes ingest counters and per-province ledger gauges on /metrics', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/metrics' })
      expect(res.statusCode).toBe(200)
      expect(res.body).toMatch(/suanpan_reports_ingested_total\{kind="full",outcome="accepted"\} [1-9]/)
      expect(res.body).toMatch(/suanpan_reports_ingested_total\{kind="full",outcome="rejected"\} [1-9]/)
      expect(res.body).toMatch(/suanpan_report_ingest_duration_seconds_count\{kind="full"\} [1-9]/)
      expect(res.body).toMatch(/suanpan_ledger_devices\{province="650000",kind="NPU"\} 16/)
      expect(res.body).toMatch(/suanpan_clusters_stale 0/)
    })

    it('names an unknown groupBy dimension', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/ledger?groupBy=province,colour' })
      expect(res.statusCode).toBe(400)
      expect(res.json().message).toMatch(/colour/)
    })
  })
}
