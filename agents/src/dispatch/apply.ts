import { createHash } from 'node:crypto'
import { type KubeConfig, type KubernetesObject, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node'
import {
  type Assignment,
  type AssignmentStatus,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  WORKLOAD_ID_LABEL,
} from '@suanpan/control-plane/schemas'
import { apiError, apiStatus } from '../kube/errors'
import { listAll } from '../kube/list-all'

/** Where templates that name no namespace go (the agent's workload namespace, see infra/src/components/agent.ts). */
export const DEFAULT_WORKLOAD_NAMESPACE = 'suanpan-workloads'

/** The server-side apply field manager: the owner of the fields the agent sets. */
export const FIELD_MANAGER = 'suanpan-agent'

export type WorkloadKind = 'Job' | 'Deployment'

/** The kinds the agent applies, with their API group version and resource. */
export const WORKLOAD_KINDS: Readonly<Record<WorkloadKind, { apiVersion: string; resource: string }>> = {
  Job: { apiVersion: 'batch/v1', resource: 'jobs' },
  Deployment: { apiVersion: 'apps/v1', resource: 'deployments' },
}

type Labels = Record<string, string>

/** The object the agent applies for one assignment. */
export interface WorkloadObject {
  apiVersion: string
  kind: WorkloadKind
  metadata: { name: string; namespace: string; labels: Labels; [field: string]: unknown }
  spec: Record<string, unknown>
}

/** A template (or assignment) the agent refuses; `field` is the path of the offending field, e.g. `template.spec.template`. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError'
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field} ${message}`)
  }
}

export interface BuildOptions {
  /** For templates without `metadata.namespace`; `suanpan-workloads` by default. */
  namespace?: string
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/** Fields the API server sets; a template copied from a live object carries them, an apply must not. */
const SERVER_SET_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
  'ownerReferences',
]

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (!isRecord(value)) throw new TemplateError(field, 'must be an object')
  return value
}

function optionalRecord(value: unknown, field: string): Record<string, unknown> {
  return value === undefined || value === null ? {} : record(value, field)
}

function stringMap(value: unknown, field: string): Labels {
  const map = optionalRecord(value, field)
  for (const [key, v] of Object.entries(map)) {
    if (typeof v !== 'string') throw new TemplateError(`${field}.${key}`, 'must be a string')
  }
  return map as Labels
}

function nonNegativeInteger(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new TemplateError(field, 'must be a non-negative integer')
  return value
}

function checkPodSpec(podSpec: Record<string, unknown>, field: string): void {
  const containers = podSpec.containers
  if (!Array.isArray(containers) || containers.length === 0) throw new TemplateError(`${field}.containers`, 'must be a non-empty array')
  containers.forEach((container, i) => {
    const c = record(container, `${field}.containers[${i}]`)
    for (const key of ['name', 'image']) {
      if (typeof c[key] !== 'string' || c[key] === '')
        throw new TemplateError(`${field}.containers[${i}].${key}`, 'must be a non-empty string')
    }
  })
}

/**
 * Turns an assignment into the object to apply; throws TemplateError naming the field when the template (or the
 * assignment) cannot be applied. The template is not modified.
 *
 * - `metadata.name` = `objectName`; `metadata.namespace` = the template's, or the configured default.
 * - The assignment's labels, plus the workload id and managed-by labels (so garbage collection always finds the object),
 *   are merged over the template's labels on the object and on the pod template.
 * - Deployment: `spec.replicas` = replicas; `spec.selector.matchLabels` gets only the workload-id label added to the
 *   template's selector, so the (immutable) selector does not change when other labels do.
 * - Job: `spec.parallelism` = replicas (what the scheduler reserved runs at once). `spec.completions` = replicas when the
 *   template sets none. When it sets completions C with parallelism P (1 when unset), it asks for C/P completions per
 *   parallel pod; that ratio is kept: completions = replicas × ceil(C / P). A template written for the whole workload
 *   (P = workload replicas) then gets its C completions split over the clusters in proportion to their replicas.
 *   A missing `restartPolicy` becomes `Never` (Kubernetes' default, `Always`, is invalid for a Job).
 */
