/** Registration and liveness of a cluster. Times are epoch milliseconds. */
export interface ClustersTable {
  id: string
  platform: string
  site: string
  site_name: string | null
  province: string
  city: string
  city_code: string | null
  level: string
  ministry: string | null
  hub: string | null
  token_hash: string
  /** The token before the last rotation, valid until previous_token_expires_at (ms). */
  previous_token_hash: string | null
  previous_token_expires_at: number | null
  registered_at: number
  last_sequence: number | null
  last_report_at: number | null
  /** When the cluster was deleted (two-person rule); the row stays for its history's location. Null: registered. */
  deleted_at: number | null
}

/** Answers already given, so a replay of (cluster, sequence) returns the same one. Pruned by age. */
export interface ReportLogTable {
  cluster_id: string
  sequence: number
  kind: string
  received_at: number
  ack: string
}

/** The latest derived state of a cluster: its compact node inventory and site-level figures. */
export interface ClusterStateTable {
  cluster_id: string
  full_sequence: number
  full_received_at: number
  usage_sequence: number | null
  usage_received_at: number | null
  report_timestamp: number
  node_count: number
  inventory: string
  storage_capacity_bytes: number
  storage_used_bytes: number | null
  it_power_kw: number | null
  pue: number | null
  green_share: number | null
  carbon_intensity: number | null
}

/** One row per (cluster, device class): the unit the ledger sums. */
export interface LedgerRowsTable {
  cluster_id: string
  row_key: string
  kind: string
  vendor: string
  model: string
  arch: string
  domestic: number
  nodes: number
  devices: number
  virtual_devices: number
  cpu_cores: number
  memory_bytes: number
  fp64_tflops: number
  fp32_tflops: number
  fp16_tflops: number
  int8_tops: number
  fp64_missing: number
  fp32_missing: number
  fp16_missing: number
  int8_missing: number
  cpu_alloc_millis: number
  cpu_req_millis: number
  cpu_used_millis: number
  cpu_used_alloc_millis: number
  mem_alloc_bytes: number
  mem_req_bytes: number
  mem_used_bytes: number
  mem_used_alloc_bytes: number
  acc_alloc: number
  acc_in_use: number
  acc_in_use_alloc: number
  acc_stranded: number
}

/** One sample of a cluster's utilization and energy, every history step (ts = step start, epoch ms). */
export interface HistorySamplesTable {
  ts: number
  cluster_id: string
  cpu_alloc_millis: number
  cpu_req_millis: number
  cpu_used_millis: number
  cpu_used_alloc_millis: number
  mem_alloc_bytes: number
  mem_req_bytes: number
  acc_alloc: number
  acc_in_use: number
  acc_in_use_alloc: number
  it_power_kw: number | null
  pue: number | null
  green_share: number | null
  carbon_intensity: number | null
}

/** Accelerators of a cluster per model at a history sample. */
export interface HistoryAcceleratorsTable {
  ts: number
  cluster_id: string
  kind: string
  vendor: string
  model: string
  domestic: number
  devices: number
  acc_in_use: number
  acc_in_use_alloc: number
}

/** Sums of the samples at one step by one location dimension (history/rollups.ts); dim '' = national. */
export interface HistoryRollupsTable {
  ts: number
  dim: string
  value: string
  clusters: number
  cpu_alloc: number
  cpu_req: number
  cpu_used: number
  cpu_used_alloc: number
  mem_alloc: number
  mem_req: number
  acc_in_use: number
  acc_in_use_alloc: number
  it: number | null
  facility: number | null
  green_it: number | null
  green: number | null
  carbon_it: number | null
  carbon: number | null
}

/** National sums of the accelerator samples at one step per model. */
export interface HistoryAcceleratorRollupsTable {
  ts: number
  kind: string
  vendor: string
  model: string
  domestic: number
  devices: number
  acc_in_use: number
  acc_in_use_alloc: number
}

/** A frozen census: the document as served, its digest, and the summary the list shows. */
export interface CensusesTable {
  id: number
  period: string
  created_at: number
  digest: string
  summary: string
  document: string
}

/** Runs of scheduled jobs; the row for slot '(installed)' records when the job was first scheduled. */
export interface ScheduledRunsTable {
  job: string
  slot: string
  claimed_at: number
  claimed_by: string
  finished_at: number | null
  outcome: string | null
  detail: string | null
}

/** The audit trail: who did what, when, with what outcome; `hash` chains every record to the one before. */
export interface AuditLogTable {
  seq: number
  at: number
  actor: string
  action: string
  target: string
  scope: string
  outcome: string
  status: number
  request_id: string
  detail: string
  prev_hash: string
  hash: string
}

