import type { V1CSIStorageCapacity } from '@kubernetes/client-node'
import type { Node, NodeUsage, Storage } from '@suanpan/control-plane/schemas'
import type { KubeClients } from './clients'
import { KubeInventoryError } from './errors'
import { listAll } from './list-all'
import { requestsByNode } from './pod-requests'
import { summarizeStorage } from './storage'
import { toNode, toNodeUsage } from './to-node'

/**
 * Pods that hold node resources: placed on a node and not finished. The server filters; the
 * inventory checks again (pod-requests.ts) so a server that ignores the selector changes nothing.
 */
export const ACTIVE_POD_FIELD_SELECTOR = 'spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed'

export interface InventoryOptions {
  /** `limit` of each list request (default 500). */
  pageSize?: number
}

/** The Kubernetes part of a cluster's reports. */
export interface KubeInventory {
  /** FullReport.nodes */
  nodes: Node[]
  /** FullReport.storage: one entry per storage class (rule in storage.ts). */
  storage: Storage[]
  /** UsageReport.nodes: the same nodes' requests, usage and accelerators in use. */
  usage: NodeUsage[]
  /** Whether Node.used came from metrics.k8s.io. */
  metrics: 'served' | 'not-served' | 'unavailable'
  /** Things the operator may want to know that did not stop the inventory. */
  warnings: string[]
}

/**
 * Reads Nodes, Pods, PersistentVolumes, StorageClasses, CSIStorageCapacities and (when served)
 * NodeMetrics, and maps them to the report contract. Failures throw KubeInventoryError with the
 * client error as `cause`; a missing metrics API or CSIStorageCapacity API is not a failure.
 */
export async function readInventory(clients: KubeClients, options: InventoryOptions = {}): Promise<KubeInventory> {
  const { pageSize } = options
  const warnings: string[] = []
  const [nodes, pods, persistentVolumes, storageClasses, csiStorageCapacities, metrics] = await Promise.all([
    listAll('listing nodes (GET /api/v1/nodes)', (page) => clients.core.listNode(page), pageSize),
    listAll(
      'listing pods (GET /api/v1/pods)',
      (page) => clients.core.listPodForAllNamespaces({ ...page, fieldSelector: ACTIVE_POD_FIELD_SELECTOR }),
      pageSize,
    ),
    listAll('listing persistent volumes (GET /api/v1/persistentvolumes)', (page) => clients.core.listPersistentVolume(page), pageSize),
    listAll(
      'listing storage classes (GET /apis/storage.k8s.io/v1/storageclasses)',
      (page) => clients.storage.listStorageClass(page),
      pageSize,
    ),
    listAll(
      'listing CSI storage capacities (GET /apis/storage.k8s.io/v1/csistoragecapacities)',
      (page) => clients.storage.listCSIStorageCapacityForAllNamespaces(page),
      pageSize,
    ).catch((error: unknown): V1CSIStorageCapacity[] => {
      if (error instanceof KubeInventoryError && error.status === 404) {
        warnings.push('storage.k8s.io/v1 CSIStorageCapacity is not served (Kubernetes before 1.24): storage capacity is PVs only')
        return []
      }
      throw error
    }),
    clients.nodeMetrics(),
  ])

  if (metrics.status === 'unavailable') warnings.push(`node usage is missing: ${metrics.reason}`)
  const usageByNode = metrics.status === 'served' ? metrics.usage : undefined
  const requests = requestsByNode(pods)
  const reportNodes = nodes.map((node) => {
    const name = node.metadata?.name ?? ''
    const used = usageByNode?.get(name)
    return toNode(node, { requests: requests.get(name), ...(used ? { used } : {}) })
  })
  return {
    nodes: reportNodes,
    storage: summarizeStorage({ storageClasses, persistentVolumes, csiStorageCapacities }),
    usage: reportNodes.map(toNodeUsage),
    metrics: metrics.status,
    warnings,
  }
}
