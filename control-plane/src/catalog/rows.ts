import { type CsvRecord, CsvSyntaxError, parseCsv } from './csv'
import { CatalogError } from './errors'
import type { CpuEntry, DeviceEntry, DeviceFigures } from './types'

export const DEVICE_COLUMNS = [
  'vendor',
  'model',
  'kind',
  'domestic',
  'resource',
  'label_keys',
  'pattern',
  'min_devices',
  'partition_units',
  'fp64_tflops',
  'fp32_tflops',
  'fp16_dense_tflops',
  'int8_dense_tops',
  'memory_gb',
  'memory_bw_gbs',
  'tdp_w',
  'confidence',
  'source',
  'note',
  'match_hint',
] as const
const DEVICE_REQUIRED = ['vendor', 'model', 'kind', 'domestic', 'resource', 'confidence', 'source'] as const

export const CPU_COLUMNS = [
  'microarchitecture',
  'vendor',
  'domestic',
  'arch',
  'vendor_id',
  'family',
  'model_id',
  'cpuid',
  'model_name',
  'label_keys',
  'pattern',
  'fp64_flop_per_cycle_per_core',
  'fp32_flop_per_cycle_per_core',
  'assumed_ghz',
  'confidence',
  'source',
  'note',
  'match_hint',
] as const
const CPU_REQUIRED = [
  'microarchitecture',
  'vendor',
  'domestic',
  'fp64_flop_per_cycle_per_core',
  'fp32_flop_per_cycle_per_core',
  'assumed_ghz',
  'confidence',
  'source',
] as const

const DEVICE_KINDS = new Set(['GPU', 'NPU', 'DCU', 'XPU'])
const RESOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/
const CPUID_FLAG = /^!?[A-Za-z0-9_.]+$/

export type CatalogFileKind = 'devices' | 'cpus'

/** Reads one field of a record by column name, with the position for error messages. */
class Row {
  constructor(
    private readonly file: string,
    private readonly record: CsvRecord,
    private readonly index: ReadonlyMap<string, number>,
  ) {}

  get line(): number {
    return this.record.line
  }

  fail(column: string, problem: string): never {
    throw new CatalogError('CATALOG_INVALID_VALUE', { file: this.file, line: this.record.line, column }, problem)
  }

  text(column: string): string {
    const i = this.index.get(column)
    return i === undefined ? '' : (this.record.fields[i] ?? '').trim()
  }

  required(column: string): string {
    const value = this.text(column)
    if (value === '') this.fail(column, 'must not be empty')
    return value
  }

  bool(column: string): boolean {
    const value = this.required(column).toLowerCase()
    if (value === 'true') return true
    if (value === 'false') return false
    return this.fail(column, `must be true or false, not "${this.text(column)}"`)
  }

  number(column: string, options: { integer?: boolean; min?: number; max?: number; exclusiveMin?: number } = {}): number | null {
    const value = this.text(column)
    if (value === '') return null
    const n = Number(value)
    const what = options.integer ? 'an integer' : 'a number'
    if (!Number.isFinite(n) || (options.integer && !Number.isInteger(n))) this.fail(column, `must be ${what}, not "${value}"`)
    if (options.min !== undefined && n < options.min) this.fail(column, `must be at least ${options.min}, not ${value}`)
    if (options.exclusiveMin !== undefined && n <= options.exclusiveMin)
      this.fail(column, `must be more than ${options.exclusiveMin}, not ${value}`)
    if (options.max !== undefined && n > options.max) this.fail(column, `must be at most ${options.max}, not ${value}`)
    return n
  }

  regex(column: string): RegExp | null {
    const value = this.text(column)
    if (value === '') return null
    try {
      return new RegExp(value, 'i')
    } catch (cause) {
      return this.fail(column, `is not a valid regular expression: ${cause instanceof Error ? cause.message : String(cause)}`)
    }
  }

  list(column: string): string[] {
    return this.text(column)
      .split(';')
      .map((s) => s.trim())
      .filter((s) => s !== '')
  }
}

