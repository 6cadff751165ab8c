import type { Node } from '../schemas'
import { isNonCompute } from './non-compute'
import { DEFAULT_MIG_SLICES, isVirtual, migReplicas, NVIDIA_LABELS, nvidiaScale, positiveInt } from './nvidia'
import { type ResourceRole, resourceRole } from './partitions'
import type { AcceleratorClass, DeviceEntry, DeviceFigures } from './types'

/** The per-shape part of an accelerator's classification: everything but the node's numbers. */
export type AcceleratorTemplate = Omit<AcceleratorClass, 'devices' | 'allocatable' | 'inUse'>

/** How to turn one of a node's resources into an `AcceleratorClass`: devices = count x scale. */
export interface AcceleratorPlan {
  template: AcceleratorTemplate
  /** Physical-device equivalents per unit of the raw resource (1 whole, 1/7 a 1g MIG slice, 0.25 an A16-4Q). */
  scale: number
}

const NO_FIGURES: DeviceFigures = Object.freeze({ fp64: null, fp32: null, fp16Dense: null, int8Dense: null })
const EPSILON = 1e-9

/** Catalog rows by resource name, and the vendor every row of a resource domain agrees on. */
export class DeviceIndex {
  private readonly byResource = new Map<string, DeviceEntry[]>()
  private readonly byDomain = new Map<string, { vendor: string; domestic: boolean } | null>()

  constructor(rows: readonly DeviceEntry[]) {
    for (const row of rows) {
      for (const resource of row.resources) {
        const list = this.byResource.get(resource) ?? []
        list.push(row)
        this.byResource.set(resource, list)
        const domain = domainOf(resource)
        const seen = this.byDomain.get(domain)
        if (seen === undefined) this.byDomain.set(domain, { vendor: row.vendor, domestic: row.domestic })
        else if (seen !== null && (seen.vendor !== row.vendor || seen.domestic !== row.domestic)) this.byDomain.set(domain, null)
      }
    }
  }

  /** The first row for `resource` whose label and count conditions hold; a missing label reads as ''. */
  match(resource: string, labels: Readonly<Record<string, string>>, physicalCount: number): DeviceEntry | null {
    const rows = this.byResource.get(resource)
    if (!rows) return null
    for (const row of rows) {
      if (row.minDevices !== null && physicalCount < row.minDevices) continue
      const pattern = row.pattern
      if (pattern === null || row.labelKeys.some((key) => pattern.test(labels[key] ?? ''))) return row
    }
    return null
  }

  /** Vendor of an unclassified resource, when the catalog's rows for its domain (`huawei.com`) all agree. */
  vendorOf(resource: string): { vendor: string; domestic: boolean } | null {
    return this.byDomain.get(domainOf(resource)) ?? null
  }
}

function domainOf(resource: string): string {
  const slash = resource.indexOf('/')
  return slash < 0 ? '' : resource.slice(0, slash)
}

function template(resource: string, row: DeviceEntry | null, virtual: boolean, index: DeviceIndex): AcceleratorTemplate {
  if (row !== null) {
    return Object.freeze({
      resource,
      kind: row.kind,
      vendor: row.vendor,
      model: row.model,
      domestic: row.domestic,
      virtual,
      figures: row.figures,
      memoryGb: row.memoryGb,
      tdpW: row.tdpW,
      confidence: row.confidence,
    })
  }
  const owner = index.vendorOf(resource)
  return Object.freeze({
    resource,
    kind: 'unclassified',
    vendor: owner?.vendor ?? 'unknown',
    model: resource,
    domestic: owner?.domestic ?? false,
    virtual,
    figures: NO_FIGURES,
    memoryGb: null,
    tdpW: null,
    confidence: 'unknown',
  })
}

interface NodeContext {
  labels: Readonly<Record<string, string>>
  /** Capacity by resource name (summed if a name repeats). */
  capacity: ReadonlyMap<string, number>
  present: ReadonlySet<string>
  virtual: boolean
  index: DeviceIndex
}

