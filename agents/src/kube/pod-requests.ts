import type { V1Container, V1Pod } from '@kubernetes/client-node'
import { KubeInventoryError } from './errors'
import { cpuToMillis, QuantityError, quantityValue } from './quantity'

/** A resource list as read from the API; YAML fixtures may hold numbers where the API has strings. */
export type QuantityMap = Readonly<Record<string, string | number>>

/**
 * Amounts per resource name, in whole units: `cpu` in millicores, everything else in base units
 * (bytes for memory and hugepages, a count for devices).
 */
export type ResourceTotals = Map<string, number>

/** Pod phases whose containers no longer hold their requests (what `kubectl describe node` skips). */
export const TERMINATED_POD_PHASES: ReadonlySet<string> = new Set(['Succeeded', 'Failed'])

/** Pod-level `spec.resources` may set only these (PodLevelResources, Kubernetes 1.32+). */
const POD_LEVEL_RESOURCES: ReadonlySet<string> = new Set(['cpu', 'memory'])

/** The amount of one quantity in the units of ResourceTotals. */
export function resourceAmount(resource: string, quantity: string | number): number {
  return resource === 'cpu' ? cpuToMillis(quantity) : quantityValue(quantity)
}

function add(into: ResourceTotals, from: ReadonlyMap<string, number>): void {
  for (const [name, amount] of from) into.set(name, (into.get(name) ?? 0) + amount)
}

function max(into: ResourceTotals, from: ReadonlyMap<string, number>): void {
  for (const [name, amount] of from) into.set(name, Math.max(into.get(name) ?? 0, amount))
}

function amounts(list: QuantityMap | undefined, where: () => string): ResourceTotals {
  const totals: ResourceTotals = new Map()
  for (const [name, quantity] of Object.entries(list ?? {})) {
    try {
      totals.set(name, resourceAmount(name, quantity))
    } catch (error) {
      if (!(error instanceof QuantityError)) throw error
      throw new KubeInventoryError('KUBE_OBJECT_INVALID', `${where()}.${name}: ${error.message}`, { cause: error })
    }
  }
  return totals
}

/**
 * A container's requests. The API server defaults a missing request to the limit of the same
 * resource (and extended resources must have request = limit), so a limit stands in for a
 * missing request: the same answer for objects that skipped defaulting (fixtures, fakes).
 */
function containerRequests(pod: V1Pod, container: V1Container, kind: string): ResourceTotals {
  const where = () => `pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''} ${kind} "${container.name}" resources`
  const limits = amounts(container.resources?.limits as QuantityMap | undefined, () => `${where()}.limits`)
  const requests = amounts(container.resources?.requests as QuantityMap | undefined, () => `${where()}.requests`)
  for (const [name, amount] of limits) if (!requests.has(name)) requests.set(name, amount)
  return requests
}

/**
 * The resources a pod holds on its node, by the rules of the scheduler and kubelet
 * (k8s.io/component-helpers/resource PodRequests):
 * - regular containers and sidecars (init containers with restartPolicy Always) add up;
 * - each other init container runs alone next to the sidecars started before it, so the pod
 *   needs the max of those and the steady state, per resource;
 * - pod-level `spec.resources.requests` (cpu, memory) replace the containers' sum;
 * - `spec.overhead` (RuntimeClass) is added.
 */
export function podRequests(pod: V1Pod): ResourceTotals {
  const spec = pod.spec
  const totals: ResourceTotals = new Map()
  if (!spec) return totals
  for (const container of spec.containers ?? []) add(totals, containerRequests(pod, container, 'container'))

  const sidecars: ResourceTotals = new Map()
  const initPeak: ResourceTotals = new Map()
  for (const container of spec.initContainers ?? []) {
    const requests = containerRequests(pod, container, 'init container')
    if (container.restartPolicy === 'Always') {
      add(totals, requests)
      add(sidecars, requests)
      max(initPeak, sidecars)
    } else {
      const running: ResourceTotals = new Map(requests)
      add(running, sidecars)
      max(initPeak, running)
    }
  }
  max(totals, initPeak)

  const podLevel = amounts(
    spec.resources?.requests as QuantityMap | undefined,
    () => `pod ${pod.metadata?.name ?? ''} spec.resources.requests`,
  )
  for (const [name, amount] of podLevel) if (POD_LEVEL_RESOURCES.has(name)) totals.set(name, amount)

  add(
    totals,
    amounts(spec.overhead as QuantityMap | undefined, () => `pod ${pod.metadata?.name ?? ''} spec.overhead`),
  )
  return totals
}

/** True for a pod placed on a node and not finished: it holds its requests there. */
export function holdsNodeResources(pod: V1Pod): boolean {
  return Boolean(pod.spec?.nodeName) && !TERMINATED_POD_PHASES.has(pod.status?.phase ?? '')
}

/** The requests of the pods that hold resources, summed per node name. */
export function requestsByNode(pods: Iterable<V1Pod>): Map<string, ResourceTotals> {
  const byNode = new Map<string, ResourceTotals>()
  for (const pod of pods) {
    if (!holdsNodeResources(pod)) continue
    const node = pod.spec?.nodeName ?? ''
    let totals = byNode.get(node)
    if (!totals) {
      totals = new Map()
      byNode.set(node, totals)
    }
    add(totals, podRequests(pod))
  }
  return byNode
}
