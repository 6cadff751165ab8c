// Small deterministic fleets and workloads for the scheduler's tests (not used in production).
import type { HubCluster } from '../schemas'
import type { AcceleratorCapacity, ClusterCapacity, SchedulingRequest } from './types'

/** The hubs of data/hubs.csv, reduced to what the scheduler reads (tests do not read the CSV). */
export const TEST_HUBS: Pick<HubCluster, 'id' | 'hubId' | 'hubType' | 'provinces'>[] = [
  { id: 'zhangjiakou', hubId: 'jjj', hubType: 'east_demand', provinces: ['110000', '120000', '130000'] },
  { id: 'yrd_demo_zone', hubId: 'yrd', hubType: 'east_demand', provinces: ['310000', '320000', '330000', '340000'] },
  { id: 'wuhu', hubId: 'yrd', hubType: 'east_demand', provinces: ['310000', '320000', '330000', '340000'] },
  { id: 'shaoguan', hubId: 'gba', hubType: 'east_demand', provinces: ['440000'] },
  { id: 'tianfu', hubId: 'cy', hubType: 'east_demand', provinces: ['510000', '500000'] },
  { id: 'chongqing', hubId: 'cy', hubType: 'east_demand', provinces: ['510000', '500000'] },
  { id: 'horinger', hubId: 'nm', hubType: 'west_renewable', provinces: ['150000'] },
  { id: 'guian', hubId: 'gz', hubType: 'west_renewable', provinces: ['520000'] },
  { id: 'qingyang', hubId: 'gs', hubType: 'west_renewable', provinces: ['620000'] },
  { id: 'zhongwei', hubId: 'nx', hubType: 'west_renewable', provinces: ['640000'] },
]

export const TEST_PROVINCES = [
  '110000',
  '120000',
  '130000',
  '150000',
  '310000',
  '320000',
  '330000',
  '340000',
  '440000',
  '500000',
  '510000',
  '520000',
  '620000',
  '640000',
  '650000',
  '410000',
]

const SITE_OF_PROVINCE: Record<string, string> = {
  '130000': 'zhangjiakou',
  '310000': 'yrd_demo_zone',
  '340000': 'wuhu',
  '440000': 'shaoguan',
  '510000': 'tianfu',
  '500000': 'chongqing',
  '150000': 'horinger',
  '520000': 'guian',
  '620000': 'qingyang',
  '640000': 'zhongwei',
}

export interface DeviceModel {
  kind: string
  vendor: string
  model: string
  domestic: boolean
  fp16: number | null
  fp32: number | null
  perNode: number
}

export const TEST_MODELS: DeviceModel[] = [
  { kind: 'GPU', vendor: 'NVIDIA', model: 'A100-SXM4-80GB', domestic: false, fp16: 312, fp32: 19.5, perNode: 8 },
  { kind: 'GPU', vendor: 'NVIDIA', model: 'H800-SXM-80GB', domestic: false, fp16: 989, fp32: 67, perNode: 8 },
  { kind: 'GPU', vendor: 'NVIDIA', model: 'T4-16GB', domestic: false, fp16: 65, fp32: 8.1, perNode: 4 },
  { kind: 'NPU', vendor: 'Huawei', model: 'Ascend-910B', domestic: true, fp16: 300, fp32: null, perNode: 8 },
  { kind: 'NPU', vendor: 'Huawei', model: 'Ascend-910C', domestic: true, fp16: 780, fp32: null, perNode: 16 },
  { kind: 'DCU', vendor: 'Hygon', model: 'DCU-Z100', domestic: true, fp16: null, fp32: 10, perNode: 8 },
]

