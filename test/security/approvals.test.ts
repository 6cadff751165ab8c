import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type App, buildApp, type Config, loadConfig, type Store, verifyAuditTrail } from '@suanpan/control-plane'
import type { Approval, ClusterDeleted, HistoryResponse, LedgerResponse } from '@suanpan/control-plane/schemas'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { approvalApprove, approvalList, approvalReject, clusterDelete } from '../../cli/src/approval'
import { createOutput } from '../../cli/src/output'
import { migrateToLatest, migrations } from '../../control-plane/src/store/migrations'
import { ADMIN_TOKEN } from '../support/app'
import { cpuNode, fullReport, identity } from '../support/reports'
import { testStores } from '../support/stores'

const PASSWORD = 'Correct-Horse-9-Battery'
const TTL_SECONDS = 3_600
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }

/** Accounts: two national admins, the provincial admins of Guangdong and Beijing, an auditor. */
const USERS = [
  { username: 'alice', role: 'national-admin', scope: 'national' },
  { username: 'bob', role: 'provincial-admin', scope: '440000' },
  { username: 'carol', role: 'provincial-admin', scope: '110000' },
  { username: 'dave', role: 'auditor', scope: 'national' },
] as const
type User = (typeof USERS)[number]['username']

interface Harness {
  app: FastifyInstance
  services: App['services']
  clock: { now: number }
  close(): Promise<void>
}

async function harness(store: Store, overrides: Partial<Config> = {}): Promise<Harness> {
  const clock = { now: 1_790_000_000_000 }
  const config = loadConfig(
    {},
    { adminToken: ADMIN_TOKEN, logLevel: 'error', ingestWorkers: 0, approvalTtlSeconds: TTL_SECONDS, censusSchedule: null, ...overrides },
  )
  const { app, services } = await buildApp({ config, store, now: () => clock.now, logger: false })
  return { app, services, clock, close: () => app.close() }
}

