import type { Store } from '@suanpan/control-plane'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../support/app'
import { a100Node, fullReport, identity } from '../support/reports'
import { testStores } from '../support/stores'

for (const { store: testStore, skip } of testStores()) {
  describe.skipIf(skip)(`stranded accelerators in the ledger on ${testStore.name}${skip ? ` (${skip})` : ''}`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let t: TestApp

    beforeAll(async () => {
      const opened = await testStore.open()
      store = opened.store
      cleanup = opened.cleanup
      t = await startTestApp(store)
    })
    afterAll(async () => {
      await t?.close()
      await store?.close()
      await cleanup?.()
    })

    it('counts free GPUs on nodes whose CPU or memory is all but requested, and only those', async () => {
      const roomy = a100Node('roomy', 8, 4)
      const cpuBound = a100Node('cpu-bound', 8, 5)
      // 3 GPUs free but under 1 core left: stranded.
      cpuBound.requested = { ...cpuBound.requested, cpuMillis: cpuBound.allocatable.cpuMillis - 1_000 }
      const memoryBound = a100Node('memory-bound', 8, 6)
      // 2 GPUs free and plenty of CPU, but 4 GiB of memory left: stranded.
      memoryBound.requested = { cpuMillis: 0, memoryBytes: memoryBound.allocatable.memoryBytes - 4 * 1024 ** 3 }
      const full = a100Node('full', 8, 8)
      full.requested = { ...full.requested, cpuMillis: full.allocatable.cpuMillis }
      const id = identity('110000-stranded', '110000')
      const token = await t.register(id)
      expect((await t.post(fullReport(id, 1, [roomy, cpuBound, memoryBound, full]), token)).status).toBe(200)
      const ledger = await t.ledger('groupBy=kind')
      expect(ledger.total.strandedAccelerators).toBe(3 + 2)
      expect(ledger.groups.find((g) => g.key.kind === 'GPU')?.strandedAccelerators).toBe(5)
      expect(ledger.groups.find((g) => g.key.kind === 'CPU')?.strandedAccelerators).toBe(0)
      // The same figure under a location grouping.
      expect((await t.ledger('groupBy=province')).groups[0]?.strandedAccelerators).toBe(5)
    })
  })
}
