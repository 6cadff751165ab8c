import http from 'node:http'
import https from 'node:https'
import type { KubeConfig } from '@kubernetes/client-node'
import type { ResourceAmounts } from '@suanpan/control-plane/schemas'
import { apiError, KubeInventoryError, statusMessage } from './errors'
import { bytes, cpuToMillis, QuantityError } from './quantity'

export const NODE_METRICS_PATH = '/apis/metrics.k8s.io/v1beta1/nodes'

/**
 * What metrics.k8s.io said. `not-served`: a 404, no metrics API in this cluster (normal, not an
 * error). `unavailable`: the API is registered but answered with another error status, typically
 * 503 while metrics-server is down, or 403 when the agent may not read it; `reason` says which.
 */
export type NodeMetricsResult =
  | { status: 'served'; usage: ReadonlyMap<string, ResourceAmounts> }
  | { status: 'not-served' }
  | { status: 'unavailable'; reason: string }

/** One item of a NodeMetricsList (metrics.k8s.io/v1beta1). */
export interface NodeMetricsItem {
  metadata: { name: string }
  timestamp?: string
  window?: string
  usage: { cpu: string | number; memory: string | number }
}

export interface RawResponse {
  status: number
  body: string
}

const DEFAULT_TIMEOUT_MS = 30_000

/**
 * GET a path of the API server with the KubeConfig's credentials and TLS settings, without the
 * generated client (metrics.k8s.io has none). Transport failures throw KubeInventoryError.
 */
export async function getRaw(kubeConfig: KubeConfig, path: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RawResponse> {
  const cluster = kubeConfig.getCurrentCluster()
  if (!cluster) throw new KubeInventoryError('KUBE_CONFIG_INVALID', `GET ${path}: the kubeconfig has no current cluster`)
  // Keep a path prefix of the server (e.g. a Rancher proxy at https://host/k8s/clusters/c-1).
  const url = new URL(`${cluster.server.replace(/\/+$/, '')}${path}`)
  const options: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' }, timeout: timeoutMs }
  try {
    await kubeConfig.applyToHTTPSOptions(options)
  } catch (error) {
    throw apiError(`GET ${path}`, error)
  }
  const send = url.protocol === 'http:' ? http.request : https.request
  return new Promise<RawResponse>((resolve, reject) => {
    const request = send(url, options, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('error', (error) => reject(apiError(`GET ${path}`, error)))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
    })
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    request.on('error', (error) => reject(apiError(`GET ${url.origin}${path}`, error)))
    request.end()
  })
}

/** Turns a NodeMetricsList into usage per node name. */
export function nodeMetricsUsage(items: readonly NodeMetricsItem[]): Map<string, ResourceAmounts> {
  const usage = new Map<string, ResourceAmounts>()
  for (const item of items) {
    const name = item.metadata.name
    try {
      usage.set(name, { cpuMillis: cpuToMillis(item.usage.cpu), memoryBytes: bytes(item.usage.memory) })
    } catch (error) {
      if (!(error instanceof QuantityError)) throw error
      throw new KubeInventoryError('KUBE_OBJECT_INVALID', `NodeMetrics "${name}": ${error.message}`, { cause: error })
    }
  }
  return usage
}

function isNodeMetricsList(value: unknown): value is { items: NodeMetricsItem[] } {
  if (value === null || typeof value !== 'object' || !('items' in value) || !Array.isArray(value.items)) return false
  return value.items.every(
    (item: unknown) =>
      item !== null &&
      typeof item === 'object' &&
      'metadata' in item &&
      typeof (item.metadata as { name?: unknown } | null)?.name === 'string' &&
      'usage' in item &&
      item.usage !== null &&
      typeof item.usage === 'object',
  )
}

/** Reads node usage from metrics.k8s.io/v1beta1 when the cluster serves it. */
export async function readNodeMetrics(kubeConfig: KubeConfig, options: { timeoutMs?: number } = {}): Promise<NodeMetricsResult> {
  const response = await getRaw(kubeConfig, NODE_METRICS_PATH, options.timeoutMs)
  if (response.status === 404) return { status: 'not-served' }
  if (response.status !== 200) {
    const detail = statusMessage(response.body)
    return { status: 'unavailable', reason: `GET ${NODE_METRICS_PATH}: HTTP ${response.status}${detail ? `: ${detail}` : ''}` }
  }
  let list: unknown
  try {
    list = JSON.parse(response.body)
  } catch (error) {
    throw new KubeInventoryError('KUBE_OBJECT_INVALID', `GET ${NODE_METRICS_PATH}: the answer is not JSON`, { cause: error })
  }
  if (!isNodeMetricsList(list)) {
    throw new KubeInventoryError('KUBE_OBJECT_INVALID', `GET ${NODE_METRICS_PATH}: the answer is not a NodeMetricsList`)
  }
  return { status: 'served', usage: nodeMetricsUsage(list.items) }
}
