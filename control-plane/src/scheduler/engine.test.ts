import { describe, expect, it } from 'vitest'
import { FIRST_FIT, KARMADA_LIKE } from './baselines'
import { Scheduler, type SchedulerEvent, type SchedulerOptions } from './engine'
import { accelerator, cluster, request, TEST_HUBS, TEST_MODELS } from './synthetic'
import type { ClusterCapacity, SchedulingRequest } from './types'

const [A100, H800, T4, ASCEND910B] = TEST_MODELS as [
  (typeof TEST_MODELS)[0],
  (typeof TEST_MODELS)[0],
  (typeof TEST_MODELS)[0],
  (typeof TEST_MODELS)[0],
]
const GIB = 1024 ** 3

function make(fleet: ClusterCapacity[], opts: SchedulerOptions = {}) {
  const clock = { now: 1_000_000 }
  const events: SchedulerEvent[] = []
  const s = new Scheduler(fleet, {
    clock: () => clock.now,
    regions: { hubs: TEST_HUBS },
    staleAfterMs: 180_000,
    onEvent: (e) => events.push(e),
    ...opts,
  })
  return { s, clock, events }
}

const gpu = (count: number, extra: Partial<SchedulingRequest> = {}, model?: string): SchedulingRequest =>
  request({
    resources: { cpuMillis: 4000, memoryBytes: 16 * GIB, accelerators: { kind: 'GPU', count, ...(model ? { model } : {}) } },
    ...extra,
  })

const cpuJob = (cpuMillis: number, extra: Partial<SchedulingRequest> = {}): SchedulingRequest =>
  request({ resources: { cpuMillis, memoryBytes: GIB }, ...extra })

describe('filters', () => {
  const fleet = [
    cluster({ id: 'bj', province: '110000', lastReportAt: 1_000_000, accelerators: [accelerator(A100, 4, [8, 8, 8, 8])] }),
    cluster({
      id: 'nm',
      province: '150000',
      hub: 'horinger',
      lastReportAt: 1_000_000,
      accelerators: [accelerator(ASCEND910B, 4, [8, 8, 8, 8])],
    }),
    cluster({ id: 'gz', province: '520000', hub: 'guian', lastReportAt: 1_000_000, accelerators: [accelerator(H800, 2, [8, 8])] }),
    cluster({ id: 'sh', province: '310000', lastReportAt: 1_000_000, accelerators: [accelerator(T4, 4, [4, 4, 4, 4])] }),
  ]

  it('keeps residency hard, by province, hub group and hub data-center cluster', () => {
    const { s } = make(fleet)
    const byProvince = s.decide(cpuJob(1000, { residency: { provinces: ['310000'] }, preferences: { green: 10 } }))
    expect(byProvince.placements.map((p) => p.clusterId)).toEqual(['sh'])
    expect(byProvince.explanation.filtered.residency).toBe(3)
    const byHubGroup = s.decide(cpuJob(1000, { residency: { hubs: ['jjj'] } }))
    expect(byHubGroup.placements.map((p) => p.clusterId)).toEqual(['bj'])
    const bySite = s.decide(cpuJob(1000, { residency: { hubs: ['guian'] } }))
    expect(bySite.placements.map((p) => p.clusterId)).toEqual(['gz'])
  })

  it('rejects an empty residency and an unknown hub rather than reading them as anywhere', () => {
    const { s } = make(fleet)
    expect(s.decide(cpuJob(1000, { residency: {} })).reason).toBe('invalid')
    expect(s.decide(cpuJob(1000, { residency: { hubs: ['atlantis'] } })).reason).toBe('invalid')
    expect(s.decide(cpuJob(1000, { residency: { provinces: ['710000'] } }))).toMatchObject({ status: 'rejected', reason: 'never-fits' })
  })

  it('matches capability by kind, model and minimum precision', () => {
    const { s } = make(fleet)
    expect(s.decide(gpu(1, {}, 'H800-SXM-80GB')).placements[0]?.clusterId).toBe('gz')
    const fast = s.decide(
      request({ resources: { cpuMillis: 1000, memoryBytes: GIB, accelerators: { kind: 'GPU', minFp16Tflops: 500, count: 1 } } }),
    )
    expect(fast.placements[0]?.model).toBe('H800-SXM-80GB')
    expect(fast.explanation.filtered.capability).toBe(3)
    const npu = s.decide(request({ resources: { cpuMillis: 1000, memoryBytes: GIB, accelerators: { kind: 'NPU', count: 8 } } }))
    expect(npu.placements[0]?.clusterId).toBe('nm')
    // FP32 unknown for the 910B: a minimum FP32 never matches a device without a published figure
    const fp32 = s.decide(
      request({ resources: { cpuMillis: 1000, memoryBytes: GIB, accelerators: { kind: 'NPU', minFp32Tflops: 1, count: 1 } } }),
    )
    expect(fp32).toMatchObject({ status: 'rejected', reason: 'never-fits' })
  })

  it('needs all of a replica’s devices on one node', () => {
    const frag = [cluster({ id: 'frag', province: '110000', lastReportAt: 1_000_000, accelerators: [accelerator(A100, 4, [4, 4, 4, 4])] })]
    const { s } = make(frag)
    const d = s.decide(gpu(8))
    expect(d.status).toBe('pending')
    expect(d.explanation.filtered.nodeFit).toBe(1)
    expect(s.decide(gpu(4, { replicas: 4 })).status).toBe('placed')
    // 16 per replica on 8-device nodes: never
    expect(s.decide(gpu(16))).toMatchObject({ status: 'rejected', reason: 'never-fits' })
  })

  it('filters stale clusters as unhealthy', () => {
    const { s, clock } = make(fleet)
    clock.now += 10 * 60_000
    const d = s.decide(cpuJob(1000))
    expect(d.status).toBe('pending')
    expect(d.reason).toBe('health')
    expect(d.explanation.filtered.health).toBe(4)
  })

  it('keeps explanations compact: counts add up, at most the top five', () => {
    const many = Array.from({ length: 300 }, (_, i) =>
      cluster({ id: `c${i}`, province: i % 2 ? '110000' : '150000', lastReportAt: 1_000_000 }),
    )
    const { s } = make(many)
    const d = s.decide(cpuJob(1000, { residency: { provinces: ['110000'] } }))
    const e = d.explanation
    expect(e.top.length).toBe(5)
    expect(e.feasible + Object.values(e.filtered).reduce((a, b) => a + b, 0)).toBe(300)
    expect(e.top[0]?.plugins).toHaveProperty('green')
    expect(JSON.stringify(e).length).toBeLessThan(3000)
  })
})

