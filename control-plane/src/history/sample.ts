import type { LedgerCluster } from '../ledger/view'
import type { HistoryAcceleratorsTable, HistorySamplesTable } from '../store/schema'

export interface HistorySample {
  samples: HistorySamplesTable[]
  accelerators: HistoryAcceleratorsTable[]
}

/** Start of the step that contains `t` (epoch ms). */
export function bucketStart(t: number, stepSeconds: number): number {
  const step = stepSeconds * 1000
  return Math.floor(t / step) * step
}

/**
 * What the live ledger says of every current cluster at `ts`: one row per cluster and one per
 * (cluster, accelerator model). Stale and never-reported clusters are left out, as in the ledger's
 * current totals, so history and ledger agree on what "now" means.
 */
export function sampleClusters(clusters: Iterable<LedgerCluster>, ts: number, now: number, staleAfterMs: number): HistorySample {
  const samples: HistorySamplesTable[] = []
  const accelerators: HistoryAcceleratorsTable[] = []
  for (const c of clusters) {
    if (c.figures === null || c.lastReportAt === null || now - c.lastReportAt > staleAfterMs) continue
    const s = c.summary.row
    const f = c.figures
    samples.push({
      ts,
      cluster_id: c.id,
      cpu_alloc_millis: s.cpu_alloc_millis,
      cpu_req_millis: s.cpu_req_millis,
      cpu_used_millis: s.cpu_used_millis,
      cpu_used_alloc_millis: s.cpu_used_alloc_millis,
      mem_alloc_bytes: s.mem_alloc_bytes,
      mem_req_bytes: s.mem_req_bytes,
      acc_alloc: s.acc_alloc,
      acc_in_use: s.acc_in_use,
      acc_in_use_alloc: s.acc_in_use_alloc,
      it_power_kw: f.itPowerKw,
      pue: f.pue,
      green_share: f.greenShare,
      carbon_intensity: f.carbonIntensity,
    })
    // Rows are per (device class, host arch): one accelerator model may span several.
    const byModel = new Map<string, HistoryAcceleratorsTable>()
    for (const r of c.rows) {
      if (r.kind === 'CPU' || r.devices <= 0) continue
      const key = `${r.kind}\u0000${r.vendor}\u0000${r.model}`
      const a = byModel.get(key)
      if (a) {
        a.devices += r.devices
        a.acc_in_use += r.acc_in_use
        a.acc_in_use_alloc += r.acc_in_use_alloc
      } else {
        byModel.set(key, {
          ts,
          cluster_id: c.id,
          kind: r.kind,
          vendor: r.vendor,
          model: r.model,
          domestic: r.domestic,
          devices: r.devices,
          acc_in_use: r.acc_in_use,
          acc_in_use_alloc: r.acc_in_use_alloc,
        })
      }
    }
    for (const a of byModel.values()) accelerators.push(a)
  }
  return { samples, accelerators }
}