/** Submitted workloads (统一调度); `spec` is the submitted JSON, `explanation` the last decision's, `decisions` a short log. */
export interface WorkloadsTable {
  id: string
  name: string | null
  department: string
  owner_region: string
  priority: number
  replicas: number
  mode: string
  acc_kind: string | null
  acc_per_replica: number
  spec: string
  state: string
  reason: string | null
  message: string | null
  submitted_at: number
  decided_at: number | null
  updated_at: number
  explanation: string | null
  decisions: string
}

/** A workload's share on one cluster: what its agent applies and the state it reports. */
export interface WorkloadAssignmentsTable {
  workload_id: string
  cluster_id: string
  replicas: number
  devices: number
  class_key: string | null
  model: string | null
  fp16_tflops: number
  state: string
  message: string | null
  ready_replicas: number | null
  assigned_at: number
  updated_at: number
}

export interface UsersTable {
  username: string
  password_hash: string
  role: string
  /** `national`, a province code, or `ministry:<name>`. */
  scope: string
  created_at: number
  disabled_at: number | null
}

export interface UserTokensTable {
  token_hash: string
  username: string
  /** `api` (bearer) or `session` (console cookie). */
  kind: string
  csrf_hash: string | null
  created_at: number
  expires_at: number
  revoked_at: number | null
}

/** A high-risk action waiting for, or decided by, a second person (two-person rule; migration 0011). */
export interface ApprovalRequestsTable {
  id: string
  /** `clusters:delete`, `drills:remote-takeover`, `drills:failover`. */
  action: string
  /** What it acts on: a cluster id, a drill scenario. */
  target: string
  /** The target's region: a province code, or `national`. */
  scope: string
  /** JSON: what the action is run with once approved. */
  params: string
  requested_by: string
  requested_at: number
  /** pending | approved (running) | rejected | expired | executed | failed; a pending row past expires_at reads as expired. */
  status: string
  decided_by: string | null
  decided_at: number | null
  reason: string | null
  expires_at: number
  executed_at: number | null
  /** JSON: what the action returned, or `{ error: { code, message } }`. */
  result: string | null
}

/**
 * One failover drill: run now (`manual`), at a schedule's due time (`scheduled`) or from the CLI (`cli`). Status:
 * `queued` (claimed, not started) → `running` → the verdict (`pass`, `fail`, `aborted`, `skipped`); `missed` for a
 * due time that passed while no control plane was running (recorded, never run late). Times are epoch ms.
 */
export interface DrillRunsTable {
  id: string
  scenario: string
  trigger: string
  status: string
  /** The schedule and due time of a scheduled run; unique together (the claim). */
  schedule_id: string | null
  scheduled_for: number | null
  created_at: number
  started_at: number | null
  finished_at: number | null
  verdict: string | null
  rto_seconds: number | null
  /** Acknowledged writes missing after the fault. */
  rpo_writes: number | null
  /** The GB/T 20988 level the measurements permit. */
  level: number | null
  /** The report's own id (its file name in the lab's reports/). */
  report_id: string | null
  /** The drill report JSON. */
  report: string | null
  /** Why a run was skipped, missed, aborted or failed without a report. */
  detail: string | null
  /** The principal that asked for it (a scheduled run: the schedule's creator). */
  requested_by: string
  /** The control-plane instance (`host:pid`) that claimed it. */
  claimed_by: string
}

/** A drill schedule: a scenario and a 5-field cron expression in Beijing time (`timezone` is always Asia/Shanghai). */
export interface DrillSchedulesTable {
  id: string
  scenario: string
  cron: string
  timezone: string
  enabled: number
  created_by: string
  created_at: number
}

export interface Database {
  clusters: ClustersTable
  report_log: ReportLogTable
  cluster_state: ClusterStateTable
  ledger_rows: LedgerRowsTable
  history_samples: HistorySamplesTable
  history_accelerators: HistoryAcceleratorsTable
  history_rollups: HistoryRollupsTable
  history_accelerator_rollups: HistoryAcceleratorRollupsTable
  censuses: CensusesTable
  scheduled_runs: ScheduledRunsTable
  audit_log: AuditLogTable
  workloads: WorkloadsTable
  workload_assignments: WorkloadAssignmentsTable
  users: UsersTable
  user_tokens: UserTokensTable
  drill_runs: DrillRunsTable
  drill_schedules: DrillSchedulesTable
  approval_requests: ApprovalRequestsTable
}
