import { buildApp, can, loadConfig, type Principal, ROLES, type Role, type Store } from '@suanpan/control-plane'
import type { LedgerResponse, Workload, WorkloadList } from '@suanpan/control-plane/schemas'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app'
import { cpuNode, fullReport, identity } from '../support/reports'
import { testStores } from '../support/stores'

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
const PASSWORD = 'Correct-Horse-9-Battery'

/** One account per role; the scoped ones in Beijing (110000) or the Ministry of Public Security. */
const SCOPES: Record<Role, string> = {
  'national-admin': 'national',
  'provincial-admin': '110000',
  'ministry-admin': 'ministry:mps',
  planner: 'national',
  'workload-owner': '110000',
  'drill-operator': 'national',
  auditor: 'national',
}

const principalOf = (role: Role): Principal => {
  const s = SCOPES[role]
  return {
    id: role,
    role,
    scope:
      s === 'national'
        ? { kind: 'national' }
        : s.startsWith('ministry:')
          ? { kind: 'ministry', name: s.slice(9) }
          : { kind: 'province', code: s },
    via: 'api-token',
  }
}

const cpuWorkload = (region: string, department: string) => ({
  owner: { department, region },
  priority: 0,
  replicas: 1,
  resources: { cpuMillis: 500, memoryBytes: 1024 ** 3 },
  placement: { mode: 'gang' },
  template: { apiVersion: 'batch/v1', kind: 'Job', spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } },
})

