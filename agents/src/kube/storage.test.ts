import type { V1CSIStorageCapacity, V1PersistentVolume } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { KubeInventoryError } from './errors'
import { NO_STORAGE_CLASS, summarizeStorage } from './storage'

const Gi = 2 ** 30

function pv(storageClassName: string | undefined, storage: string, phase: string, annotation?: string): V1PersistentVolume {
  return {
    metadata: { name: `pv-${phase}`, ...(annotation ? { annotations: { 'volume.beta.kubernetes.io/storage-class': annotation } } : {}) },
    spec: { capacity: { storage }, ...(storageClassName ? { storageClassName } : {}) },
    status: { phase },
  }
}

function capacity(storageClassName: string, value: string | undefined, host: string): V1CSIStorageCapacity {
  return {
    metadata: { name: `csisc-${host}`, namespace: 'ns' },
    storageClassName,
    ...(value ? { capacity: value } : {}),
    nodeTopology: { matchLabels: { 'kubernetes.io/hostname': host, 'topology.example.com/zone': 'a' } },
  }
}

describe('summarizeStorage', () => {
  it('adds Bound and Available PVs to the free space CSIStorageCapacity reports; used is the Bound part', () => {
    const storage = summarizeStorage({
      storageClasses: [{ metadata: { name: 'fast' }, provisioner: 'csi.example.com' }],
      persistentVolumes: [
        pv('fast', '10Gi', 'Bound'),
        pv('fast', '20Gi', 'Available'),
        pv('fast', '40Gi', 'Released'),
        pv('fast', '80Gi', 'Failed'),
      ],
      csiStorageCapacities: [capacity('fast', '100Gi', 'a'), capacity('fast', '50Gi', 'b'), capacity('fast', undefined, 'c')],
    })
    expect(storage).toEqual([{ class: 'fast', provisioner: 'csi.example.com', capacityBytes: 180 * Gi, usedBytes: 10 * Gi }])
  })

  it('counts one topology segment once even when two objects report it (labels in any order), with the larger figure', () => {
    const twin: V1CSIStorageCapacity = {
      ...capacity('fast', '60Gi', 'a'),
      metadata: { name: 'twin', namespace: 'other' },
      nodeTopology: { matchLabels: { 'topology.example.com/zone': 'a', 'kubernetes.io/hostname': 'a' } },
    }
    const storage = summarizeStorage({
      storageClasses: [],
      persistentVolumes: [],
      csiStorageCapacities: [capacity('fast', '100Gi', 'a'), twin],
    })
    expect(storage).toEqual([{ class: 'fast', capacityBytes: 100 * Gi, usedBytes: 0 }])
  })

  it('keeps classes without a StorageClass object, reads the beta annotation, and files class-less PVs under (none)', () => {
    const storage = summarizeStorage({
      storageClasses: [{ metadata: { name: 'empty' }, provisioner: 'kubernetes.io/no-provisioner' }],
      persistentVolumes: [pv('deleted-class', '1Gi', 'Bound'), pv(undefined, '2Gi', 'Bound', 'legacy'), pv(undefined, '3Gi', 'Available')],
      csiStorageCapacities: [],
    })
    expect(storage).toEqual([
      { class: NO_STORAGE_CLASS, capacityBytes: 3 * Gi, usedBytes: 0 },
      { class: 'deleted-class', capacityBytes: 1 * Gi, usedBytes: 1 * Gi },
      { class: 'empty', provisioner: 'kubernetes.io/no-provisioner', capacityBytes: 0, usedBytes: 0 },
      { class: 'legacy', capacityBytes: 2 * Gi, usedBytes: 2 * Gi },
    ])
  })

  it('names the object of a malformed capacity', () => {
    expect(() =>
      summarizeStorage({ storageClasses: [], persistentVolumes: [], csiStorageCapacities: [capacity('fast', 'lots', 'a')] }),
    ).toThrow(KubeInventoryError)
    expect(() => summarizeStorage({ storageClasses: [], persistentVolumes: [pv('x', '-1Gi', 'Bound')], csiStorageCapacities: [] })).toThrow(
      /PersistentVolume "pv-Bound" spec.capacity.storage: .*cannot be negative/,
    )
  })
})
