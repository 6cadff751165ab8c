import { LEDGER_DIMENSIONS, type LedgerGroup, type Node, type Report } from '@suanpan/control-plane/schemas'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { startTestApp } from '../support/app'
import { a100Node, ascendNode, cpuNode, fullReport, identity, usageReport } from '../support/reports'
import { testStores } from '../support/stores'

const PROVINCES = ['110000', '310000', '440000', '520000', '650000', '660000']

const nodeArb = fc.oneof(
  fc.record({ t: fc.constant('cpu' as const), cores: fc.integer({ min: 2, max: 256 }) }),
  fc.record({ t: fc.constant('a100' as const), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ t: fc.constant('ascend' as const), n: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ t: fc.constant('unknown' as const), n: fc.integer({ min: 1, max: 4 }) }),
)

const clusterArb = fc.record({
  province: fc.constantFrom(...PROVINCES),
  level: fc.constantFrom('national' as const, 'provincial' as const, 'ministry' as const),
  nodes: fc.array(nodeArb, { minLength: 1, maxLength: 6 }),
  usage: fc.double({ min: 0, max: 1, noNaN: true }),
  itPowerKw: fc.double({ min: 1, max: 5000, noNaN: true }),
})

type NodeSpec = { t: 'cpu'; cores: number } | { t: 'a100' | 'ascend' | 'unknown'; n: number }

function makeNode(spec: NodeSpec, name: string): Node {
  switch (spec.t) {
    case 'cpu':
      return cpuNode(name, spec.cores)
    case 'a100':
      return a100Node(name, spec.n, Math.floor(spec.n / 2))
    case 'ascend':
      return ascendNode(name, spec.n, 1)
    case 'unknown':
      return cpuNode(name, 8, { accelerators: [{ resource: 'example.com/fpga', count: spec.n, allocatable: spec.n, inUse: 0 }] })
  }
}

const MEASURES = (g: LedgerGroup) => ({
  nodes: g.nodes,
  devices: g.devices,
  cpuCores: g.cpuCores,
  memoryBytes: g.memoryBytes,
  fp32: g.compute.fp32Pflops,
  fp16: g.compute.fp16DensePflops,
  fp64: g.compute.fp64Pflops,
  missingFp32: g.compute.devicesWithoutFigure.fp32,
  gpu: g.accelerators.GPU ?? 0,
  npu: g.accelerators.NPU ?? 0,
  unclassified: g.accelerators.unclassified ?? 0,
  power: g.energy?.itPowerKw ?? 0,
  storage: g.storage?.capacityBytes ?? 0,
  stranded: g.strandedAccelerators,
})

for (const { store: testStore, skip } of testStores()) {
  describe.skipIf(skip)(`ledger invariants (property tests) on ${testStore.name}${skip ? ` (${skip})` : ''}`, () => {
    it('group totals sum to the national total under any group-by, and replaying any prefix of reports changes nothing', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(clusterArb, { minLength: 1, maxLength: 5 }),
          fc.subarray([...LEDGER_DIMENSIONS], { minLength: 0, maxLength: 3 }),
          fc.nat(),
          async (clusters, groupBy, prefixSeed) => {
            const { store, cleanup } = await testStore.open()
            // Reports prepared on the main thread: worker start-up would dominate these small runs
            // (the worker path has its own tests and the e2e suites).
            const t = await startTestApp(store, { ingestWorkers: 0 })
            try {
              const sent: { report: Report; token: string; ack: unknown }[] = []
              for (const [i, c] of clusters.entries()) {
                const id = identity(`${c.province}-c${i}`, c.province, { level: c.level })
                const token = await t.register(id)
                const nodes = c.nodes.map((spec, j) => makeNode(spec, `n${j}`))
                const full = fullReport(id, 1, nodes, { energy: { itPowerKw: c.itPowerKw, pue: 1.25, greenShare: 0.3 } })
                const usage = usageReport(id.clusterId, 2, nodes, c.usage)
                for (const report of [full, usage]) {
                  const res = await t.post(report, token)
                  expect(res.status).toBe(200)
                  sent.push({ report, token, ack: res.body })
                }
              }
              const query = `groupBy=${groupBy.join(',')}`
              const ledger = await t.ledger(query)
              const total = MEASURES(ledger.total)
              for (const k of Object.keys(total) as (keyof typeof total)[]) {
                const sum = ledger.groups.reduce((acc, g) => acc + MEASURES(g)[k], 0)
                expect(sum).toBeCloseTo(total[k], 6)
              }

              const prefix = sent.slice(0, (prefixSeed % sent.length) + 1)
              for (const s of prefix) {
                const res = await t.post(s.report, s.token)
                expect(res.body).toEqual(s.ack)
              }
              expect(await t.ledger(query)).toEqual({ ...ledger, generatedAt: ledger.generatedAt })
            } finally {
              await t.close()
              await store.close()
              await cleanup()
            }
          },
        ),
        { numRuns: testStore.name === 'sqlite' ? 25 : 10 },
      )
    })
  })
}
