import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDispatcher, type Dispatcher } from '@suanpan/agents'
import { type FakeKubeApi, startFakeKubeApi } from '@suanpan/agents/testing'
import { type App, buildApp, loadConfig, openStore, type Store } from '@suanpan/control-plane'
import type { Workload } from '@suanpan/control-plane/schemas'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN } from '../support/app'
import { a100Node, cpuNode, fullReport, identity } from '../support/reports'

const NS = 'suanpan-workloads'
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
const silent = { debug() {}, info() {}, warn() {}, error() {} }

/**
 * The whole dispatch path: the real control plane (listening on loopback, embedded store) schedules, the agent's
 * real dispatcher pulls over HTTP and applies with @kubernetes/client-node to the in-process fake Kubernetes API
 * server (which records what was applied and lets the test play the Job controller).
 */
describe('workload dispatch end to end: control plane → agent dispatcher → fake Kubernetes API server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suanpan-dispatch-'))
  let store: Store
  let cp: App
  let url: string
  let kube: FakeKubeApi
  let dispatcher: Dispatcher
  const id = identity('110000-bj-gpu', '110000')

  beforeAll(async () => {
    store = await openStore({ sqlitePath: join(dir, 'cp.db'), databaseUrl: null })
    const config = loadConfig({}, { adminToken: ADMIN_TOKEN, logLevel: 'error', consoleDir: null, ingestWorkers: 0 })
    cp = await buildApp({ config, store, logger: false })
    url = await cp.app.listen({ host: '127.0.0.1', port: 0 })
    const reg = await cp.app.inject({ method: 'POST', url: '/api/v1/clusters', headers: admin, payload: id })
    const token = (reg.json() as { token: string }).token
    const report = fullReport(id, 1, [cpuNode('cpu-0'), a100Node('gpu-0', 8, 0)], { timestamp: new Date().toISOString() })
    const res = await cp.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { authorization: `Bearer ${token}` },
      payload: report,
    })
    expect(res.statusCode).toBe(200)
    kube = await startFakeKubeApi()
    dispatcher = createDispatcher({ clusterId: id.clusterId, controlPlane: { url, token }, kubeConfig: kube.kubeConfig, logger: silent })
  })
  afterAll(async () => {
    await dispatcher?.stop()
    await kube?.close()
    await cp?.app.close()
    await store?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const submit = async (replicas: number, gpus: number) => {
    const res = await cp.app.inject({
      method: 'POST',
      url: '/api/v1/workloads',
      headers: admin,
      payload: {
        name: 'eval',
        owner: { department: 'stats', region: '110000' },
        priority: 0,
        replicas,
        resources: { cpuMillis: 2000, memoryBytes: 8 * 1024 ** 3, accelerators: { kind: 'GPU', count: gpus } },
        placement: { mode: 'gang' },
        template: {
          apiVersion: 'batch/v1',
          kind: 'Job',
          spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.local/eval:1' }] } } },
        },
      },
    })
    expect(res.statusCode).toBe(201)
    return res.json() as Workload
  }
  const get = async (wid: string) =>
    (await cp.app.inject({ method: 'GET', url: `/api/v1/workloads/${wid}`, headers: admin })).json() as Workload

  it('applies the assigned Job with server-side apply, labelled with the workload id; applied confirms, Complete finishes', async () => {
    const w = await submit(2, 2)
    expect(w.state).toBe('placed')
    const first = await dispatcher.syncOnce()
    expect(first.pulled).toBe(true)
    expect(first.applied).toEqual([w.id])
    const apply = kube.applied.find((a) => a.name === `sp-${w.id}`)
    expect(apply).toMatchObject({ kind: 'Job', namespace: NS, fieldManager: 'suanpan-agent', force: true })
    const job = kube.object('Job', NS, `sp-${w.id}`) as {
      metadata: { labels: Record<string, string> }
      spec: { parallelism: number; completions: number }
    }
    expect(job.metadata.labels['suanpan.io/workload-id']).toBe(w.id)
    expect(job.spec.parallelism).toBe(2)
    expect(job.spec.completions).toBe(2)
    // The agent reported `applied`: the reservation is confirmed and the workload runs.
    const running = await get(w.id)
    expect(running.state).toBe('running')
    expect(running.placements[0]?.state).toBe('applied')

    // A second sync changes nothing.
    const again = await dispatcher.syncOnce()
    expect(again.applied).toEqual([])
    expect(kube.applied.filter((a) => a.name === `sp-${w.id}`)).toHaveLength(1)

    // The Job controller finishes it; the agent reports it and the control plane releases the capacity.
    kube.setStatus('Job', NS, `sp-${w.id}`, { succeeded: 2, conditions: [{ type: 'Complete', status: 'True' }] })
    await dispatcher.syncOnce()
    expect((await get(w.id)).state).toBe('succeeded')
    // Finished work leaves the assignment list: the agent cleans it up.
    const cleanup = await dispatcher.syncOnce()
    expect(cleanup.deleted.map((d) => d.name)).toContain(`sp-${w.id}`)
    expect(kube.object('Job', NS, `sp-${w.id}`)).toBeUndefined()
  })

  it('a cancelled workload is deleted from the cluster by the agent', async () => {
    const w = await submit(1, 4)
    await dispatcher.syncOnce()
    expect(kube.object('Job', NS, `sp-${w.id}`)).toBeDefined()
    const cancelled = await cp.app.inject({ method: 'DELETE', url: `/api/v1/workloads/${w.id}`, headers: admin })
    expect(cancelled.statusCode).toBe(200)
    const sync = await dispatcher.syncOnce()
    expect(sync.deleted.map((d) => d.name)).toContain(`sp-${w.id}`)
    expect(kube.deleted.find((d) => d.name === `sp-${w.id}`)?.propagationPolicy).toBe('Background')
    expect(kube.object('Job', NS, `sp-${w.id}`)).toBeUndefined()
    expect((await get(w.id)).state).toBe('cancelled')
  })

  it('a Job that fails is reported failed and its capacity released for the queue', async () => {
    // 8 GPUs: the first takes all, the second waits.
    const big = await submit(1, 8)
    const waiting = await submit(1, 8)
    expect(big.state).toBe('placed')
    expect(waiting.state).toBe('pending')
    await dispatcher.syncOnce()
    kube.setStatus('Job', NS, `sp-${big.id}`, {
      failed: 1,
      conditions: [{ type: 'Failed', status: 'True', message: 'BackoffLimitExceeded' }],
    })
    await dispatcher.syncOnce()
    const failed = await get(big.id)
    expect(failed.state).toBe('failed')
    expect(failed.message).toContain('BackoffLimitExceeded')
    // The released GPUs go to the queued workload.
    await new Promise((r) => setTimeout(r, 50))
    expect((await get(waiting.id)).state).toBe('placed')
  })
})
