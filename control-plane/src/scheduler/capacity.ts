import type { Inventory } from '../ledger/inventory'
import { STRANDED_CPU_MILLIS_PER_DEVICE, STRANDED_MEMORY_BYTES_PER_DEVICE } from '../ledger/rows'
import type { LedgerCluster } from '../ledger/view'
import type { AcceleratorCapacity, ClusterCapacity } from './types'

/** Node-level accelerator detail of one cluster, by ledger row key. */
export type NodeDetail = Map<string, { freeHistogram: number[]; allocHistogram: number[] }>

export interface CapacityOptions {
  /** ms since the epoch; clusters whose last report is older than `staleAfterMs` are left out. */
  now: number
  /** Default 180 s: the ledger's 3 report intervals. `Infinity` keeps every cluster that ever reported. */
  staleAfterMs?: number
  /** Per-node free accelerators of a cluster (see {@link nodeDetailFromInventory}); absent: the fallback below. */
  nodes?: (clusterId: string) => NodeDetail | undefined
  /** Devices per node assumed when there is no node detail (default 8: HGX, Atlas 800, MLU370-X8 servers). */
  devicesPerNode?: (row: { kind: string; model: string }) => number
  /**
   * Where free devices are assumed to sit when there is no node detail: `packed` (default) puts them on as few
   * nodes as possible (whole free nodes, then one partial), `spread` evenly over all nodes of the class.
   */
  fallbackNodeFit?: 'packed' | 'spread'
}

export const DEFAULT_STALE_AFTER_MS = 180_000
export const DEFAULT_DEVICES_PER_NODE = 8

/**
 * The scheduler's capacity from the ledger's in-memory view: one entry per fresh cluster.
 *
 * - CPU and memory: the CPU rows' allocatable − requested (every node is in exactly one CPU row), cluster-wide.
 *   A replica's CPU and memory are checked against the cluster's free total and its largest node
 *   (allocatable / nodes of the largest CPU row), not node by node.
 * - Accelerators, per device class (row): free = allocatable − in use (pod requests) − stranded (free devices on
 *   nodes whose CPU or memory is already taken, the ledger's rule). Devices whose use is not reported count as free.
 *   vGPU slices (virtual rows) and unclassified devices are carried but never scheduled.
 * - Node fit: from `opts.nodes` when given (exact); otherwise the class is assumed to sit on nodes of
 *   `devicesPerNode` devices with its free devices `packed` (or `spread`).
 * - Clusters that never sent a full report, or whose last report is older than `staleAfterMs`, are excluded.
 */
export function capacityFromLedger(clusters: Iterable<LedgerCluster>, opts: CapacityOptions): ClusterCapacity[] {
  const staleAfter = opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS
  const out: ClusterCapacity[] = []
  for (const c of clusters) {
    if (c.lastReportAt === null || c.figures === null) continue
    if (opts.now - c.lastReportAt > staleAfter) continue
    out.push(clusterCapacity(c, opts))
  }
  return out
}

export function clusterCapacity(c: LedgerCluster, opts: Omit<CapacityOptions, 'now' | 'staleAfterMs'> = {}): ClusterCapacity {
  let cpuAlloc = 0
  let cpuReq = 0
  let memAlloc = 0
  let memReq = 0
  let maxNodeMillis = 0
  let maxNodeBytes = 0
  let domesticCpu = 0
  const accelerators: AcceleratorCapacity[] = []
  const detail = opts.nodes?.(c.id)
  for (const row of c.rows) {
    if (row.kind === 'CPU') {
      cpuAlloc += row.cpu_alloc_millis
      cpuReq += row.cpu_req_millis
      memAlloc += row.mem_alloc_bytes
      memReq += row.mem_req_bytes
      if (row.domestic) domesticCpu += row.cpu_alloc_millis
      if (row.nodes > 0) {
        maxNodeMillis = Math.max(maxNodeMillis, row.cpu_alloc_millis / row.nodes)
        maxNodeBytes = Math.max(maxNodeBytes, row.mem_alloc_bytes / row.nodes)
      }
      continue
    }
    const allocatable = Math.floor(row.acc_alloc + 1e-9)
    const nodes = detail?.get(row.row_key)
    // With node detail the nodes are the truth (their sum equals the row's figure unless the row mixes node shapes).
    const free = nodes
      ? Math.min(
          allocatable,
          nodes.freeHistogram.reduce((sum, count, k) => sum + count * k, 0),
        )
      : Math.max(0, Math.min(allocatable, Math.floor(row.acc_alloc - row.acc_in_use - row.acc_stranded + 1e-9)))
    const perDevice = (total: number, missing: number) => (row.devices > 0 && missing === 0 ? total / row.devices : null)
    const perNode = opts.devicesPerNode?.(row) ?? DEFAULT_DEVICES_PER_NODE
    const histograms = nodes ?? fallbackHistograms(allocatable, free, perNode, opts.fallbackNodeFit ?? 'packed')
    accelerators.push({
      key: row.row_key,
      kind: row.kind,
      vendor: row.vendor,
      model: row.model,
      domestic: row.domestic === 1,
      fp16Tflops: perDevice(row.fp16_tflops, row.fp16_missing),
      fp32Tflops: perDevice(row.fp32_tflops, row.fp32_missing),
      allocatable,
      free,
      nodes: histograms,
      maxPerNode: Math.max(0, histograms.allocHistogram.length - 1),
      virtual: row.virtual_devices > 0,
    })
  }
  const f = c.figures
  return {
    id: c.id,
    province: c.province,
    city: c.city,
    hub: c.hub,
    site: c.site,
    level: c.level,
    lastReportAt: c.lastReportAt,
    cpu: { allocatableMillis: cpuAlloc, freeMillis: Math.max(0, cpuAlloc - cpuReq), maxNodeMillis },
    memory: { allocatableBytes: memAlloc, freeBytes: Math.max(0, memAlloc - memReq), maxNodeBytes },
    domesticCpuShare: cpuAlloc > 0 ? domesticCpu / cpuAlloc : 0,
    accelerators,
    energy: {
      greenShare: f?.greenShare ?? null,
      carbonIntensity: f?.carbonIntensity ?? null,
      pue: f?.pue ?? null,
      itPowerKw: f?.itPowerKw ?? null,
    },
  }
}