/** A tiny deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function accelerator(m: DeviceModel, nodes: number, freeByNode: number[]): AcceleratorCapacity {
  const allocHistogram = new Array<number>(m.perNode + 1).fill(0)
  allocHistogram[m.perNode] = nodes
  const freeHistogram = new Array<number>(m.perNode + 1).fill(0)
  let free = 0
  for (let i = 0; i < nodes; i++) {
    const f = Math.max(0, Math.min(m.perNode, freeByNode[i] ?? m.perNode))
    freeHistogram[f] = (freeHistogram[f] ?? 0) + 1
    free += f
  }
  return {
    key: `${m.kind}|${m.vendor}|${m.model}|amd64`,
    kind: m.kind,
    vendor: m.vendor,
    model: m.model,
    domestic: m.domestic,
    fp16Tflops: m.fp16,
    fp32Tflops: m.fp32,
    allocatable: nodes * m.perNode,
    free,
    nodes: { freeHistogram, allocHistogram },
    maxPerNode: m.perNode,
    virtual: false,
  }
}

export interface ClusterSketch {
  id: string
  province: string
  hub?: string | null
  greenShare?: number | null
  pue?: number | null
  carbon?: number | null
  cpuMillis?: number
  cpuFree?: number
  memBytes?: number
  memFree?: number
  nodeMillis?: number
  accelerators?: AcceleratorCapacity[]
  lastReportAt?: number
  domesticCpuShare?: number
}

export function cluster(s: ClusterSketch): ClusterCapacity {
  const cpu = s.cpuMillis ?? 1_000_000
  const mem = s.memBytes ?? 4 * 1024 ** 4
  return {
    id: s.id,
    province: s.province,
    city: 'city',
    hub: s.hub ?? null,
    site: `${s.id}-site`,
    level: 'provincial',
    lastReportAt: s.lastReportAt ?? 0,
    cpu: { allocatableMillis: cpu, freeMillis: s.cpuFree ?? cpu, maxNodeMillis: s.nodeMillis ?? 128_000 },
    memory: { allocatableBytes: mem, freeBytes: s.memFree ?? mem, maxNodeBytes: 1024 ** 4 },
    domesticCpuShare: s.domesticCpuShare ?? 0,
    accelerators: s.accelerators ?? [],
    energy: { greenShare: s.greenShare ?? 0.3, carbonIntensity: s.carbon ?? 0.6, pue: s.pue ?? 1.4, itPowerKw: 100 },
  }
}

/** A random fleet of `n` clusters: provinces, hubs, energy, CPU and 0–2 accelerator classes with random node use. */
export function randomFleet(seed: number, n: number): ClusterCapacity[] {
  const r = rng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T
  const out: ClusterCapacity[] = []
  for (let i = 0; i < n; i++) {
    const province = pick(TEST_PROVINCES)
    const site = SITE_OF_PROVINCE[province]
    const accs: AcceleratorCapacity[] = []
    const classes = Math.floor(r() * 3)
    const used = new Set<string>()
    for (let k = 0; k < classes; k++) {
      const m = pick(TEST_MODELS)
      if (used.has(m.model)) continue
      used.add(m.model)
      const nodes = 1 + Math.floor(r() * 12)
      const free = Array.from({ length: nodes }, () => Math.floor(r() * (m.perNode + 1)))
      accs.push(accelerator(m, nodes, free))
    }
    const cpu = (16 + Math.floor(r() * 64)) * 64_000
    out.push(
      cluster({
        id: `c${String(i).padStart(4, '0')}`,
        province,
        hub: site && r() < 0.5 ? site : null,
        greenShare: Math.round(r() * 100) / 100,
        pue: 1.1 + Math.round(r() * 60) / 100,
        carbon: Math.round(r() * 90) / 100,
        cpuMillis: cpu,
        cpuFree: Math.floor(cpu * r()),
        memBytes: cpu * 4 * 1024 ** 2,
        memFree: Math.floor(cpu * 4 * 1024 ** 2 * r()),
        nodeMillis: 64_000,
        accelerators: accs,
        domesticCpuShare: r() < 0.3 ? 1 : 0,
      }),
    )
  }
  return out
}

export const TEMPLATE = { apiVersion: 'batch/v1', kind: 'Job' as const }

export function request(partial: Partial<SchedulingRequest> & Pick<SchedulingRequest, 'resources'>): SchedulingRequest {
  return {
    owner: { department: 'dept-a', region: 'national' },
    priority: 0,
    replicas: 1,
    placement: { mode: 'gang' },
    ...partial,
  }
}
