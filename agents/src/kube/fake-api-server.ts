import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  KubeConfig,
  type V1CSIStorageCapacity,
  type V1Node,
  type V1PersistentVolume,
  type V1Pod,
  type V1StorageClass,
} from '@kubernetes/client-node'
import type { NodeMetricsItem } from './node-metrics'

export { loadFixtureCsiStorageCapacities, loadFixtureNodeMetrics, loadFixtureNodes } from './fixtures'

/** What the fake API server serves. Lists left out are served empty. */
export interface FakeKubeObjects {
  nodes?: readonly V1Node[]
  pods?: readonly V1Pod[]
  persistentVolumes?: readonly V1PersistentVolume[]
  storageClasses?: readonly V1StorageClass[]
  /** `'not-served'` answers 404, like a cluster before Kubernetes 1.24. */
  csiStorageCapacities?: readonly V1CSIStorageCapacity[] | 'not-served'
  /**
   * NodeMetrics items of metrics.k8s.io/v1beta1. Left out: 404 "page not found", like a cluster
   * without metrics-server. `'unavailable'`: 503, like a registered APIService whose backend is down.
   */
  nodeMetrics?: readonly NodeMetricsItem[] | 'unavailable'
}

export interface FakeKubeApiOptions {
  /** Bearer token the server requires (random by default; kubeConfig carries it). */
  token?: string
}

/** A request the fake received. */
export interface FakeKubeRequest {
  method: string
  /** Path and query, e.g. `/api/v1/pods?fieldSelector=…&limit=500`. */
  url: string
  authorization: string | undefined
}

/** A running in-process stand-in for a Kubernetes API server (HTTP on 127.0.0.1). */
export interface FakeKubeApi {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** A KubeConfig for client-node (cluster with skipTLSVerify, since the fake speaks plain HTTP). */
  kubeConfig: KubeConfig
  /** The same settings as a kubeconfig document (apiVersion v1, kind Config), e.g. to write to a file. */
  kubeConfigDocument: Record<string, unknown>
  /** Every request received, in order. */
  requests: readonly FakeKubeRequest[]
  /** Replaces the objects of the given kinds (others are kept). */
  update(objects: FakeKubeObjects): void
  close(): Promise<void>
}

interface Route {
  key: keyof FakeKubeObjects
  kind: string
  apiVersion: string
}

const ROUTES: Readonly<Record<string, Route>> = {
  '/api/v1/nodes': { key: 'nodes', kind: 'NodeList', apiVersion: 'v1' },
  '/api/v1/pods': { key: 'pods', kind: 'PodList', apiVersion: 'v1' },
  '/api/v1/persistentvolumes': { key: 'persistentVolumes', kind: 'PersistentVolumeList', apiVersion: 'v1' },
  '/apis/storage.k8s.io/v1/storageclasses': { key: 'storageClasses', kind: 'StorageClassList', apiVersion: 'storage.k8s.io/v1' },
  '/apis/storage.k8s.io/v1/csistoragecapacities': {
    key: 'csiStorageCapacities',
    kind: 'CSIStorageCapacityList',
    apiVersion: 'storage.k8s.io/v1',
  },
  '/apis/metrics.k8s.io/v1beta1/nodes': { key: 'nodeMetrics', kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1' },
}

/** Fields each list accepts in a fieldSelector (a subset of the real server's). */
const SELECTABLE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  pods: ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase'],
  default: ['metadata.name', 'metadata.namespace'],
}

type Requirement = { path: string; op: '=' | '!=' | 'exists' | '!exists'; value: string }

class BadRequest extends Error {}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify(body))
}

function sendStatus(response: ServerResponse, code: number, reason: string, message: string): void {
  sendJson(response, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code })
}

function field(object: unknown, path: string): string {
  let value: unknown = object
  for (const part of path.split('.'))
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined
  return value === undefined || value === null ? '' : String(value)
}

function parseSelector(text: string | null, fields: readonly string[] | undefined): Requirement[] {
  if (!text) return []
  return text.split(',').map((term): Requirement => {
    const match = /^(!?)([^=!]+?)\s*(?:(==|=|!=)\s*(.*))?$/.exec(term.trim())
    if (!match) throw new BadRequest(`invalid selector term "${term}"`)
    const [, not = '', rawKey = '', op, value = ''] = match
    const key = rawKey.trim()
    if (fields && !fields.includes(key)) throw new BadRequest(`field label not supported: ${key}`)
    if (op === undefined) {
      if (fields) throw new BadRequest(`invalid field selector term "${term}"`)
      return { path: key, op: not ? '!exists' : 'exists', value: '' }
    }
    return { path: key, op: op === '!=' ? '!=' : '=', value: value.trim() }
  })
}

