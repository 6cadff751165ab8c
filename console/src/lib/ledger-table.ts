import type { LedgerDimension, LedgerGroup } from '@suanpan/control-plane/schemas'
import type { Translate } from '../i18n'
import type { MessageKey } from '../i18n/zh-CN'
import { plainNumber } from './csv'
import type { SortState } from './ledger-view'
import { isMeasureId, MEASURES, type MeasureFormat, type MeasureId } from './measures'

export interface LedgerTableRow {
  rowKey: string
  group: LedgerGroup
  /** Display name per grouped dimension. */
  labels: Partial<Record<LedgerDimension, string>>
}

export function buildRows(
  groups: readonly LedgerGroup[],
  groupBy: readonly LedgerDimension[],
  label: (dim: LedgerDimension, value: string | null | undefined) => string,
): LedgerTableRow[] {
  return groups.map((group) => {
    const labels: Partial<Record<LedgerDimension, string>> = {}
    for (const dim of groupBy) labels[dim] = label(dim, group.key[dim])
    return { rowKey: groupBy.map((d) => group.key[d] ?? '∅').join('|'), group, labels }
  })
}

/** Rows whose name (any grouped dimension, shown or raw) contains the text, ignoring case. */
export function filterRows(rows: readonly LedgerTableRow[], query: string): LedgerTableRow[] {
  const q = query.trim().toLocaleLowerCase()
  if (!q) return [...rows]
  return rows.filter((r) =>
    Object.entries(r.labels).some(
      ([dim, text]) => text?.toLocaleLowerCase().includes(q) || r.group.key[dim]?.toLocaleLowerCase().includes(q),
    ),
  )
}

/** Sorted copy; missing figures last whichever the direction. */
export function sortRows(rows: readonly LedgerTableRow[], sort: SortState, locale: string): LedgerTableRow[] {
  const dir = sort.order === 'ascend' ? 1 : -1
  const column = sort.column
  if (isMeasureId(column)) {
    const value = MEASURES[column].value
    return [...rows].sort((a, b) => {
      const x = value(a.group)
      const y = value(b.group)
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1
      return (x - y) * dir
    })
  }
  const collator = new Intl.Collator(locale, { numeric: true })
  return [...rows].sort((a, b) => collator.compare(a.labels[column] ?? '', b.labels[column] ?? '') * dir)
}

/** How a measure is written to CSV (and to `data-value` in the table): unit and scale. */
export const CSV_UNIT: Readonly<Record<MeasureFormat, { unit: MessageKey | null; scale: number }>> = {
  pflops: { unit: 'unitSymbol.pflops', scale: 1 },
  count: { unit: null, scale: 1 },
  cores: { unit: null, scale: 1 },
  ratio: { unit: 'unitSymbol.percent', scale: 100 },
  power: { unit: 'unitSymbol.kw', scale: 1 },
  pue: { unit: null, scale: 1 },
  carbon: { unit: 'unitSymbol.kgPerKwh', scale: 1 },
  bytes: { unit: 'unitSymbol.tb', scale: 1e-12 },
}

export function exportValue(measure: MeasureId, group: LedgerGroup): number | null {
  const m = MEASURES[measure]
  const v = m.value(group)
  return v === null ? null : plainNumber(v * CSV_UNIT[m.format].scale)
}

export function exportHeader(measure: MeasureId, t: Translate): string {
  const unit = CSV_UNIT[MEASURES[measure].format].unit
  const label = t(`measure.${measure}`)
  return unit ? t('csv.withUnit', { label, unit: t(unit) }) : label
}
