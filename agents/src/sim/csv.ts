import { readFileSync } from 'node:fs'

/**
 * Parses RFC 4180 CSV: comma-separated, fields optionally double-quoted, `""` inside quotes is a quote,
 * quoted fields may hold commas and line breaks; CRLF or LF line ends; a trailing newline adds no row.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  // Whether the current row has consumed anything, so that a lone `""` at the end still makes a row.
  let pending = false
  let i = 0
  const n = text.length
  const endField = () => {
    row.push(field)
    field = ''
  }
  const endRow = () => {
    endField()
    rows.push(row)
    row = []
    pending = false
  }
  while (i < n) {
    const ch = text[i]
    pending = true
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i += 2
          continue
        }
        quoted = false
      } else {
        field += ch
      }
      i++
      continue
    }
    if (ch === '"' && field === '') quoted = true
    else if (ch === ',') endField()
    else if (ch === '\n') endRow()
    else if (ch === '\r') {
      if (text[i + 1] !== '\n') endRow()
    } else field += ch
    i++
  }
  if (quoted) throw new SyntaxError('CSV ends inside a quoted field')
  if (pending) endRow()
  return rows
}

/** Rows keyed by the header row; missing trailing cells read as ''. */
export function parseCsvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''))
  if (!header) return []
  return rows
    .filter((r) => r.length > 1 || (r[0] ?? '') !== '')
    .map((r) => {
      const rec: Record<string, string> = {}
      header.forEach((key, j) => {
        rec[key] = r[j] ?? ''
      })
      return rec
    })
}

/** Reads a CSV file (path or file URL) into records. */
export function readCsvRecords(file: string | URL): Record<string, string>[] {
  return parseCsvRecords(readFileSync(file, 'utf8'))
}
