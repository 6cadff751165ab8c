import type { Registry } from 'prom-client'
import type { Config } from './config'
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
  now: () => number
}
