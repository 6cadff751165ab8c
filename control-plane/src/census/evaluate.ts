import { MAX_GROUP_LIMIT, queryLedger } from '../ledger/query'
import type { LedgerView } from '../ledger/view'
import type { IdleResponse, LedgerResponse, Recommendation } from '../schemas'

/** How many findings of one kind are listed at most (the largest first); the census keeps the counts. */
const PER_CODE = 50

export interface EvaluationInputs {
  view: LedgerView
  now: number
  staleAfterMs: number
  idle: IdleResponse
  pueTargets: { site: string; hub: string | null; target: number; pue: number | null }[]
  unclassified: { resource: string; devices: number; clusters: number }[]
  stale: LedgerResponse['stale']
  /** Workload shares holding capacity (reserved or applied) without running, past the threshold. */
  heldReservations: HeldReservation[]
}

export interface HeldReservation {
  workloadId: string
  clusterId: string
  province: string | null
  department: string
  state: string
  replicas: number
  devices: number
  hours: number
}

/**
 * The evaluation (云资源分析评估): what is idle, stranded, inefficient or unaccounted for, each with the
 * figures that justify it. Severity: high when a finding holds accelerators or a large share of a site,
 * medium otherwise; data-quality findings are low.
 */
export function evaluate(inputs: EvaluationInputs): Recommendation[] {
  const out: Recommendation[] = []
  const top = <T>(items: T[], weight: (t: T) => number) => [...items].sort((a, b) => weight(b) - weight(a)).slice(0, PER_CODE)

  for (const c of top(inputs.idle.clusters, (c) => c.idleFp16DensePflops * 1e6 + c.idleCpuCores)) {
    out.push({
      code: 'idle-cluster',
      severity: c.idleAccelerators > 0 || c.idleCpuCores >= 1_000 ? 'high' : 'medium',
      subject: c.clusterId,
      province: c.province,
      figures: {
        peak: c.peak,
        hours: inputs.idle.hours,
        idleCpuCores: c.idleCpuCores,
        idleAccelerators: c.idleAccelerators,
        idleFp16DensePflops: c.idleFp16DensePflops,
      },
    })
  }

  // A site is idle when every one of its fresh clusters is (a site with one busy cluster is not).
  const idleBySite = new Map<string, typeof inputs.idle.clusters>()
  for (const c of inputs.idle.clusters) idleBySite.set(c.site, [...(idleBySite.get(c.site) ?? []), c])
  const freshBySite = new Map<string, number>()
  for (const c of inputs.view.all()) {
    if (c.lastReportAt === null || inputs.now - c.lastReportAt > inputs.staleAfterMs) continue
    freshBySite.set(c.site, (freshBySite.get(c.site) ?? 0) + 1)
  }
  const idleSites = [...idleBySite].filter(([site, list]) => list.length === freshBySite.get(site))
  const sum = (list: typeof inputs.idle.clusters, f: (c: (typeof list)[number]) => number) => list.reduce((a, c) => a + f(c), 0)
  for (const [site, list] of top(idleSites, ([, l]) => sum(l, (c) => c.idleFp16DensePflops) * 1e6 + sum(l, (c) => c.idleCpuCores))) {
    const accelerators = sum(list, (c) => c.idleAccelerators)
    const cores = sum(list, (c) => c.idleCpuCores)
    out.push({
      code: 'idle-site',
      severity: accelerators > 0 || cores >= 1_000 ? 'high' : 'medium',
      subject: site,
      province: list[0]?.province ?? null,
      figures: {
        clusters: list.length,
        hours: inputs.idle.hours,
        peak: Math.max(...list.map((c) => c.peak)),
        idleCpuCores: cores,
        idleAccelerators: accelerators,
        idleFp16DensePflops: sum(list, (c) => c.idleFp16DensePflops),
      },
    })
  }

  const byCluster = queryLedger(inputs.view, {
    groupBy: ['cluster', 'province'],
    filters: {},
    lineage: false,
    limit: MAX_GROUP_LIMIT,
    offset: 0,
    now: inputs.now,
    staleAfterMs: inputs.staleAfterMs,
  })
  const stranded = byCluster.groups.filter((g) => g.strandedAccelerators > 0)
  for (const g of top(stranded, (g) => g.strandedAccelerators)) {
    const total = Object.values(g.accelerators).reduce((a, b) => a + b, 0)
    out.push({
      code: 'stranded-accelerators',
      severity: g.strandedAccelerators >= 8 ? 'high' : 'medium',
      subject: g.key.cluster ?? '',
      province: g.key.province ?? null,
      figures: { strandedAccelerators: g.strandedAccelerators, accelerators: total },
    })
  }

  const over = inputs.pueTargets.filter((p) => p.pue !== null && p.pue > p.target)
  for (const p of top(over, (p) => (p.pue ?? 0) - p.target)) {
    out.push({
      code: 'pue-over-target',
      severity: (p.pue ?? 0) - p.target >= 0.2 ? 'high' : 'medium',
      subject: p.site,
      province: null,
      figures: { pue: p.pue ?? 0, target: p.target },
    })
  }

  for (const u of top(inputs.unclassified, (u) => u.devices)) {
    out.push({
      code: 'unclassified-devices',
      severity: 'low',
      subject: u.resource,
      province: null,
      figures: { devices: u.devices, clusters: u.clusters },
    })
  }
  for (const s of inputs.stale.slice(0, PER_CODE)) {
    const silentHours = s.lastReportAt ? (inputs.now - Date.parse(s.lastReportAt)) / 3_600_000 : 0
    out.push({ code: 'stale-cluster', severity: 'low', subject: s.clusterId, province: s.province, figures: { silentHours } })
  }
  for (const r of top(inputs.heldReservations, (r) => r.devices * r.hours + r.replicas)) {
    out.push({
      code: 'long-reservation',
      severity: r.devices >= 8 ? 'high' : 'medium',
      subject: `${r.workloadId}@${r.clusterId}`,
      province: r.province,
      figures: { hours: r.hours, devices: r.devices, replicas: r.replicas },
    })
  }
  const rank = { high: 0, medium: 1, low: 2 }
  return out.sort((a, b) => rank[a.severity] - rank[b.severity])
}
