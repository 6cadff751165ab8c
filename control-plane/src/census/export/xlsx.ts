import ExcelJS from 'exceljs'
import { CENSUS_BREAKDOWNS, type Census, type CensusLanguage } from '../../schemas'
import { beijingTime, type CensusNames, type LabelKey, label, type ValueFormat } from './labels'
import {
  BREAKDOWN_SHEETS,
  bandsTable,
  basisTable,
  breakdownTable,
  type Cell,
  catalogNotesTable,
  clusterCountsBlock,
  domesticShareTable,
  domesticSummaryBlock,
  energyBlock,
  identityBlock,
  idleTable,
  type KeyValueBlock,
  lineageTable,
  missingTable,
  pueTargetsTable,
  recommendationsTable,
  reportHeading,
  staleTable,
  storageBlock,
  type Table,
  totalsBlock,
  unclassifiedTable,
  utilizationBlock,
  withoutFigureBlock,
} from './model'

export interface CensusXlsxOptions {
  names?: CensusNames
}

/** Excel number formats by value format; `count` picks whole or two decimals per cell. */
const NUM_FMT: Record<Exclude<ValueFormat, 'text' | 'time' | 'count'>, string> = {
  int: '#,##0',
  dec1: '#,##0.0',
  dec2: '0.00',
  dec3: '0.000',
  pflops: '#,##0.000',
  ratio: '0.0%',
}

function numFmt(format: ValueFormat, value: number): string | undefined {
  if (format === 'text' || format === 'time') return undefined
  if (format === 'count') return Number.isInteger(value) ? '#,##0' : '#,##0.00'
  return NUM_FMT[format]
}

type XlsxValue = string | number | null

function xlsxValue(lang: CensusLanguage, cell: Cell, format: ValueFormat): { value: XlsxValue; numFmt?: string } {
  const raw = cell !== null && typeof cell === 'object' ? cell.value : cell
  const fmt = cell !== null && typeof cell === 'object' ? cell.format : format
  if (raw === null) return { value: null }
  if (typeof raw === 'boolean') return { value: label(lang, raw ? 'yes' : 'no') }
  // Excel holds at most 32,767 characters in a cell.
  if (typeof raw === 'string') return { value: fmt === 'time' ? beijingTime(raw) : raw.slice(0, 32_767) }
  if (!Number.isFinite(raw)) return { value: null }
  const f = numFmt(fmt, raw)
  return f ? { value: raw, numFmt: f } : { value: raw }
}

/** Display width of text in a spreadsheet column: CJK and full-width characters count two. */
function displayWidth(text: string): number {
  let w = 0
  for (const ch of text)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1
  return w
}

