import type { ClusterRole, SimNode, SimPool, SimStorageClass } from './cluster-types'
import { hash32, type Rng } from './prng'
import {
  ACCELERATOR_PROFILES,
  type AcceleratorProfile,
  AI_WEIGHTS,
  CPU_PROFILES,
  CPU_WEIGHTS,
  type CpuProfile,
  INFERENCE_WEIGHTS,
} from './profiles'
import type { ReferenceData } from './reference-data'

const GIB = 1024 ** 3
const TIB = 1024 ** 4

function cpuProfile(id: string): CpuProfile {
  const p = CPU_PROFILES[id]
  if (!p) throw new Error(`unknown CPU profile ${id}`)
  return p
}

function acceleratorProfile(id: string): AcceleratorProfile {
  const p = ACCELERATOR_PROFILES[id]
  if (!p) throw new Error(`unknown accelerator profile ${id}`)
  return p
}

/** What the kubelet keeps for itself: kube- and system-reserved plus the eviction threshold. */
function allocatableOf(cores: number, memoryBytes: number): { cpuMillis: number; memoryBytes: number } {
  const reservedMillis = Math.min(4000, 100 + Math.round(cores * 15))
  const reservedMemory = Math.min(16 * GIB, Math.round(memoryBytes * 0.03)) + 100 * 1024 ** 2
  return Object.freeze({ cpuMillis: cores * 1000 - reservedMillis, memoryBytes: memoryBytes - reservedMemory })
}

function cpuPool(id: string): SimPool {
  const p = cpuProfile(id)
  const memoryBytes = p.memoryGiB * GIB
  return {
    id,
    arch: p.arch,
    cpu: Object.freeze({ cores: p.cores, vendor: p.vendor, model: p.model, ghz: p.ghz }),
    memoryBytes,
    labels: Object.freeze({ ...p.labels }),
    allocatable: allocatableOf(p.cores, memoryBytes),
    workload: 'service',
    domesticCpu: p.domestic,
    idleKw: p.idleKw,
    peakKw: p.peakKw,
  }
}

function acceleratorPool(id: string, data: ReferenceData): SimPool {
  const a = acceleratorProfile(id)
  const host = cpuProfile(a.host)
  const cores = a.hostCores ?? host.cores
  const memoryBytes = (a.hostMemoryGiB ?? host.memoryGiB) * GIB
  const tdp = (a.catalogModel && data.tdpByModel.get(a.catalogModel)) || a.tdpFallbackW
  return {
    id,
    arch: host.arch,
    cpu: Object.freeze({ cores, vendor: host.vendor, model: host.model, ghz: host.ghz }),
    memoryBytes,
    labels: Object.freeze({ ...host.labels, ...a.labels }),
    allocatable: allocatableOf(cores, memoryBytes),
    accelerator: Object.freeze({
      resource: a.resource,
      count: a.count,
      catalogModel: a.catalogModel,
      wattsPerDevice: tdp * a.fraction,
      domestic: a.domestic,
    }),
    workload: a.workload,
    domesticCpu: host.domestic,
    idleKw: a.hostIdleKw ?? host.idleKw,
    peakKw: a.hostPeakKw ?? host.peakKw,
  }
}

/** Splits `total` into `parts` shares with random weights; the shares add up to `total`. */
function split(rng: Rng, total: number, parts: number): number[] {
  const w = Array.from({ length: parts }, () => rng.range(0.3, 1))
  const sum = w.reduce((a, b) => a + b, 0)
  const out = w.map((x) => Math.floor((x / sum) * total))
  let rest = total - out.reduce((a, b) => a + b, 0)
  for (let i = 0; rest > 0; i = (i + 1) % parts, rest--) out[i] = (out[i] ?? 0) + 1
  return out
}

export interface InventoryOptions {
  nodes: number
  role: ClusterRole
  withFpga: boolean
  /** Tilt towards domestic parts, 0..1 (0.5 keeps the base weights). */
  domesticLean: number
  /** Accelerator devices placed so far in the fleet; steers the domestic share towards the target. */
  tally: DomesticTally
}

/** Physical accelerator devices (vGPU slices at their fraction) placed so far, and how many are domestic. */
export interface DomesticTally {
  domestic: number
  total: number
}

/** Share of domestic accelerators the fleet aims at (government clouds, 信创). */
export const DOMESTIC_TARGET = 0.5

function isDomestic(id: string): boolean {
  return ACCELERATOR_PROFILES[id]?.domestic ?? CPU_PROFILES[id]?.domestic ?? false
}

