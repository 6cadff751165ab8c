import { LEDGER_ROW_MEASURES } from '../store/migrations'
import type { Store } from '../store/open'
import type { ClusterRecord } from './clusters'
import type { LedgerRow } from './rows'

/** Site-level figures of a cluster's latest state (cluster_state without the inventory). */
export interface ClusterFigures {
  fullSequence: number
  fullReceivedAt: number
  usageSequence: number | null
  usageReceivedAt: number | null
  storageCapacityBytes: number
  storageUsedBytes: number | null
  itPowerKw: number | null
  pue: number | null
  greenShare: number | null
  carbonIntensity: number | null
}

/** One cluster as the ledger sees it: where it is, how fresh, and its rows. */
export interface LedgerCluster {
  id: string
  province: string
  city: string
  hub: string | null
  level: string
  platform: string
  site: string
  lastSequence: number | null
  lastReportAt: number | null
  figures: ClusterFigures | null
  rows: LedgerRow[]
  /** All rows summed, so site-level groupings touch one entry per cluster rather than every row. */
  summary: ClusterSummary
}

export interface ClusterSummary {
  row: LedgerRow
  accelerators: Record<string, number>
  virtualAccelerators: number
}

export function summarize(rows: LedgerRow[]): ClusterSummary {
  const row = { ...(rows[0] ?? EMPTY_ROW), row_key: '*', kind: '*' }
  const accelerators: Record<string, number> = {}
  let virtualAccelerators = 0
  for (const [i, r] of rows.entries()) {
    if (i > 0) for (const m of LEDGER_ROW_MEASURES) row[m] += r[m]
    if (r.kind !== 'CPU') {
      accelerators[r.kind] = (accelerators[r.kind] ?? 0) + r.devices
      virtualAccelerators += r.virtual_devices
    }
  }
  return { row, accelerators, virtualAccelerators }
}

const EMPTY_ROW: LedgerRow = {
  row_key: '*',
  kind: '*',
  vendor: '*',
  model: '*',
  arch: '*',
  domestic: 0,
  ...(Object.fromEntries(LEDGER_ROW_MEASURES.map((m) => [m, 0])) as Record<(typeof LEDGER_ROW_MEASURES)[number], number>),
}

export function ledgerClusterOf(record: ClusterRecord, figures: ClusterFigures | null, rows: LedgerRow[]): LedgerCluster {
  return {
    id: record.id,
    province: record.province,
    city: record.city,
    hub: record.hub,
    level: record.level,
    platform: record.platform,
    site: record.site,
    lastSequence: record.last_sequence,
    lastReportAt: record.last_report_at,
    figures,
    rows,
    summary: summarize(rows),
  }
}

/**
 * The ledger's working set in memory: a few rows per cluster (tens of thousands at the design point),
 * so any grouping is summed in milliseconds. The store stays the source of truth: this view is loaded
 * from it, updated after every committed report, and reloaded periodically so reports ingested by
 * another control-plane instance on the same PostgreSQL show up within the refresh interval.
 */
export class LedgerView {
  private clusters = new Map<string, LedgerCluster>()

  constructor(private readonly store: Store) {}

  all(): Iterable<LedgerCluster> {
    return this.clusters.values()
  }

  get(id: string): LedgerCluster | undefined {
    return this.clusters.get(id)
  }

  /** After a commit: replace what this cluster contributes, unless a later report already did. */
  put(cluster: LedgerCluster): void {
    const current = this.clusters.get(cluster.id)
    if (current && (current.lastSequence ?? -1) > (cluster.lastSequence ?? -1)) return
    this.clusters.set(cluster.id, cluster)
  }

  /** Reload from the store. A cluster updated here meanwhile keeps whichever state has the later sequence. */
  async load(): Promise<void> {
    const db = this.store.db
    const [records, states, rows] = await Promise.all([
      // A deleted cluster (two-person rule) keeps its row for its history, but is out of the ledger.
      db.selectFrom('clusters').selectAll().where('deleted_at', 'is', null).execute(),
      db
        .selectFrom('cluster_state')
        .select([
          'cluster_id',
          'full_sequence',
          'full_received_at',
          'usage_sequence',
          'usage_received_at',
          'storage_capacity_bytes',
          'storage_used_bytes',
          'it_power_kw',
          'pue',
          'green_share',
          'carbon_intensity',
        ])
        .execute(),
      db.selectFrom('ledger_rows').selectAll().execute(),
    ])
    const rowsByCluster = new Map<string, LedgerRow[]>()
    for (const { cluster_id, ...row } of rows) {
      let list = rowsByCluster.get(cluster_id)
      if (!list) {
        list = []
        rowsByCluster.set(cluster_id, list)
      }
      list.push(row)
    }
    const figuresByCluster = new Map<string, ClusterFigures>()
    for (const s of states) {
      figuresByCluster.set(s.cluster_id, {
        fullSequence: s.full_sequence,
        fullReceivedAt: s.full_received_at,
        usageSequence: s.usage_sequence,
        usageReceivedAt: s.usage_received_at,
        storageCapacityBytes: s.storage_capacity_bytes,
        storageUsedBytes: s.storage_used_bytes,
        itPowerKw: s.it_power_kw,
        pue: s.pue,
        greenShare: s.green_share,
        carbonIntensity: s.carbon_intensity,
      })
    }
    const next = new Map<string, LedgerCluster>()
    for (const record of records) {
      const loaded = ledgerClusterOf(record, figuresByCluster.get(record.id) ?? null, rowsByCluster.get(record.id) ?? [])
      const current = this.clusters.get(record.id)
      const newer = current && (current.lastSequence ?? -1) > (loaded.lastSequence ?? -1) ? current : loaded
      next.set(record.id, newer)
    }
    this.clusters = next
  }
}
