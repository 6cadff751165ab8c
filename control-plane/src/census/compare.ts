import { LedgerError } from '../ledger/errors'
import type { Census, CensusBreakdown, CensusComparison, CensusDeltaMeasures, CensusSummary, LedgerGroup } from '../schemas'
import { CENSUS_BREAKDOWNS } from '../schemas'

function measures(g: LedgerGroup | undefined): CensusDeltaMeasures {
  return {
    clusters: g?.clusters ?? 0,
    nodes: g?.nodes ?? 0,
    devices: g?.devices ?? 0,
    cpuCores: g?.cpuCores ?? 0,
    fp64Pflops: g?.compute.fp64Pflops ?? 0,
    fp32Pflops: g?.compute.fp32Pflops ?? 0,
    fp16DensePflops: g?.compute.fp16DensePflops ?? 0,
    storageBytes: g?.storage?.capacityBytes ?? 0,
    itPowerKw: g?.energy?.itPowerKw ?? 0,
  }
}

function delta(a: CensusDeltaMeasures, b: CensusDeltaMeasures): CensusDeltaMeasures {
  const out = { ...b }
  for (const k of Object.keys(out) as (keyof CensusDeltaMeasures)[]) out[k] = b[k] - a[k]
  return out
}

/** Two censuses side by side: b − a for the totals and for every key of one breakdown. */
export function compareCensuses(a: Census, b: Census, summaries: [CensusSummary, CensusSummary], by: string): CensusComparison {
  if (!CENSUS_BREAKDOWNS.includes(by as CensusBreakdown)) {
    throw new LedgerError(400, 'INVALID_QUERY', `by: unknown breakdown "${by}"; use one of ${CENSUS_BREAKDOWNS.join(', ')}`, [
      { path: '/by', message: 'unknown breakdown' },
    ])
  }
  const key = (g: LedgerGroup) => JSON.stringify(g.key)
  const left = new Map((a.breakdowns[by] ?? []).map((g) => [key(g), g]))
  const right = new Map((b.breakdowns[by] ?? []).map((g) => [key(g), g]))
  const keys = [...new Set([...left.keys(), ...right.keys()])]
  const rows = keys.map((k) => {
    const ga = left.get(k)
    const gb = right.get(k)
    const ma = measures(ga)
    const mb = measures(gb)
    return { key: (gb ?? ga)?.key ?? {}, a: ma, b: mb, delta: delta(ma, mb) }
  })
  rows.sort(
    (x, y) => Math.abs(y.delta.fp32Pflops) - Math.abs(x.delta.fp32Pflops) || JSON.stringify(x.key).localeCompare(JSON.stringify(y.key)),
  )
  const ta = measures(a.total)
  const tb = measures(b.total)
  return { a: summaries[0], b: summaries[1], by, total: { a: ta, b: tb, delta: delta(ta, tb) }, rows }
}