function matches(object: unknown, requirement: Requirement, labels: boolean): boolean {
  const values = labels ? ((object as { metadata?: { labels?: Record<string, string> } }).metadata?.labels ?? {}) : undefined
  const actual = values ? values[requirement.path] : field(object, requirement.path)
  switch (requirement.op) {
    case 'exists':
      return actual !== undefined
    case '!exists':
      return actual === undefined
    case '=':
      return (actual ?? '') === requirement.value
    case '!=':
      return (actual ?? '') !== requirement.value
  }
}

function encodeContinue(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url')
}

function decodeContinue(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown }
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset
  } catch {
    // fall through
  }
  throw new BadRequest('continue key is not valid')
}

/** A list item as the API server returns it: no kind/apiVersion inside a typed list. */
function asListItem(object: unknown): unknown {
  if (object === null || typeof object !== 'object') return object
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = object as Record<string, unknown>
  return rest
}

function serveList(route: Route, items: readonly unknown[], query: URLSearchParams, resourceVersion: number): unknown {
  const fieldRequirements = parseSelector(query.get('fieldSelector'), SELECTABLE_FIELDS[route.key] ?? SELECTABLE_FIELDS.default)
  const labelRequirements = parseSelector(query.get('labelSelector'), undefined)
  const selected = items.filter(
    (item) => fieldRequirements.every((r) => matches(item, r, false)) && labelRequirements.every((r) => matches(item, r, true)),
  )
  const offset = query.get('continue') ? decodeContinue(query.get('continue') ?? '') : 0
  const limit = Number(query.get('limit') ?? 0)
  const end = Number.isInteger(limit) && limit > 0 ? Math.min(offset + limit, selected.length) : selected.length
  const metadata: Record<string, unknown> = { resourceVersion: String(resourceVersion) }
  if (end < selected.length) {
    metadata.continue = encodeContinue(end)
    if (fieldRequirements.length === 0 && labelRequirements.length === 0) metadata.remainingItemCount = selected.length - end
  }
  return { kind: route.kind, apiVersion: route.apiVersion, metadata, items: selected.slice(offset, end).map(asListItem) }
}

/**
 * Starts an in-process fake of the Kubernetes API on 127.0.0.1 (random port) serving the given
 * objects as real List responses (limit/continue paging, field and label selectors, bearer token).
 * Only the network is fake: client-node talks to it over HTTP like to a real API server.
 */
export async function startFakeKubeApi(objects: FakeKubeObjects = {}, options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const token = options.token ?? randomBytes(16).toString('hex')
  const state: FakeKubeObjects = { ...objects }
  const requests: FakeKubeRequest[] = []
  let resourceVersion = 1

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://fake')
    requests.push({ method: request.method ?? 'GET', url: `${url.pathname}${url.search}`, authorization: request.headers.authorization })
    if (request.headers.authorization !== `Bearer ${token}`) {
      sendStatus(response, 401, 'Unauthorized', 'Unauthorized')
      return
    }
    const route = ROUTES[url.pathname.replace(/\/+$/, '')]
    if (!route) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      response.end('404 page not found\n')
      return
    }
    if (request.method !== 'GET') {
      sendStatus(response, 405, 'MethodNotAllowed', `the fake serves only GET, not ${request.method}`)
      return
    }
    const served = state[route.key]
    if (route.key === 'nodeMetrics' && served === undefined) {
      // What kube-apiserver answers for a group it does not know.
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      response.end('404 page not found\n')
      return
    }
    if (served === 'not-served') {
      sendStatus(response, 404, 'NotFound', 'the server could not find the requested resource')
      return
    }
    if (served === 'unavailable') {
      sendStatus(response, 503, 'ServiceUnavailable', `the server is currently unable to handle the request (get ${route.key})`)
      return
    }
    try {
      sendJson(response, 200, serveList(route, served ?? [], url.searchParams, resourceVersion))
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error
      sendStatus(response, 400, 'BadRequest', error.message)
    }
  }

  const server = createServer((request, response) => {
    try {
      handle(request, response)
    } catch (error) {
      sendStatus(response, 500, 'InternalError', error instanceof Error ? error.message : String(error))
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`

  const kubeConfig = new KubeConfig()
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
    users: [{ name: 'fake', token }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
    currentContext: 'fake',
  })
  const kubeConfigDocument = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'fake', user: { token } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
    'current-context': 'fake',
  }

  return {
    url,
    kubeConfig,
    kubeConfigDocument,
    requests,
    update(next) {
      Object.assign(state, next)
      resourceVersion++
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
