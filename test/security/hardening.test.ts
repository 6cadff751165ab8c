import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp, loadConfig, openStore, type Store } from '@suanpan/control-plane'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ADMIN = 'hardening-admin-token-0123456789'

describe('hardening: headers, CORS, rate limits, log redaction, no stack traces (real control plane, SQLite)', () => {
  let dir: string
  let store: Store
  let app: FastifyInstance
  const logs: string[] = []

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'suanpan-hardening-'))
    store = await openStore({ sqlitePath: join(dir, 'l.db'), databaseUrl: null })
    const config = loadConfig({}, { adminToken: ADMIN, logLevel: 'info', rateLimitPerMinute: 5, ingestWorkers: 0, censusSchedule: null })
    ;({ app } = await buildApp({ config, store, logStream: { write: (line) => logs.push(line) } }))
    app.get('/api/v1/test-boom', { config: { access: 'public' } }, async () => {
      throw new Error('connection to postgres://suanpan:hunter2@db.internal failed at /srv/suanpan/store.ts:42')
    })
  })
  afterAll(async () => {
    await app?.close()
    await store?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('sends security headers, and no CORS headers to a foreign origin', async () => {
    const res = await app.inject({ url: '/api/v1/regions', headers: { origin: 'https://evil.example', authorization: 'Bearer a' } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN')
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'")
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'")
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/clusters',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined()
  })

  it('limits requests per token: the sixth in a minute gets 429 with Retry-After; another token is not affected', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      statuses.push((await app.inject({ url: '/api/v1/regions', headers: { authorization: 'Bearer token-one' } })).statusCode)
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
    const limited = await app.inject({ url: '/api/v1/regions', headers: { authorization: 'Bearer token-one' } })
    expect(limited.json()).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' })
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    expect((await app.inject({ url: '/api/v1/regions', headers: { authorization: 'Bearer token-two' } })).statusCode).toBe(200)
  })

  it('never writes a bearer token to the log, and never sends internals to the client', async () => {
    const secret = 'Bearer super-secret-token-value-42'
    await app.inject({ url: '/api/v1/ledger', headers: { authorization: secret, cookie: 'session=also-secret' } })
    const boom = await app.inject({ url: '/api/v1/test-boom', headers: { authorization: 'Bearer boom-token' } })
    expect(boom.statusCode).toBe(500)
    expect(boom.json()).toEqual({
      statusCode: 500,
      code: 'INTERNAL',
      error: 'Internal Server Error',
      message: 'internal error; see the control-plane log',
    })
    expect(boom.body).not.toContain('hunter2')
    expect(boom.body).not.toContain('store.ts')
    const text = logs.join('')
    expect(text).toContain('/api/v1/ledger')
    expect(text).toContain('[Redacted]')
    expect(text).not.toContain('super-secret-token-value-42')
    expect(text).not.toContain('also-secret')
    expect(text).not.toContain('boom-token')
    // The failure itself is logged for operators.
    expect(text).toContain('request failed')
  })
})