/** Parses a catalog CSV of either kind; the header says which (`microarchitecture` marks CPU rows). */
export function parseCatalogCsv(text: string, file: string): { kind: 'devices'; rows: DeviceEntry[] } | { kind: 'cpus'; rows: CpuEntry[] } {
  let records: CsvRecord[]
  try {
    records = parseCsv(text)
  } catch (cause) {
    if (!(cause instanceof CsvSyntaxError)) throw cause
    throw new CatalogError('CATALOG_CSV_SYNTAX', { file, line: cause.line, column: `character ${cause.column}` }, cause.message, { cause })
  }
  const [header, ...body] = records
  if (!header) throw new CatalogError('CATALOG_MISSING_COLUMN', { file }, 'the file is empty: expected a header row')
  const names = header.fields.map((f) => f.trim())
  const kind: CatalogFileKind = names.includes('microarchitecture') ? 'cpus' : 'devices'
  const known: readonly string[] = kind === 'cpus' ? CPU_COLUMNS : DEVICE_COLUMNS
  const required: readonly string[] = kind === 'cpus' ? CPU_REQUIRED : DEVICE_REQUIRED
  const index = new Map<string, number>()
  names.forEach((name, i) => {
    if (!known.includes(name)) {
      throw new CatalogError(
        'CATALOG_UNKNOWN_COLUMN',
        { file, line: header.line, column: name || `#${i + 1}` },
        `unknown column; expected some of: ${known.join(', ')}`,
      )
    }
    if (index.has(name))
      throw new CatalogError('CATALOG_UNKNOWN_COLUMN', { file, line: header.line, column: name }, 'the column appears twice')
    index.set(name, i)
  })
  for (const name of required) {
    if (!index.has(name))
      throw new CatalogError('CATALOG_MISSING_COLUMN', { file, line: header.line, column: name }, 'a required column is missing')
  }
  const rows = body.map((record) => {
    if (record.fields.length !== names.length) {
      throw new CatalogError(
        'CATALOG_CSV_SYNTAX',
        { file, line: record.line, column: `#${Math.min(record.fields.length, names.length) + 1}` },
        `the row has ${record.fields.length} fields but the header has ${names.length} (quote fields that contain commas)`,
      )
    }
    return new Row(file, record, index)
  })
  if (kind === 'cpus') return { kind, rows: rows.map((row) => cpuEntry(row, file)) }
  return { kind, rows: rows.map((row) => deviceEntry(row, file)) }
}

function freezeFigures(figures: DeviceFigures): DeviceFigures {
  return Object.freeze(figures)
}

function labelCondition(row: Row): { labelKeys: readonly string[]; pattern: RegExp | null } {
  const labelKeys = row.list('label_keys')
  const pattern = row.regex('pattern')
  if (labelKeys.length > 0 && pattern === null)
    row.fail('pattern', 'is required when label_keys is set (use ^$ to require the labels to be absent)')
  if (labelKeys.length === 0 && pattern !== null) row.fail('label_keys', 'is required when pattern is set')
  return { labelKeys: Object.freeze(labelKeys), pattern }
}

function deviceEntry(row: Row, file: string): DeviceEntry {
  const kind = row.required('kind')
  if (!DEVICE_KINDS.has(kind)) row.fail('kind', `must be one of GPU, NPU, DCU, XPU, not "${kind}"`)
  const resources = row.list('resource')
  if (resources.length === 0) row.fail('resource', 'must name at least one Kubernetes resource')
  for (const r of resources) if (!RESOURCE_NAME.test(r)) row.fail('resource', `"${r}" is not a Kubernetes resource name`)
  const { labelKeys, pattern } = labelCondition(row)
  const nonNegative = { min: 0 }
  return Object.freeze({
    vendor: row.required('vendor'),
    model: row.required('model'),
    kind: kind as DeviceEntry['kind'],
    domestic: row.bool('domestic'),
    resources: Object.freeze(resources),
    labelKeys,
    pattern,
    minDevices: row.number('min_devices', { integer: true, min: 1 }),
    partitionUnits: row.number('partition_units', { integer: true, min: 1 }),
    figures: freezeFigures({
      fp64: row.number('fp64_tflops', nonNegative),
      fp32: row.number('fp32_tflops', nonNegative),
      fp16Dense: row.number('fp16_dense_tflops', nonNegative),
      int8Dense: row.number('int8_dense_tops', nonNegative),
    }),
    memoryGb: row.number('memory_gb', { exclusiveMin: 0 }),
    memoryBwGbs: row.number('memory_bw_gbs', nonNegative),
    tdpW: row.number('tdp_w', nonNegative),
    confidence: row.required('confidence'),
    source: row.required('source'),
    note: row.text('note'),
    matchHint: row.text('match_hint'),
    origin: `${file}:${row.line}`,
  })
}

function cpuEntry(row: Row, file: string): CpuEntry {
  const cpuid = row.list('cpuid').map((token) => {
    if (!CPUID_FLAG.test(token)) row.fail('cpuid', `"${token}" is not a cpuid flag (FLAG or !FLAG)`)
    return token.startsWith('!') ? { flag: token.slice(1), want: false } : { flag: token, want: true }
  })
  const perCycle = (column: string): number => {
    const n = row.number(column, { min: 0 })
    return n ?? row.fail(column, 'must not be empty')
  }
  return Object.freeze({
    microarchitecture: row.required('microarchitecture'),
    vendor: row.required('vendor'),
    domestic: row.bool('domestic'),
    arch: row.regex('arch'),
    vendorId: row.regex('vendor_id'),
    family: row.regex('family'),
    modelId: row.regex('model_id'),
    cpuid: Object.freeze(cpuid),
    modelName: row.regex('model_name'),
    ...labelCondition(row),
    fp64FlopPerCycle: perCycle('fp64_flop_per_cycle_per_core'),
    fp32FlopPerCycle: perCycle('fp32_flop_per_cycle_per_core'),
    assumedGhz: row.number('assumed_ghz', { exclusiveMin: 0, max: 10 }) ?? row.fail('assumed_ghz', 'must not be empty'),
    confidence: row.required('confidence'),
    source: row.required('source'),
    note: row.text('note'),
    matchHint: row.text('match_hint'),
    origin: `${file}:${row.line}`,
  })
}
