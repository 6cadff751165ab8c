import { buildApp, loadConfig, type Store } from '@suanpan/control-plane'
import type { AssignmentList, ClusterIdentity, Node, Workload, WorkloadExplain, WorkloadList } from '@suanpan/control-plane/schemas'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app'
import { a100Node, cpuNode, fullReport, identity } from '../support/reports'
import { testStores } from '../support/stores'

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }

const jobTemplate = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'train' },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.local/train:1' }] } } },
}

function gpuSpec(extra: Record<string, unknown> = {}) {
  return {
    name: 'llm-finetune',
    owner: { department: 'nda', region: 'national' },
    priority: 0,
    replicas: 1,
    resources: { cpuMillis: 8_000, memoryBytes: 64 * 1024 ** 3, accelerators: { kind: 'GPU', count: 4 } },
    placement: { mode: 'gang' },
    template: jobTemplate,
    ...extra,
  }
}

interface Fleet {
  tokens: Map<string, string>
  ids: Map<string, ClusterIdentity>
  nodes: Map<string, Node[]>
  seq: Map<string, number>
}

/** Clusters with A100 nodes (4 of 8 GPUs free on each) in Beijing, Inner Mongolia (green) and Guizhou. */
async function seedFleet(t: TestApp): Promise<Fleet> {
  const fleet: Fleet = { tokens: new Map(), ids: new Map(), nodes: new Map(), seq: new Map() }
  const specs: [string, string, number, number][] = [
    ['bj-gpu', '110000', 2, 0.2],
    ['nm-gpu', '150000', 2, 0.8],
    ['gz-gpu', '520000', 1, 0.5],
  ]
  for (const [id, province, gpuNodes, green] of specs) {
    const ident = identity(id, province)
    const token = await t.register(ident)
    const nodes = [cpuNode(`${id}-cpu-0`), ...Array.from({ length: gpuNodes }, (_, i) => a100Node(`${id}-gpu-${i}`, 8, 4))]
    fleet.tokens.set(id, token)
    fleet.ids.set(id, ident)
    fleet.nodes.set(id, nodes)
    fleet.seq.set(id, 0)
    await report(t, fleet, id, green)
  }
  return fleet
}

async function report(t: TestApp, fleet: Fleet, id: string, green = 0.5): Promise<void> {
  const seq = (fleet.seq.get(id) ?? 0) + 1
  fleet.seq.set(id, seq)
  const ident = fleet.ids.get(id) as ClusterIdentity
  const body = fullReport(ident, seq, fleet.nodes.get(id) as Node[], {
    energy: { itPowerKw: 120, pue: 1.25, greenShare: green, carbonIntensityKgPerKwh: 0.6 * (1 - green) },
  })
  const res = await t.post(body, fleet.tokens.get(id) as string)
  if (res.status !== 200) throw new Error(`report ${id}: ${res.status} ${JSON.stringify(res.body)}`)
}

async function submit(t: TestApp, spec: unknown) {
  return t.app.inject({ method: 'POST', url: '/api/v1/workloads', headers: admin, payload: spec as Record<string, unknown> })
}

async function pull(t: TestApp, fleet: Fleet, id: string): Promise<AssignmentList> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/v1/clusters/${id}/assignments`,
    headers: { authorization: `Bearer ${fleet.tokens.get(id)}` },
  })
  expect(res.statusCode).toBe(200)
  return res.json() as AssignmentList
}

async function status(t: TestApp, fleet: Fleet, clusterId: string, workloadId: string, state: string) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/clusters/${clusterId}/assignments/${workloadId}/status`,
    headers: { authorization: `Bearer ${fleet.tokens.get(clusterId)}` },
    payload: { state },
  })
}