describe('scoring', () => {
  it('prefers green, low-carbon, low-PUE sites', () => {
    const fleet = [
      cluster({ id: 'coal', province: '410000', greenShare: 0.1, carbon: 0.85, pue: 1.5, lastReportAt: 1_000_000 }),
      cluster({ id: 'hydro', province: '520000', greenShare: 0.8, carbon: 0.2, pue: 1.2, lastReportAt: 1_000_000 }),
    ]
    const { s } = make(fleet)
    const d = s.decide(cpuJob(1000))
    expect(d.placements[0]?.clusterId).toBe('hydro')
    expect(d.explanation.top.map((t) => t.clusterId)).toEqual(['hydro', 'coal'])
    const hydro = d.explanation.top[0]?.plugins
    expect(hydro?.green).toBe(0.8)
    expect(hydro?.pue).toBeCloseTo(0.8)
    expect(hydro?.carbon).toBeCloseTo(0.8)
  })

  it('orders data locality: same province > same hub > the east→west pairing > elsewhere', () => {
    const base = { greenShare: 0.3, carbon: 0.6, pue: 1.4, lastReportAt: 1_000_000 }
    const fleet = [
      cluster({ id: 'far', province: '650000', ...base }),
      cluster({ id: 'paired', province: '150000', hub: 'horinger', ...base }),
      cluster({ id: 'hub', province: '130000', hub: 'zhangjiakou', ...base }),
      cluster({ id: 'same', province: '110000', ...base }),
    ]
    const { s } = make(fleet)
    const d = s.decide(cpuJob(1000, { dataLocation: { province: '110000', transferPenalty: 1 } }))
    expect(d.explanation.top.map((t) => t.clusterId)).toEqual(['same', 'hub', 'paired', 'far'])
    expect(d.explanation.top.map((t) => t.plugins?.locality)).toEqual([1, 0.7, 0.5, 0])
    // no penalty: locality does not matter
    const free = s.decide(cpuJob(1000, { dataLocation: { province: '110000', transferPenalty: 0 } }))
    expect(free.explanation.weights?.locality).toBe(0)
  })

  it('lets the owner trade green energy for locality', () => {
    const fleet = [
      cluster({ id: 'bj', province: '110000', greenShare: 0.1, carbon: 0.8, pue: 1.5, lastReportAt: 1_000_000 }),
      cluster({ id: 'nm', province: '150000', hub: 'horinger', greenShare: 0.9, carbon: 0.1, pue: 1.15, lastReportAt: 1_000_000 }),
    ]
    const { s } = make(fleet)
    const dl = { province: '110000', transferPenalty: 1 }
    expect(s.decide(cpuJob(1000, { dataLocation: dl })).placements[0]?.clusterId).toBe('nm')
    expect(s.decide(cpuJob(1000, { dataLocation: dl, preferences: { green: 0.1, latency: 5 } })).placements[0]?.clusterId).toBe('bj')
  })

  it('prefers domestic devices when asked', () => {
    const fleet = [
      cluster({ id: 'nv', province: '110000', lastReportAt: 1_000_000, accelerators: [accelerator(A100, 2, [8, 8])] }),
      cluster({
        id: 'hw',
        province: '110000',
        lastReportAt: 1_000_000,
        accelerators: [accelerator({ ...ASCEND910B, kind: 'GPU' }, 2, [8, 8])],
      }),
    ]
    const { s } = make(fleet)
    expect(s.decide(gpu(1, { preferences: { domestic: 10 } })).placements[0]?.clusterId).toBe('hw')
    expect(s.decide(gpu(1, { preferences: { domestic: 0 } })).placements[0]?.clusterId).toBe('nv')
  })

  it('sends a big gang where much more of its shape still fits (headroom); small work follows green', () => {
    const fleet = [
      cluster({
        id: 'green-small',
        province: '520000',
        greenShare: 0.6,
        lastReportAt: 1_000_000,
        accelerators: [accelerator(A100, 9, new Array(9).fill(8))],
      }),
      cluster({
        id: 'grey-big',
        province: '410000',
        greenShare: 0.45,
        lastReportAt: 1_000_000,
        accelerators: [accelerator(A100, 64, new Array(64).fill(8))],
      }),
    ]
    const { s } = make(fleet)
    const gang = s.decide(gpu(8, { replicas: 8 }))
    expect(gang.placements[0]?.clusterId).toBe('grey-big')
    expect(gang.explanation.top.map((t) => [t.clusterId, t.plugins?.headroom])).toEqual([
      ['grey-big', 0.7778],
      ['green-small', 0.0588],
    ])
    expect(s.decide(gpu(1)).placements[0]?.clusterId).toBe('green-small')
  })

  it('balances utilization: the emptier cluster wins among equals', () => {
    const fleet = [
      cluster({ id: 'busy', province: '110000', cpuMillis: 100_000, cpuFree: 30_000, lastReportAt: 1_000_000 }),
      cluster({ id: 'idle', province: '110000', cpuMillis: 100_000, cpuFree: 90_000, lastReportAt: 1_000_000 }),
    ]
    const { s } = make(fleet)
    expect(s.decide(cpuJob(1000)).placements[0]?.clusterId).toBe('idle')
  })
})

