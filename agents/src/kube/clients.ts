import { CoreV1Api, type KubeConfig, StorageV1Api } from '@kubernetes/client-node'
import { type NodeMetricsResult, readNodeMetrics } from './node-metrics'

/**
 * The calls the inventory makes, so tests and other callers can hand in their own. Build the real
 * ones with `createKubeClients(kubeConfig)`.
 */
export interface KubeClients {
  core: Pick<CoreV1Api, 'listNode' | 'listPodForAllNamespaces' | 'listPersistentVolume'>
  storage: Pick<StorageV1Api, 'listStorageClass' | 'listCSIStorageCapacityForAllNamespaces'>
  /** Reads metrics.k8s.io NodeMetrics; a 404 is `not-served`, not an error. */
  nodeMetrics: () => Promise<NodeMetricsResult>
}

export interface KubeClientsOptions {
  /** Timeout of the raw metrics.k8s.io request. */
  metricsTimeoutMs?: number
}

/** client-node API clients bound to one KubeConfig (in-cluster, file or object: see loadKubeConfig). */
export function createKubeClients(kubeConfig: KubeConfig, options: KubeClientsOptions = {}): KubeClients {
  return {
    core: kubeConfig.makeApiClient(CoreV1Api),
    storage: kubeConfig.makeApiClient(StorageV1Api),
    nodeMetrics: () => readNodeMetrics(kubeConfig, { timeoutMs: options.metricsTimeoutMs }),
  }
}
