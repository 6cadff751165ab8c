import { LedgerError } from '../../ledger/errors'
import { CENSUS_BREAKDOWNS, type Census, type CensusLanguage } from '../../schemas'
import { type CensusNames, isoBeijing, label, plainNumber, type ValueFormat } from './labels'
import {
  basisRows,
  breakdownTable,
  type Cell,
  type Column,
  type ExportBreakdown,
  isExportBreakdown,
  type Table,
  totalTable,
  withZone,
} from './model'

export interface CensusCsvOptions {
  /** One breakdown as a plain table (header + rows), or `total`; without it, the whole census in sections. */
  breakdown?: ExportBreakdown | string
  names?: CensusNames
}

const BOM = '\uFEFF'
const CRLF = '\r\n'

/**
 * A text cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR at the start) gets a
 * leading apostrophe: census text comes from cluster reports (raw resource names) and must not execute
 * in a planner's Excel. Numbers are written as numbers and are never touched.
 */
function defuse(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, quotes inside doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

function cellText(lang: CensusLanguage, cell: Cell, format: ValueFormat): string {
  const value = cell !== null && typeof cell === 'object' ? cell.value : cell
  if (value === null) return ''
  if (typeof value === 'number') return plainNumber(value)
  if (typeof value === 'boolean') return label(lang, value ? 'yes' : 'no')
  if (format === 'time') return isoBeijing(value)
  return defuse(value)
}

const line = (lang: CensusLanguage, cells: Cell[], columns?: Column[]): string =>
  cells.map((c, i) => csvField(cellText(lang, c, columns?.[i]?.format ?? 'text'))).join(',')

function tableLines(lang: CensusLanguage, table: Table, withTitleAndTotal: boolean): string[] {
  const lines: string[] = []
  if (withTitleAndTotal) lines.push(line(lang, [table.title]))
  lines.push(
    line(
      lang,
      table.columns.map((c) => c.header),
    ),
  )
  for (const row of table.rows) lines.push(line(lang, row, table.columns))
  if (withTitleAndTotal && table.total) lines.push(line(lang, table.total, table.columns))
  return lines
}

/**
 * The census as CSV: UTF-8 with a BOM (so Excel shows Chinese), RFC 4180 quoting, CRLF line ends,
 * numbers written plainly (no grouping, ratios as decimals, empty for unknown).
 *
 * Without `breakdown`: a header block (census number, period, times, basis, catalog), then one section
 * per breakdown (title row, header row, rows, total row), sections separated by an empty line.
 * With `breakdown`: that breakdown alone as one plain table, header and rows (`total`: the census
 * total as one row), for machines.
 */
export function censusCsv(census: Census, lang: CensusLanguage, options: CensusCsvOptions = {}): string {
  const names = options.names
  const { breakdown } = options
  if (breakdown !== undefined) {
    if (!isExportBreakdown(breakdown)) {
      throw new LedgerError(400, 'INVALID_QUERY', `breakdown must be one of total, ${CENSUS_BREAKDOWNS.join(', ')}; got "${breakdown}"`, [
        { path: '/breakdown', message: 'unknown breakdown' },
      ])
    }
    const table = breakdown === 'total' ? totalTable(census, lang) : breakdownTable(census, lang, breakdown, names)
    return BOM + tableLines(lang, table, false).join(CRLF) + CRLF
  }
  const t = (key: Parameters<typeof label>[1]) => label(lang, key)
  const header: Cell[][] = [
    [t('reportTitle')],
    [t('censusNo'), census.id],
    [t('period'), census.period],
    [t('title'), census.title],
    [withZone(lang, t('createdAt')), isoBeijing(census.createdAt)],
    [withZone(lang, t('asOf')), census.asOf === null ? null : isoBeijing(census.asOf)],
    ...basisRows(census, lang).map((b): Cell[] => [t('basis'), b.name, b.text]),
    [t('catalogVersion'), census.catalog.version],
    [t('catalogRows'), census.catalog.rows],
    [t('catalogUserFile'), census.catalog.userFile],
    [t('staleAfter'), census.staleAfterSeconds],
    [t('clustersIncluded'), census.total.clusters],
    [t('clustersStale'), census.dataQuality.stale.length],
    [t('clustersMissing'), census.dataQuality.missing.length],
  ]
  const blocks: string[][] = [header.map((cells) => line(lang, cells))]
  for (const b of CENSUS_BREAKDOWNS) blocks.push(tableLines(lang, breakdownTable(census, lang, b, names), true))
  return BOM + blocks.map((lines) => lines.join(CRLF)).join(CRLF + CRLF) + CRLF
}
