import { Compile } from 'typebox/compile'
import { describe, expect, it } from 'vitest'
import type { DeviceFigures } from '../catalog'
import type { Inventory, InventoryNode } from '../ledger/inventory'
import { ledgerRows } from '../ledger/rows'
import { type LedgerCluster, summarize } from '../ledger/view'
import { loadRegions } from '../regions'
import { capacityFromLedger, fallbackHistograms, nodeDetailFromInventory } from './capacity'
import { Scheduler } from './engine'
import { EAST_WEST_PAIRING, RegionModel } from './regions'
import { TEST_HUBS } from './synthetic'
import { WorkloadSpecSchema } from './types'

const GIB = 1024 ** 3
const NONE: DeviceFigures = { fp64: null, fp32: null, fp16Dense: null, int8Dense: null }
const A100: DeviceFigures = { fp64: 9.7, fp32: 19.5, fp16Dense: 312, int8Dense: 624 }

function node(
  name: string,
  acc: { allocatable: number; inUse: number | null }[],
  req: [number, number] = [16_000, 64 * GIB],
): InventoryNode {
  return {
    name,
    cls: 0,
    cores: 128,
    memoryBytes: 1024 * GIB,
    figures: NONE,
    alloc: [120_000, 1000 * GIB],
    req,
    used: null,
    acc: acc.map((a) => ({
      cls: 1,
      resource: 'nvidia.com/gpu',
      devices: 8,
      allocatable: a.allocatable,
      inUse: a.inUse,
      factor: 1,
      virtual: false,
    })),
  }
}

function inventory(): Inventory {
  return {
    classes: [
      { key: 'CPU|AMD|EPYC|amd64', kind: 'CPU', vendor: 'AMD', model: 'EPYC', arch: 'amd64', domestic: false, figures: NONE },
      {
        key: 'GPU|NVIDIA|A100-SXM4-80GB|amd64',
        kind: 'GPU',
        vendor: 'NVIDIA',
        model: 'A100-SXM4-80GB',
        arch: 'amd64',
        domestic: false,
        figures: A100,
      },
    ],
    nodes: [
      node('n1', [{ allocatable: 8, inUse: 0 }]),
      node('n2', [{ allocatable: 8, inUse: 5 }]),
      node('n3', [{ allocatable: 7, inUse: 7 }]),
      // stranded: 4 free devices but only 4 cores left
      node('n4', [{ allocatable: 8, inUse: 4 }], [116_000, 64 * GIB]),
      node('cpu', []),
    ],
  }
}

function ledgerCluster(inv: Inventory, lastReportAt: number): LedgerCluster {
  const rows = ledgerRows(inv)
  return {
    id: '110000-gov-01',
    province: '110000',
    city: '北京市',
    hub: null,
    level: 'provincial',
    platform: 'cn-110000',
    site: '110000-beijing-dc01',
    lastSequence: 1,
    lastReportAt,
    figures: {
      fullSequence: 1,
      fullReceivedAt: lastReportAt,
      usageSequence: null,
      usageReceivedAt: null,
      storageCapacityBytes: 0,
      storageUsedBytes: null,
      itPowerKw: 120,
      pue: 1.3,
      greenShare: 0.55,
      carbonIntensity: 0.4,
    },
    rows,
    summary: summarize(rows),
  }
}

