import type { V1CSIStorageCapacity, V1LabelSelector, V1PersistentVolume, V1StorageClass } from '@kubernetes/client-node'
import type { Storage } from '@suanpan/control-plane/schemas'
import { KubeInventoryError } from './errors'
import { bytes, QuantityError } from './quantity'

/** The entry for PersistentVolumes that name no storage class (static volumes with class ""). */
export const NO_STORAGE_CLASS = '(none)'

/** PV phases whose capacity counts: Bound (claimed, so also "used") and Available (free). */
const COUNTED_PV_PHASES: ReadonlySet<string> = new Set(['Bound', 'Available'])

/** The storage objects of a cluster, as listed from the API. */
export interface StorageObjects {
  storageClasses: readonly V1StorageClass[]
  persistentVolumes: readonly V1PersistentVolume[]
  /** Empty when storage.k8s.io/v1 CSIStorageCapacity is not served (before Kubernetes 1.24). */
  csiStorageCapacities: readonly V1CSIStorageCapacity[]
}

function read(what: string, quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined
  try {
    const value = bytes(quantity)
    if (value < 0) throw new QuantityError(quantity, 'a capacity cannot be negative')
    return value
  } catch (error) {
    if (!(error instanceof QuantityError)) throw error
    throw new KubeInventoryError('KUBE_OBJECT_INVALID', `${what}: ${error.message}`, { cause: error })
  }
}

function pvClass(pv: V1PersistentVolume): string {
  // Volumes from before storageClassName (Kubernetes < 1.6) carry the class as an annotation.
  return pv.spec?.storageClassName || pv.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] || NO_STORAGE_CLASS
}

/** A canonical text of a topology selector, so the same segment reported twice is counted once. */
function topologyKey(selector: V1LabelSelector | undefined): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const expressions = (selector?.matchExpressions ?? [])
    .map((e) => JSON.stringify([e.key, e.operator, [...(e.values ?? [])].sort()]))
    .sort()
  return JSON.stringify([labels, expressions])
}

/**
 * One entry per storage class, by this rule:
 * - capacityBytes = provisioned + free. Provisioned is the capacity of the class's
 *   PersistentVolumes that are Bound or Available (Released and Failed ones wait for an admin and
 *   are left out). Free is the sum of the class's CSIStorageCapacity objects, one per topology
 *   segment. A CSI driver reports there what is still available for *new* volumes (CSI
 *   GetCapacity: "available capacity"), i.e. after the existing volumes were carved out, so adding
 *   it to the PVs does not count anything twice. The same (class, segment) reported by two
 *   objects counts once, with the larger figure.
 * - usedBytes = capacity of the Bound PVs: space claimed by PVCs, not bytes written.
 * - PVs and capacities naming a class that has no StorageClass object (deleted, or static
 *   volumes) keep their own entry, without a provisioner; PVs with no class at all are reported
 *   under NO_STORAGE_CLASS, so no capacity is dropped.
 *
 * Caveat: two classes backed by one pool (same driver, different parameters) both report that
 * pool's free space; per class this is right, but summing classes overstates the free space.
 */
export function summarizeStorage(objects: StorageObjects): Storage[] {
  const entries = new Map<string, { provisioner?: string; provisioned: number; used: number; free: Map<string, number> }>()
  const entry = (name: string) => {
    let found = entries.get(name)
    if (!found) {
      found = { provisioned: 0, used: 0, free: new Map() }
      entries.set(name, found)
    }
    return found
  }

  for (const sc of objects.storageClasses) {
    const name = sc.metadata?.name
    if (!name) continue
    entry(name).provisioner = sc.provisioner
  }

  for (const pv of objects.persistentVolumes) {
    const phase = pv.status?.phase ?? ''
    if (!COUNTED_PV_PHASES.has(phase)) continue
    const size = read(`PersistentVolume "${pv.metadata?.name ?? ''}" spec.capacity.storage`, pv.spec?.capacity?.storage) ?? 0
    const target = entry(pvClass(pv))
    target.provisioned += size
    if (phase === 'Bound') target.used += size
  }

  for (const csc of objects.csiStorageCapacities) {
    if (!csc.storageClassName) continue
    const what = `CSIStorageCapacity ${csc.metadata?.namespace ?? ''}/${csc.metadata?.name ?? ''} capacity`
    // No capacity field means the driver does not know: nothing to add.
    const free = read(what, csc.capacity)
    if (free === undefined) continue
    const segments = entry(csc.storageClassName).free
    const key = topologyKey(csc.nodeTopology)
    segments.set(key, Math.max(segments.get(key) ?? 0, free))
  }

  return [...entries.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, e]) => ({
      class: name,
      ...(e.provisioner ? { provisioner: e.provisioner } : {}),
      capacityBytes: e.provisioned + [...e.free.values()].reduce((sum, free) => sum + free, 0),
      usedBytes: e.used,
    }))
}
