import type { Store } from '@suanpan/control-plane'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app'
import { cpuNode, fullReport, identity } from '../support/reports'
import { testStores } from '../support/stores'

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }

for (const { store: testStore, skip } of testStores()) {
  describe.skipIf(skip)(`agent tokens: rotation with a grace period, revocation on ${testStore.name}${skip ? ` (${skip})` : ''}`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let t: TestApp
    const id = identity('110000-tokens', '110000')
    const nodes = [cpuNode('n-1')]
    let seq = 0
    const report = async (token: string) => (await t.post(fullReport(id, ++seq, nodes), token)).status

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

    it('after a rotation the old token works until its grace period ends, the new one from the start', async () => {
      const first = await t.register(id)
      expect(await report(first)).toBe(200)
      const rotated = await t.app.inject({ method: 'POST', url: `/api/v1/clusters/${id.clusterId}/token?graceSeconds=600`, headers: admin })
      expect(rotated.statusCode).toBe(200)
      const second = (rotated.json() as { token: string }).token
      expect(second).not.toBe(first)
      expect(await report(second)).toBe(200)
      expect(await report(first)).toBe(200)
      t.clock.now += 601_000
      expect(await report(first)).toBe(401)
      expect(await report(second)).toBe(200)
      // Without graceSeconds the configured default applies (1 h); graceSeconds=0 stops the old one at once.
      const third = (
        (await t.app.inject({ method: 'POST', url: `/api/v1/clusters/${id.clusterId}/token?graceSeconds=0`, headers: admin })).json() as {
          token: string
        }
      ).token
      expect(await report(second)).toBe(401)
      expect(await report(third)).toBe(200)
      const bad = await t.app.inject({ method: 'POST', url: `/api/v1/clusters/${id.clusterId}/token?graceSeconds=-1`, headers: admin })
      expect(bad.statusCode).toBe(400)
      expect(bad.body).toContain('graceSeconds')
    })

    it('revocation stops every token of the cluster at once, until a new one is issued; it needs the admin token', async () => {
      const current = (
        (
          await t.app.inject({ method: 'POST', url: `/api/v1/clusters/${id.clusterId}/token?graceSeconds=3600`, headers: admin })
        ).json() as {
          token: string
        }
      ).token
      const denied = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/clusters/${id.clusterId}/token`,
        headers: { authorization: `Bearer ${current}` },
      })
      expect(denied.statusCode).toBe(401)
      const revoked = await t.app.inject({ method: 'DELETE', url: `/api/v1/clusters/${id.clusterId}/token`, headers: admin })
      expect(revoked.statusCode).toBe(200)
      expect(await report(current)).toBe(401)
      // Its assignments are closed to it too.
      const pull = await t.app.inject({
        method: 'GET',
        url: `/api/v1/clusters/${id.clusterId}/assignments`,
        headers: { authorization: `Bearer ${current}` },
      })
      expect(pull.statusCode).toBe(401)
      // A rotation after revocation issues a working token and does not bring a revoked one back.
      const fresh = (
        (
          await t.app.inject({ method: 'POST', url: `/api/v1/clusters/${id.clusterId}/token?graceSeconds=3600`, headers: admin })
        ).json() as {
          token: string
        }
      ).token
      expect(await report(fresh)).toBe(200)
      expect(await report(current)).toBe(401)
      expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/clusters/no-such-cluster/token', headers: admin })).statusCode).toBe(404)
    })
  })
}