async function getWorkload(t: TestApp, id: string): Promise<Workload> {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/workloads/${id}`, headers: admin })
  expect(res.statusCode).toBe(200)
  return res.json() as Workload
}

for (const { store: testStore, skip } of testStores()) {
  describe.skipIf(skip)(`workloads API on ${testStore.name}${skip ? ` (${skip})` : ''}`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let t: TestApp
    let fleet: Fleet

    beforeAll(async () => {
      const opened = await testStore.open()
      store = opened.store
      cleanup = opened.cleanup
      t = await startTestApp(store)
      fleet = await seedFleet(t)
    })
    afterAll(async () => {
      await t?.close()
      await store?.close()
      await cleanup?.()
    })

    it('places a GPU gang on the greenest cluster, stores it and explains why', async () => {
      const res = await submit(t, gpuSpec())
      expect(res.statusCode).toBe(201)
      const w = res.json() as Workload
      expect(w.state).toBe('placed')
      expect(w.placements).toHaveLength(1)
      expect(w.placements[0]).toMatchObject({ clusterId: 'nm-gpu', replicas: 1, devices: 4, state: 'assigned' })
      expect(res.headers.location).toBe(`/api/v1/workloads/${w.id}`)

      const ex = await t.app.inject({ method: 'GET', url: `/api/v1/workloads/${w.id}/explain`, headers: admin })
      expect(ex.statusCode).toBe(200)
      const e = ex.json() as WorkloadExplain
      expect(e.explanation?.top[0]?.clusterId).toBe('nm-gpu')
      expect(e.explanation?.top[0]?.plugins?.green).toBeGreaterThan(
        e.explanation?.top.find((c) => c.clusterId === 'bj-gpu')?.plugins?.green ?? 1,
      )
      // The CPU-only nodes never qualify for GPU work; every cluster is accounted for.
      expect(e.explanation?.feasible).toBe(3)
      expect(e.decisions.at(-1)).toMatchObject({ status: 'placed', clusters: ['nm-gpu'] })

      // Stored: the list (as the console reads it) has it with its placement.
      const list = (await t.app.inject({ method: 'GET', url: '/api/v1/workloads?state=placed', headers: admin })).json() as WorkloadList
      expect(list.items.map((i) => i.id)).toContain(w.id)
      expect(list.byState.placed).toBeGreaterThanOrEqual(1)
      // Clean up for the next tests.
      expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/workloads/${w.id}`, headers: admin })).statusCode).toBe(200)
    })

    it('keeps data residency hard: a Guizhou-only workload goes to Guizhou although Inner Mongolia is greener', async () => {
      const res = await submit(t, gpuSpec({ residency: { provinces: ['520000'] } }))
      expect(res.statusCode).toBe(201)
      const w = res.json() as Workload
      expect(w.placements.map((p) => p.clusterId)).toEqual(['gz-gpu'])
      const e = (await t.app.inject({ method: 'GET', url: `/api/v1/workloads/${w.id}/explain`, headers: admin })).json() as WorkloadExplain
      expect(e.explanation?.filtered.residency).toBe(2)
      await t.app.inject({ method: 'DELETE', url: `/api/v1/workloads/${w.id}`, headers: admin })
    })

    it('rejects what no cluster could ever fit with the reason, and bad input naming the field', async () => {
      const never = await submit(
        t,
        gpuSpec({ resources: { cpuMillis: 1000, memoryBytes: 1024 ** 3, accelerators: { kind: 'NPU', count: 8 } } }),
      )
      expect(never.statusCode).toBe(422)
      expect(never.json()).toMatchObject({ code: 'WORKLOAD_NEVER_FITS' })
      const id = /workload (w-[0-9a-f]{12})/.exec((never.json() as { message: string }).message)?.[1] as string
      expect((await getWorkload(t, id)).state).toBe('rejected')

      const bad = await submit(t, gpuSpec({ replicas: -1 }))
      expect(bad.statusCode).toBe(400)
      expect(JSON.stringify(bad.json())).toContain('/replicas')
      const badKind = await submit(t, gpuSpec({ template: { apiVersion: 'v1', kind: 'Pod' } }))
      expect(badKind.statusCode).toBe(400)
      expect(JSON.stringify(badKind.json())).toContain('/template/kind')
      const noToken = await t.app.inject({ method: 'POST', url: '/api/v1/workloads', payload: gpuSpec() })
      expect(noToken.statusCode).toBe(401)
    })

    it('never double-books under 40 concurrent submissions: placements stay within free devices, the rest queue', async () => {
      // Free A100s: bj 2×4, nm 2×4, gz 1×4 = 20 devices = 5 gangs of 4.
      const results = await Promise.all(Array.from({ length: 40 }, () => submit(t, gpuSpec())))
      const ws = results.map((r) => r.json() as Workload)
      expect(results.every((r) => r.statusCode === 201)).toBe(true)
      const placed = ws.filter((w) => w.state === 'placed')
      expect(placed).toHaveLength(5)
      expect(ws.filter((w) => w.state === 'pending')).toHaveLength(35)
      // Per cluster, from the store: devices assigned never exceed the free devices reported.
      const rows = await store.db
        .selectFrom('workload_assignments')
        .select(['cluster_id', 'devices', 'state'])
        .where('state', '=', 'assigned')
        .execute()
      const byCluster = new Map<string, number>()
      for (const r of rows) byCluster.set(r.cluster_id, (byCluster.get(r.cluster_id) ?? 0) + Number(r.devices))
      expect(byCluster.get('nm-gpu')).toBe(8)
      expect(byCluster.get('bj-gpu')).toBe(8)
      expect(byCluster.get('gz-gpu')).toBe(4)
      expect(t.services.workloads.engine.audit().violations).toEqual([])
      for (const w of ws) await t.app.inject({ method: 'DELETE', url: `/api/v1/workloads/${w.id}`, headers: admin })
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/workloads?state=pending', headers: admin })).json()).toMatchObject({
        total: 0,
      })
    })

    it('dispatches through the agent: pull, applied confirms, succeeded releases and the capacity serves the queue', async () => {
      // Fill every free GPU, then one more waits.
      const ws: Workload[] = []
      for (let i = 0; i < 6; i++) ws.push((await submit(t, gpuSpec())).json() as Workload)
      const waiting = ws[5] as Workload
      expect(waiting.state).toBe('pending')
      const first = ws[0] as Workload
      const clusterId = first.placements[0]?.clusterId as string
      const list = await pull(t, fleet, clusterId)
      const mine = list.assignments.find((a) => a.workloadId === first.id)
      expect(mine).toMatchObject({ objectName: `sp-${first.id}`, replicas: 1, state: 'assigned' })
      expect(mine?.labels['suanpan.io/workload-id']).toBe(first.id)
      expect((mine?.template as { kind?: string } | undefined)?.kind).toBe('Job')
      // Another cluster's token cannot read or report for this cluster.
      const other = [...fleet.tokens.keys()].find((k) => k !== clusterId) as string
      const cross = await t.app.inject({
        method: 'GET',
        url: `/api/v1/clusters/${clusterId}/assignments`,
        headers: { authorization: `Bearer ${fleet.tokens.get(other)}` },
      })
      expect(cross.statusCode).toBe(403)

      expect((await status(t, fleet, clusterId, first.id, 'applied')).statusCode).toBe(200)
      expect((await getWorkload(t, first.id)).state).toBe('running')
      // Confirmed: no longer expires. Past the TTL the unconfirmed ones are released (and queued again).
      t.clock.now += 121_000
      for (const id of fleet.ids.keys()) await report(t, fleet, id)
      t.services.workloads.maintain()
      await t.services.workloads.flush()
      expect((await getWorkload(t, first.id)).placements[0]?.state).toBe('applied')

      expect((await status(t, fleet, clusterId, first.id, 'succeeded')).statusCode).toBe(200)
      expect((await getWorkload(t, first.id)).state).toBe('succeeded')
      expect((await pull(t, fleet, clusterId)).assignments.map((a) => a.workloadId)).not.toContain(first.id)
      // A finished assignment is gone: the agent is told to delete it.
      expect((await status(t, fleet, clusterId, first.id, 'running')).statusCode).toBe(404)
      for (const w of ws) await t.app.inject({ method: 'DELETE', url: `/api/v1/workloads/${w.id}`, headers: admin })
    })

    it('moves running replicas off a cluster that stopped reporting', async () => {
      const w = (await submit(t, gpuSpec())).json() as Workload
      const from = w.placements[0]?.clusterId as string
      expect((await status(t, fleet, from, w.id, 'applied')).statusCode).toBe(200)
      // Every other cluster keeps reporting; `from` goes quiet past the stale threshold (3 report intervals).
      t.clock.now += 200_000
      for (const id of fleet.ids.keys()) if (id !== from) await report(t, fleet, id)
      t.services.workloads.maintain()
      await t.services.workloads.flush()
      const moved = await getWorkload(t, w.id)
      const old = moved.placements.find((p) => p.clusterId === from)
      expect(old?.state).toBe('withdrawn')
      const now = moved.placements.filter((p) => p.state !== 'withdrawn')
      expect(now).toHaveLength(1)
      expect(now[0]?.clusterId).not.toBe(from)
      expect((await pull(t, fleet, from)).assignments.map((a) => a.workloadId)).not.toContain(w.id)
      const e = (await t.app.inject({ method: 'GET', url: `/api/v1/workloads/${w.id}/explain`, headers: admin })).json() as WorkloadExplain
      expect(e.decisions.some((d) => d.status === 'displaced' && d.clusters.includes(from))).toBe(true)
      await report(t, fleet, from)
      await t.app.inject({ method: 'DELETE', url: `/api/v1/workloads/${w.id}`, headers: admin })
    })

    it('the evaluation (and so the census) reports a share holding GPUs without running past the threshold', async () => {
      const w = (await submit(t, gpuSpec())).json() as Workload
      const where = w.placements[0]?.clusterId as string
      // Applied by the agent but never running (pods stuck): the reservation holds 4 GPUs.
      expect((await status(t, fleet, where, w.id, 'applied')).statusCode).toBe(200)
      t.clock.now += 7 * 3_600_000
      for (const id of fleet.ids.keys()) await report(t, fleet, id)
      const evaluation = (await t.app.inject({ method: 'GET', url: '/api/v1/evaluation' })).json() as {
        recommendations: { code: string; subject: string; figures: Record<string, number> }[]
      }
      const found = evaluation.recommendations.find((r) => r.code === 'long-reservation' && r.subject === `${w.id}@${where}`)
      expect(found?.figures).toMatchObject({ devices: 4, replicas: 1 })
      expect(found?.figures.hours).toBeGreaterThanOrEqual(7)
      // Running work is not a finding.
      expect((await status(t, fleet, where, w.id, 'running')).statusCode).toBe(200)
      const after = (await t.app.inject({ method: 'GET', url: '/api/v1/evaluation' })).json() as typeof evaluation
      expect(after.recommendations.some((r) => r.code === 'long-reservation' && r.subject.startsWith(w.id))).toBe(false)
      await t.app.inject({ method: 'DELETE', url: `/api/v1/workloads/${w.id}`, headers: admin })
    })

    it('takes its workloads back after a restart: running ones stay where they run, queued ones are decided again', async () => {
      const running = (await submit(t, gpuSpec())).json() as Workload
      const where = running.placements[0]?.clusterId as string
      expect((await status(t, fleet, where, running.id, 'applied')).statusCode).toBe(200)
      // The report after applying counts the pods: 4 more GPUs in use on one node of that cluster.
      const nodes = fleet.nodes.get(where) as Node[]
      const gpuNode = nodes.find((n) => n.accelerators.length > 0) as Node
      ;(gpuNode.accelerators[0] as { inUse: number }).inUse = 8
      await report(t, fleet, where)
      const more: Workload[] = []
      for (let i = 0; i < 5; i++) more.push((await submit(t, gpuSpec())).json() as Workload)
      expect(more.filter((w) => w.state === 'pending').length).toBeGreaterThan(0)
      await t.close()

      const config = loadConfig({}, { adminToken: ADMIN_TOKEN, logLevel: 'error' })
      const again = await buildApp({ config, store, now: () => t.clock.now, logger: false })
      try {
        const get = async (id: string) =>
          (await again.app.inject({ method: 'GET', url: `/api/v1/workloads/${id}`, headers: admin })).json() as Workload
        const r = await get(running.id)
        expect(r.state).toBe('running')
        expect(r.placements.filter((p) => p.state !== 'withdrawn').map((p) => p.clusterId)).toEqual([where])
        // Adopted: it counts against its department and is released when it finishes.
        const usage = again.services.workloads.quotaUsage()
        expect(
          usage.departments.find((d) => d.department === 'nda')?.kinds.find((k) => k.kind === 'GPU')?.devicesUsed,
        ).toBeGreaterThanOrEqual(4)
        expect(again.services.workloads.engine.audit().violations).toEqual([])
        const states = await Promise.all(more.map(async (w) => (await get(w.id)).state))
        expect(states.every((s) => s === 'placed' || s === 'pending')).toBe(true)
        expect(states.filter((s) => s === 'placed').length).toBeGreaterThan(0)
      } finally {
        await again.app.close()
      }
      t = await startTestApp(store)
    })
  })
}
