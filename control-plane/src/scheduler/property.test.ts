import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FIRST_FIT, KARMADA_LIKE } from './baselines'
import { ENGINE_POLICY, type PlacementPolicy, Scheduler, type SchedulerEvent } from './engine'
import type { QuotaConfig } from './quota'
import { randomFleet, TEST_HUBS, TEST_MODELS, TEST_PROVINCES } from './synthetic'
import type { ClusterCapacity, Decision, SchedulingRequest } from './types'

// Random fleets and random streams of operations; after every operation the engine's own audit must hold
// (no overcommit per cluster, class and node; quotas within own + borrowing inside the cohort), and every
// placement must respect residency, capability and its mode.

const DEPARTMENTS = ['d0', 'd1', 'd2', 'd3']
const QUOTAS: QuotaConfig = {
  departments: {
    d0: { cohort: 'c', limits: { GPU: { devices: 64 }, NPU: { devices: 48, fp16Tflops: 20_000 } } },
    d1: { cohort: 'c', limits: { GPU: { devices: 16 } }, borrowingLimit: { GPU: { devices: 24 } } },
    d2: { limits: { GPU: { devices: 48 }, NPU: { devices: 64 }, DCU: { devices: 16 } } },
  },
}

const hubProvinces = new Map<string, string[]>()
for (const h of TEST_HUBS) hubProvinces.set(h.hubId, h.provinces)
const hubSites = new Set(TEST_HUBS.map((h) => h.id))

const arbRequest: fc.Arbitrary<SchedulingRequest> = fc
  .record({
    department: fc.constantFrom(...DEPARTMENTS),
    priority: fc.integer({ min: 0, max: 3 }),
    replicas: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: 4, max: 12 }) }),
    cpuMillis: fc.integer({ min: 0, max: 40_000 }),
    memGiB: fc.integer({ min: 0, max: 64 }),
    acc: fc.option(
      fc.record({
        model: fc.constantFrom(...TEST_MODELS),
        byModel: fc.boolean(),
        minFp16: fc.option(fc.constantFrom(100, 300, 900), { nil: undefined, freq: 2 }),
        count: fc.constantFrom(1, 1, 1, 2, 2, 4, 8, 8, 9),
      }),
      { nil: undefined },
    ),
    mode: fc.oneof(
      fc.constant({ mode: 'gang' as const }),
      fc.integer({ min: 1, max: 4 }).map((minPerCluster) => ({ mode: 'divisible' as const, minPerCluster })),
      fc.integer({ min: 1, max: 3 }).map((clusters) => ({ mode: 'duplicated' as const, clusters })),
    ),
    residency: fc.option(
      fc.record({
        provinces: fc.option(fc.subarray(TEST_PROVINCES, { minLength: 1, maxLength: 4 }), { nil: undefined }),
        hubs: fc.option(fc.subarray(['jjj', 'nm', 'gz', 'horinger', 'wuhu', 'guian'], { minLength: 1, maxLength: 2 }), { nil: undefined }),
      }),
      { nil: undefined, freq: 2 },
    ),
    data: fc.option(
      fc.record({ province: fc.constantFrom(...TEST_PROVINCES), transferPenalty: fc.double({ min: 0, max: 1, noNaN: true }) }),
      {
        nil: undefined,
      },
    ),
  })
  .map((r) => {
    const spec: SchedulingRequest = {
      owner: { department: r.department, region: 'national' },
      priority: r.priority,
      replicas: r.mode.mode === 'divisible' ? Math.max(r.replicas, r.mode.minPerCluster) : r.replicas,
      resources: {
        cpuMillis: r.cpuMillis,
        memoryBytes: r.memGiB * 1024 ** 3,
        ...(r.acc
          ? {
              accelerators: {
                kind: r.acc.model.kind as 'GPU',
                ...(r.acc.byModel ? { model: r.acc.model.model } : {}),
                ...(r.acc.minFp16 !== undefined ? { minFp16Tflops: r.acc.minFp16 } : {}),
                count: r.acc.count,
              },
            }
          : {}),
      },
      placement: r.mode,
    }
    const res = r.residency
    if (res && (res.provinces || res.hubs))
      spec.residency = { ...(res.provinces ? { provinces: res.provinces } : {}), ...(res.hubs ? { hubs: res.hubs } : {}) }
    if (r.data) spec.dataLocation = r.data
    return spec
  })

type Op =
  | { op: 'decide'; spec: SchedulingRequest }
  | { op: 'release'; pick: number }
  | { op: 'commit'; pick: number }
  | { op: 'advance'; ms: number }
  | { op: 'update'; pick: number; seed: number; absorbs: boolean }
  | { op: 'remove'; pick: number }
  | { op: 'retry' }

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: arbRequest.map((spec) => ({ op: 'decide' as const, spec })) },
  { weight: 3, arbitrary: fc.nat().map((pick) => ({ op: 'release' as const, pick })) },
  { weight: 2, arbitrary: fc.nat().map((pick) => ({ op: 'commit' as const, pick })) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 200_000 }).map((ms) => ({ op: 'advance' as const, ms })) },
  {
    weight: 1,
    arbitrary: fc.record({ pick: fc.nat(), seed: fc.nat(), absorbs: fc.boolean() }).map((r) => ({ op: 'update' as const, ...r })),
  },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ op: 'remove' as const, pick })) },
  { weight: 2, arbitrary: fc.constant({ op: 'retry' as const }) },
)