/** A resource listed but not counted: its fraction of a device cannot be known. */
function uncounted(resource: string, virtual: boolean, ctx: NodeContext): AcceleratorPlan {
  return { template: template(resource, null, virtual, ctx.index), scale: 0 }
}

function planResource(resource: string, count: number, role: ResourceRole, ctx: NodeContext): AcceleratorPlan | null {
  const { labels, capacity, index } = ctx
  if (role.role === 'companion') return role.parents.some((p) => ctx.present.has(p)) ? null : uncounted(resource, false, ctx)
  if (role.role === 'whole') {
    const row = index.match(resource, labels, count)
    if (resource !== 'nvidia.com/gpu') return { template: template(resource, row, false, index), scale: 1 }
    const scale = nvidiaScale(count, labels, row, false)
    return scale === null ? uncounted(resource, ctx.virtual, ctx) : { template: template(resource, row, ctx.virtual, index), scale }
  }
  const row = index.match(role.parent, labels, capacity.get(role.parent) ?? 0)
  if (role.role === 'shared') {
    const scale = nvidiaScale(count, labels, row, true)
    return scale === null ? uncounted(resource, ctx.virtual, ctx) : { template: template(resource, row, ctx.virtual, index), scale }
  }
  if (role.role === 'mig') {
    const slices = row?.partitionUnits ?? DEFAULT_MIG_SLICES
    return {
      template: template(resource, row, ctx.virtual, index),
      scale: Math.min(1, role.slices / slices) / migReplicas(resource, labels),
    }
  }
  const units = row?.partitionUnits ?? null
  if (row === null || units === null) return uncounted(resource, false, ctx)
  return { template: template(resource, row, false, index), scale: Math.min(1, role.cores / units) }
}

/**
 * Plans each of a node's resources, aligned with `node.accelerators` (null = not a device: ignored,
 * or a companion of a device that is present). A resource whose partition fraction cannot be known
 * is listed as unclassified with scale 0: counted as present, never over-counted.
 */
export function planAccelerators(node: Node, index: DeviceIndex): (AcceleratorPlan | null)[] {
  const capacity = new Map<string, number>()
  for (const a of node.accelerators) capacity.set(a.resource, (capacity.get(a.resource) ?? 0) + a.count)
  const ctx: NodeContext = { labels: node.labels, capacity, present: new Set(capacity.keys()), virtual: isVirtual(node.labels), index }
  const migPlans: { plan: AcceleratorPlan; count: number }[] = []
  const plans = node.accelerators.map((a) => {
    if (isNonCompute(a.resource)) return null
    const role = resourceRole(a.resource, ctx.present)
    const plan = planResource(a.resource, a.count, role, ctx)
    if (plan !== null && role.role === 'mig') migPlans.push({ plan, count: a.count })
    return plan
  })
  rollUpMig(migPlans, node.labels, capacity.get('nvidia.com/gpu') ?? 0)
  return plans
}

/**
 * MIG slices roll up to the GPUs GFD names: in the mixed strategy `gpu.count` counts every physical GPU
 * and `nvidia.com/gpu` the ones not in MIG mode, so the rest are the MIG GPUs. Slices that leave part of a
 * GPU unusable (two 3g slices of 7) are scaled up to cover it, as long as no slice exceeds a whole GPU.
 */
function rollUpMig(
  migPlans: { plan: AcceleratorPlan; count: number }[],
  labels: Readonly<Record<string, string>>,
  wholeGpus: number,
): void {
  const count = positiveInt(labels[NVIDIA_LABELS.count])
  if (migPlans.length === 0 || count === null) return
  const migGpus = count - wholeGpus
  let sum = 0
  let largest = 0
  for (const { plan, count: n } of migPlans) {
    sum += n * plan.scale
    if (n > 0) largest = Math.max(largest, plan.scale)
  }
  if (migGpus <= 0 || sum <= 0 || sum > migGpus + EPSILON || (largest * migGpus) / sum > 1 + EPSILON) return
  const factor = migGpus / sum
  for (const m of migPlans) m.plan.scale *= factor
}
