import { fullReport, type SimCluster, usageReport } from '@suanpan/agents'
import { type App, bucketStart, type Config, type HistorySample, loadCatalog, replayHistory } from '@suanpan/control-plane'

/**
 * The demo's past: what each simulated cluster's usage reports would have said at every history step
 * of the last `hours`, replayed through the ledger's own classification into the history tables. Only
 * for the simulated fleet; real clusters' history starts when they first report.
 */
export async function fillSimulatedHistory(
  services: App['services'],
  config: Config,
  clusters: readonly SimCluster[],
  hours: number,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<void> {
  const catalog = loadCatalog(config.catalogFile ? { userFile: config.catalogFile } : {})
  const stepMs = config.historyStepSeconds * 1000
  const end = bucketStart(Date.now(), config.historyStepSeconds)
  const begin = end - hours * 3_600_000
  const batch = 25
  for (let i = 0; i < clusters.length; i += batch) {
    const sample: HistorySample = { samples: [], accelerators: [] }
    for (const c of clusters.slice(i, i + batch)) {
      const usages = function* () {
        let seq = 2
        for (let ts = begin; ts < end; ts += stepMs) yield { ts, report: usageReport(c, seq++, ts) }
      }
      const replayed = replayHistory(catalog, fullReport(c, 1, begin), usages())
      sample.samples.push(...replayed.samples)
      sample.accelerators.push(...replayed.accelerators)
    }
    await services.history.record(sample)
    onProgress(Math.min(clusters.length, i + batch), clusters.length)
  }
  await services.history.rollUpPending()
}