/** Histograms for a class without node detail: nodes of `perNode` devices, free devices packed or spread. */
export function fallbackHistograms(
  allocatable: number,
  free: number,
  perNode: number,
  fit: 'packed' | 'spread',
): { freeHistogram: number[]; allocHistogram: number[] } {
  const d = Math.max(1, Math.min(allocatable, Math.floor(perNode)))
  if (allocatable <= 0) return { freeHistogram: [0], allocHistogram: [0] }
  const allocHistogram = new Array<number>(d + 1).fill(0)
  const freeHistogram = new Array<number>(d + 1).fill(0)
  const full = Math.floor(allocatable / d)
  const rest = allocatable - full * d
  allocHistogram[d] = full
  if (rest > 0) allocHistogram[rest] = (allocHistogram[rest] ?? 0) + 1
  const nodes = full + (rest > 0 ? 1 : 0)
  const f = Math.min(free, allocatable)
  if (fit === 'packed') {
    // Whole free nodes first (full-size ones), then one partial node; the rest have none free.
    const wholeNodes = Math.min(full, Math.floor(f / d))
    let left = f - wholeNodes * d
    freeHistogram[d] = wholeNodes
    let used = wholeNodes
    if (left > 0 && rest > 0 && left >= rest && full === wholeNodes) {
      freeHistogram[rest] = (freeHistogram[rest] ?? 0) + 1
      left -= rest
      used += 1
    }
    if (left > 0) {
      freeHistogram[left] = (freeHistogram[left] ?? 0) + 1
      used += 1
    }
    freeHistogram[0] = (freeHistogram[0] ?? 0) + nodes - used
  } else {
    const base = Math.floor(f / nodes)
    const extra = f - base * nodes
    freeHistogram[Math.min(d, base + 1)] = (freeHistogram[Math.min(d, base + 1)] ?? 0) + extra
    freeHistogram[Math.min(d, base)] = (freeHistogram[Math.min(d, base)] ?? 0) + nodes - extra
  }
  return { freeHistogram, allocHistogram }
}

/**
 * Node-level detail from the ledger's per-node inventory (control-plane/src/ledger/inventory.ts), by row key:
 * for every node, its free devices of each class = allocatable − in use (0 when the node is stranded, the ledger's
 * rule: less than 2 cores or 8 GiB left per free device). Virtual slices are left out.
 */
export function nodeDetailFromInventory(inventory: Inventory): NodeDetail {
  const out: NodeDetail = new Map()
  for (const node of inventory.nodes) {
    let freeOnNode = 0
    for (const a of node.acc) if (!a.virtual) freeOnNode += Math.max(0, a.allocatable - (a.inUse ?? 0))
    const stranded =
      freeOnNode > 0 &&
      (node.alloc[0] - node.req[0] < freeOnNode * STRANDED_CPU_MILLIS_PER_DEVICE ||
        node.alloc[1] - node.req[1] < freeOnNode * STRANDED_MEMORY_BYTES_PER_DEVICE)
    for (const a of node.acc) {
      if (a.virtual) continue
      const cls = inventory.classes[a.cls]
      if (!cls) continue
      const alloc = Math.max(0, Math.floor(a.allocatable + 1e-9))
      const free = stranded ? 0 : Math.max(0, Math.min(alloc, Math.floor(a.allocatable - (a.inUse ?? 0) + 1e-9)))
      let h = out.get(cls.key)
      if (!h) {
        h = { freeHistogram: [], allocHistogram: [] }
        out.set(cls.key, h)
      }
      bump(h.allocHistogram, alloc)
      bump(h.freeHistogram, free)
    }
  }
  for (const h of out.values()) {
    const len = Math.max(h.allocHistogram.length, h.freeHistogram.length)
    for (const arr of [h.allocHistogram, h.freeHistogram]) for (let k = 0; k < len; k++) arr[k] ??= 0
  }
  return out
}

function bump(arr: number[], k: number): void {
  for (let i = arr.length; i <= k; i++) arr[i] = 0
  arr[k] = (arr[k] ?? 0) + 1
}
