import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { LedgerResponse } from '../schemas'

export interface ControlPlaneMetrics {
  reports: Counter<'kind' | 'outcome'>
  ingestSeconds: Histogram<'kind'>
}

/**
 * Own registry (injected), bounded labels: ledger gauges are per province (32) x kind (6), filled
 * from one ledger query at scrape time.
 */
export function createMetrics(registry: Registry, ledger: () => Promise<LedgerResponse>): ControlPlaneMetrics {
  const reports = new Counter({
    name: 'suanpan_reports_ingested_total',
    help: 'Reports received, by kind (full, usage) and outcome (accepted, replay, ignored_older, rejected)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  })
  const ingestSeconds = new Histogram({
    name: 'suanpan_report_ingest_duration_seconds',
    help: 'Time to validate, classify and store one report',
    labelNames: ['kind'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  const labelNames = ['province', 'kind'] as const
  const common = { registers: [registry], collect: () => refresh() }
  const devices = new Gauge({ name: 'suanpan_ledger_devices', help: 'Devices in the current ledger (CPU: nodes)', labelNames, ...common })
  const fp32 = new Gauge({ name: 'suanpan_ledger_fp32_flops', help: 'Peak FP32 compute, FLOP/s', labelNames, ...common })
  const fp16 = new Gauge({ name: 'suanpan_ledger_fp16_dense_flops', help: 'Dense FP16 compute, FLOP/s', labelNames, ...common })
  const stale = new Gauge({ name: 'suanpan_clusters_stale', help: 'Registered clusters with no report for 3 intervals', ...common })
  const missing = new Gauge({ name: 'suanpan_clusters_missing', help: 'Registered clusters that never reported', ...common })
  const current = new Gauge({ name: 'suanpan_clusters_reporting', help: 'Clusters in the current ledger', ...common })
  // One query feeds all ledger gauges; prom-client calls collect() per metric, so share the promise.
  let pending: Promise<void> | null = null
  function refresh(): Promise<void> {
    pending ??= ledger()
      .then((l) => {
        for (const g of [devices, fp32, fp16]) g.reset()
        for (const group of l.groups) {
          const key = { province: group.key.province ?? 'unknown', kind: group.key.kind ?? 'unknown' }
          devices.set(key, group.devices)
          fp32.set(key, group.compute.fp32Pflops * 1e15)
          fp16.set(key, group.compute.fp16DensePflops * 1e15)
        }
        stale.set(l.stale.length)
        missing.set(l.missing.length)
        current.set(l.total.clusters)
      })
      .finally(() => {
        setImmediate(() => {
          pending = null
        })
      })
    return pending
  }
  return { reports, ingestSeconds }
}