for (const { store: testStore, skip } of testStores()) {
  describe.skipIf(skip)(`two-person rule (approvals) on ${testStore.name}${skip ? ` (${skip})` : ''}`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let h: Harness
    const tokens = new Map<User, string>()
    const clusterTokens = new Map<string, string>()
    let sequence = 1

    const as = (who: User | 'admin') => ({ authorization: `Bearer ${who === 'admin' ? ADMIN_TOKEN : tokens.get(who)}` })
    const call = (method: string, url: string, who: User | 'admin', payload?: unknown) =>
      h.app.inject({
        method: method as 'GET',
        url,
        headers: as(who),
        ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
      })
    const requestDeletion = async (clusterId: string, who: User | 'admin' = 'admin'): Promise<Approval> => {
      const res = await call('DELETE', `/api/v1/clusters/${clusterId}`, who)
      expect(res.statusCode, res.body).toBe(202)
      return (res.json() as { approval: Approval }).approval
    }
    const approve = (id: string, who: User | 'admin') => call('POST', `/api/v1/approvals/${id}/approve`, who, {})
    const reject = (id: string, who: User | 'admin', reason = 'not now') => call('POST', `/api/v1/approvals/${id}/reject`, who, { reason })
    const clusterIds = async () =>
      ((await call('GET', '/api/v1/clusters', 'admin')).json() as { clusters: { clusterId: string }[] }).clusters.map((c) => c.clusterId)
    const ledgerClusters = async () =>
      ((await call('GET', '/api/v1/ledger?groupBy=cluster', 'admin')).json() as LedgerResponse).groups.map((g) => g.key.cluster)

    async function addCluster(clusterId: string, province: string): Promise<string> {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/clusters', headers: admin, payload: identity(clusterId, province) })
      expect(res.statusCode, res.body).toBe(201)
      const token = (res.json() as { token: string }).token
      clusterTokens.set(clusterId, token)
      const report = await h.app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify(fullReport(identity(clusterId, province), sequence++, [cpuNode(`${clusterId}-n1`)])),
      })
      expect(report.statusCode, report.body).toBe(200)
      return clusterId
    }

    beforeAll(async () => {
      const opened = await testStore.open()
      store = opened.store
      cleanup = opened.cleanup
      // The default configuration: cluster deletion is under the rule.
      h = await harness(store)
      expect(h.services.config.twoPersonRule).toContain('clusters:delete')
      for (const u of USERS) {
        const created = await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload: { ...u, password: PASSWORD } })
        expect(created.statusCode, created.body).toBe(201)
        const issued = await h.app.inject({ method: 'POST', url: `/api/v1/users/${u.username}/tokens`, headers: admin, payload: {} })
        tokens.set(u.username, (issued.json() as { token: string }).token)
      }
    })
    afterAll(async () => {
      await h?.close()
      await store?.close()
      await cleanup?.()
    })

    it('a deletion under the rule answers 202 with a pending request and deletes nothing; asking again gives the same request', async () => {
      const id = await addCluster('440000-gd-a', '440000')
      await h.services.recordHistory()
      const approval = await requestDeletion(id)
      expect(approval).toMatchObject({
        action: 'clusters:delete',
        target: id,
        scope: '440000',
        status: 'pending',
        requestedBy: 'admin',
        params: { clusterId: id },
        decidedBy: null,
        result: null,
      })
      expect(approval.id).toMatch(/^apr-[0-9a-f]{16}$/)
      expect(Date.parse(approval.expiresAt) - Date.parse(approval.requestedAt)).toBe(TTL_SECONDS * 1000)
      expect(await clusterIds()).toContain(id)
      expect(await ledgerClusters()).toContain(id)
      const row = await store.db.selectFrom('clusters').select(['deleted_at']).where('id', '=', id).executeTakeFirstOrThrow()
      expect(row.deleted_at).toBeNull()
      expect((await requestDeletion(id)).id).toBe(approval.id)
      const listed = (await call('GET', '/api/v1/approvals?status=pending', 'admin')).json() as { approvals: Approval[] }
      expect(listed.approvals.map((a) => a.id)).toEqual([approval.id])
    })

    it('the requester cannot approve its own request; nor can a principal without the permission, or outside the scope', async () => {
      const [pending] = ((await call('GET', '/api/v1/approvals?status=pending', 'admin')).json() as { approvals: Approval[] }).approvals
      const id = pending?.id as string
      const self = await approve(id, 'admin')
      expect(self.statusCode).toBe(403)
      expect(self.json().code).toBe('SELF_APPROVAL')
      // The auditor sees the request but may not delete clusters, so may not approve their deletion.
      expect((await call('GET', `/api/v1/approvals/${id}`, 'dave')).statusCode).toBe(200)
      const auditor = await approve(id, 'dave')
      expect(auditor.statusCode).toBe(403)
      expect(auditor.json().code).toBe('FORBIDDEN')
      // Beijing's admin does not see Guangdong's request at all.
      expect((await approve(id, 'carol')).statusCode).toBe(404)
      expect((await call('GET', '/api/v1/approvals', 'carol')).json()).toEqual({ approvals: [] })
      // A user asking is one person too: alice cannot approve what alice asked for.
      const other = await addCluster('440000-gd-b', '440000')
      const mine = await requestDeletion(other, 'alice')
      expect(mine.requestedBy).toBe('user:alice')
      const own = await approve(mine.id, 'alice')
      expect(own.statusCode).toBe(403)
      expect(own.json().code).toBe('SELF_APPROVAL')
      expect(await clusterIds()).toEqual(expect.arrayContaining(['440000-gd-a', other]))
      const statuses = await store.db.selectFrom('approval_requests').select('status').execute()
      expect(statuses.every((s) => s.status === 'pending')).toBe(true)
    })

    it('a second person with the permission approves: the cluster is out of the ledger, its history and audit stay', async () => {
      const [pending] = (
        (await call('GET', '/api/v1/approvals?status=pending&action=clusters:delete', 'bob')).json() as { approvals: Approval[] }
      ).approvals.filter((a) => a.target === '440000-gd-a')
      const res = await approve(pending?.id as string, 'bob')
      expect(res.statusCode, res.body).toBe(200)
      const approval = (res.json() as { approval: Approval }).approval
      expect(approval).toMatchObject({ status: 'executed', requestedBy: 'admin', decidedBy: 'user:bob' })
      expect(approval.result).toMatchObject({ clusterId: '440000-gd-a', province: '440000', approvalId: approval.id })
      expect(approval.executedAt).not.toBeNull()
      expect(await clusterIds()).not.toContain('440000-gd-a')
      expect(await ledgerClusters()).not.toContain('440000-gd-a')
      expect(await store.db.selectFrom('cluster_state').select('cluster_id').where('cluster_id', '=', '440000-gd-a').execute()).toEqual([])
      expect(await store.db.selectFrom('ledger_rows').select('cluster_id').where('cluster_id', '=', '440000-gd-a').execute()).toEqual([])
      // Its history stays readable by location.
      const history = (await call('GET', '/api/v1/history?groupBy=cluster&cluster=440000-gd-a', 'admin')).json() as HistoryResponse
      expect(history.series.map((s) => s.key.cluster)).toEqual(['440000-gd-a'])
      // Its token no longer works; it cannot be deleted, rotated or approved again.
      const report = await h.app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { authorization: `Bearer ${clusterTokens.get('440000-gd-a')}`, 'content-type': 'application/json' },
        payload: JSON.stringify(fullReport(identity('440000-gd-a', '440000'), sequence++, [cpuNode('n1')])),
      })
      expect(report.statusCode).toBe(401)
      expect((await call('DELETE', '/api/v1/clusters/440000-gd-a', 'admin')).statusCode).toBe(404)
      expect((await call('POST', '/api/v1/clusters/440000-gd-a/token', 'admin')).statusCode).toBe(404)
      const again = await approve(approval.id, 'alice')
      expect(again.statusCode).toBe(409)
      expect(again.json().code).toBe('APPROVAL_NOT_PENDING')
      // alice's request for gd-b: of two approvers at once, one decides.
      const [gdB] = ((await call('GET', '/api/v1/approvals?status=pending', 'admin')).json() as { approvals: Approval[] }).approvals
      const both = await Promise.all([approve(gdB?.id as string, 'bob'), approve(gdB?.id as string, 'admin')])
      expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409])
      expect(await clusterIds()).not.toContain('440000-gd-b')
      // The id registers again in its own province only; its history carries on.
      const elsewhere = await h.app.inject({ method: 'POST', url: '/api/v1/clusters', headers: admin, payload: identity('440000-gd-b') })
      expect(elsewhere.statusCode).toBe(409)
      await addCluster('440000-gd-b', '440000')
      expect(await ledgerClusters()).toContain('440000-gd-b')
    })

    it('reject (with a reason) leaves everything; the requester may withdraw; nothing can be approved afterwards', async () => {
      const id = await addCluster('440000-gd-c', '440000')
      const pending = await requestDeletion(id)
      const noReason = await call('POST', `/api/v1/approvals/${pending.id}/reject`, 'bob', {})
      expect(noReason.statusCode).toBe(400)
      expect((await reject(pending.id, 'dave')).statusCode).toBe(403)
      const res = await reject(pending.id, 'bob', 'the cluster is being migrated, not retired')
      expect(res.statusCode, res.body).toBe(200)
      expect((res.json() as { approval: Approval }).approval).toMatchObject({
        status: 'rejected',
        decidedBy: 'user:bob',
        reason: 'the cluster is being migrated, not retired',
        result: null,
      })
      expect((await approve(pending.id, 'alice')).statusCode).toBe(409)
      expect(await clusterIds()).toContain(id)
      expect(await ledgerClusters()).toContain(id)
      const withdrawn = await requestDeletion(id, 'admin')
      expect(withdrawn.id).not.toBe(pending.id)
      const res2 = await reject(withdrawn.id, 'admin', 'asked by mistake')
      expect(res2.statusCode, res2.body).toBe(200)
      expect((res2.json() as { approval: Approval }).approval).toMatchObject({ status: 'rejected', decidedBy: 'admin' })
      expect(await clusterIds()).toContain(id)
      const rejected = (await call('GET', '/api/v1/approvals?status=rejected', 'admin')).json() as { approvals: Approval[] }
      expect(rejected.approvals.map((a) => a.id).sort()).toEqual([pending.id, withdrawn.id].sort())
    })

    it('an expired request cannot be approved or rejected; asking again makes a new one', async () => {
      const id = '440000-gd-c'
      const pending = await requestDeletion(id)
      h.clock.now += TTL_SECONDS * 1000 + 1
      const late = await approve(pending.id, 'bob')
      expect(late.statusCode).toBe(409)
      expect(late.json().code).toBe('APPROVAL_EXPIRED')
      expect((await reject(pending.id, 'bob')).statusCode).toBe(409)
      expect(await clusterIds()).toContain(id)
      const expired = (await call('GET', '/api/v1/approvals?status=expired', 'admin')).json() as { approvals: Approval[] }
      expect(expired.approvals.map((a) => a.id)).toEqual([pending.id])
      expect((await call('GET', '/api/v1/approvals?status=pending', 'admin')).json()).toEqual({ approvals: [] })
      // A new request; the expired one is now expired in the store too.
      const fresh = await requestDeletion(id)
      expect(fresh.id).not.toBe(pending.id)
      const row = await store.db.selectFrom('approval_requests').select('status').where('id', '=', pending.id).executeTakeFirstOrThrow()
      expect(row.status).toBe('expired')
      expect((await reject(fresh.id, 'admin', 'clean up')).statusCode).toBe(200)
    })

    it('the audit trail holds request, approve (denied and ok), execute and reject, with the approval id; the chain verifies', async () => {
      const res = await call('GET', '/api/v1/audit?action=approval.&limit=1000', 'dave')
      expect(res.statusCode).toBe(200)
      const records = (
        res.json() as { records: { action: string; actor: string; outcome: string; scope: string; detail: Record<string, unknown> }[] }
      ).records
      const executed = (
        (await call('GET', '/api/v1/approvals?status=executed', 'admin')).json() as { approvals: Approval[] }
      ).approvals.find((a) => a.target === '440000-gd-a') as Approval
      const trail = records
        .filter((r) => r.detail.approvalId === executed.id)
        .reverse()
        .map((r) => [r.action, r.actor, r.outcome])
      expect(trail).toEqual([
        ['approval.request', 'admin', 'ok'],
        ['approval.approve', 'admin', 'denied'],
        ['approval.approve', 'user:dave', 'denied'],
        ['approval.approve', 'user:bob', 'ok'],
        ['approval.execute', 'user:bob', 'ok'],
      ])
      expect(records.every((r) => r.scope === '440000')).toBe(true)
      expect(records.some((r) => r.action === 'approval.reject' && r.actor === 'user:bob' && r.outcome === 'ok')).toBe(true)
      // The HTTP requests themselves are in the trail too (the audit hook): the 202 and the denied self-approval.
      const http = (
        (await call('GET', '/api/v1/audit?action=approvals&limit=1000', 'dave')).json() as {
          records: { action: string; outcome: string; status: number; detail: { code?: string } }[]
        }
      ).records
      expect(
        http.some((r) => r.action === 'POST /api/v1/approvals/:id/approve' && r.status === 403 && r.detail.code === 'SELF_APPROVAL'),
      ).toBe(true)
      const deletes = (
        (
          await call('GET', `/api/v1/audit?action=${encodeURIComponent('DELETE /api/v1/clusters/:clusterId')}&limit=1000`, 'dave')
        ).json() as {
          records: { status: number; outcome: string }[]
        }
      ).records
      expect(deletes.some((r) => r.status === 202 && r.outcome === 'ok')).toBe(true)
      const verify = await call('GET', '/api/v1/audit/verify', 'dave')
      expect(verify.json()).toMatchObject({ ok: true, problems: [] })
      expect(await verifyAuditTrail(store)).toMatchObject({ ok: true, problems: [] })
    })

    it('with the rule off (SUANPAN_TWO_PERSON_RULE=off) a deletion happens at once', async () => {
      const off = await harness(store, { twoPersonRule: [] })
      try {
        const res = await off.app.inject({ method: 'POST', url: '/api/v1/clusters', headers: admin, payload: identity('110000-bj-off') })
        expect(res.statusCode).toBe(201)
        const before = await store.db.selectFrom('approval_requests').select('id').execute()
        const deleted = await off.app.inject({ method: 'DELETE', url: '/api/v1/clusters/110000-bj-off', headers: admin })
        expect(deleted.statusCode, deleted.body).toBe(200)
        expect(deleted.json() as ClusterDeleted).toMatchObject({ clusterId: '110000-bj-off', province: '110000', approvalId: null })
        expect(await store.db.selectFrom('approval_requests').select('id').execute()).toEqual(before)
        const row = await store.db.selectFrom('clusters').select('deleted_at').where('id', '=', '110000-bj-off').executeTakeFirstOrThrow()
        expect(row.deleted_at).not.toBeNull()
        // Beijing's admin may delete a Beijing cluster, never Guangdong's.
        await off.app.inject({ method: 'POST', url: '/api/v1/clusters', headers: admin, payload: identity('110000-bj-off-2') })
        const gd = await off.app.inject({ method: 'DELETE', url: '/api/v1/clusters/440000-gd-c', headers: as('carol') })
        expect(gd.statusCode).toBe(404)
        const bj = await off.app.inject({ method: 'DELETE', url: '/api/v1/clusters/110000-bj-off-2', headers: as('carol') })
        expect(bj.statusCode, bj.body).toBe(200)
        expect(await clusterIds()).toContain('440000-gd-c')
      } finally {
        await off.close()
      }
    })

    // The CLI speaks HTTP, the same whatever the store: run once (on SQLite), not registered as skipped on PostgreSQL.
    if (testStore.name === 'sqlite')
      it('the CLI: cluster delete, approval list, approve with another token, reject', async () => {
        await h.app.listen({ host: '127.0.0.1', port: 0 })
        const address = h.app.server.address()
        const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
        const lines: string[] = []
        const out = createOutput(false, (l) => lines.push(l))
        const id = await addCluster('440000-gd-cli', '440000')
        await clusterDelete({ url, adminToken: ADMIN_TOKEN, id }, out)
        expect(lines.at(-1)).toMatch(/^deleting 440000-gd-cli waits for a second person's approval \(two-person rule\): apr-/)
        const approvalId = /(apr-[0-9a-f]{16})/.exec(lines.at(-1) ?? '')?.[1] as string
        await approvalList({ url, token: tokens.get('bob') as string, status: 'pending' }, out)
        expect(lines.at(-1)).toContain(`${approvalId}  clusters:delete 440000-gd-cli  PENDING`)
        await expect(approvalApprove({ url, adminToken: ADMIN_TOKEN, id: approvalId }, out)).rejects.toThrow(/403 SELF_APPROVAL/)
        expect(await approvalApprove({ url, token: tokens.get('bob') as string, id: approvalId }, out)).toBe(true)
        expect(lines.at(-1)).toContain('EXECUTED')
        expect(await clusterIds()).not.toContain(id)
        const other = await addCluster('440000-gd-cli-2', '440000')
        await clusterDelete({ url, token: tokens.get('alice') as string, id: other }, out)
        const second = /(apr-[0-9a-f]{16})/.exec(lines.at(-1) ?? '')?.[1] as string
        await approvalReject({ url, token: tokens.get('bob') as string, id: second, reason: 'keep it' }, out)
        expect(lines.at(-1)).toContain('REJECTED')
        expect(lines.at(-1)).toContain('decided by user:bob')
        expect(await clusterIds()).toContain(other)
      })
  })
}