/** Builds the pools and nodes of one cluster. */
export function buildInventory(
  rng: Rng,
  data: ReferenceData,
  seed: number,
  opts: InventoryOptions,
): { pools: SimPool[]; nodes: SimNode[] } {
  const plan = new Map<string, number>()
  const add = (id: string, n: number) => {
    if (n > 0) plan.set(id, (plan.get(id) ?? 0) + n)
  }
  const tilt = (weights: readonly (readonly [string, number])[]) =>
    weights.map(([id, w]) => [id, w * (isDomestic(id) ? 0.5 + opts.domesticLean : 1.5 - opts.domesticLean)] as const)
  // Each accelerator pool is domestic or not by a coin that leans against the fleet's share so far, so that
  // a few large AI clusters cannot swing the whole fleet far off the target.
  const pickAccelerator = (weights: readonly (readonly [string, number])[]): string => {
    const { domestic, total } = opts.tally
    const share = total > 0 ? domestic / total : DOMESTIC_TARGET
    const p = Math.min(0.9, Math.max(0.1, DOMESTIC_TARGET + 2 * (DOMESTIC_TARGET - share) + (opts.domesticLean - 0.5) * 0.4))
    const wantDomestic = rng.chance(p)
    return rng.weighted(weights.filter(([id]) => isDomestic(id) === wantDomestic))
  }

  const total = Math.max(1, Math.floor(opts.nodes))
  const fpgaNodes = opts.withFpga && total > 2 ? Math.min(total - 2, rng.int(1, 3)) : 0
  let acceleratorNodes = 0
  let acceleratorIds: string[] = []
  if (opts.role === 'ai') {
    acceleratorNodes = Math.round(total * rng.range(0.4, 0.75))
    const kinds = rng.int(1, 3)
    for (let k = 0; k < kinds; k++) acceleratorIds.push(pickAccelerator(AI_WEIGHTS))
  } else if (opts.role === 'vdi') {
    acceleratorNodes = Math.max(1, Math.round(total * rng.range(0.25, 0.5)))
    acceleratorIds = ['a16vgpu']
  } else if (rng.chance(0.7)) {
    acceleratorNodes = Math.round(total * rng.range(0.01, 0.08))
    acceleratorIds = [pickAccelerator(INFERENCE_WEIGHTS)]
  }
  acceleratorIds = [...new Set(acceleratorIds)]
  // Keep at least one plain CPU node for the cluster's own services.
  acceleratorNodes = Math.max(0, Math.min(acceleratorNodes, total - fpgaNodes - 1))
  if (acceleratorNodes > 0) {
    split(rng, acceleratorNodes, acceleratorIds.length).forEach((n, i) => {
      add(acceleratorIds[i] ?? '', n)
    })
  }
  add('fpga', fpgaNodes)
  const cpuNodes = total - acceleratorNodes - fpgaNodes
  const cpuIds = [...new Set(Array.from({ length: rng.int(1, 3) }, () => rng.weighted(tilt(CPU_WEIGHTS))))]
  split(rng, cpuNodes, cpuIds.length).forEach((n, i) => {
    add(cpuIds[i] ?? '', n)
  })

  const pools: SimPool[] = []
  const nodes: SimNode[] = []
  for (const [id, count] of plan) {
    const pool = CPU_PROFILES[id] ? cpuPool(id) : acceleratorPool(id, data)
    const poolIndex = pools.push(pool) - 1
    const acc = pool.accelerator
    if (acc?.catalogModel) {
      const devices = count * acc.count * (ACCELERATOR_PROFILES[id]?.fraction ?? 1)
      opts.tally.total += devices
      if (acc.domestic) opts.tally.domestic += devices
    }
    for (let i = 1; i <= count; i++) {
      nodes.push({
        name: `${id}-${String(i).padStart(4, '0')}`,
        pool: poolIndex,
        load: rng.range(0.7, 1.3),
        memoryLoad: rng.range(0.8, 1.2),
        unhealthy: pool.accelerator && pool.accelerator.count > 1 && rng.chance(0.02) ? 1 : 0,
        ready: !rng.chance(0.003),
        seed: hash32(seed, nodes.length + 1),
      })
    }
  }
  return { pools, nodes }
}

const BLOCK: readonly (readonly [string, string, number])[] = [
  ['csi-rbd-sc', 'rbd.csi.ceph.com', 45],
  ['oceanstor-san', 'csi.huawei.com', 30],
  ['local-path', 'rancher.io/local-path', 25],
]
const FILE: readonly (readonly [string, string, number])[] = [
  ['cephfs', 'cephfs.csi.ceph.com', 50],
  ['nfs-client', 'k8s-sigs.io/nfs-subdir-external-provisioner', 30],
  ['oceanstor-nas', 'csi.huawei.com', 20],
]

function storageClass(rng: Rng, choices: typeof BLOCK, capacityBytes: number, idle: boolean): SimStorageClass {
  const [cls, provisioner] = rng.weighted(choices.map((c) => [c, c[2]] as const))
  return {
    class: cls,
    provisioner,
    capacityBytes: Math.round(capacityBytes),
    fill: idle ? rng.range(0.08, 0.3) : rng.range(0.35, 0.8),
    growthPerDay: rng.range(0.00005, 0.0005),
  }
}

/** A block class on every cluster, a file class on most (all AI clusters); capacity follows the node count. */
export function buildStorage(rng: Rng, nodes: number, role: ClusterRole, idle: boolean): SimStorageClass[] {
  const out = [storageClass(rng, BLOCK, nodes * rng.range(2, 6) * TIB, idle)]
  if (role === 'ai' || rng.chance(0.6)) out.push(storageClass(rng, FILE, nodes * rng.range(0.5, 3) * (role === 'ai' ? 3 : 1) * TIB, idle))
  return out
}
