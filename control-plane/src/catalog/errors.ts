export type CatalogErrorCode =
  | 'CATALOG_FILE_UNREADABLE'
  | 'CATALOG_CSV_SYNTAX'
  | 'CATALOG_UNKNOWN_COLUMN'
  | 'CATALOG_MISSING_COLUMN'
  | 'CATALOG_INVALID_VALUE'

/** Where in which file a catalog problem is; `column` is the CSV column name when there is one. */
export interface CatalogErrorWhere {
  file: string
  line?: number
  column?: string
}

/** A catalog file that cannot be used, with a stable code and a message naming file, line and column. */
export class CatalogError extends Error {
  readonly code: CatalogErrorCode
  readonly file: string
  readonly line: number | null
  readonly column: string | null

  constructor(code: CatalogErrorCode, where: CatalogErrorWhere, problem: string, options?: { cause?: unknown }) {
    const at = [
      where.file,
      where.line !== undefined ? `line ${where.line}` : null,
      where.column !== undefined ? `column ${where.column}` : null,
    ]
      .filter((part) => part !== null)
      .join(', ')
    super(`${at}: ${problem}`, options)
    this.name = 'CatalogError'
    this.code = code
    this.file = where.file
    this.line = where.line ?? null
    this.column = where.column ?? null
  }
}