/** Independent of the engine: may `c` hold work with this residency? */
function allowed(spec: SchedulingRequest, c: ClusterCapacity): boolean {
  const r = spec.residency
  if (!r) return true
  if (r.provinces?.includes(c.province)) return true
  for (const h of r.hubs ?? []) {
    if (hubProvinces.get(h)?.includes(c.province)) return true
    if (hubSites.has(h) && c.hub === h) return true
  }
  return false
}

function checkPlaced(d: Decision, spec: SchedulingRequest, clusters: Map<string, ClusterCapacity>): void {
  expect(d.status).toBe('placed')
  const ids = d.placements.map((p) => p.clusterId)
  expect(new Set(ids).size).toBe(ids.length)
  for (const p of d.placements) {
    const c = clusters.get(p.clusterId)
    expect(c, `placed on unknown cluster ${p.clusterId}`).toBeDefined()
    if (!c) continue
    expect(allowed(spec, c), `residency violated: ${p.clusterId} (${c.province}, ${c.hub})`).toBe(true)
    const a = spec.resources.accelerators
    if (a) {
      const cls = c.accelerators.find((x) => x.key === p.classKey)
      expect(cls?.kind).toBe(a.kind)
      if (a.model) expect(cls?.model).toBe(a.model)
      if (a.minFp16Tflops !== undefined) expect(cls?.fp16Tflops ?? 0).toBeGreaterThanOrEqual(a.minFp16Tflops)
      expect(p.devices).toBe(p.replicas * a.count)
    } else expect(p.classKey).toBeNull()
  }
  const total = d.placements.reduce((s, p) => s + p.replicas, 0)
  const mode = spec.placement
  if (mode.mode === 'gang') {
    expect(d.placements).toHaveLength(1)
    expect(total).toBe(spec.replicas)
  } else if (mode.mode === 'duplicated') {
    expect(d.placements).toHaveLength(mode.clusters)
    for (const p of d.placements) expect(p.replicas).toBe(spec.replicas)
  } else {
    expect(total).toBe(spec.replicas)
    for (const p of d.placements) expect(p.replicas).toBeGreaterThanOrEqual(mode.minPerCluster ?? 1)
  }
}

function run(policy: PlacementPolicy, seed: number, size: number, ops: Op[]): void {
  const fleet = randomFleet(seed, size)
  const clusters = new Map(fleet.map((c) => [c.id, c]))
  const specs = new Map<string, SchedulingRequest>()
  const clock = { now: 0 }
  const events: SchedulerEvent[] = []
  const s = new Scheduler(fleet, {
    clock: () => clock.now,
    regions: { hubs: TEST_HUBS },
    policy,
    quotas: QUOTAS,
    reservationTtlMs: 60_000,
    staleAfterMs: 600_000,
    onEvent: (e) => events.push(e),
  })
  const live: string[] = []
  let n = 0
  for (const op of ops) {
    switch (op.op) {
      case 'decide': {
        const id = `w${n++}`
        specs.set(id, op.spec)
        const d = s.decide(op.spec, { workloadId: id })
        if (d.status === 'placed') {
          checkPlaced(d, op.spec, clusters)
          live.push(d.reservationId ?? '')
        } else expect(d.placements).toEqual([])
        break
      }
      case 'release':
        if (live.length) s.release(live.splice(op.pick % live.length, 1)[0] ?? '')
        break
      case 'commit':
        if (live.length) s.commit(live[op.pick % live.length] ?? '')
        break
      case 'advance':
        clock.now += op.ms
        s.tick()
        break
      case 'update': {
        const ids = [...clusters.keys()]
        const id = ids[op.pick % ids.length]
        const fresh = randomFleet(op.seed, 1)[0]
        if (!id || !fresh) break
        const c = { ...fresh, id, lastReportAt: clock.now }
        clusters.set(id, c)
        s.updateCapacity(id, c, { absorbsCommitted: op.absorbs })
        break
      }
      case 'remove': {
        const ids = [...clusters.keys()]
        const id = ids[op.pick % ids.length]
        if (!id || ids.length < 2) break
        clusters.delete(id)
        s.updateCapacity(id, null)
        break
      }
      case 'retry':
        for (const d of s.retryPending()) {
          const spec = specs.get(d.workloadId)
          if (d.status === 'placed' && spec) {
            checkPlaced(d, spec, clusters)
            live.push(d.reservationId ?? '')
          }
        }
        break
    }
    // placements made by retries inside other operations are checked through the events
    for (const e of events.splice(0)) {
      if (e.type !== 'placed') continue
      const spec = specs.get(e.decision.workloadId)
      if (spec) checkPlaced(e.decision, spec, clusters)
    }
    const audit = s.audit()
    expect(audit.violations, `after ${op.op}`).toEqual([])
  }
}

describe('scheduler invariants (property)', () => {
  for (const policy of [ENGINE_POLICY, FIRST_FIT, KARMADA_LIKE]) {
    it(`${policy.name}: no residency violation, no overcommit, modes and quotas hold`, () => {
      fc.assert(
        fc.property(
          fc.nat(),
          fc.integer({ min: 2, max: 25 }),
          fc.array(arbOp, { minLength: 1, maxLength: 80, size: 'max' }),
          (seed, size, ops) => run(policy, seed, size, ops),
        ),
        { numRuns: 150 },
      )
    })
  }
})
