import type { DeviceFigures } from '../catalog'
import type { LEDGER_ROW_MEASURES } from '../store/migrations'
import type { Inventory } from './inventory'

export type RowMeasure = (typeof LEDGER_ROW_MEASURES)[number]

export interface LedgerRow extends Record<RowMeasure, number> {
  row_key: string
  kind: string
  vendor: string
  model: string
  arch: string
  domestic: number
}

function emptyRow(key: string, kind: string, vendor: string, model: string, arch: string, domestic: boolean): LedgerRow {
  return {
    row_key: key,
    kind,
    vendor,
    model,
    arch,
    domestic: domestic ? 1 : 0,
    nodes: 0,
    devices: 0,
    virtual_devices: 0,
    cpu_cores: 0,
    memory_bytes: 0,
    fp64_tflops: 0,
    fp32_tflops: 0,
    fp16_tflops: 0,
    int8_tops: 0,
    fp64_missing: 0,
    fp32_missing: 0,
    fp16_missing: 0,
    int8_missing: 0,
    cpu_alloc_millis: 0,
    cpu_req_millis: 0,
    cpu_used_millis: 0,
    cpu_used_alloc_millis: 0,
    mem_alloc_bytes: 0,
    mem_req_bytes: 0,
    mem_used_bytes: 0,
    mem_used_alloc_bytes: 0,
    acc_alloc: 0,
    acc_in_use: 0,
    acc_in_use_alloc: 0,
    acc_stranded: 0,
  }
}

/**
 * Add `count` devices' worth of figures; a missing figure is counted, never guessed. CPUs have no
 * FP16/INT8 tensor figures by the ledger's basis, so those are not "missing" for them.
 */
function addFigures(row: LedgerRow, figures: DeviceFigures, count: number, tensor: boolean): void {
  if (figures.fp64 === null) row.fp64_missing += count
  else row.fp64_tflops += figures.fp64 * count
  if (figures.fp32 === null) row.fp32_missing += count
  else row.fp32_tflops += figures.fp32 * count
  if (!tensor) return
  if (figures.fp16Dense === null) row.fp16_missing += count
  else row.fp16_tflops += figures.fp16Dense * count
  if (figures.int8Dense === null) row.int8_missing += count
  else row.int8_tops += figures.int8Dense * count
}

/** CPU and memory a free accelerator needs to be usable: below this per free device, it is stranded. */
export const STRANDED_CPU_MILLIS_PER_DEVICE = 2_000
export const STRANDED_MEMORY_BYTES_PER_DEVICE = 8 * 1024 ** 3

/**
 * A node whose free accelerators cannot be used: pods already request so much of its CPU or memory
 * that what is left is under 2 cores or 8 GiB per free device. Only where the report says what is in use.
 */
function isStranded(node: Inventory['nodes'][number]): boolean {
  let free = 0
  for (const a of node.acc) if (a.inUse !== null) free += Math.max(0, a.allocatable - a.inUse)
  if (free <= 0) return false
  const freeCpu = node.alloc[0] - node.req[0]
  const freeMemory = node.alloc[1] - node.req[1]
  return freeCpu < free * STRANDED_CPU_MILLIS_PER_DEVICE || freeMemory < free * STRANDED_MEMORY_BYTES_PER_DEVICE
}

/**
 * Sum a cluster's inventory into one row per device class. Every node lands in exactly one CPU row
 * (nodes, cores, memory, CPU compute) and in zero or more accelerator rows, so totals add up under
 * any grouping.
 */
export function ledgerRows(inventory: Inventory): LedgerRow[] {
  const rows: LedgerRow[] = inventory.classes.map((c) => emptyRow(c.key, c.kind, c.vendor, c.model, c.arch, c.domestic))
  for (const node of inventory.nodes) {
    const row = rows[node.cls]
    if (!row) continue
    row.nodes += 1
    row.devices += 1
    row.cpu_cores += node.cores
    row.memory_bytes += node.memoryBytes
    addFigures(row, node.figures, 1, false)
    row.cpu_alloc_millis += node.alloc[0]
    row.mem_alloc_bytes += node.alloc[1]
    row.cpu_req_millis += node.req[0]
    row.mem_req_bytes += node.req[1]
    if (node.used) {
      row.cpu_used_millis += node.used[0]
      row.cpu_used_alloc_millis += node.alloc[0]
      row.mem_used_bytes += node.used[1]
      row.mem_used_alloc_bytes += node.alloc[1]
    }
    const stranded = isStranded(node)
    for (const a of node.acc) {
      const accRow = rows[a.cls]
      const cls = inventory.classes[a.cls]
      if (!accRow || !cls) continue
      accRow.devices += a.devices
      if (a.virtual) accRow.virtual_devices += a.devices
      addFigures(accRow, cls.figures, a.devices, true)
      accRow.acc_alloc += a.allocatable
      if (a.inUse !== null) {
        accRow.acc_in_use += a.inUse
        accRow.acc_in_use_alloc += a.allocatable
        if (stranded) accRow.acc_stranded += Math.max(0, a.allocatable - a.inUse)
      }
    }
  }
  return rows
}
