import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EnergyFeedError } from './feed'
import { createEnergySource } from './source'

describe('createEnergySource from a file', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'suanpan-energy-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('re-reads the file at every read', async () => {
    const file = join(dir, 'energy.json')
    const source = createEnergySource({ location: file })
    await writeFile(file, JSON.stringify({ itPowerKw: 100, pue: 1.3 }))
    expect(await source.read()).toEqual({ itPowerKw: 100, pue: 1.3 })
    await writeFile(file, JSON.stringify({ itPowerKw: 120, pue: 1.25, greenShare: 0.4 }))
    expect(await source.read()).toEqual({ itPowerKw: 120, pue: 1.25, greenShare: 0.4 })
  })

  it('names the field at fault when the file is invalid', async () => {
    const file = join(dir, 'energy.json')
    await writeFile(file, JSON.stringify({ itPowerKw: 100, pue: 7 }))
    const err = await createEnergySource({ location: file })
      .read()
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(EnergyFeedError)
    expect(err).toMatchObject({ code: 'ENERGY_FEED_INVALID', location: file, fields: [{ path: '/pue' }] })
    expect((err as Error).message).toMatch(/\/pue must be <= 5/)
  })

  it('says the file is unreadable when it is missing', async () => {
    await expect(createEnergySource({ location: join(dir, 'nope.json') }).read()).rejects.toMatchObject({ code: 'ENERGY_FEED_UNREADABLE' })
  })
})

describe('createEnergySource from a fake facility feed (http)', () => {
  let server: Server
  let url: string
  let body: string
  let status: number
  let hits: number
  beforeEach(async () => {
    hits = 0
    status = 200
    body = JSON.stringify({ itPowerKw: 500, pue: 1.4 })
    server = createServer((_req, res) => {
      hits += 1
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/energy`
  })
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('caches a good reading for cacheMs, then fetches again', async () => {
    let now = 0
    const source = createEnergySource({ location: url, cacheMs: 30_000, now: () => now })
    expect(await source.read()).toEqual({ itPowerKw: 500, pue: 1.4 })
    body = JSON.stringify({ itPowerKw: 600, pue: 1.4 })
    now = 29_999
    expect((await source.read()).itPowerKw).toBe(500)
    now = 30_000
    expect((await source.read()).itPowerKw).toBe(600)
    expect(hits).toBe(2)
  })

  it('shares one request between concurrent reads', async () => {
    const source = createEnergySource({ location: url })
    await Promise.all([source.read(), source.read(), source.read()])
    expect(hits).toBe(1)
  })

  it('reports an HTTP error as unreadable and an invalid body by field', async () => {
    status = 502
    await expect(createEnergySource({ location: url }).read()).rejects.toMatchObject({ code: 'ENERGY_FEED_UNREADABLE' })
    status = 200
    body = JSON.stringify({ itPowerKw: -1, pue: 1.2 })
    await expect(createEnergySource({ location: url }).read()).rejects.toMatchObject({
      code: 'ENERGY_FEED_INVALID',
      fields: [{ path: '/itPowerKw' }],
    })
  })
})