describe('division', () => {
  const fleet = () =>
    ['a', 'b', 'c'].map((id, i) =>
      cluster({
        id,
        province: '110000',
        greenShare: 0.9 - i * 0.3,
        lastReportAt: 1_000_000,
        accelerators: [accelerator(A100, 2, [8, 8])],
      }),
    )

  it('gang: all replicas in one cluster or none', () => {
    const { s } = make(fleet())
    const d = s.decide(gpu(8, { replicas: 2 }))
    expect(d.placements).toEqual([expect.objectContaining({ clusterId: 'a', replicas: 2, devices: 16 })])
    expect(s.decide(gpu(8, { replicas: 3 }))).toMatchObject({ status: 'rejected', reason: 'never-fits' })
  })

  it('divisible: across clusters with a minimum per cluster', () => {
    const { s } = make(fleet())
    const d = s.decide(gpu(4, { replicas: 10, placement: { mode: 'divisible', minPerCluster: 3 } }))
    expect(d.status).toBe('placed')
    expect(d.placements.reduce((a, p) => a + p.replicas, 0)).toBe(10)
    for (const p of d.placements) expect(p.replicas).toBeGreaterThanOrEqual(3)
    expect(d.placements[0]?.clusterId).toBe('a')
  })

  it('duplicated: the same replicas in N clusters', () => {
    const { s } = make(fleet())
    const d = s.decide(gpu(8, { replicas: 1, placement: { mode: 'duplicated', clusters: 3 } }))
    expect(d.placements.map((p) => p.clusterId).sort()).toEqual(['a', 'b', 'c'])
    expect(s.decide(gpu(8, { replicas: 1, placement: { mode: 'duplicated', clusters: 4 } }))).toMatchObject({
      status: 'rejected',
      reason: 'never-fits',
    })
  })
})

