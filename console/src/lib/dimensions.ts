import type { HistoryDimension, LedgerDimension } from '@suanpan/control-plane/schemas'

/** The ledger's dimensions, in the order the console offers them (mirrors LEDGER_DIMENSIONS). */
export const LEDGER_DIMENSIONS = [
  'province',
  'city',
  'hub',
  'level',
  'platform',
  'site',
  'cluster',
  'kind',
  'vendor',
  'model',
  'arch',
  'domestic',
] as const satisfies readonly LedgerDimension[]

/** Location dimensions the history API groups by (mirrors HISTORY_DIMENSIONS). */
export const HISTORY_DIMENSIONS = [
  'province',
  'city',
  'hub',
  'level',
  'platform',
  'site',
  'cluster',
] as const satisfies readonly HistoryDimension[]

// The console copies the lists because it imports only types from the contract; these fail to
// compile when the contract gains a dimension the copies lack.
type Exhaustive<T extends never> = T
export type LedgerDimensionsCovered = Exhaustive<Exclude<LedgerDimension, (typeof LEDGER_DIMENSIONS)[number]>>
export type HistoryDimensionsCovered = Exhaustive<Exclude<HistoryDimension, (typeof HISTORY_DIMENSIONS)[number]>>

/** Device dimensions: energy and storage are not split by them (the API answers null). */
export const DEVICE_DIMENSIONS: readonly LedgerDimension[] = ['kind', 'vendor', 'model', 'arch', 'domestic']

export const ACCELERATOR_KINDS = ['GPU', 'NPU', 'DCU', 'XPU', 'unclassified'] as const

/** The drill-down path of the ledger page: each level groups by the next dimension. */
export const DRILL_PATH = ['province', 'site', 'cluster'] as const
export type DrillDimension = (typeof DRILL_PATH)[number]

export function isLedgerDimension(value: string): value is LedgerDimension {
  return (LEDGER_DIMENSIONS as readonly string[]).includes(value)
}

export function isHistoryDimension(value: string): value is HistoryDimension {
  return (HISTORY_DIMENSIONS as readonly string[]).includes(value)
}

export function isDeviceDimension(dim: LedgerDimension): boolean {
  return DEVICE_DIMENSIONS.includes(dim)
}