export function buildWorkloadObject(assignment: Assignment, options: BuildOptions = {}): WorkloadObject {
  const { objectName, replicas, workloadId } = assignment
  if (typeof objectName !== 'string' || objectName.length > 63 || !DNS_LABEL.test(objectName)) {
    throw new TemplateError('objectName', `"${String(objectName)}" is not a DNS-1123 label (at most 63 of a-z, 0-9, "-")`)
  }
  const template = structuredClone(record(assignment.template, 'template'))
  const kind = template.kind
  if (kind !== 'Job' && kind !== 'Deployment') {
    throw new TemplateError('template.kind', `${JSON.stringify(kind)} is not supported: only Job (batch/v1) and Deployment (apps/v1)`)
  }
  const { apiVersion } = WORKLOAD_KINDS[kind]
  if (template.apiVersion !== apiVersion) {
    throw new TemplateError('template.apiVersion', `must be ${apiVersion} for a ${kind}, not ${JSON.stringify(template.apiVersion)}`)
  }
  const minReplicas = kind === 'Job' ? 1 : 0
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < minReplicas) {
    throw new TemplateError('replicas', `must be an integer >= ${minReplicas} for a ${kind}, not ${String(replicas)}`)
  }

  const metadata = optionalRecord(template.metadata, 'template.metadata')
  for (const key of SERVER_SET_METADATA) delete metadata[key]
  const templateNamespace = metadata.namespace
  if (templateNamespace !== undefined && (typeof templateNamespace !== 'string' || !DNS_LABEL.test(templateNamespace))) {
    throw new TemplateError('template.metadata.namespace', `${JSON.stringify(templateNamespace)} is not a namespace name`)
  }
  const namespace = (templateNamespace as string | undefined) || options.namespace || DEFAULT_WORKLOAD_NAMESPACE
  if (metadata.annotations !== undefined) stringMap(metadata.annotations, 'template.metadata.annotations')
  const labels: Labels = {
    ...stringMap(metadata.labels, 'template.metadata.labels'),
    ...assignment.labels,
    [WORKLOAD_ID_LABEL]: workloadId,
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
  }

  const spec = record(template.spec, 'template.spec')
  const podTemplate = record(spec.template, 'template.spec.template')
  const podMetadata = optionalRecord(podTemplate.metadata, 'template.spec.template.metadata')
  const podSpec = record(podTemplate.spec, 'template.spec.template.spec')
  checkPodSpec(podSpec, 'template.spec.template.spec')
  podTemplate.metadata = {
    ...podMetadata,
    labels: { ...stringMap(podMetadata.labels, 'template.spec.template.metadata.labels'), ...labels },
  }

  if (kind === 'Deployment') {
    const selector = optionalRecord(spec.selector, 'template.spec.selector')
    const matchLabels = stringMap(selector.matchLabels, 'template.spec.selector.matchLabels')
    spec.selector = { ...selector, matchLabels: { ...matchLabels, [WORKLOAD_ID_LABEL]: workloadId } }
    spec.replicas = replicas
  } else {
    const completions = nonNegativeInteger(spec.completions, 'template.spec.completions')
    const parallelism = nonNegativeInteger(spec.parallelism, 'template.spec.parallelism') || 1
    spec.parallelism = replicas
    spec.completions = completions ? replicas * Math.ceil(completions / parallelism) : replicas
    const restartPolicy = podSpec.restartPolicy
    if (restartPolicy === undefined) podSpec.restartPolicy = 'Never'
    else if (restartPolicy !== 'Never' && restartPolicy !== 'OnFailure') {
      throw new TemplateError(
        'template.spec.template.spec.restartPolicy',
        `must be Never or OnFailure for a Job, not ${JSON.stringify(restartPolicy)}`,
      )
    }
  }

  return {
    apiVersion,
    kind,
    metadata: { ...metadata, name: objectName, namespace, labels },
    spec,
  }
}

