export { FIRST_FIT, firstFitScheduler, KARMADA_LIKE, karmadaLikeScheduler } from './baselines'
export {
  type CapacityOptions,
  capacityFromLedger,
  clusterCapacity,
  DEFAULT_DEVICES_PER_NODE,
  DEFAULT_STALE_AFTER_MS,
  fallbackHistograms,
  type NodeDetail,
  nodeDetailFromInventory,
} from './capacity'
export {
  type AuditReport,
  type ClusterView,
  DEFAULT_WEIGHTS,
  ENGINE_POLICY,
  type PlacementPolicy,
  type ReservationView,
  Scheduler,
  type SchedulerEvent,
  type SchedulerOptions,
} from './engine'
export type { DepartmentQuota, KindLimit, QuotaConfig } from './quota'
export { EAST_WEST_PAIRING, LOCALITY_TIER, RegionModel } from './regions'
export * from './types'