describe('reservations', () => {
  const one = () => [cluster({ id: 'x', province: '110000', lastReportAt: 1_000_000, accelerators: [accelerator(A100, 1, [8])] })]

  it('deducts at once: no double booking, even for concurrent submissions', async () => {
    const { s } = make(one())
    const decisions = await Promise.all(Array.from({ length: 16 }, () => Promise.resolve().then(() => s.decide(gpu(1)))))
    expect(decisions.filter((d) => d.status === 'placed')).toHaveLength(8)
    expect(decisions.filter((d) => d.status === 'pending')).toHaveLength(8)
    expect(s.audit().ok).toBe(true)
  })

  it('release gives capacity back; retryPending places the queue', () => {
    const { s, events } = make(one())
    const a = s.decide(gpu(8))
    const b = s.decide(gpu(8))
    expect(b.status).toBe('pending')
    expect(s.release(a.reservationId ?? '')).toBe(true)
    expect(s.release(a.reservationId ?? '')).toBe(false)
    const placed = s.retryPending()
    expect(placed.map((d) => d.workloadId)).toEqual([b.workloadId])
    expect(events.some((e) => e.type === 'placed')).toBe(true)
    expect(s.audit().ok).toBe(true)
  })

  it('expires uncommitted reservations after the TTL and queues the workload again; committed ones stay', () => {
    const { s, clock, events } = make(one(), { reservationTtlMs: 60_000 })
    const a = s.decide(gpu(4), { workloadId: 'a' })
    const b = s.decide(gpu(4), { workloadId: 'b' })
    s.commit(b.reservationId ?? '')
    clock.now += 61_000
    s.tick()
    expect(events).toContainEqual(expect.objectContaining({ type: 'expired', workloadId: 'a', requeued: true }))
    expect(s.reservation(a.reservationId ?? '')).toBeUndefined()
    expect(s.reservation(b.reservationId ?? '')?.state).toBe('committed')
    expect(s.pending().map((p) => p.workloadId)).toEqual(['a'])
    // stale by now (no report for 61 s is fine: 180 s threshold)
    expect(s.retryPending().map((d) => d.workloadId)).toEqual(['a'])
  })

  it('keeps reservations deducted across a capacity update, and displaces what no longer fits', () => {
    const { s, events } = make(one())
    const a = s.decide(gpu(4), { workloadId: 'a' })
    const _b = s.decide(gpu(4), { workloadId: 'b' })
    s.commit(a.reservationId ?? '')
    // same report again: both still deducted
    s.updateCapacity('x', one()[0] as ClusterCapacity)
    expect(s.clusterViews()[0]?.accelerators[0]?.free).toBe(0)
    expect(s.audit().ok).toBe(true)
    // the cluster lost half its node: the uncommitted one is displaced and queued again
    s.updateCapacity('x', cluster({ id: 'x', province: '110000', lastReportAt: 1_000_000, accelerators: [accelerator(A100, 1, [4])] }))
    expect(events).toContainEqual(expect.objectContaining({ type: 'displaced', workloadId: 'b', requeued: true }))
    expect(s.reservation(a.reservationId ?? '')?.state).toBe('committed')
    expect(s.audit().ok).toBe(true)
    // the report now counts a's pods itself
    s.updateCapacity('x', cluster({ id: 'x', province: '110000', lastReportAt: 1_000_000, accelerators: [accelerator(A100, 1, [4])] }), {
      absorbsCommitted: true,
    })
    expect(s.clusterViews()[0]?.accelerators[0]?.free).toBe(4)
    expect(s.retryPending().map((d) => d.workloadId)).toEqual(['b'])
    expect(s.audit().ok).toBe(true)
  })

  it('rejects a workload past its deadline and waits for start-after', () => {
    const { s, clock, events } = make(one())
    const iso = (ms: number) => new Date(ms).toISOString()
    const later = s.decide(gpu(1, { startAfter: iso(clock.now + 60_000) }))
    expect(later).toMatchObject({ status: 'pending', reason: 'not-before' })
    const blocker = s.decide(gpu(8))
    const late = s.decide(gpu(8, { deadline: iso(clock.now + 30_000) }))
    expect(late.status).toBe('pending')
    clock.now += 31_000
    s.tick()
    expect(events).toContainEqual(expect.objectContaining({ type: 'rejected' }))
    s.release(blocker.reservationId ?? '')
    expect(s.retryPending()).toEqual([])
    clock.now += 30_000
    expect(s.retryPending().map((d) => d.workloadId)).toEqual([later.workloadId])
  })

  it('adds a cluster on its first report and displaces what a removed cluster held', () => {
    const { s, events } = make(one())
    const a = s.decide(gpu(8), { workloadId: 'a' })
    s.updateCapacity('y', cluster({ id: 'y', province: '150000', lastReportAt: 1_000_000, accelerators: [accelerator(A100, 1, [8])] }))
    expect(s.clusterViews().map((v) => v.id)).toEqual(['x', 'y'])
    s.updateCapacity('x', null)
    expect(events).toContainEqual(expect.objectContaining({ type: 'displaced', workloadId: 'a', clusterId: 'x', requeued: true }))
    expect(s.reservation(a.reservationId ?? '')).toBeUndefined()
    expect(s.retryPending().map((d) => d.placements[0]?.clusterId)).toEqual(['y'])
    expect(s.audit().ok).toBe(true)
  })

  it('refuses a workload id that is already active', () => {
    const { s } = make(one())
    s.decide(gpu(1), { workloadId: 'dup' })
    expect(() => s.decide(gpu(1), { workloadId: 'dup' })).toThrow(/already/)
    expect(s.cancel('dup')).toBe(true)
    expect(s.decide(gpu(1), { workloadId: 'dup' }).status).toBe('placed')
  })
})

