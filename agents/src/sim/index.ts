export type { ClusterRole, SimCluster, SimNode, SimPool, SimStorageClass } from './cluster-types'
export { parseCsv, parseCsvRecords } from './csv'
export { apportion, createFleet, DEFAULT_NODES_PER_CLUSTER, type FleetOptions, provinceWeight } from './fleet'
export { asciiJson } from './report-json'
export { fullReport, fullReportJson, SIM_AGENT_VERSION, usageReport, usageReportJson } from './reports'
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_FULL_INTERVAL_MS,
  DEFAULT_USAGE_INTERVAL_MS,
  type FleetProgress,
  type FleetRunner,
  type FleetRunnerOptions,
  type FleetStats,
  type SimReportClient,
  startFleet,
} from './runner'
