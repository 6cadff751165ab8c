import type { V1Node } from '@kubernetes/client-node'
import type { Accelerator, Node, NodeUsage, ResourceAmounts } from '@suanpan/control-plane/schemas'
import { catalogLabels } from './catalog-labels'
import { KubeInventoryError } from './errors'
import type { QuantityMap } from './pod-requests'
import { bytes, cpuToMillis, parseQuantity, QuantityError, quantityValue } from './quantity'

/** Node resources that are not devices: everything else in status.capacity is an accelerator. */
export const NON_DEVICE_RESOURCES: ReadonlySet<string> = new Set(['cpu', 'memory', 'pods', 'ephemeral-storage'])
/** Prefixes of node resources that are not devices (hugepages-2Mi, attachable-volumes-azure-disk …). */
export const NON_DEVICE_RESOURCE_PREFIXES: readonly string[] = Object.freeze(['hugepages-', 'attachable-volumes-'])

/** True for an extended resource (nvidia.com/gpu, huawei.com/Ascend910, cambricon.com/mlu …). */
export function isAcceleratorResource(resource: string): boolean {
  return !NON_DEVICE_RESOURCES.has(resource) && !NON_DEVICE_RESOURCE_PREFIXES.some((prefix) => resource.startsWith(prefix))
}

const NFD_CPU_VENDOR = 'feature.node.kubernetes.io/cpu-model.vendor_id'
const NFD_CPU_FAMILY = 'feature.node.kubernetes.io/cpu-model.family'
const NFD_CPU_MODEL_ID = 'feature.node.kubernetes.io/cpu-model.id'
const ARCH_LABELS = ['kubernetes.io/arch', 'beta.kubernetes.io/arch'] as const

/** What the inventory knows about a node besides the Node object. */
export interface NodeContext {
  /** Sum of the requests of the pods on the node (see pod-requests.ts). */
  requests?: ReadonlyMap<string, number>
  /** Usage from metrics.k8s.io, when served. */
  used?: ResourceAmounts
}

function reader(nodeName: string) {
  return (field: string, quantity: string | number | undefined, convert: (q: string | number) => number): number => {
    if (quantity === undefined) return 0
    try {
      const value = convert(quantity)
      if (value < 0) throw new QuantityError(quantity, 'a node resource cannot be negative')
      return value
    } catch (error) {
      if (!(error instanceof QuantityError)) throw error
      throw new KubeInventoryError('KUBE_OBJECT_INVALID', `node "${nodeName}" ${field}: ${error.message}`, { cause: error })
    }
  }
}

function cpuDescription(labels: Readonly<Record<string, string>>): { vendor?: string; model?: string } {
  const vendor = labels[NFD_CPU_VENDOR]
  const family = labels[NFD_CPU_FAMILY]
  const id = labels[NFD_CPU_MODEL_ID]
  // NFD publishes the CPUID family and model numbers, not a marketing name: keep them as
  // /proc/cpuinfo words them, for the catalog to map ("family 6 model 61" is Broadwell).
  return {
    ...(vendor ? { vendor } : {}),
    ...(family && id ? { model: `family ${family} model ${id}` } : {}),
  }
}

function readiness(node: V1Node): { ready?: boolean } {
  const condition = node.status?.conditions?.find((c) => c.type === 'Ready')
  return condition ? { ready: condition.status === 'True' } : {}
}

/** The contract's Node for a Kubernetes Node. Throws KubeInventoryError on a malformed quantity. */
export function toNode(node: V1Node, context: NodeContext = {}): Node {
  const name = node.metadata?.name
  if (!name) throw new KubeInventoryError('KUBE_OBJECT_INVALID', 'a Node without metadata.name')
  const labels = node.metadata?.labels ?? {}
  const capacity = (node.status?.capacity ?? {}) as QuantityMap
  const allocatable = { ...capacity, ...((node.status?.allocatable ?? {}) as QuantityMap) }
  const requests = context.requests ?? new Map<string, number>()
  const read = reader(name)

  const accelerators: Accelerator[] = [...new Set([...Object.keys(capacity), ...Object.keys(allocatable)])]
    .filter(isAcceleratorResource)
    .sort()
    .map((resource) => ({
      resource,
      count: read(`status.capacity["${resource}"]`, capacity[resource], quantityValue),
      allocatable: read(`status.allocatable["${resource}"]`, allocatable[resource], quantityValue),
      inUse: requests.get(resource) ?? 0,
    }))

  const arch = node.status?.nodeInfo?.architecture || ARCH_LABELS.map((key) => labels[key]).find(Boolean) || 'unknown'
  return {
    name,
    arch,
    ...readiness(node),
    cpu: { cores: read('status.capacity.cpu', capacity.cpu, parseQuantity), ...cpuDescription(labels) },
    memoryBytes: read('status.capacity.memory', capacity.memory, bytes),
    labels: catalogLabels(labels),
    allocatable: {
      cpuMillis: read('status.allocatable.cpu', allocatable.cpu, cpuToMillis),
      memoryBytes: read('status.allocatable.memory', allocatable.memory, bytes),
    },
    requested: { cpuMillis: requests.get('cpu') ?? 0, memoryBytes: requests.get('memory') ?? 0 },
    ...(context.used ? { used: context.used } : {}),
    accelerators,
  }
}

/** The usage part of a node, for a UsageReport between full reports. */
export function toNodeUsage(node: Node): NodeUsage {
  return {
    name: node.name,
    requested: node.requested,
    ...(node.used ? { used: node.used } : {}),
    ...(node.accelerators.length > 0
      ? { accelerators: node.accelerators.map((a) => ({ resource: a.resource, inUse: a.inUse ?? 0 })) }
      : {}),
  }
}