describe('capacityFromLedger', () => {
  it('takes free = allocatable − requested − stranded from the rows, and site energy', () => {
    const [c] = capacityFromLedger([ledgerCluster(inventory(), 1000)], { now: 2000 })
    expect(c?.cpu.allocatableMillis).toBe(5 * 120_000)
    expect(c?.cpu.freeMillis).toBe(5 * 120_000 - 4 * 16_000 - 116_000)
    expect(c?.cpu.maxNodeMillis).toBe(120_000)
    const gpu = c?.accelerators[0]
    expect(gpu).toMatchObject({ kind: 'GPU', model: 'A100-SXM4-80GB', allocatable: 31, free: 8 + 3, fp16Tflops: 312, virtual: false })
    expect(c?.energy).toEqual({ greenShare: 0.55, carbonIntensity: 0.4, pue: 1.3, itPowerKw: 120 })
  })

  it('uses node detail from the inventory when given (exact node fit)', () => {
    const inv = inventory()
    const [c] = capacityFromLedger([ledgerCluster(inv, 1000)], { now: 2000, nodes: () => nodeDetailFromInventory(inv) })
    const gpu = c?.accelerators[0]
    expect(gpu?.nodes?.freeHistogram).toEqual([2, 0, 0, 1, 0, 0, 0, 0, 1])
    expect(gpu?.nodes?.allocHistogram).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 3])
    expect(gpu?.maxPerNode).toBe(8)
    expect(gpu?.free).toBe(11)
    // an 8-device replica fits once, a 4-device one three times (8 → 2, 3 → 0)
    const s = new Scheduler(c ? [c] : [], { regions: { hubs: TEST_HUBS }, clock: () => 2000 })
    const spec = (count: number, replicas: number) => ({
      owner: { department: 'd', region: 'national' as const },
      priority: 0,
      replicas,
      resources: { cpuMillis: 1000, memoryBytes: GIB, accelerators: { kind: 'GPU' as const, count } },
      placement: { mode: 'gang' as const },
    })
    expect(s.decide(spec(8, 2)).status).toBe('pending')
    expect(s.decide(spec(3, 2)).status).toBe('placed')
    expect(s.decide(spec(1, 6)).status).toBe('pending')
    expect(s.decide(spec(1, 5)).status).toBe('placed')
    expect(s.audit().ok).toBe(true)
  })

  it('leaves out stale clusters and clusters that never reported', () => {
    const fresh = ledgerCluster(inventory(), 1000)
    const stale = { ...ledgerCluster(inventory(), 1000), id: 'stale', lastReportAt: 1000 - 200_000 }
    const never = { ...ledgerCluster(inventory(), 1000), id: 'never', lastReportAt: null }
    expect(capacityFromLedger([fresh, stale, never], { now: 2000 }).map((c) => c.id)).toEqual([fresh.id])
    expect(capacityFromLedger([fresh, stale], { now: 2000, staleAfterMs: Number.POSITIVE_INFINITY })).toHaveLength(2)
  })

  it('falls back to nodes of 8 devices, free devices packed or spread', () => {
    expect(fallbackHistograms(20, 11, 8, 'packed')).toEqual({
      freeHistogram: [1, 0, 0, 1, 0, 0, 0, 0, 1],
      allocHistogram: [0, 0, 0, 0, 1, 0, 0, 0, 2],
    })
    expect(fallbackHistograms(24, 11, 8, 'spread')).toEqual({
      freeHistogram: [0, 0, 0, 1, 2, 0, 0, 0, 0],
      allocHistogram: [0, 0, 0, 0, 0, 0, 0, 0, 3],
    })
    expect(fallbackHistograms(0, 0, 8, 'packed')).toEqual({ freeHistogram: [0], allocHistogram: [0] })
  })
})

describe('regions', () => {
  it('pairs every east_demand hub of data/hubs.csv with a west_renewable hub', () => {
    const { hubs } = loadRegions()
    const type = new Map(hubs.map((h) => [h.hubId, h.hubType]))
    const east = [...new Set(hubs.filter((h) => h.hubType === 'east_demand').map((h) => h.hubId))]
    expect(Object.keys(EAST_WEST_PAIRING).sort()).toEqual(east.sort())
    for (const west of Object.values(EAST_WEST_PAIRING)) expect(type.get(west)).toBe('west_renewable')
  })

  it('tiers data locality', () => {
    const r = new RegionModel(TEST_HUBS, EAST_WEST_PAIRING)
    expect(r.tier('110000', { province: '110000', hub: null })).toBe(0)
    expect(r.tier('110000', { province: '130000', hub: 'zhangjiakou' })).toBe(0.3)
    expect(r.tier('110000', { province: '150000', hub: 'horinger' })).toBe(0.5)
    expect(r.tier('440000', { province: '520000', hub: null })).toBe(0.5)
    expect(r.tier('110000', { province: '520000', hub: 'guian' })).toBe(1)
    expect(r.tier('650000', { province: '150000', hub: 'horinger' })).toBe(1)
  })
})

describe('WorkloadSpecSchema', () => {
  const check = Compile(WorkloadSpecSchema)
  const spec = {
    name: 'census-ocr',
    owner: { department: '国家统计局', region: 'national' },
    priority: 10,
    replicas: 16,
    resources: { cpuMillis: 8000, memoryBytes: 64 * GIB, accelerators: { kind: 'NPU', model: 'Ascend-910B', count: 8 } },
    placement: { mode: 'divisible', minPerCluster: 4 },
    residency: { provinces: ['110000'], hubs: ['nm'] },
    dataLocation: { province: '110000', transferPenalty: 0.4 },
    preferences: { green: 2, domestic: 1 },
    startAfter: '2026-12-01T00:00:00Z',
    deadline: '2026-12-02T00:00:00Z',
    template: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'ocr' }, spec: {} },
  }

  it('accepts a full spec', () => {
    expect(check.Check(spec)).toBe(true)
  })

  it('rejects bad input with the field', () => {
    const bad = [
      { ...spec, replicas: 0 },
      { ...spec, placement: { mode: 'duplicated' } },
      { ...spec, resources: { ...spec.resources, accelerators: { kind: 'TPU', count: 1 } } },
      { ...spec, residency: { provinces: ['11'] } },
      { ...spec, dataLocation: { province: '110000', transferPenalty: 2 } },
      { ...spec, template: { apiVersion: 'v1', kind: 'Pod' } },
      { ...spec, surprise: true },
    ]
    for (const b of bad) expect(check.Check(b)).toBe(false)
  })
})
