import type { Node } from '../schemas'
import { type AcceleratorPlan, DeviceIndex, planAccelerators } from './accelerators'
import { cpuClass, cpuLabelKeys, identifyCpu } from './cpu'
import { NVIDIA_LABELS } from './nvidia'
import type { AcceleratorClass, Catalog, CpuClass, CpuEntry, DeviceEntry, NodeClassification } from './types'

interface NodePlan {
  cpu: CpuClass
  accelerators: (AcceleratorPlan | null)[]
  /** The whole answer when the node has no device resources (most nodes): shared, frozen. */
  whole: NodeClassification | null
}

/** Distinct node shapes remembered; past this the memo starts over (a bound, not an expected size). */
export const MAX_MEMOIZED_SHAPES = 65_536

const MIG_REPLICAS_LABEL = /^nvidia\.com\/mig-[^/]+\.replicas$/
const MIG_PREFIX = 'nvidia.com/mig-'

/** Drops float noise (56 x 1/7) from device counts; large counts are integers already and would overflow. */
function round9(x: number): number {
  return x < 1e6 ? Math.round(x * 1e9) / 1e9 : x
}

/**
 * Builds a catalog over rows in match order (user rows first). Classification is memoized per node
 * shape: the label values the catalog reads, arch, CPU cores/clock/vendor/model and the resource names
 * with their capacities. A repeated shape costs one key string and one map lookup; only the node's
 * own numbers (allocatable, in use) are computed per node.
 */
export function createCatalog(devices: readonly DeviceEntry[], cpus: readonly CpuEntry[]): Catalog {
  const index = new DeviceIndex(devices)
  const keySet = new Set<string>(Object.values(NVIDIA_LABELS))
  for (const row of devices) for (const key of row.labelKeys) keySet.add(key)
  for (const key of cpuLabelKeys(cpus)) keySet.add(key)
  const labelKeys = Object.freeze([...keySet].sort())
  // One character per label key keeps memo keys short: hashing the key is most of a memo hit's cost.
  const keyCodes = new Map(labelKeys.map((name, i) => [name, String.fromCharCode(0x100 + i)]))
  const plans = new Map<string, NodePlan>()

  // Walks the node's own labels (few, once an agent filters them) rather than probing every catalog key.
  // Free-form strings are length-prefixed, so no label value or resource name can forge another shape's
  // key; two nodes listing the same labels in another order only make two memo entries for one shape.
  const shapeKey = (node: Node): string => {
    const labels = node.labels
    const cpu = node.cpu
    const vendor = cpu.vendor ?? ''
    const model = cpu.model ?? ''
    let key = `${node.arch.length}:${node.arch}${cpu.cores}|${cpu.ghz ?? ''}|${vendor.length}:${vendor}${model.length}:${model}`
    for (const name in labels) {
      const code = keyCodes.get(name)
      if (code !== undefined) {
        const value = labels[name] as string
        key += `${code}${value.length}:${value}`
      }
    }
    const accelerators = node.accelerators
    for (let i = 0; i < accelerators.length; i++) {
      const a = accelerators[i] as Node['accelerators'][number]
      key += `|${a.resource.length}:${a.resource}${a.count}`
      if (a.resource.startsWith(MIG_PREFIX)) {
        const replicas = labels[`${a.resource}.replicas`]
        key += replicas === undefined ? '!' : `=${replicas.length}:${replicas}`
      }
    }
    return key
  }

  const buildPlan = (node: Node): NodePlan => {
    const cpu = cpuClass(node, identifyCpu(node, cpus))
    const accelerators = planAccelerators(node, index)
    const whole = accelerators.every((p) => p === null)
      ? Object.freeze({ cpu, accelerators: Object.freeze([]) as unknown as AcceleratorClass[] })
      : null
    return { cpu, accelerators, whole }
  }

  const classifyNode = (node: Node): NodeClassification => {
    const key = shapeKey(node)
    let plan = plans.get(key)
    if (plan === undefined) {
      plan = buildPlan(node)
      if (plans.size >= MAX_MEMOIZED_SHAPES) plans.clear()
      plans.set(key, plan)
    }
    if (plan.whole !== null) return plan.whole
    const accelerators: AcceleratorClass[] = []
    const raw = node.accelerators
    for (let i = 0; i < plan.accelerators.length; i++) {
      const p = plan.accelerators[i]
      const a = raw[i]
      if (!p || !a) continue
      const t = p.template
      const s = p.scale
      accelerators.push({
        resource: t.resource,
        kind: t.kind,
        vendor: t.vendor,
        model: t.model,
        domestic: t.domestic,
        devices: round9(a.count * s),
        allocatable: round9(a.allocatable * s),
        inUse: a.inUse === undefined ? null : round9(a.inUse * s),
        virtual: t.virtual,
        figures: t.figures,
        memoryGb: t.memoryGb,
        tdpW: t.tdpW,
        confidence: t.confidence,
      })
    }
    return { cpu: plan.cpu, accelerators }
  }

  return Object.freeze({
    classifyNode,
    devices: Object.freeze([...devices]),
    cpus: Object.freeze([...cpus]),
    labelKeys,
    wantsLabel: (key: string) => keySet.has(key) || MIG_REPLICAS_LABEL.test(key),
  })
}
