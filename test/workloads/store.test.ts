import { type Store, verifyAuditTrail } from '@suanpan/control-plane'
import type { Workload } from '@suanpan/control-plane/schemas'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app'
import { cpuNode, fullReport, identity } from '../support/reports'
import { testStores } from '../support/stores'

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }

const cpuSpec = (name: string) => ({
  name,
  owner: { department: 'nda', region: 'national' },
  priority: 0,
  replicas: 1,
  resources: { cpuMillis: 500, memoryBytes: 1024 ** 3 },
  placement: { mode: 'gang' as const },
  template: { apiVersion: 'batch/v1', kind: 'Job', spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } },
})

/** The store refuses any workload named `poison` (a trigger): one bad row in a group write. */
async function poison(store: Store): Promise<void> {
  if (store.dialect === 'sqlite') {
    await sql`create trigger poison before insert on workloads when new.name = 'poison' begin select raise(abort, 'poisoned workload'); end`.execute(
      store.db,
    )
  } else {
    await sql`create function poison() returns trigger language plpgsql as $$ begin if new.name = 'poison' then raise exception 'poisoned workload'; end if; return new; end $$`.execute(
      store.db,
    )
    await sql`create trigger poison before insert on workloads for each row execute function poison()`.execute(store.db)
  }
}

async function cure(store: Store): Promise<void> {
  await sql`drop trigger poison${store.dialect === 'postgres' ? sql` on workloads` : sql``}`.execute(store.db)
  if (store.dialect === 'postgres') await sql`drop function poison()`.execute(store.db)
}

for (const { store: testStore, skip } of testStores()) {
  describe.skipIf(skip)(
    `workload writes: group commit, durability before the answer, one bad row on ${testStore.name}${skip ? ` (${skip})` : ''}`,
    () => {
      let store: Store
      let cleanup: () => Promise<void>
      let t: TestApp

      beforeAll(async () => {
        const opened = await testStore.open()
        store = opened.store
        cleanup = opened.cleanup
        t = await startTestApp(store)
        for (const id of ['110000-cpu-a', '110000-cpu-b']) {
          const ident = identity(id, '110000', { site: `${id}-site` })
          const token = await t.register(ident)
          const res = await t.post(fullReport(ident, 1, [cpuNode(`${id}-n1`), cpuNode(`${id}-n2`)]), token)
          expect(res.status).toBe(200)
        }
      })
      afterAll(async () => {
        await t?.close()
        await store?.close()
        await cleanup?.()
      })

      const stored = async (ids: string[]) =>
        (await store.db.selectFrom('workloads').select('id').where('id', 'in', ids).execute()).map((r) => r.id).sort()

      it('concurrent submissions share writes, and each is in the store when its answer comes', async () => {
        const service = t.services.workloads
        const answers = await Promise.all(
          Array.from({ length: 30 }, async (_, i) => {
            const w = await service.submit(cpuSpec(`burst-${i}`) as never)
            // Stored before the answer: the row is there the moment submit resolves.
            const row = await store.db.selectFrom('workloads').select(['id', 'state']).where('id', '=', w.id).executeTakeFirst()
            return { w, row }
          }),
        )
        for (const { w, row } of answers) expect(row).toEqual({ id: w.id, state: w.state })
        const assignments = await store.db
          .selectFrom('workload_assignments')
          .select('workload_id')
          .where(
            'workload_id',
            'in',
            answers.map((a) => a.w.id),
          )
          .execute()
        expect(assignments).toHaveLength(answers.filter((a) => a.w.state === 'placed').length)
        expect(service.engine.audit().violations).toEqual([])
      })

      it('one workload the store refuses is not stored, answered 503 and its reservation undone; the rest of its write is stored', async () => {
        const service = t.services.workloads
        await poison(store)
        try {
          const reservations = service.engine.reservationCount
          // Submitted in one turn of the event loop: one group write holds all of them.
          const results = await Promise.allSettled(
            ['good-1', 'good-2', 'poison', 'good-3', 'good-4'].map((name) => service.submit(cpuSpec(name) as never)),
          )
          const bad = results[2] as PromiseRejectedResult
          expect(bad.status).toBe('rejected')
          expect(bad.reason).toMatchObject({ statusCode: 503, code: 'STORE_UNAVAILABLE' })
          const good = results.filter(
            (r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof service.submit>>> => r.status === 'fulfilled',
          )
          expect(good).toHaveLength(4)
          const ids = good.map((r) => r.value.id)
          expect(await stored(ids)).toEqual([...ids].sort())
          expect(await store.db.selectFrom('workloads').select('id').where('name', '=', 'poison').execute()).toEqual([])
          // Only the stored ones hold capacity.
          expect(service.engine.reservationCount).toBe(reservations + good.filter((r) => r.value.state === 'placed').length)
          expect(service.engine.audit().violations).toEqual([])

          // Over HTTP: 503 for the poisoned one, 201 for the others, and every answer is in the audit trail.
          const answers = await Promise.all(
            ['http-1', 'poison', 'http-2'].map((name) =>
              t.app.inject({ method: 'POST', url: '/api/v1/workloads', headers: admin, payload: cpuSpec(name) }),
            ),
          )
          expect(answers.map((a) => a.statusCode)).toEqual([201, 503, 201])
          const httpIds = answers.filter((a) => a.statusCode === 201).map((a) => (a.json() as Workload).id)
          expect(await stored(httpIds)).toEqual([...httpIds].sort())
          const verified = await verifyAuditTrail(store)
          expect(verified.ok).toBe(true)
          const outcomes = await store.db
            .selectFrom('audit_log')
            .select(['status'])
            .where('action', '=', 'POST /api/v1/workloads')
            .orderBy('seq', 'desc')
            .limit(3)
            .execute()
          expect(outcomes.map((o) => Number(o.status)).sort()).toEqual([201, 201, 503])
        } finally {
          await cure(store)
        }
        // Nothing left over: the next submission is stored normally.
        const after = await t.app.inject({ method: 'POST', url: '/api/v1/workloads', headers: admin, payload: cpuSpec('after') })
        expect(after.statusCode).toBe(201)
      })
    },
  )
}
