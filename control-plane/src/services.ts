import type { Registry } from 'prom-client'
import type { Config } from './config'
import type { HistoryStore } from './history'
import type { ClusterAuthenticator } from './ledger/clusters'
import type { Preparer } from './ledger/prepare-pool'
import type { LedgerView } from './ledger/view'
import type { ControlPlaneMetrics } from './plugins/metrics'
import type { Store } from './store/open'

/** What routes need, built once by buildApp and injected (tests replace any of it). */
export interface AppServices {
  config: Config
  store: Store
  registry: Registry
  metrics: ControlPlaneMetrics
  authenticator: ClusterAuthenticator
  view: LedgerView
  preparer: Preparer
  history: HistoryStore
  /** Sample the live ledger into history now (the timer calls it every step). */
  recordHistory(): Promise<void>
  now: () => number
}
