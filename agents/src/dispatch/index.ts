export {
  type BuildOptions,
  buildWorkloadObject,
  createWorkloadApi,
  DEFAULT_WORKLOAD_NAMESPACE,
  FIELD_MANAGER,
  type ManagedObject,
  type ObjectRef,
  objectDigest,
  TemplateError,
  WORKLOAD_KINDS,
  type WorkloadApi,
  type WorkloadKind,
  type WorkloadObject,
  workloadStatus,
} from './apply'
export {
  AssignmentClient,
  type AssignmentClientOptions,
  AssignmentPullError,
  type PulledAssignments,
  type StatusReportOutcome,
} from './client'
export {
  createDispatcher,
  DEFAULT_DISPATCH_INTERVAL_MS,
  type Dispatcher,
  type DispatcherOptions,
  type DispatchTimers,
  type SyncResult,
} from './dispatcher'
