import type { Registry } from 'prom-client'
import type { Catalog } from './catalog'
import type { Config } from './config'
import type { ClusterAuthenticator } from './ledger/clusters'
import type { LedgerView } from './ledger/view'
import type { ControlPlaneMetrics } from './plugins/metrics'
import type { Store } from './store/open'

/** What routes need, built once by buildApp and injected (tests replace any of it). */
export interface AppServices {
  config: Config
  store: Store
  catalog: Catalog
  registry: Registry
  metrics: ControlPlaneMetrics
  authenticator: ClusterAuthenticator
  view: LedgerView
  now: () => number
}
