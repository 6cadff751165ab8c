import type { Catalog, DeviceFigures } from '../catalog'
import type { FullReport, UsageReport } from '../schemas'

/** A device class within one cluster: the key of a ledger row. */
export interface InventoryClass {
  key: string
  kind: string
  vendor: string
  model: string
  arch: string
  domestic: boolean
  /** Per physical device for accelerators; unused for CPU classes (figures are per node). */
  figures: DeviceFigures
}

/** One accelerator resource on a node, in physical-device equivalents. */
export interface InventoryAccelerator {
  cls: number
  resource: string
  devices: number
  allocatable: number
  inUse: number | null
  /** physical-device equivalents per unit of the raw resource (1 for whole devices, 0.25 for A16-4Q). */
  factor: number
  virtual: boolean
}

export interface InventoryNode {
  name: string
  cls: number
  cores: number
  memoryBytes: number
  figures: DeviceFigures
  alloc: [number, number]
  req: [number, number]
  used: [number, number] | null
  acc: InventoryAccelerator[]
}

/** The compact, classified inventory of one cluster, kept between reports so usage reports apply to it. */
export interface Inventory {
  classes: InventoryClass[]
  nodes: InventoryNode[]
}

const NO_FIGURES: DeviceFigures = { fp64: null, fp32: null, fp16Dense: null, int8Dense: null }

/** Classify every node of a full report once; later usage reports only update the numbers. */
export function buildInventory(report: FullReport, catalog: Catalog): Inventory {
  const classes: InventoryClass[] = []
  const classIndex = new Map<string, number>()
  const classOf = (key: string, make: () => InventoryClass): number => {
    let index = classIndex.get(key)
    if (index === undefined) {
      index = classes.length
      classes.push(make())
      classIndex.set(key, index)
    }
    return index
  }
  const nodes: InventoryNode[] = report.nodes.map((node) => {
    const c = catalog.classifyNode(node)
    const arch = node.arch
    const cpuKey = `CPU|${c.cpu.vendor}|${c.cpu.model}|${arch}`
    const cls = classOf(cpuKey, () => ({
      key: cpuKey,
      kind: 'CPU',
      vendor: c.cpu.vendor,
      model: c.cpu.model,
      arch,
      domestic: c.cpu.domestic,
      figures: NO_FIGURES,
    }))
    const acc: InventoryAccelerator[] = []
    for (const a of c.accelerators) {
      const key = `${a.kind}|${a.vendor}|${a.model}|${arch}`
      const accCls = classOf(key, () => ({
        key,
        kind: a.kind,
        vendor: a.vendor,
        model: a.model,
        arch,
        domestic: a.domestic,
        figures: a.figures,
      }))
      const raw = node.accelerators.find((r) => r.resource === a.resource)
      const factor = raw && raw.count > 0 ? a.devices / raw.count : 1
      acc.push({
        cls: accCls,
        resource: a.resource,
        devices: a.devices,
        allocatable: a.allocatable,
        inUse: a.inUse,
        factor,
        virtual: a.virtual,
      })
    }
    return {
      name: node.name,
      cls,
      cores: node.cpu.cores,
      memoryBytes: node.memoryBytes,
      figures: c.cpu.figures,
      alloc: [node.allocatable.cpuMillis, node.allocatable.memoryBytes],
      req: [node.requested.cpuMillis, node.requested.memoryBytes],
      used: node.used ? [node.used.cpuMillis, node.used.memoryBytes] : null,
      acc,
    }
  })
  return { classes, nodes }
}

/**
 * Apply a usage report to the inventory of the last full report (in place). Nodes the usage report
 * does not name keep their last numbers; names the inventory does not know are returned so the
 * caller can say so (they need a full report).
 */
export function applyUsage(inventory: Inventory, report: UsageReport): { unknownNodes: string[] } {
  const byName = new Map<string, InventoryNode>()
  for (const node of inventory.nodes) byName.set(node.name, node)
  const unknownNodes: string[] = []
  for (const usage of report.nodes) {
    const node = byName.get(usage.name)
    if (!node) {
      unknownNodes.push(usage.name)
      continue
    }
    node.req = [usage.requested.cpuMillis, usage.requested.memoryBytes]
    node.used = usage.used ? [usage.used.cpuMillis, usage.used.memoryBytes] : null
    for (const a of usage.accelerators ?? []) {
      const target = node.acc.find((x) => x.resource === a.resource)
      if (target) target.inUse = a.inUse * target.factor
    }
  }
  return { unknownNodes }
}
