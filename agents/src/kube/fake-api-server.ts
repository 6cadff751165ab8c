import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  KubeConfig,
  type KubernetesObject,
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
  /** batch/v1 Jobs already in the cluster (what the agent applies is added to these). */
  jobs?: readonly FakeStoredObject[]
  /** apps/v1 Deployments already in the cluster. */
  deployments?: readonly FakeStoredObject[]
}

/** A Job or Deployment as the fake stores it: kind and apiVersion are filled in, spec and status are free-form. */
export type FakeStoredObject = KubernetesObject & { spec?: unknown; status?: unknown }

/** The workload kinds the fake stores and accepts server-side apply for. */
export type FakeWorkloadKind = 'Job' | 'Deployment'

/** One server-side apply PATCH the fake accepted. */
export interface FakeKubeApply {
  kind: FakeWorkloadKind
  namespace: string
  name: string
  /** The `fieldManager` query parameter. */
  fieldManager: string | undefined
  force: boolean
  /** The body as sent (parsed JSON). */
  object: Record<string, unknown>
}

/** One DELETE the fake carried out. */
export interface FakeKubeDelete {
  kind: FakeWorkloadKind
  namespace: string
  name: string
  /** The `propagationPolicy` query parameter. */
  propagationPolicy: string | undefined
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
  /** Every server-side apply accepted, in order. */
  applied: readonly FakeKubeApply[]
  /** Every delete carried out, in order. */
  deleted: readonly FakeKubeDelete[]
  /** The Jobs and Deployments stored now (copies, with kind and apiVersion), optionally of one kind. */
  objects(kind?: FakeWorkloadKind): FakeStoredObject[]
  /** One stored Job or Deployment (a copy), or undefined. */
  object(kind: FakeWorkloadKind, namespace: string, name: string): FakeStoredObject | undefined
  /** Replaces a stored object's status, as its controller would (e.g. a Job finishing). Throws if there is no such object. */
  setStatus(kind: FakeWorkloadKind, namespace: string, name: string, status: Record<string, unknown>): void
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

interface WorkloadResource {
  kind: FakeWorkloadKind
  key: 'jobs' | 'deployments'
  apiVersion: string
  singularName: string
}

const WORKLOAD_RESOURCES: readonly WorkloadResource[] = [
  { kind: 'Job', key: 'jobs', apiVersion: 'batch/v1', singularName: 'job' },
  { kind: 'Deployment', key: 'deployments', apiVersion: 'apps/v1', singularName: 'deployment' },
]

const WORKLOAD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

/** `/apis/<group>/<version>`: the APIResourceList client-node's KubernetesObjectApi reads to map a kind to its resource. */
function discovery(path: string): unknown {
  const resources = WORKLOAD_RESOURCES.filter((r) => `/apis/${r.apiVersion}` === path)
  if (resources.length === 0) return undefined
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: resources[0]?.apiVersion,
    resources: resources.flatMap((r) => [
      { name: r.key, singularName: r.singularName, namespaced: true, kind: r.kind, verbs: WORKLOAD_VERBS },
      { name: `${r.key}/status`, singularName: '', namespaced: true, kind: r.kind, verbs: ['get', 'patch', 'update'] },
    ]),
  }
}

/** A Job or Deployment URL: a list (all namespaces or one) or one object. */
interface WorkloadPath {
  resource: WorkloadResource
  namespace: string | undefined
  name: string | undefined
}

