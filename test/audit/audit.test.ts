import { type Store, verifyAuditTrail } from '@suanpan/control-plane'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app'
import { cpuNode, fullReport, identity } from '../support/reports'
import { testStores } from '../support/stores'

interface AuditRecord {
  seq: number
  actor: string
  action: string
  scope: string
  outcome: string
  status: number
  requestId: string
  hash: string
}

for (const { store: testStore, skip } of testStores()) {
  describe.skipIf(skip)(`tamper-evident audit trail on ${testStore.name}${skip ? ` (${skip})` : ''}`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let t: TestApp

    async function records(): Promise<AuditRecord[]> {
      const res = await t.app.inject({ url: '/api/v1/audit?limit=1000', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
      expect(res.statusCode).toBe(200)
      return (res.json() as { records: AuditRecord[] }).records
    }

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

    it('records mutations and denials with who, what, scope, outcome and request id; not accepted reports', async () => {
      const id = identity('440000-audit', '440000')
      const registered = await t.app.inject({
        method: 'POST',
        url: '/api/v1/clusters',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        payload: id,
      })
      expect(registered.statusCode).toBe(201)
      const token = (registered.json() as { token: string }).token
      const denied = await t.app.inject({ method: 'POST', url: '/api/v1/clusters', headers: { authorization: 'Bearer nope' }, payload: id })
      expect(denied.statusCode).toBe(401)
      expect((await t.post(fullReport(id, 1, [cpuNode('n1')]), token)).status).toBe(200)
      expect((await t.post(fullReport(id, 2, [cpuNode('n1')]), 'stolen')).status).toBe(401)
      const list = await records()
      expect(list.map((r) => [r.action, r.outcome, r.actor, r.scope])).toEqual([
        ['POST /api/v1/reports', 'denied', 'anonymous', '*'],
        ['POST /api/v1/clusters', 'denied', 'anonymous', '*'],
        ['POST /api/v1/clusters', 'ok', 'admin', '440000'],
      ])
      expect(list[2]?.requestId).toBe(registered.headers['x-request-id'])
      expect(list.map((r) => r.seq)).toEqual([3, 2, 1])
      // Reading the trail is itself not a mutation: it adds nothing.
      expect(await records()).toHaveLength(3)
    })

    it('verify passes on an intact trail and finds an edit, a deletion in the middle and a cut tail', async () => {
      for (let i = 0; i < 5; i++) {
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/censuses',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
          payload: { period: '2026' },
        })
      }
      const intact = await verifyAuditTrail(store)
      expect(intact).toMatchObject({ ok: true, records: 8, problems: [] })
      const head = intact.head
      if (!head) throw new Error('no head')
      const api = await t.app.inject({ url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
      expect(api.json()).toMatchObject({ ok: true, records: 8 })

      // An edit: someone changes who did it.
      await store.db.updateTable('audit_log').set({ actor: 'nobody' }).where('seq', '=', 4).execute()
      const edited = await verifyAuditTrail(store)
      expect(edited.ok).toBe(false)
      expect(edited.problems).toEqual([{ seq: 4, problem: expect.stringContaining('edited') }])
      await store.db.updateTable('audit_log').set({ actor: 'admin' }).where('seq', '=', 4).execute()
      expect((await verifyAuditTrail(store)).ok).toBe(true)

      // A deletion in the middle.
      const row5 = await store.db.selectFrom('audit_log').selectAll().where('seq', '=', 5).executeTakeFirstOrThrow()
      await store.db.deleteFrom('audit_log').where('seq', '=', 5).execute()
      const deleted = await verifyAuditTrail(store)
      expect(deleted.ok).toBe(false)
      expect(deleted.problems.map((p) => p.seq)).toEqual([6, 6])
      await store.db.insertInto('audit_log').values(row5).execute()
      expect((await verifyAuditTrail(store)).ok).toBe(true)

      // The newest records removed: the chain left is valid, the recorded head catches it.
      await store.db.deleteFrom('audit_log').where('seq', '>=', 7).execute()
      expect((await verifyAuditTrail(store)).ok).toBe(true)
      const cut = await verifyAuditTrail(store, head)
      expect(cut.ok).toBe(false)
      expect(cut.problems[0]?.problem).toContain('removed from the end')
    })
    it('group-commits 300 concurrent appends into one unbroken chain, in arrival order', async () => {
      const before = (await verifyAuditTrail(store)).records
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          t.services.audit.append({
            at: t.clock.now,
            actor: 'test',
            action: 'POST /concurrent',
            target: `/concurrent/${i}`,
            scope: '*',
            outcome: 'ok',
            status: 200,
            requestId: `r-${i}`,
            detail: { i },
          }),
        ),
      )
      // Each caller gets its own record, numbered in the order it called.
      expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 300 }, (_, i) => before + i + 1))
      const verified = await verifyAuditTrail(store)
      expect(verified.ok).toBe(true)
      expect(verified.records).toBe(before + 300)
    })
  })
}
