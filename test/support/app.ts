import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type App, buildApp, loadConfig, type Store } from '@suanpan/control-plane'
import type { ClusterIdentity, LedgerResponse, Report } from '@suanpan/control-plane/schemas'
import type { FastifyInstance } from 'fastify'

export const ADMIN_TOKEN = 'test-admin-token'
/**
 * A DR lab directory that never exists: no test app may start a real drill (a lab under the repository's
 * .suanpan/dr-lab would otherwise be found); the drills API answers 409 DR_LAB_MISSING.
 */
export const NO_DR_LAB = join(tmpdir(), 'suanpan-tests-no-dr-lab')

export interface TestApp {
  app: FastifyInstance
  services: App['services']
  clock: { now: number }
  register(identity: ClusterIdentity): Promise<string>
  post(
    report: Report | unknown,
    token: string | null,
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }>
  ledger(query?: string): Promise<LedgerResponse>
  close(): Promise<void>
}

/** The real control plane (routes, auth, store) driven in-process through fastify's inject. */
export async function startTestApp(
  store: Store,
  overrides: { bodyLimitBytes?: number; historyStepSeconds?: number; ingestWorkers?: number; vmUrl?: string; openReads?: boolean } = {},
): Promise<TestApp> {
  const clock = { now: 1_790_000_000_000 }
  // Most suites read the ledger without signing in, as the demo does; the access-control suite turns this off.
  const config = loadConfig({}, { adminToken: ADMIN_TOKEN, logLevel: 'error', openReads: true, drLabDir: NO_DR_LAB, ...overrides })
  const { app, services } = await buildApp({ config, store, now: () => clock.now, logger: false })
  return {
    app,
    services,
    clock,
    async register(id) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/clusters',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        payload: id,
      })
      if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`)
      return (res.json() as { token: string }).token
    },
    async post(report, token) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        payload: typeof report === 'string' ? report : JSON.stringify(report),
      })
      return { status: res.statusCode, body: res.json() as Record<string, unknown>, headers: res.headers }
    },
    async ledger(query = '') {
      const res = await app.inject({ method: 'GET', url: `/api/v1/ledger${query ? `?${query}` : ''}` })
      if (res.statusCode !== 200) throw new Error(`ledger failed: ${res.statusCode} ${res.body}`)
      return res.json() as LedgerResponse
    },
    close: () => app.close(),
  }
}
