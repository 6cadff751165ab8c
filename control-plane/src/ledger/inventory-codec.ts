import type { Storage } from '../schemas'
import type { Inventory, InventoryAccelerator, InventoryNode } from './inventory'

/** What cluster_state.inventory holds: the classified inventory plus the storage classes of the last full report. */
export interface StoredInventory extends Inventory {
  storage: Storage[]
}

type EncodedAccelerator = [
  cls: number,
  resource: string,
  devices: number,
  allocatable: number,
  inUse: number | null,
  factor: number,
  virtual: 0 | 1,
]
type EncodedNode = [
  name: string,
  cls: number,
  cores: number,
  memoryBytes: number,
  fp64: number | null,
  fp32: number | null,
  allocCpu: number,
  allocMem: number,
  reqCpu: number,
  reqMem: number,
  usedCpu: number | null,
  usedMem: number | null,
  acc: EncodedAccelerator[],
]

interface Encoded {
  v: 1
  classes: Inventory['classes']
  nodes: EncodedNode[]
  storage: Storage[]
}

/**
 * Positional arrays instead of objects: the inventory of every cluster is rewritten on every report,
 * so its size is most of the store's write volume (about a third of the object form).
 */
export function encodeInventory(inventory: Inventory, storage: Storage[]): string {
  const nodes: EncodedNode[] = inventory.nodes.map((n) => [
    n.name,
    n.cls,
    n.cores,
    n.memoryBytes,
    n.figures.fp64,
    n.figures.fp32,
    n.alloc[0],
    n.alloc[1],
    n.req[0],
    n.req[1],
    n.used ? n.used[0] : null,
    n.used ? n.used[1] : null,
    n.acc.map((a) => [a.cls, a.resource, a.devices, a.allocatable, a.inUse, a.factor, a.virtual ? 1 : 0]),
  ])
  const encoded: Encoded = { v: 1, classes: inventory.classes, nodes, storage }
  return JSON.stringify(encoded)
}

export function decodeInventory(text: string): StoredInventory {
  const encoded = JSON.parse(text) as Encoded
  const nodes: InventoryNode[] = encoded.nodes.map((n) => ({
    name: n[0],
    cls: n[1],
    cores: n[2],
    memoryBytes: n[3],
    figures: { fp64: n[4], fp32: n[5], fp16Dense: null, int8Dense: null },
    alloc: [n[6], n[7]],
    req: [n[8], n[9]],
    used: n[10] === null || n[11] === null ? null : [n[10], n[11]],
    acc: n[12].map(
      (a): InventoryAccelerator => ({
        cls: a[0],
        resource: a[1],
        devices: a[2],
        allocatable: a[3],
        inUse: a[4],
        factor: a[5],
        virtual: a[6] === 1,
      }),
    ),
  }))
  return { classes: encoded.classes, nodes, storage: encoded.storage }
}
