import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import Fastify from 'fastify'
import { afterAll, describe, expect, it } from 'vitest'
import { registerConsole } from './console'

const dir = mkdtempSync(join(tmpdir(), 'suanpan-console-'))
mkdirSync(join(dir, 'assets'))
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>算盘</title>')
const js = 'console.log("算盘")'.repeat(50)
writeFileSync(join(dir, 'assets', 'app-abc123.js'), js)
writeFileSync(join(dir, 'assets', 'app-abc123.js.gz'), gzipSync(js))

async function app(consoleDir: string | null) {
  const a = Fastify({ logger: false })
  a.get('/api/v1/ping', async () => ({ ok: true }))
  await registerConsole(a, consoleDir)
  return a
}

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('console assets served by the control plane', () => {
  it('serves index.html at / and for client-side routes, never for /api', async () => {
    const a = await app(dir)
    const root = await a.inject({ url: '/', headers: { accept: 'text/html' } })
    expect(root.statusCode).toBe(200)
    expect(root.body).toContain('算盘')
    expect(root.headers['cache-control']).toBe('no-cache')
    const deep = await a.inject({ url: '/ledger?province=110000', headers: { accept: 'text/html,*/*' } })
    expect(deep.statusCode).toBe(200)
    expect(deep.body).toContain('算盘')
    const api = await a.inject({ url: '/api/v1/nope', headers: { accept: 'text/html' } })
    expect(api.statusCode).toBe(404)
    expect(api.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' })
    expect((await a.inject({ url: '/api/v1/ping' })).json()).toEqual({ ok: true })
  })

  it('sends the precompressed asset to a client that accepts gzip, with a long cache life', async () => {
    const a = await app(dir)
    const res = await a.inject({ url: '/assets/app-abc123.js', headers: { 'accept-encoding': 'gzip' } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-encoding']).toBe('gzip')
    expect(res.headers['cache-control']).toContain('immutable')
    expect(res.rawPayload.length).toBeLessThan(js.length)
    const missing = await a.inject({ url: '/assets/gone.js', headers: { accept: 'text/html' } })
    expect(missing.statusCode).toBe(404)
  })

  it('says how to build the console when it is not built, and stays JSON for API clients', async () => {
    const a = await app(join(dir, 'not-built'))
    const page = await a.inject({ url: '/', headers: { accept: 'text/html' } })
    expect(page.statusCode).toBe(503)
    expect(page.body).toContain('npm run build -w console')
    const json = await a.inject({ url: '/' })
    expect(json.statusCode).toBe(404)
    const none = await app(null)
    expect((await none.inject({ url: '/', headers: { accept: 'text/html' } })).statusCode).toBe(404)
  })
})
