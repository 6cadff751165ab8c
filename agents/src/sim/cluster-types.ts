import type { ClusterIdentity, ResourceAmounts } from '@suanpan/control-plane/schemas'
import type { SiteEnergy } from './energy'
import type { LoadProfile } from './load'
import type { Workload } from './profiles'

/** One hardware type in a cluster; every node of a pool has the same inventory. */
export interface SimPool {
  /** Profile id, also the node-name prefix (unique within the cluster). */
  id: string
  arch: string
  cpu: { cores: number; vendor: string; model: string; ghz: number }
  memoryBytes: number
  labels: Readonly<Record<string, string>>
  allocatable: ResourceAmounts
  accelerator?: {
    resource: string
    count: number
    catalogModel?: string
    /** Draw per advertised device at full load (catalog TDP x fraction). */
    wattsPerDevice: number
    domestic: boolean
  }
  workload: Workload
  domesticCpu: boolean
  idleKw: number
  peakKw: number
}

export interface SimNode {
  name: string
  /** Index into `SimCluster.pools`. */
  pool: number
  /** Multiplier on the cluster's CPU level (hot and cold nodes). */
  load: number
  /** Multiplier on memory use. */
  memoryLoad: number
  /** Devices out of service: allocatable = count - unhealthy. */
  unhealthy: number
  ready: boolean
  /** Per-node noise seed. */
  seed: number
}

export interface SimStorageClass {
  class: string
  provisioner: string
  capacityBytes: number
  /** Used share at fleet creation. */
  fill: number
  /** Used share added per day (data only grows), capped below full. */
  growthPerDay: number
}

/** What the cluster is for; decides its node mix. */
export type ClusterRole = 'general' | 'ai' | 'vdi'

/** A simulated cluster: identity, inventory, load and site energy. Plain data, fixed by the fleet seed. */
export interface SimCluster {
  index: number
  seed: number
  identity: ClusterIdentity
  role: ClusterRole
  /** Chronically idle: CPU use stays under 15 %. */
  idle: boolean
  pools: SimPool[]
  nodes: SimNode[]
  storage: SimStorageClass[]
  energy: SiteEnergy
  load: LoadProfile
}
