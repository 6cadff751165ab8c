import type { Catalog } from '../catalog'
import { defaultPlatform } from '../ledger/clusters'
import { applyUsage } from '../ledger/inventory'
import { decodeInventory } from '../ledger/inventory-codec'
import { prepareFull } from '../ledger/prepare'
import { ledgerRows } from '../ledger/rows'
import { type LedgerCluster, summarize } from '../ledger/view'
import type { FullReport, UsageReport } from '../schemas'
import { type HistorySample, sampleClusters } from './sample'

/**
 * History a cluster would have recorded: its full report, then each usage report applied in turn and
 * sampled at that report's step, through the same classification and row building as live ingest.
 * For history that predates the control plane (an import, or the demo's simulated day); the ledger's
 * current state is not touched.
 */
export function replayHistory(catalog: Catalog, full: FullReport, usages: Iterable<{ ts: number; report: UsageReport }>): HistorySample {
  const prepared = prepareFull(full, catalog)
  const inventory = decodeInventory(prepared.inventoryText)
  const out: HistorySample = { samples: [], accelerators: [] }
  const id = full.cluster
  for (const { ts, report } of usages) {
    applyUsage(inventory, report)
    const rows = ledgerRows(inventory)
    const cluster: LedgerCluster = {
      id: id.clusterId,
      province: id.province,
      city: id.city,
      hub: id.hub ?? null,
      level: id.level,
      platform: defaultPlatform(id),
      site: id.site,
      lastSequence: report.sequence,
      lastReportAt: ts,
      figures: {
        fullSequence: prepared.sequence,
        fullReceivedAt: ts,
        usageSequence: report.sequence,
        usageReceivedAt: ts,
        storageCapacityBytes: prepared.storageCapacityBytes,
        storageUsedBytes: prepared.storageUsedBytes,
        itPowerKw: report.energy?.itPowerKw ?? prepared.itPowerKw,
        pue: report.energy?.pue ?? prepared.pue,
        greenShare: report.energy?.greenShare ?? prepared.greenShare,
        carbonIntensity: prepared.carbonIntensity,
      },
      rows,
      summary: summarize(rows),
    }
    const s = sampleClusters([cluster], ts, ts, Number.POSITIVE_INFINITY)
    out.samples.push(...s.samples)
    out.accelerators.push(...s.accelerators)
  }
  return out
}