/** A stable digest of what is applied: the same assignment gives the same digest, whatever the key order. */
export function objectDigest(object: WorkloadObject): string {
  return createHash('sha256').update(stableJson(object)).digest('hex')
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

const MAX_MESSAGE = 1000
const MAX_REPLICAS = 100_000

/** A message that fits AssignmentStatus (at most 1000 characters). */
export function statusMessage(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0
}

interface Condition {
  type?: unknown
  status?: unknown
  reason?: unknown
  message?: unknown
}

function condition(status: Record<string, unknown>, type: string): Condition | undefined {
  const conditions = Array.isArray(status.conditions) ? (status.conditions as Condition[]) : []
  return conditions.find((c) => isRecord(c) && c.type === type && c.status === 'True')
}

function conditionText(c: Condition): string | undefined {
  const text = [c.reason, c.message].filter((v) => typeof v === 'string' && v !== '').join(': ')
  return text === '' ? undefined : text
}

/**
 * The state of an applied object, as the agent reports it.
 * - Job: `succeeded` on a Complete (or SuccessCriteriaMet) condition or when status.succeeded ≥ completions; `failed`
 *   on a Failed condition; `running` when pods are active or ready; else `applied`. readyReplicas = active + succeeded.
 * - Deployment: `running` when availableReplicas ≥ replicas, else `applied` (with the Progressing condition's message
 *   when the rollout is stuck). readyReplicas = status.readyReplicas.
 */
export function workloadStatus(object: { kind?: unknown; spec?: unknown; status?: unknown }): AssignmentStatus {
  const spec = isRecord(object.spec) ? object.spec : {}
  const status = isRecord(object.status) ? object.status : {}
  if (object.kind === 'Job') {
    const active = count(status.active)
    const succeeded = count(status.succeeded)
    const readyReplicas = Math.min(active + succeeded, MAX_REPLICAS)
    const failed = condition(status, 'Failed')
    if (failed) {
      const text = conditionText(failed)
      return { state: 'failed', readyReplicas, ...(text ? { message: statusMessage(text) } : {}) }
    }
    const completions = typeof spec.completions === 'number' ? spec.completions : 1
    if (condition(status, 'Complete') || condition(status, 'SuccessCriteriaMet') || succeeded >= completions) {
      return { state: 'succeeded', readyReplicas }
    }
    const running = active > 0 || count(status.ready) > 0
    return { state: running ? 'running' : 'applied', readyReplicas }
  }
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1
  const readyReplicas = Math.min(count(status.readyReplicas), MAX_REPLICAS)
  if (count(status.availableReplicas) >= replicas) return { state: 'running', readyReplicas }
  const conditions = Array.isArray(status.conditions) ? (status.conditions as Condition[]) : []
  const stuck = conditions.find((c) => isRecord(c) && c.type === 'Progressing' && c.status === 'False')
  const text = stuck ? conditionText(stuck) : undefined
  return { state: 'applied', readyReplicas, ...(text ? { message: statusMessage(text) } : {}) }
}

// ---------------------------------------------------------------- the Kubernetes side

/** One Job or Deployment in the cluster. */
export interface ObjectRef {
  kind: WorkloadKind
  namespace: string
  name: string
}

/** An object the agent manages, as listed: where it is and which workload it belongs to (undefined when unlabelled). */
export interface ManagedObject extends ObjectRef {
  workloadId: string | undefined
}

/** The calls the dispatcher makes to Kubernetes; `createWorkloadApi` builds the real ones. */
export interface WorkloadApi {
  /** Server-side apply (field manager `suanpan-agent`, force); resolves with the object as stored, status included. */
  apply(object: WorkloadObject): Promise<KubernetesObject>
  /** The live object, or undefined when there is none (404). */
  read(ref: ObjectRef): Promise<KubernetesObject | undefined>
  /** The objects of one kind labelled managed-by=suanpan-agent, in every namespace or in one. */
  listManaged(kind: WorkloadKind, namespace?: string): Promise<ManagedObject[]>
  /** Deletes with propagationPolicy Background (the pods go with it); false when it was already gone. */
  delete(ref: ObjectRef): Promise<boolean>
}

const header = (ref: ObjectRef) => ({
  apiVersion: WORKLOAD_KINDS[ref.kind].apiVersion,
  kind: ref.kind,
  metadata: { name: ref.name, namespace: ref.namespace },
})

const describeRef = (ref: ObjectRef) => `${ref.kind} ${ref.namespace}/${ref.name}`

/**
 * The WorkloadApi over client-node's KubernetesObjectApi. Errors are KubeInventoryError (code KUBE_API_ERROR, `status`
 * the HTTP status when the API server answered), naming the call.
 */
export function createWorkloadApi(kubeConfig: KubeConfig): WorkloadApi {
  // One client for the dispatcher's life: it caches the API discovery it does to map a kind to its resource.
  const client = KubernetesObjectApi.makeApiClient(kubeConfig)
  const selector = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`
  return {
    async apply(object) {
      try {
        // specUriPath fills in missing fields of what it is given: hand it a copy.
        return await client.patch(structuredClone(object), undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply)
      } catch (error) {
        throw apiError(`server-side apply of ${describeRef({ ...object.metadata, kind: object.kind })}`, error)
      }
    },
    async read(ref) {
      try {
        return await client.read(header(ref))
      } catch (error) {
        if (apiStatus(error) === 404) return undefined
        throw apiError(`reading ${describeRef(ref)}`, error)
      }
    },
    async listManaged(kind, namespace) {
      const { apiVersion } = WORKLOAD_KINDS[kind]
      const where = namespace === undefined ? 'all namespaces' : `namespace ${namespace}`
      const items = await listAll(`listing ${kind}s managed by ${MANAGED_BY_VALUE} in ${where}`, (page) =>
        client.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, selector, page.limit, page._continue),
      )
      return items.flatMap((item) => {
        const name = item.metadata?.name
        if (!name) return []
        return [
          { kind, name, namespace: item.metadata?.namespace ?? namespace ?? '', workloadId: item.metadata?.labels?.[WORKLOAD_ID_LABEL] },
        ]
      })
    },
    async delete(ref) {
      try {
        await client.delete(header(ref), undefined, undefined, undefined, undefined, 'Background')
        return true
      } catch (error) {
        if (apiStatus(error) === 404) return false
        throw apiError(`deleting ${describeRef(ref)}`, error)
      }
    },
  }
}