for (const { store: testStore, skip } of testStores()) {
  describe.skipIf(skip)(
    `regional roles: every route × every role, scope filters, sessions on ${testStore.name}${skip ? ` (${skip})` : ''}`,
    () => {
      let store: Store
      let cleanup: () => Promise<void>
      let t: TestApp
      const tokens = new Map<Role, string>()
      // Guangdong's cluster and workload: no principal scoped to Beijing or to the ministry may ever see them.
      const secret = identity('440000-gd-secret', '440000', { site: '440000-gd-secret-site', city: 'Guangzhou' })
      const bj = identity('110000-bj-a', '110000')
      const mps = identity('110000-mps-a', '110000', { level: 'ministry', platform: 'cn-mps', ministry: 'mps', site: '110000-mps-site' })
      let gdWorkload: Workload
      let bjWorkload: Workload

      const req = (method: string, url: string, role: Role | null, payload?: unknown, headers: Record<string, string> = {}) =>
        t.app.inject({
          method: method as 'GET',
          url,
          headers: { ...(role ? { authorization: `Bearer ${tokens.get(role)}` } : {}), ...headers },
          ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
        })

      beforeAll(async () => {
        const opened = await testStore.open()
        store = opened.store
        cleanup = opened.cleanup
        t = await startTestApp(store, { openReads: false })
        for (const id of [secret, bj, mps]) {
          const token = await t.register(id)
          expect((await t.post(fullReport(id, 1, [cpuNode(`${id.clusterId}-n1`)]), token)).status).toBe(200)
        }
        for (const role of ROLES) {
          const created = await t.app.inject({
            method: 'POST',
            url: '/api/v1/users',
            headers: admin,
            payload: { username: role, password: PASSWORD, role, scope: SCOPES[role] },
          })
          expect(created.statusCode, created.body).toBe(201)
          const issued = await t.app.inject({ method: 'POST', url: `/api/v1/users/${role}/tokens`, headers: admin, payload: { days: 1 } })
          expect(issued.statusCode).toBe(201)
          tokens.set(role, (issued.json() as { token: string }).token)
        }
        gdWorkload = (
          await t.app.inject({ method: 'POST', url: '/api/v1/workloads', headers: admin, payload: cpuWorkload('440000', 'gd-health') })
        ).json() as Workload
        bjWorkload = (
          await t.app.inject({ method: 'POST', url: '/api/v1/workloads', headers: admin, payload: cpuWorkload('110000', 'bj-stats') })
        ).json() as Workload
        expect(gdWorkload.state).toBe('placed')
      })
      afterAll(async () => {
        await t?.close()
        await store?.close()
        await cleanup?.()
      })

      it('every API route declares what it needs; a route that does not cannot be added', async () => {
        const api = t.services.routes.filter((r) => r.url.startsWith('/api/'))
        expect(api.length).toBeGreaterThanOrEqual(30)
        expect(api.every((r) => r.access)).toBe(true)
        // A route added without declaring what it needs stops the control plane from starting.
        const fresh = await buildApp({ config: loadConfig({}, { adminToken: ADMIN_TOKEN, logLevel: 'error' }), store, logger: false })
        try {
          expect(() => fresh.app.get('/api/v1/undeclared', async () => 'x')).toThrow(/declares no access/)
          expect(() => fresh.app.get('/api/v1/declared', { config: { access: 'ledger:read' } }, async () => 'x')).not.toThrow()
        } finally {
          await fresh.app.close()
        }
      })

      it('every route × every role: denied exactly where the role lacks the permission; scoped roles never see Guangdong', async () => {
        const params: Record<string, string> = {
          id: gdWorkload.id,
          clusterId: secret.clusterId,
          workloadId: gdWorkload.id,
          username: 'nobody',
        }
        let checked = 0
        for (const route of t.services.routes) {
          if (!route.url.startsWith('/api/') || route.access === 'public') continue
          // Path parameters aim at Guangdong's things; for the cluster-token routes any cluster id will do.
          const url = route.url.replace(/:([A-Za-z]+)/g, (_m, name: string) => params[name] ?? 'x')
          for (const role of [...ROLES, null]) {
            // Mutations are sent with an empty body: a permitted one fails validation (400), never a 401/403.
            const res = await req(route.method, url, role, route.method === 'GET' ? undefined : {})
            checked++
            const where = `${route.method} ${route.url} as ${role ?? 'nobody'}: ${res.statusCode} ${res.body.slice(0, 200)}`
            if (route.access === 'agent') {
              // User tokens are not cluster tokens.
              expect(res.statusCode, where).toBe(401)
              continue
            }
            if (role === null) {
              expect(res.statusCode, where).toBe(401)
              continue
            }
            if (!can(principalOf(role), route.access)) {
              expect(res.statusCode, where).toBe(403)
              expect(res.json().code, where).toBe('FORBIDDEN')
              continue
            }
            expect([401, 403].includes(res.statusCode) && res.json().code !== 'OUTSIDE_SCOPE', where).toBe(false)
            if (SCOPES[role] !== 'national' && res.statusCode < 300) {
              expect(res.body, where).not.toContain('gd-secret')
              expect(res.body, where).not.toContain(gdWorkload.id)
            }
          }
        }
        expect(checked).toBeGreaterThanOrEqual(30 * (ROLES.length + 1))
      })

      it('read scopes: the provincial admin sees Beijing in the ledger, clusters and workloads; the ministry its platform', async () => {
        const ledger = (await req('GET', '/api/v1/ledger?groupBy=cluster', 'provincial-admin')).json() as LedgerResponse
        expect(ledger.groups.map((g) => g.key.cluster).sort()).toEqual([bj.clusterId, mps.clusterId].sort())
        // Asking for Guangdong explicitly gives nothing, not Guangdong.
        const asked = (await req('GET', '/api/v1/ledger?groupBy=cluster&province=440000', 'provincial-admin')).json() as LedgerResponse
        expect(asked.groups).toEqual([])
        const national = (await req('GET', '/api/v1/ledger?groupBy=cluster', 'planner')).json() as LedgerResponse
        expect(national.groups).toHaveLength(3)
        const ministry = (await req('GET', '/api/v1/ledger?groupBy=cluster', 'ministry-admin')).json() as LedgerResponse
        expect(ministry.groups.map((g) => g.key.cluster)).toEqual([mps.clusterId])
        const clusters = (await req('GET', '/api/v1/clusters', 'workload-owner')).json() as { clusters: { clusterId: string }[] }
        expect(clusters.clusters.map((c) => c.clusterId).sort()).toEqual([bj.clusterId, mps.clusterId].sort())
        expect((await req('GET', `/api/v1/clusters/${secret.clusterId}/nodes`, 'provincial-admin')).statusCode).toBe(404)
        expect((await req('GET', `/api/v1/clusters/${secret.clusterId}/nodes`, 'auditor')).statusCode).toBe(200)
        const list = (await req('GET', '/api/v1/workloads', 'workload-owner')).json() as WorkloadList
        expect(list.items.map((w) => w.id)).toEqual([bjWorkload.id])
        expect((await req('GET', `/api/v1/workloads/${gdWorkload.id}/explain`, 'provincial-admin')).statusCode).toBe(404)
        expect((await req('GET', `/api/v1/workloads/${bjWorkload.id}/explain`, 'provincial-admin')).statusCode).toBe(200)
        // Approval requests (two-person rule) are scoped by their target's province: Guangdong's cluster deletion,
        // asked for by the national admin, is seen nationally and never by Beijing's admin.
        const deletion = await req('DELETE', `/api/v1/clusters/${secret.clusterId}`, 'national-admin')
        expect(deletion.statusCode, deletion.body).toBe(202)
        const approvalId = (deletion.json() as { approval: { id: string } }).approval.id
        const targets = async (role: Role) =>
          ((await req('GET', '/api/v1/approvals', role)).json() as { approvals: { target: string }[] }).approvals.map((a) => a.target)
        expect(await targets('auditor')).toContain(secret.clusterId)
        expect(await targets('drill-operator')).toContain(secret.clusterId)
        expect(await targets('provincial-admin')).not.toContain(secret.clusterId)
        expect((await req('GET', `/api/v1/approvals/${approvalId}`, 'provincial-admin')).statusCode).toBe(404)
        expect((await req('POST', `/api/v1/approvals/${approvalId}/approve`, 'provincial-admin', {})).statusCode).toBe(404)
        // Seeing it is not deciding it: deciding needs the action's own permission (clusters:write).
        const auditor = await req('POST', `/api/v1/approvals/${approvalId}/approve`, 'auditor', {})
        expect(auditor.statusCode).toBe(403)
        expect((await req('GET', '/api/v1/approvals', 'workload-owner')).statusCode).toBe(403)
        expect((await req('GET', `/api/v1/clusters/${secret.clusterId}/nodes`, 'auditor')).statusCode).toBe(200)
      })

      it('write scopes: nothing outside the scope is changed', async () => {
        const before = await store.db.selectFrom('workloads').select(['id', 'state']).orderBy('id').execute()
        const clustersBefore = await store.db.selectFrom('clusters').select(['id', 'token_hash']).orderBy('id').execute()
        const outside = await req('POST', '/api/v1/workloads', 'workload-owner', cpuWorkload('440000', 'gd-health'))
        expect(outside.statusCode).toBe(403)
        expect(outside.json().code).toBe('OUTSIDE_SCOPE')
        expect((await req('DELETE', `/api/v1/workloads/${gdWorkload.id}`, 'provincial-admin')).statusCode).toBe(404)
        const register = await req('POST', '/api/v1/clusters', 'provincial-admin', identity('440000-new', '440000'))
        expect(register.statusCode).toBe(403)
        expect((await req('POST', `/api/v1/clusters/${secret.clusterId}/token`, 'provincial-admin')).statusCode).toBe(404)
        expect((await req('DELETE', `/api/v1/clusters/${secret.clusterId}/token`, 'provincial-admin')).statusCode).toBe(404)
        expect((await req('DELETE', `/api/v1/clusters/${secret.clusterId}`, 'provincial-admin')).statusCode).toBe(404)
        expect(await store.db.selectFrom('workloads').select(['id', 'state']).orderBy('id').execute()).toEqual(before)
        expect(await store.db.selectFrom('clusters').select(['id', 'token_hash']).orderBy('id').execute()).toEqual(clustersBefore)
        // Inside the scope it works.
        const inside = await req('POST', '/api/v1/workloads', 'workload-owner', cpuWorkload('110000', 'bj-stats'))
        expect(inside.statusCode).toBe(201)
        expect((await req('POST', '/api/v1/clusters', 'provincial-admin', identity('110000-new', '110000'))).statusCode).toBe(201)
        // Deleting its own cluster waits for a second person (two-person rule, on by default): nothing is deleted yet.
        const deletion = await req('DELETE', '/api/v1/clusters/110000-new', 'provincial-admin')
        expect(deletion.statusCode, deletion.body).toBe(202)
        expect((deletion.json() as { approval: { requestedBy: string } }).approval.requestedBy).toBe('user:provincial-admin')
        const listed = (await req('GET', '/api/v1/clusters', 'provincial-admin')).json() as { clusters: { clusterId: string }[] }
        expect(listed.clusters.map((c) => c.clusterId)).toContain('110000-new')
      })

      it('drills: the national admin and the drill operator run and schedule, planner and auditor read, regional roles neither', async () => {
        // No DR lab in tests (startTestApp): a permitted start is refused 409, never run.
        for (const role of ['national-admin', 'drill-operator'] as const) {
          const run = await req('POST', '/api/v1/drills', role, { scenario: 'a1-lost' })
          expect(run.statusCode, run.body).toBe(409)
          expect(run.json().code).toBe('DR_LAB_MISSING')
        }
        const schedule = await req('POST', '/api/v1/drill-schedules', 'drill-operator', { scenario: 'a1-lost', cron: '0 3 * * 1' })
        expect(schedule.statusCode, schedule.body).toBe(201)
        expect(schedule.json().createdBy).toBe('user:drill-operator')
        for (const role of ['planner', 'auditor'] as const) {
          expect((await req('GET', '/api/v1/drill-schedules', role)).statusCode).toBe(200)
          expect((await req('GET', '/api/v1/drills', role)).statusCode).toBe(200)
          expect((await req('POST', '/api/v1/drills', role, { scenario: 'a1-lost' })).statusCode).toBe(403)
          expect((await req('DELETE', `/api/v1/drill-schedules/${schedule.json().id}`, role)).statusCode).toBe(403)
        }
        for (const role of ['provincial-admin', 'ministry-admin', 'workload-owner'] as const)
          expect((await req('GET', '/api/v1/drills/scenarios', role)).statusCode).toBe(403)
        expect((await req('DELETE', `/api/v1/drill-schedules/${schedule.json().id}`, 'drill-operator')).statusCode).toBe(200)
        expect(await store.db.selectFrom('drill_runs').selectAll().execute()).toEqual([])
      })

      it('console session: HttpOnly SameSite=Strict cookie, CSRF token required for changes, sign-out ends it', async () => {
        const bad = await t.app.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { username: 'planner', password: 'wrong-Password-1' },
        })
        expect(bad.statusCode).toBe(401)
        const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'ghost', password: PASSWORD } })
        expect(unknown.statusCode).toBe(401)
        expect(unknown.json().code).toBe(bad.json().code)
        const login = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'planner', password: PASSWORD } })
        expect(login.statusCode).toBe(200)
        const setCookie = String(login.headers['set-cookie'])
        expect(setCookie).toMatch(/^suanpan_session=[^;]+; HttpOnly; SameSite=Strict; Path=\//)
        const cookie = setCookie.split(';')[0] as string
        const { csrfToken } = login.json() as { csrfToken: string }
        const who = await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } })
        expect(who.json()).toMatchObject({ id: 'user:planner', role: 'planner', via: 'session' })
        expect((await t.app.inject({ method: 'GET', url: '/api/v1/censuses', headers: { cookie } })).statusCode).toBe(200)
        const noCsrf = await t.app.inject({ method: 'POST', url: '/api/v1/censuses', headers: { cookie }, payload: { period: '2026Q4' } })
        expect(noCsrf.statusCode).toBe(403)
        expect(noCsrf.json().code).toBe('CSRF_TOKEN_REQUIRED')
        const wrongCsrf = await t.app.inject({
          method: 'POST',
          url: '/api/v1/censuses',
          headers: { cookie, 'x-csrf-token': 'forged' },
          payload: { period: '2026Q4' },
        })
        expect(wrongCsrf.statusCode).toBe(403)
        const ok = await t.app.inject({
          method: 'POST',
          url: '/api/v1/censuses',
          headers: { cookie, 'x-csrf-token': csrfToken },
          payload: { period: '2026Q4' },
        })
        expect(ok.statusCode).toBe(201)
        await t.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie } })
        expect((await t.app.inject({ method: 'GET', url: '/api/v1/censuses', headers: { cookie } })).statusCode).toBe(401)
        // Passwords are kept as scrypt hashes only.
        const row = await store.db.selectFrom('users').select('password_hash').where('username', '=', 'planner').executeTakeFirstOrThrow()
        expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/)
        expect(row.password_hash).not.toContain(PASSWORD)
      })

      it('accounts: weak passwords and wrong scopes are refused naming the field; a disabled account stops at once', async () => {
        const weak = await t.app.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: admin,
          payload: { username: 'weak', password: 'short', role: 'planner' },
        })
        expect(weak.statusCode).toBe(400)
        expect(weak.body).toContain('/password')
        const scope = await t.app.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: admin,
          payload: { username: 'pa', password: PASSWORD, role: 'provincial-admin', scope: 'national' },
        })
        expect(scope.statusCode).toBe(400)
        expect(scope.body).toContain('/scope')
        expect((await req('GET', '/api/v1/ledger', 'auditor')).statusCode).toBe(200)
        expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/users/auditor', headers: admin })).statusCode).toBe(200)
        expect((await req('GET', '/api/v1/ledger', 'auditor')).statusCode).toBe(401)
        // Only a national admin manages accounts.
        expect((await req('GET', '/api/v1/users', 'provincial-admin')).statusCode).toBe(403)
      })
    },
  )
}