describe('queues, quotas and preemption', () => {
  const fleet = () => [
    cluster({ id: 'x', province: '110000', lastReportAt: 1_000_000, accelerators: [accelerator(A100, 4, [8, 8, 8, 8])] }),
  ]
  const as = (department: string, priority = 0) => ({ owner: { department, region: 'national' as const }, priority })

  it('holds a department to its quota, and rejects what it could never get', () => {
    const { s } = make(fleet(), { quotas: { departments: { tax: { limits: { GPU: { devices: 8 } } } } } })
    expect(s.decide(gpu(8, as('tax'))).status).toBe('placed')
    expect(s.decide(gpu(1, as('tax')))).toMatchObject({ status: 'pending', reason: 'quota' })
    expect(s.decide(gpu(8, { ...as('tax'), replicas: 2 }))).toMatchObject({ status: 'rejected', reason: 'exceeds-quota' })
    expect(
      s.decide(request({ ...as('tax'), resources: { cpuMillis: 1, memoryBytes: 1, accelerators: { kind: 'NPU', count: 1 } } })).reason,
    ).toBe('exceeds-quota')
    expect(s.audit().ok).toBe(true)
  })

  it('limits FP16 TFLOPS by kind', () => {
    const { s } = make(fleet(), { quotas: { departments: { ai: { limits: { GPU: { fp16Tflops: 1000 } } } } } })
    expect(s.decide(gpu(3, as('ai'))).status).toBe('placed') // 936 TFLOPS
    expect(s.decide(gpu(1, as('ai'))).reason).toBe('quota')
  })

  it('borrows idle quota within a cohort, never beyond the cohort, and reclaims it', () => {
    const quotas = {
      departments: {
        a: { cohort: 'c', limits: { GPU: { devices: 8 } } },
        b: { cohort: 'c', limits: { GPU: { devices: 8 } } },
        loner: { limits: { GPU: { devices: 8 } } },
      },
    }
    const { s, events } = make(fleet(), { quotas })
    const borrow = s.decide(gpu(8, { ...as('a'), replicas: 2 }))
    expect(borrow.status).toBe('placed') // 16 > own 8: borrowed b's idle 8
    expect(s.decide(gpu(1, as('a'))).reason).toBe('quota') // cohort full
    // b reclaims its own quota: a's uncommitted borrowing is preempted
    const reclaim = s.decide(gpu(8, as('b')))
    expect(reclaim.status).toBe('placed')
    expect(reclaim.preempted).toEqual([borrow.reservationId])
    expect(events).toContainEqual(expect.objectContaining({ type: 'preempted', workloadId: borrow.workloadId }))
    expect(s.decide(gpu(8, { ...as('loner'), replicas: 2 })).reason).toBe('exceeds-quota')
    expect(s.audit().ok).toBe(true)
  })

  it('respects a borrowing limit', () => {
    const quotas = {
      departments: {
        a: { cohort: 'c', limits: { GPU: { devices: 8 } }, borrowingLimit: { GPU: { devices: 4 } } },
        b: { cohort: 'c', limits: { GPU: { devices: 16 } } },
      },
    }
    const { s } = make(fleet(), { quotas })
    expect(s.decide(gpu(4, { ...as('a'), replicas: 3 })).status).toBe('placed')
    expect(s.decide(gpu(4, as('a')))).toMatchObject({ status: 'pending', reason: 'quota' })
  })

  it('preempts lower-priority reservations that are not running, never committed ones unless configured', () => {
    const { s } = make(fleet())
    const low = Array.from({ length: 4 }, (_, i) => s.decide(gpu(8, as('x', 1)), { workloadId: `low${i}` }))
    s.commit(low[0]?.reservationId ?? '')
    const high = s.decide(gpu(8, { ...as('y', 10), replicas: 2 }))
    expect(high.status).toBe('placed')
    expect(high.preempted).toHaveLength(2)
    expect(high.preempted).not.toContain(low[0]?.reservationId)
    expect(
      s
        .pending()
        .map((p) => p.workloadId)
        .sort(),
    ).toEqual(high.preempted.map((id) => low.find((l) => l.reservationId === id)?.workloadId).sort())
    // the only remaining uncommitted one cannot make room for 4 nodes: nothing is preempted
    const huge = s.decide(gpu(8, { ...as('y', 10), replicas: 3 }))
    expect(huge.status).toBe('pending')
    expect(huge.preempted).toEqual([])
    expect(s.audit().ok).toBe(true)
    const running = make(fleet(), { preemption: { running: true } })
    for (let i = 0; i < 4; i++) running.s.commit(running.s.decide(gpu(8, as('x', 1))).reservationId ?? '')
    expect(running.s.decide(gpu(8, as('y', 5))).preempted).toHaveLength(1)
  })

  it('orders the queue by priority, then dominant-resource share, then submission', () => {
    const { s } = make(fleet())
    const fill = Array.from({ length: 4 }, () => s.decide(gpu(8, as('big'))))
    for (const f of fill) s.commit(f.reservationId ?? '')
    s.decide(gpu(8, as('big')), { workloadId: 'big-next' })
    s.decide(gpu(8, as('small')), { workloadId: 'small-next' })
    s.decide(gpu(8, as('big', 5)), { workloadId: 'urgent' })
    expect(s.pending().map((p) => p.workloadId)).toEqual(['urgent', 'small-next', 'big-next'])
    for (const f of fill.slice(0, 2)) s.release(f.reservationId ?? '')
    expect(s.retryPending().map((d) => d.workloadId)).toEqual(['urgent', 'small-next'])
  })
})

describe('baselines share the capacity model', () => {
  const fleet = () =>
    ['a', 'b', 'c'].map((id, i) =>
      cluster({
        id,
        province: '110000',
        greenShare: i * 0.4,
        lastReportAt: 1_000_000,
        accelerators: [accelerator(A100, 1 + i, [8, 8, 8])],
      }),
    )

  it('first-fit takes the first cluster in fleet order', () => {
    const { s } = make(fleet(), { policy: FIRST_FIT })
    expect(s.decide(gpu(1)).placements[0]?.clusterId).toBe('a')
    expect(s.decide(gpu(8)).placements[0]?.clusterId).toBe('b')
  })

  it('karmada-like divides by available replicas and ignores energy', () => {
    const { s } = make(fleet(), { policy: KARMADA_LIKE })
    const d = s.decide(gpu(8, { replicas: 6, placement: { mode: 'divisible' } }))
    expect(Object.fromEntries(d.placements.map((p) => [p.clusterId, p.replicas]))).toEqual({ a: 1, b: 2, c: 3 })
    expect(d.explanation.weights).toBeNull()
    expect(make(fleet(), { policy: KARMADA_LIKE }).s.decide(gpu(1)).placements[0]?.clusterId).toBe('c')
  })
})
