import type { SimCluster } from './cluster-types'
import { acceleratorLevel, beijingHour, cpuLevel, dayFactor, workdayShape } from './load'
import { hashUnit } from './prng'
import type { Workload } from './profiles'

const DAY_MS = 86_400_000
const JITTER_BUCKET_MS = 300_000
/** Storage fill is quoted from this day on; it grows slowly after it. */
const STORAGE_EPOCH_MS = Date.UTC(2026, 0, 1)

/** Everything about time `t` that is shared by all nodes of a cluster. */
export interface Frame {
  t: number
  day: number
  cpu: number
  bucket: number
  accelerator: Record<Workload, number>
}

export function frameAt(c: SimCluster, t: number): Frame {
  const day = dayFactor(c.load, t)
  return {
    t,
    day,
    cpu: cpuLevel(c.load, t, day),
    bucket: Math.floor(t / JITTER_BUCKET_MS),
    accelerator: {
      service: acceleratorLevel(c.load, 'service', day),
      training: acceleratorLevel(c.load, 'training', day),
      inference: acceleratorLevel(c.load, 'inference', day),
      desktop: acceleratorLevel(c.load, 'desktop', day),
    },
  }
}

/** One node's numbers at a frame; reused between nodes to avoid garbage. */
export interface NodeSample {
  requestedCpu: number
  requestedMemory: number
  usedCpu: number
  usedMemory: number
  inUse: number
  powerKw: number
}

export const emptySample = (): NodeSample => ({ requestedCpu: 0, requestedMemory: 0, usedCpu: 0, usedMemory: 0, inUse: 0, powerKw: 0 })

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x))

/**
 * Fills `out` for node `i`. Invariants: used ≤ requested ≤ allocatable (CPU and memory), inUse ≤ allocatable
 * devices; a node that is not ready uses nothing but keeps its requests (its pods are still bound).
 */
export function sampleNode(c: SimCluster, f: Frame, i: number, out: NodeSample): NodeSample {
  const node = c.nodes[i]
  const pool = node && c.pools[node.pool]
  if (!node || !pool) throw new RangeError(`no node ${i} in ${c.identity.clusterId}`)
  const p = c.load
  const j1 = hashUnit(node.seed, f.bucket) * 2 - 1
  const j2 = hashUnit(node.seed, f.bucket, 1) * 2 - 1
  const u = clamp(f.cpu * node.load + 0.03 * j1, 0, 0.97)
  const mu = clamp((p.memoryFloor + 0.45 * u) * node.memoryLoad + 0.02 * j2, 0, 0.95)
  const cpuAlloc = pool.allocatable.cpuMillis
  const memAlloc = pool.allocatable.memoryBytes
  out.requestedCpu = Math.round(cpuAlloc * Math.min(0.98, u * p.requestOverUse + 0.03))
  out.requestedMemory = Math.round(memAlloc * Math.min(0.97, mu * (1 + (p.requestOverUse - 1) / 2) + 0.02))
  const uUsed = node.ready ? u : 0
  out.usedCpu = Math.min(out.requestedCpu, Math.round(cpuAlloc * uUsed))
  out.usedMemory = node.ready ? Math.min(out.requestedMemory, Math.round(memAlloc * mu)) : 0
  let kw = pool.idleKw + (pool.peakKw - pool.idleKw) * uUsed
  out.inUse = 0
  const acc = pool.accelerator
  if (acc) {
    const available = acc.count - node.unhealthy
    const busy = f.accelerator[pool.workload] * (0.75 + 0.5 * hashUnit(node.seed, f.bucket, 2)) + 0.08 * j1
    out.inUse = node.ready ? Math.round(available * clamp(busy, 0, 1)) : 0
    // An idle device still draws about 15 % of its TDP.
    kw += (acc.wattsPerDevice * (0.15 * acc.count + 0.8 * out.inUse)) / 1000
  }
  out.powerKw = kw
  return out
}

/** Used bytes of storage class `k` at `t`: the fill grows slowly from the epoch, with a little daily churn. */
export function storageUsedBytes(c: SimCluster, k: number, f: Frame): number {
  const s = c.storage[k]
  if (!s) throw new RangeError(`no storage class ${k}`)
  const days = (f.t - STORAGE_EPOCH_MS) / DAY_MS
  const fill = clamp(s.fill + s.growthPerDay * days + 0.004 * f.day, 0.02, 0.97)
  return Math.round(s.capacityBytes * fill)
}

/** PUE at `t`: the site's figure, a little higher in the warm afternoon. */
export function pueAt(c: SimCluster, f: Frame): number {
  const warm = workdayShape(beijingHour(f.t) - 3)
  return Math.round((c.energy.pue + 0.02 * warm) * 1000) / 1000
}

export const roundKw = (kw: number): number => Math.round(kw * 100) / 100