/** Excel's rules: at most 31 characters, none of []:*?/\, not blank, not quoted, unique in the book. */
export function sheetName(wanted: string, taken: Set<string>): string {
  const base =
    wanted
      .replace(/[[\]:*?/\\]/g, '_')
      .replace(/^'+|'+$/g, '')
      .trim()
      .slice(0, 31) || 'Sheet'
  let name = base
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base.slice(0, 31 - String(i).length - 1)}_${i}`
  taken.add(name.toLowerCase())
  return name
}

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF6' } }
const TOTAL_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF3F3F3' } }
const FONT = 'Noto Sans CJK SC'

function writeRow(lang: CensusLanguage, ws: ExcelJS.Worksheet, cells: Cell[], formats: ValueFormat[]): ExcelJS.Row {
  const row = ws.addRow(cells.map(() => null))
  cells.forEach((cell, i) => {
    const out = xlsxValue(lang, cell, formats[i] ?? 'text')
    if (out.value === null) return
    const target = row.getCell(i + 1)
    target.value = out.value
    if (out.numFmt) target.numFmt = out.numFmt
  })
  return row
}

/** A table as a sheet: bold frozen header row with an auto filter, data rows, a bold total row below the filter. */
function tableSheet(wb: ExcelJS.Workbook, lang: CensusLanguage, name: string, table: Table): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 0, ySplit: 1, activeCell: 'A2' }] })
  const formats = table.columns.map((c) => c.format)
  const header = ws.addRow(table.columns.map((c) => c.header))
  header.font = { bold: true, name: FONT }
  header.alignment = { vertical: 'middle', wrapText: true }
  header.height = 32
  header.eachCell((cell) => {
    cell.fill = HEADER_FILL
    cell.border = { bottom: { style: 'thin' } }
  })
  for (const r of table.rows) writeRow(lang, ws, r, formats)
  if (table.total) {
    const total = writeRow(lang, ws, table.total, formats)
    total.font = { bold: true, name: FONT }
    total.eachCell((cell) => {
      cell.fill = TOTAL_FILL
      cell.border = { top: { style: 'thin' } }
    })
  }
  table.columns.forEach((c, i) => {
    let width = Math.max(c.width, Math.min(24, displayWidth(c.header) / 2 + 2))
    for (const r of table.rows) {
      const v = r[i]
      const raw = v !== null && typeof v === 'object' ? v.value : v
      if (typeof raw === 'string') width = Math.max(width, Math.min(60, displayWidth(raw) + 2))
    }
    ws.getColumn(i + 1).width = width
  })
  if (table.columns.length > 0) {
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, table.rows.length + 1), column: table.columns.length } }
  }
  if (table.note) header.getCell(1).note = table.note
  return ws
}

function summarySheet(wb: ExcelJS.Workbook, lang: CensusLanguage, name: string, census: Census, blocks: KeyValueBlock[]): void {
  const t = (key: LabelKey) => label(lang, key)
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 0, ySplit: 4, activeCell: 'A5' }] })
  ws.getColumn(1).width = 44
  ws.getColumn(2).width = 48
  const title = ws.addRow([t('reportTitle')])
  title.font = { bold: true, size: 16, name: FONT }
  const heading = ws.addRow([census.title ?? reportHeading(census, lang)])
  heading.font = { size: 12, name: FONT }
  ws.addRow([t('generatedBy')]).font = { italic: true, size: 9, name: FONT, color: { argb: 'FF666666' } }
  const header = ws.addRow([t('item'), t('value')])
  header.font = { bold: true, name: FONT }
  header.eachCell((cell) => {
    cell.fill = HEADER_FILL
    cell.border = { bottom: { style: 'thin' } }
  })
  for (const block of blocks) {
    const section = ws.addRow([block.title])
    section.font = { bold: true, name: FONT }
    section.getCell(1).fill = TOTAL_FILL
    section.getCell(2).fill = TOTAL_FILL
    for (const item of block.items) {
      const row = ws.addRow([item.label])
      const out = xlsxValue(lang, item.value, item.format)
      const cell = row.getCell(2)
      cell.value = out.value ?? '—'
      if (out.numFmt) cell.numFmt = out.numFmt
      cell.alignment = { horizontal: typeof out.value === 'number' ? 'right' : 'left' }
    }
  }
}

/**
 * The census as an Excel workbook: a summary sheet, one sheet per breakdown (every measure column),
 * domestic share, utilization bands, idle clusters, PUE targets, stale / missing clusters, unclassified
 * devices, basis, catalog notes and lineage. Numbers stay numbers with number formats (`#,##0`,
 * `#,##0.000` for PFLOPS, `0.0%` for ratios); header rows are frozen, bold and filterable.
 */
export async function censusXlsx(census: Census, lang: CensusLanguage, options: CensusXlsxOptions = {}): Promise<Buffer> {
  const names = options.names
  const t = (key: LabelKey) => label(lang, key)
  const wb = new ExcelJS.Workbook()
  wb.creator = 'Suanpan'
  wb.title = `${t('reportTitle')} ${reportHeading(census, lang)}`
  const created = new Date(census.createdAt)
  if (Number.isFinite(created.getTime())) {
    wb.created = created
    wb.modified = created
  }
  const taken = new Set<string>()
  const add = (key: LabelKey, table: Table) => tableSheet(wb, lang, sheetName(t(key), taken), table)

  summarySheet(wb, lang, sheetName(t('sheetSummary'), taken), census, [
    identityBlock(census, lang),
    totalsBlock(census, lang),
    clusterCountsBlock(census, lang),
    utilizationBlock(census, lang),
    storageBlock(census, lang),
    energyBlock(census, lang),
    domesticSummaryBlock(census, lang),
    withoutFigureBlock(census, lang),
  ])
  for (const b of CENSUS_BREAKDOWNS) add(BREAKDOWN_SHEETS[b], breakdownTable(census, lang, b, names))
  add('sheetDomesticShare', domesticShareTable(census, lang))
  add('sheetBands', bandsTable(census, lang))
  add('sheetIdle', idleTable(census, lang, names))
  add('sheetPue', pueTargetsTable(census, lang, names))
  add('sheetStale', staleTable(census, lang, names))
  add('sheetMissing', missingTable(census, lang, names))
  add('sheetUnclassified', unclassifiedTable(census, lang))
  add('sheetRecommendations', recommendationsTable(census, lang, names))
  add('sheetBasis', basisTable(census, lang))
  add('sheetMethod', catalogNotesTable(census, lang))
  add('sheetLineage', lineageTable(census, lang))

  const out = await wb.xlsx.writeBuffer()
  return Buffer.from(out as ArrayBuffer)
}
