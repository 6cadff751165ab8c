/** One CSV record and the 1-based line it starts on (quoted fields may span lines). */
export interface CsvRecord {
  line: number
  fields: string[]
}

/** A syntax error at a 1-based line and character column. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message)
    this.name = 'CsvSyntaxError'
  }
}

/**
 * Parses RFC 4180 CSV: comma-separated, fields optionally double-quoted, `""` inside quotes is a quote,
 * quoted fields may hold commas and line breaks, CRLF or LF line ends, a leading BOM is dropped.
 * Blank lines are skipped. A stray quote inside an unquoted field, text after a closing quote and an
 * unterminated quote are errors, so a hand-edited file fails loudly rather than shifting columns.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = []
  let fields: string[] = []
  let field = ''
  // The current field was quoted (so an empty one still counts) and its closing quote has been read.
  let closedQuote = false
  let line = 1
  let column = 1
  let recordLine = 1
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const n = text.length

  const endRecord = (): void => {
    const blank = fields.length === 0 && field === '' && !closedQuote
    fields.push(field)
    if (!blank) records.push({ line: recordLine, fields })
    fields = []
    field = ''
    closedQuote = false
  }

  while (i < n) {
    const ch = text[i]
    if (ch === ',') {
      fields.push(field)
      field = ''
      closedQuote = false
      i++
      column++
    } else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      endRecord()
      i += ch === '\r' ? 2 : 1
      line++
      column = 1
      recordLine = line
    } else if (closedQuote) {
      throw new CsvSyntaxError('text after a closing quote (expected a comma or the end of the line)', line, column)
    } else if (ch === '"') {
      if (field !== '')
        throw new CsvSyntaxError('a quote inside an unquoted field (quote the whole field and double the quote)', line, column)
      const openLine = line
      const openColumn = column
      i++
      column++
      while (!closedQuote) {
        if (i >= n) throw new CsvSyntaxError('a quoted field is never closed', openLine, openColumn)
        const c = text[i]
        if (c === '"' && text[i + 1] === '"') {
          field += '"'
          i += 2
          column += 2
        } else if (c === '"') {
          closedQuote = true
          i++
          column++
        } else {
          field += c
          i++
          if (c === '\n') {
            line++
            column = 1
          } else {
            column++
          }
        }
      }
    } else {
      field += ch
      i++
      column++
    }
  }
  if (fields.length > 0 || field !== '' || closedQuote) endRecord()
  return records
}

/** Quotes a field when it needs it (the inverse of `parseCsv`, used by tests and tools). */
export function formatCsvField(value: string): string {
  return /[",\r\n]/.test(value) || value === '' ? `"${value.replaceAll('"', '""')}"` : value
}
