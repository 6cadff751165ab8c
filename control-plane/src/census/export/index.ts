import type { Census, CensusExportFormat, CensusLanguage } from '../../schemas'
import { censusCsv } from './csv'
import { censusHtml } from './html'
import type { CensusNames } from './labels'
import { isExportBreakdown } from './model'
import { censusPdf } from './pdf'
import { censusXlsx } from './xlsx'

export { type CensusCsvOptions, censusCsv, csvField } from './csv'
export { type CensusHtmlOptions, censusHtml, escapeHtml } from './html'
export { type CensusNames, formatNumber, type LabelKey, label, labelTable } from './labels'
export { type ExportBreakdown, isExportBreakdown } from './model'
export { type CensusPdfOptions, censusPdf, DEFAULT_PDF_TIMEOUT_MS, findChromium, PdfRenderError } from './pdf'
export { type CensusXlsxOptions, censusXlsx } from './xlsx'

export interface CensusExportOptions {
  names?: CensusNames
  /** CSV only: one breakdown (or `total`) as a plain table. Ignored by the other formats. */
  breakdown?: string
  /** PDF only. */
  chromium?: string
  timeoutMs?: number
}

export interface CensusExport {
  body: Buffer | string
  contentType: string
  /** ASCII: `suanpan-census-<id>-<period>[-<breakdown>]-<lang>.<ext>` (JSON has no language). */
  filename: string
}

export const CENSUS_CONTENT_TYPES: Record<CensusExportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
  html: 'text/html; charset=utf-8',
}

/** A file name safe in a Content-Disposition header: only [A-Za-z0-9._-]. */
const safe = (part: string) => part.replace(/[^A-Za-z0-9._-]/g, '_')

export function censusFilename(census: Census, format: CensusExportFormat, lang: CensusLanguage, breakdown?: string): string {
  const parts = ['suanpan-census', String(census.id), census.period]
  if (format === 'csv' && breakdown) parts.push(breakdown)
  if (format !== 'json') parts.push(lang)
  return `${parts.map(safe).join('-')}.${format}`
}

/**
 * One census in one format and language, ready to send: body, content type and file name.
 * JSON is the census document re-serialized (pretty, language-neutral); the route serves the stored text
 * itself when it has it.
 */
export async function exportCensus(
  census: Census,
  format: CensusExportFormat,
  lang: CensusLanguage,
  options: CensusExportOptions = {},
): Promise<CensusExport> {
  const names = options.names
  const contentType = CENSUS_CONTENT_TYPES[format]
  const breakdown = format === 'csv' && options.breakdown !== undefined && options.breakdown !== '' ? options.breakdown : undefined
  const filename = censusFilename(census, format, lang, breakdown !== undefined && isExportBreakdown(breakdown) ? breakdown : undefined)
  switch (format) {
    case 'json':
      return { body: `${JSON.stringify(census, null, 2)}\n`, contentType, filename }
    case 'csv':
      return {
        body: censusCsv(census, lang, { ...(names ? { names } : {}), ...(breakdown !== undefined ? { breakdown } : {}) }),
        contentType,
        filename,
      }
    case 'xlsx':
      return { body: await censusXlsx(census, lang, names ? { names } : {}), contentType, filename }
    case 'html':
      return { body: censusHtml(census, lang, names ? { names } : {}), contentType, filename }
    case 'pdf':
      return {
        body: await censusPdf(census, lang, {
          ...(names ? { names } : {}),
          ...(options.chromium ? { chromium: options.chromium } : {}),
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        }),
        contentType,
        filename,
      }
    default: {
      const never: never = format
      throw new Error(`unknown census export format ${String(never)}`)
    }
  }
}
