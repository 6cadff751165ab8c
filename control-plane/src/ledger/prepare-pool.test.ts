import { afterAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../catalog'
import type { FullReport } from '../schemas'
import { LedgerError } from './errors'
import { inlinePreparer, workerPreparer } from './prepare-pool'

const report: FullReport = {
  schemaVersion: 'suanpan.report/v1',
  kind: 'full',
  cluster: { clusterId: '110000-pool', site: 's', province: '110000', city: 'Beijing', level: 'provincial' },
  sequence: 7,
  timestamp: '2026-11-28T00:00:00Z',
  agentVersion: 'test',
  nodes: [
    {
      name: 'gpu-1',
      arch: 'amd64',
      cpu: { cores: 64 },
      memoryBytes: 1,
      labels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' },
      allocatable: { cpuMillis: 64000, memoryBytes: 1 },
      requested: { cpuMillis: 0, memoryBytes: 0 },
      accelerators: [{ resource: 'nvidia.com/gpu', count: 8, allocatable: 8, inUse: 2 }],
    },
  ],
  storage: [],
  energy: { itPowerKw: 10, pue: 1.2, mix: { hydro: 0.5, coal: 0.5 } },
}

describe('report preparation on worker threads', () => {
  const pool = workerPreparer(2, null)
  const inline = inlinePreparer(loadCatalog())
  afterAll(() => pool.close())

  it('gives the same prepared report as the main thread', async () => {
    const body = JSON.stringify(report)
    const [fromWorker, fromInline] = await Promise.all([pool.prepare(body), inline.prepare(body)])
    expect(fromWorker).toEqual(fromInline)
    expect(fromWorker).toMatchObject({ kind: 'full', clusterId: '110000-pool', sequence: 7, nodeCount: 1, greenShare: 0.5 })
    if (fromWorker.kind !== 'full') throw new Error('expected a full report')
    expect(fromWorker.rows.find((r) => r.kind === 'GPU')?.devices).toBe(8)
  })

  it('takes bodies as bytes too: a buffer of its own memory moves to the worker, a pooled slice is copied', async () => {
    const body = JSON.stringify({ ...report, cluster: { ...report.cluster, siteName: '北京政务云' } })
    const owned = Buffer.alloc(Buffer.byteLength(body), body)
    const pooled = Buffer.from(body.slice(0, 10))
    const slice = Buffer.concat([pooled, Buffer.from(body.slice(10))]).subarray(0)
    const fromText = await inline.prepare(body)
    expect(await pool.prepare(owned)).toEqual(fromText)
    // The moved buffer is detached from this thread: it cannot be read or reused here by mistake.
    expect(owned.buffer.byteLength).toBe(0)
    const small = Buffer.from('{not json')
    expect(small.byteOffset > 0 || small.byteLength < small.buffer.byteLength).toBe(true)
    await expect(pool.prepare(small)).rejects.toMatchObject({ statusCode: 400, code: 'INVALID_JSON' })
    expect(small.toString()).toBe('{not json')
    expect(await pool.prepare(slice)).toEqual(fromText)
  })

  it('carries validation errors back with their status, code and field paths', async () => {
    const bad = JSON.stringify({ ...report, nodes: [{ ...report.nodes[0], cpu: { cores: -1 } }] })
    const error = await pool.prepare(bad).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LedgerError)
    expect(error).toMatchObject({ statusCode: 400, code: 'SCHEMA_VIOLATION' })
    expect(JSON.stringify((error as LedgerError).fields)).toContain('/nodes/0/cpu/cores')
    await expect(pool.prepare('{not json')).rejects.toMatchObject({ statusCode: 400, code: 'INVALID_JSON' })
  })

  it('keeps answering many reports in parallel, each to its own caller', async () => {
    const bodies = Array.from({ length: 40 }, (_, i) => JSON.stringify({ ...report, sequence: i }))
    const prepared = await Promise.all(bodies.map((b) => pool.prepare(b)))
    expect(prepared.map((p) => p.sequence)).toEqual(bodies.map((_, i) => i))
  })
})
