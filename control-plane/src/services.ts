import type { Registry } from 'prom-client'
import type { ApprovalService } from './access/approvals'
import type { RouteAccess } from './access/roles'
import type { AccessControl } from './access/service'
import type { AuditTrail } from './audit/chain'
import type { Catalog } from './catalog'
import type { CensusStore } from './census/store'
import type { Config } from './config'
import type { DrillService } from './dr/service'
import type { HistoryStore, VictoriaHistory } from './history'
import type { ClusterAuthenticator } from './ledger/clusters'
import type { Preparer } from './ledger/prepare-pool'
import type { LedgerView } from './ledger/view'
import type { ControlPlaneMetrics } from './plugins/metrics'
import type { JobScheduler, MonthlyJob } from './schedule/jobs'
import type { CensusRequest, CensusSummary, Evaluation } from './schemas'
import type { Store } from './store/open'
import type { WorkloadService } from './workloads/service'

/** What routes need, built once by buildApp and injected (tests replace any of it). */
export interface AppServices {
  /** Accounts, tokens, sessions and the per-route guard (regional roles). */
  access: AccessControl
  /** Every route with what it declared it needs (filled as routes register; the access-control test walks it). */
  routes: { method: string; url: string; access: RouteAccess }[]
  config: Config
  store: Store
  registry: Registry
  metrics: ControlPlaneMetrics
  authenticator: ClusterAuthenticator
  view: LedgerView
  preparer: Preparer
  history: HistoryStore
  /** History in VictoriaMetrics when VM_URL is set. */
  vm: VictoriaHistory | null
  censuses: CensusStore
  audit: AuditTrail
  /**
   * The two-person rule (SUANPAN_TWO_PERSON_RULE): `define` an action, then `require` it from a route — it runs now,
   * or waits (202) for a second person's approval. Cluster deletion uses it; the drills API is to wire
   * `drills:remote-takeover` and `drills:failover` the same way.
   */
  approvals: ApprovalService
  /** Freeze the ledger now into the next numbered census. */
  createCensus(request: CensusRequest): Promise<CensusSummary>
  /** The evaluation now (idle, stranded, over-target, unclassified, stale), without freezing a census. */
  evaluate(options: { idleThreshold?: number; idleHours?: number }): Promise<Evaluation>
  /** Workloads (统一调度): the placement engine, its store and dispatch to agents. */
  workloads: WorkloadService
  /** Failover drills on the DR lab (config.drLabDir): runs, reports, progress and schedules. */
  drills: DrillService
  scheduler: JobScheduler
  /** The monthly census job, when scheduled. */
  censusJob: MonthlyJob | null
  /** The device catalog on the main thread (loaded on first use) and its version digest. */
  catalog(): { catalog: Catalog; version: string }
  /** Sample the live ledger into history now (the timer calls it every step). */
  recordHistory(): Promise<void>
  now: () => number
}
