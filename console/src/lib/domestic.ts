import type { LedgerGroup } from '@suanpan/control-plane/schemas'

export interface DomesticSplit {
  /** Accelerators (physical-device equivalents). */
  domestic: number
  all: number
  fp16Domestic: number
  fp16All: number
  /** Accelerators per vendor, largest first (groups that carry a `vendor` key). */
  byVendor: { vendor: string; domestic: boolean; devices: number }[]
}

const sum = (record: Readonly<Record<string, number>>) => Object.values(record).reduce((a, b) => a + b, 0)

/** Accelerators and FP16 compute split by the `domestic` dimension (groups of `groupBy=domestic[,vendor]`). */
export function domesticSplit(groups: readonly LedgerGroup[]): DomesticSplit {
  const split: DomesticSplit = { domestic: 0, all: 0, fp16Domestic: 0, fp16All: 0, byVendor: [] }
  for (const g of groups) {
    const isDomestic = g.key.domestic === 'true'
    const devices = sum(g.accelerators)
    split.all += devices
    split.fp16All += g.compute.fp16DensePflops
    if (isDomestic) {
      split.domestic += devices
      split.fp16Domestic += g.compute.fp16DensePflops
    }
    if (g.key.vendor && devices > 0) split.byVendor.push({ vendor: g.key.vendor, domestic: isDomestic, devices })
  }
  split.byVendor.sort((a, b) => b.devices - a.devices)
  return split
}