function workloadPath(path: string): WorkloadPath | undefined {
  const match = /^\/apis\/([a-z.]+\/v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?$/.exec(path)
  if (!match) return undefined
  const [, apiVersion, namespace, plural, name] = match
  const resource = WORKLOAD_RESOURCES.find((r) => r.apiVersion === apiVersion && r.key === plural)
  if (!resource || (name !== undefined && namespace === undefined)) return undefined
  return {
    resource,
    namespace: namespace === undefined ? undefined : decodeURIComponent(namespace),
    name: name === undefined ? undefined : decodeURIComponent(name),
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

/**
 * Starts an in-process fake of the Kubernetes API on 127.0.0.1 (random port) serving the given
 * objects as real List responses (limit/continue paging, field and label selectors, bearer token).
 * Only the network is fake: client-node talks to it over HTTP like to a real API server.
 */
export async function startFakeKubeApi(objects: FakeKubeObjects = {}, options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const token = options.token ?? randomBytes(16).toString('hex')
  const { jobs, deployments, ...lists } = objects
  const state: FakeKubeObjects = { ...lists }
  const requests: FakeKubeRequest[] = []
  let resourceVersion = 1

  // Jobs and Deployments, keyed `kind/namespace/name`, stored as the API server returns them (kind, apiVersion, status).
  const store = new Map<string, Record<string, unknown>>()
  const applied: FakeKubeApply[] = []
  const deleted: FakeKubeDelete[] = []
  const keyOf = (kind: FakeWorkloadKind, namespace: string, name: string) => `${kind}/${namespace}/${name}`
  const metadataOf = (object: Record<string, unknown>) => (isRecord(object.metadata) ? object.metadata : {})

  /** Replaces every stored object of one kind with the given ones. */
  const seed = (resource: WorkloadResource, items: readonly FakeStoredObject[]) => {
    for (const [key, object] of store) if (object.kind === resource.kind) store.delete(key)
    for (const item of items) {
      const object = structuredClone(item) as Record<string, unknown>
      const metadata: Record<string, unknown> = { namespace: 'default', uid: randomUUID(), ...metadataOf(object) }
      const name = String(metadata.name ?? '')
      store.set(keyOf(resource.kind, String(metadata.namespace), name), {
        ...object,
        apiVersion: resource.apiVersion,
        kind: resource.kind,
        metadata,
      })
    }
  }
  const seedAll = (next: FakeKubeObjects) => {
    for (const resource of WORKLOAD_RESOURCES) {
      const items = next[resource.key]
      if (items) seed(resource, items)
    }
  }
  seedAll({ jobs, deployments })

  const handleWorkload = async (request: IncomingMessage, response: ServerResponse, url: URL, target: WorkloadPath) => {
    const { resource, namespace, name } = target
    const method = request.method ?? 'GET'
    if (name === undefined || namespace === undefined) {
      if (method !== 'GET') {
        sendStatus(response, 405, 'MethodNotAllowed', `the fake serves only GET on a list, not ${method}`)
        return
      }
      const items = [...store.values()].filter(
        (o) => o.kind === resource.kind && (namespace === undefined || metadataOf(o).namespace === namespace),
      )
      const route: Route = { key: resource.key, kind: `${resource.kind}List`, apiVersion: resource.apiVersion }
      sendJson(response, 200, serveList(route, items, url.searchParams, resourceVersion))
      return
    }
    const key = keyOf(resource.kind, namespace, name)
    const existing = store.get(key)
    const group = resource.apiVersion.split('/')[0]
    const notFound = () => sendStatus(response, 404, 'NotFound', `${resource.key}.${group} "${name}" not found`)
    switch (method) {
      case 'GET':
        if (existing) sendJson(response, 200, existing)
        else notFound()
        return
      case 'DELETE': {
        if (!existing) return notFound()
        // Any propagation policy removes the object at once here: the fake runs no garbage collector or pods.
        store.delete(key)
        resourceVersion++
        deleted.push({ kind: resource.kind, namespace, name, propagationPolicy: url.searchParams.get('propagationPolicy') ?? undefined })
        sendJson(response, 200, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: { name, group, kind: resource.key, uid: metadataOf(existing).uid },
        })
        return
      }
      case 'PATCH':
        return applyPatch(request, response, url, target, existing)
      default:
        sendStatus(response, 405, 'MethodNotAllowed', `the fake does not serve ${method} on ${resource.key}`)
    }
  }

  /**
   * Server-side apply with one field manager in mind: the applied object replaces what was there (metadata, spec),
   * the status is kept (apply to the main resource ignores it), uid and creationTimestamp stay, generation moves
   * when the spec changes. The body is parsed as JSON (YAML's subset that client-node sends).
   */
  const applyPatch = async (
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    { resource, namespace = '', name = '' }: WorkloadPath,
    existing: Record<string, unknown> | undefined,
  ) => {
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim()
    if (contentType !== 'application/apply-patch+yaml') {
      sendStatus(
        response,
        415,
        'UnsupportedMediaType',
        `the fake serves only server-side apply (application/apply-patch+yaml), not ${contentType}`,
      )
      return
    }
    const fieldManager = url.searchParams.get('fieldManager') ?? undefined
    if (!fieldManager) {
      sendStatus(
        response,
        422,
        'Invalid',
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      )
      return
    }
    let body: unknown
    try {
      body = JSON.parse(await readBody(request))
    } catch (error) {
      sendStatus(response, 400, 'BadRequest', `the fake reads apply bodies as JSON: ${(error as Error).message}`)
      return
    }
    if (!isRecord(body) || !isRecord(body.metadata)) {
      sendStatus(response, 400, 'BadRequest', 'the body is not an object with metadata')
      return
    }
    if (body.kind !== resource.kind || body.apiVersion !== resource.apiVersion) {
      sendStatus(
        response,
        400,
        'BadRequest',
        `the body is ${String(body.apiVersion)} ${String(body.kind)}, the URL ${resource.apiVersion} ${resource.kind}`,
      )
      return
    }
    if (body.metadata.name !== name) {
      sendStatus(
        response,
        400,
        'BadRequest',
        `the name of the object (${String(body.metadata.name)}) does not match the name on the URL (${name})`,
      )
      return
    }
    if (body.metadata.namespace !== undefined && body.metadata.namespace !== namespace) {
      sendStatus(response, 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request')
      return
    }
    applied.push({ kind: resource.kind, namespace, name, fieldManager, force: url.searchParams.get('force') === 'true', object: body })
    resourceVersion++
    const { status: _status, ...rest } = structuredClone(body)
    const before = existing ? metadataOf(existing) : {}
    const generation = typeof before.generation === 'number' ? before.generation : 0
    const specChanged = !existing || JSON.stringify(existing.spec) !== JSON.stringify(rest.spec)
    const object: Record<string, unknown> = {
      ...rest,
      metadata: {
        ...(rest.metadata as Record<string, unknown>),
        namespace,
        uid: before.uid ?? randomUUID(),
        creationTimestamp: before.creationTimestamp ?? new Date().toISOString(),
        resourceVersion: String(resourceVersion),
        generation: specChanged ? generation + 1 : generation,
      },
      status: existing?.status ?? {},
    }
    store.set(keyOf(resource.kind, namespace, name), object)
    sendJson(response, existing ? 200 : 201, object)
  }

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://fake')
    requests.push({ method: request.method ?? 'GET', url: `${url.pathname}${url.search}`, authorization: request.headers.authorization })
    if (request.headers.authorization !== `Bearer ${token}`) {
      sendStatus(response, 401, 'Unauthorized', 'Unauthorized')
      return
    }
    const path = url.pathname.replace(/\/+$/, '')
    const resources = request.method === 'GET' ? discovery(path) : undefined
    if (resources) {
      sendJson(response, 200, resources)
      return
    }
    const target = workloadPath(path)
    if (target) {
      handleWorkload(request, response, url, target).catch((error: unknown) => {
        if (error instanceof BadRequest) sendStatus(response, 400, 'BadRequest', error.message)
        else sendStatus(response, 500, 'InternalError', error instanceof Error ? error.message : String(error))
      })
      return
    }
    const route = ROUTES[path]
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
      const { jobs: nextJobs, deployments: nextDeployments, ...nextLists } = next
      Object.assign(state, nextLists)
      seedAll({ jobs: nextJobs, deployments: nextDeployments })
      resourceVersion++
    },
    applied,
    deleted,
    objects: (kind) =>
      [...store.values()].filter((o) => kind === undefined || o.kind === kind).map((o) => structuredClone(o) as FakeStoredObject),
    object(kind, namespace, name) {
      const object = store.get(keyOf(kind, namespace, name))
      return object === undefined ? undefined : (structuredClone(object) as FakeStoredObject)
    },
    setStatus(kind, namespace, name, status) {
      const object = store.get(keyOf(kind, namespace, name))
      if (!object) throw new Error(`the fake Kubernetes API has no ${kind} ${namespace}/${name}`)
      object.status = structuredClone(status)
      object.metadata = { ...metadataOf(object), resourceVersion: String(++resourceVersion) }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
