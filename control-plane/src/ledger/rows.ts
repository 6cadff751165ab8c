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
      }
    }
  }
  return rows
}