describe('two-person rule: configuration and migrations', () => {
  it('SUANPAN_TWO_PERSON_RULE: on by default for cluster deletion and drill takeover/failover; off; a list; typos refused', () => {
    expect(loadConfig({}).twoPersonRule).toEqual(['clusters:delete', 'drills:remote-takeover', 'drills:failover'])
    expect(loadConfig({ SUANPAN_TWO_PERSON_RULE: 'off' }).twoPersonRule).toEqual([])
    expect(loadConfig({ SUANPAN_TWO_PERSON_RULE: ' clusters:delete , drills:failover ' }).twoPersonRule).toEqual([
      'clusters:delete',
      'drills:failover',
    ])
    expect(() => loadConfig({ SUANPAN_TWO_PERSON_RULE: 'clusters:dlete' })).toThrow(/unknown action "clusters:dlete"/)
    expect(loadConfig({}).approvalTtlSeconds).toBe(86_400)
    expect(loadConfig({ SUANPAN_APPROVAL_TTL_SECONDS: '600' }).approvalTtlSeconds).toBe(600)
    expect(() => loadConfig({ SUANPAN_APPROVAL_TTL_SECONDS: '5' })).toThrow(/SUANPAN_APPROVAL_TTL_SECONDS/)
  })

  it('0011_approvals and 0010_drills apply in either order: a store that got 0011 first still takes 0010', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'suanpan-migrations-'))
    try {
      // A store migrated by a build that had 0011 (and later ones) but not 0010 …
      const without = Object.fromEntries(Object.entries(migrations).filter(([name]) => !name.startsWith('0010')))
      const early = await openStoreWith(join(dir, 'b.db'), without)
      const has = async (table: string) =>
        (await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = ${table}`.execute(early)).rows[0]
          ?.n === 1
      expect(await has('approval_requests')).toBe(true)
      // … then one that has 0010 too: it applies 0010 instead of refusing to start.
      await migrateToLatest(early, migrations)
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(early)
      expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(migrations).sort())
      await early.destroy()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

/** A bare SQLite database migrated with the given set. */
async function openStoreWith(path: string, set: typeof migrations) {
  const { Kysely, SqliteDialect } = await import('kysely')
  const SQLite = (await import('better-sqlite3')).default
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(path) }) })
  await migrateToLatest(db, set)
  return db
}
