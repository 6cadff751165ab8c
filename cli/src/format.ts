import type { LedgerGroup, LedgerResponse, Regions } from '@suanpan/control-plane/schemas'

const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(1)}%`)
const fixed = (v: number, digits: number): string => v.toFixed(digits)
const int = (v: number): string => Math.round(v).toLocaleString('en-US')

/** Columns of the terminal ledger: what a planner reads first. */
const COLUMNS: { title: string; value: (g: LedgerGroup) => string }[] = [
  { title: 'clusters', value: (g) => int(g.clusters) },
  { title: 'nodes', value: (g) => int(g.nodes) },
  { title: 'CPU cores', value: (g) => int(g.cpuCores) },
  { title: 'GPU', value: (g) => int(g.accelerators.GPU ?? 0) },
  { title: 'NPU', value: (g) => int(g.accelerators.NPU ?? 0) },
  { title: 'other acc.', value: (g) => int((g.accelerators.DCU ?? 0) + (g.accelerators.XPU ?? 0) + (g.accelerators.unclassified ?? 0)) },
  { title: 'FP64 PF', value: (g) => fixed(g.compute.fp64Pflops, 2) },
  { title: 'FP32 PF', value: (g) => fixed(g.compute.fp32Pflops, 2) },
  { title: 'FP16 PF', value: (g) => fixed(g.compute.fp16DensePflops, 2) },
  { title: 'CPU req', value: (g) => pct(g.utilization.cpuRequested) },
  { title: 'acc. use', value: (g) => pct(g.utilization.acceleratorsInUse) },
  { title: 'IT kW', value: (g) => (g.energy ? int(g.energy.itPowerKw) : '-') },
  { title: 'PUE', value: (g) => (g.energy?.pue ? fixed(g.energy.pue, 2) : '-') },
  { title: 'green', value: (g) => pct(g.energy?.greenShare ?? null) },
]

/** A plain-text table of a ledger response, widest-first, with a total line and the basis. */
export function formatLedger(ledger: LedgerResponse, labels: (dim: string, value: string | null) => string = (_d, v) => v ?? '-'): string {
  const keyTitle = ledger.groupBy.length > 0 ? ledger.groupBy.join(' / ') : 'national'
  const rows = ledger.groups.map((g) => [
    ledger.groupBy.map((d) => labels(d, g.key[d] ?? null)).join(' / ') || 'national',
    ...COLUMNS.map((c) => c.value(g)),
  ])
  const total = ['TOTAL', ...COLUMNS.map((c) => c.value(ledger.total))]
  const header = [keyTitle, ...COLUMNS.map((c) => c.title)]
  const all = [header, ...rows, total]
  const widths = header.map((_, i) => Math.max(...all.map((r) => displayWidth(r[i] ?? ''))))
  const line = (r: string[]) => r.map((cell, i) => (i === 0 ? padEnd(cell, widths[i] ?? 0) : padStart(cell, widths[i] ?? 0))).join('  ')
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  const out = [line(header), rule, ...rows.map(line), rule, line(total)]
  out.push('')
  out.push(`as of ${ledger.asOf ?? '-'}; stale clusters (excluded): ${ledger.stale.length}; never reported: ${ledger.missing.length}`)
  out.push(`FP32 = ${ledger.basis.fp32Pflops ?? ''}`)
  out.push(`FP16 = ${ledger.basis.fp16DensePflops ?? ''}`)
  const missing = ledger.total.compute.devicesWithoutFigure
  if (missing.fp32 + missing.fp16Dense > 0) {
    out.push(`devices without a catalog figure (counted, not guessed): FP32 ${int(missing.fp32)}, FP16 ${int(missing.fp16Dense)}`)
  }
  return out.join('\n')
}

// CJK characters take two terminal columns.
function displayWidth(s: string): number {
  let w = 0
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1
  return w
}
const padEnd = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - displayWidth(s)))
const padStart = (s: string, w: number) => ' '.repeat(Math.max(0, w - displayWidth(s))) + s

/** Names for codes: provinces as "北京市 Beijing", hub clusters by name, domestic as yes/no. */
export function regionLabels(regions: Regions): (dim: string, value: string | null) => string {
  const provinces = new Map(regions.provinces.map((p) => [p.code, `${p.nameZh} ${p.nameEn}`]))
  const hubs = new Map(regions.hubs.map((h) => [h.id, `${h.nameZh} ${h.nameEn}`]))
  return (dim, value) => {
    if (value === null) return dim === 'hub' ? '(no hub)' : '-'
    if (dim === 'province') return provinces.get(value) ?? value
    if (dim === 'hub') return hubs.get(value) ?? value
    if (dim === 'domestic') return value === 'true' ? 'domestic' : 'imported'
    return value
  }
}
