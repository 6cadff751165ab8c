import {
  CENSUS_BREAKDOWNS,
  type Census,
  type CensusBreakdown,
  type CensusLanguage,
  DEVICE_DIMENSIONS,
  DEVICE_KINDS,
  type LedgerDimension,
  type LedgerGroup,
} from '../../schemas'
import { beijingTime, type CensusNames, codeName, formatNumber, type LabelKey, label, type ValueFormat } from './labels'

/**
 * The census as tables, in the report's language: one model that the CSV, XLSX and HTML renderers
 * all draw from, so a figure is the same number in every format. Cells hold raw values (numbers,
 * ISO times, codes); each renderer formats them for its medium.
 */

/** A cell: a raw value, or a number with its own format (a table whose rows are different measures). */
export type Cell = string | number | boolean | null | { value: number | null; format: ValueFormat }

export interface Column {
  header: string
  format: ValueFormat
  /** Spreadsheet column width in characters. */
  width: number
}

export interface Table {
  id: string
  title: string
  columns: Column[]
  rows: Cell[][]
  /** The census total in the same columns, or null when a total makes no sense. */
  total: Cell[] | null
  note?: string
}

export interface KeyValue {
  label: string
  value: Cell
  format: ValueFormat
}

export interface KeyValueBlock {
  id: string
  title: string
  items: KeyValue[]
}

export function cellValue(cell: Cell): string | number | boolean | null {
  return cell !== null && typeof cell === 'object' ? cell.value : cell
}

export function cellFormat(cell: Cell, column: Column): ValueFormat {
  return cell !== null && typeof cell === 'object' ? cell.format : column.format
}

export type ExportBreakdown = CensusBreakdown | 'total'

export function isExportBreakdown(value: string): value is ExportBreakdown {
  return value === 'total' || (CENSUS_BREAKDOWNS as readonly string[]).includes(value)
}

export const BREAKDOWN_TITLES: Record<CensusBreakdown, LabelKey> = {
  province: 'byProvince',
  hub: 'byHub',
  level: 'byLevel',
  site: 'bySite',
  kind: 'byKind',
  vendor: 'byVendor',
  model: 'byModel',
  arch: 'byArch',
  domestic: 'byDomestic',
}

export const BREAKDOWN_SHEETS: Record<CensusBreakdown, LabelKey> = {
  province: 'sheetProvince',
  hub: 'sheetHub',
  level: 'sheetLevel',
  site: 'sheetSite',
  kind: 'sheetKind',
  vendor: 'sheetVendor',
  model: 'sheetModel',
  arch: 'sheetArch',
  domestic: 'sheetDomestic',
}

/** Header of a raw key column, by ledger dimension. */
const DIMENSION_HEADERS: Record<LedgerDimension, LabelKey> = {
  province: 'colProvinceCode',
  city: 'colCity',
  hub: 'colHubId',
  level: 'colLevelCode',
  platform: 'colPlatform',
  site: 'colSite',
  cluster: 'colCluster',
  kind: 'colKindCode',
  vendor: 'colVendor',
  model: 'colModel',
  arch: 'colArch',
  domestic: 'colDomesticCode',
}

const LEVEL_NAMES: Record<string, LabelKey> = { national: 'levelNational', provincial: 'levelProvincial', ministry: 'levelMinistry' }

export const isDeviceBreakdown = (b: CensusBreakdown): boolean => (DEVICE_DIMENSIONS as readonly string[]).includes(b)

const TIB = 2 ** 40
const TB = 1e12

/** The people-facing name of a key value of a breakdown (a province's name, 国产 for `true`, …). */
export function keyName(lang: CensusLanguage, names: CensusNames | undefined, dim: string, value: string | null): string {
  switch (dim) {
    case 'province':
    case 'hub':
      return codeName(lang, names, dim, value)
    case 'level': {
      const key = value === null ? undefined : LEVEL_NAMES[value]
      return key ? label(lang, key) : (value ?? label(lang, 'none'))
    }
    case 'domestic':
      return value === 'true'
        ? label(lang, 'domesticTrue')
        : value === 'false'
          ? label(lang, 'domesticFalse')
          : (value ?? label(lang, 'none'))
    case 'kind':
      return value === 'unclassified' ? label(lang, 'kindUnclassified') : (value ?? label(lang, 'none'))
    default:
      return value ?? label(lang, 'none')
  }
}

/** Accelerator kinds present in the census, in the ledger's order (unknown kinds last, sorted). */
export function acceleratorKinds(census: Census): string[] {
  const present = new Set<string>(Object.keys(census.total.accelerators))
  for (const groups of Object.values(census.breakdowns)) for (const g of groups) for (const k of Object.keys(g.accelerators)) present.add(k)
  const known = DEVICE_KINDS.filter((k) => k !== 'CPU' && present.has(k)) as string[]
  const others = [...present].filter((k) => !known.includes(k) && k !== 'CPU').sort()
  return [...known, ...others]
}

export const acceleratorCount = (g: LedgerGroup): number => Object.values(g.accelerators).reduce((a, b) => a + b, 0)

const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null)

interface MeasureColumn {
  header: string
  format: ValueFormat
  width: number
  get: (g: LedgerGroup) => Cell
}

/**
 * Every measure column of a breakdown table. `variant: 'full'` is the spreadsheet / CSV table;
 * `'compact'` is what fits an A4 page in the printed report.
 */
function measureColumns(census: Census, lang: CensusLanguage, b: CensusBreakdown | 'total', variant: 'full' | 'compact'): MeasureColumn[] {
  const t = (key: LabelKey) => label(lang, key)
  const device = b !== 'total' && isDeviceBreakdown(b)
  const total = census.total
  const col = (key: LabelKey, format: ValueFormat, get: MeasureColumn['get'], width = 14): MeasureColumn => ({
    header: t(key),
    format,
    width,
    get,
  })
  const clusters = col('colClusters', 'int', (g) => g.clusters, 10)
  const nodes = col('colNodes', 'int', (g) => g.nodes, 10)
  const devices = col('colDevices', 'count', (g) => g.devices, 12)
  const cores = col('colCpuCores', 'int', (g) => g.cpuCores, 12)
  const accelerators = col('colAccelerators', 'count', acceleratorCount, 12)
  const fp64 = col('colFp64', 'pflops', (g) => g.compute.fp64Pflops, 16)
  const fp32 = col('colFp32', 'pflops', (g) => g.compute.fp32Pflops, 16)
  const fp16 = col('colFp16', 'pflops', (g) => g.compute.fp16DensePflops, 18)
  const int8 = col('colInt8', 'pflops', (g) => g.compute.int8DensePops, 14)
  const shareFp32 = col('colShareFp32', 'ratio', (g) => share(g.compute.fp32Pflops, total.compute.fp32Pflops), 10)
  const shareFp16 = col('colShareFp16', 'ratio', (g) => share(g.compute.fp16DensePflops, total.compute.fp16DensePflops), 12)
  const cpuRequested = col('colCpuRequested', 'ratio', (g) => g.utilization.cpuRequested, 11)
  const accInUse = col('colAcceleratorsInUse', 'ratio', (g) => g.utilization.acceleratorsInUse, 12)
  const noFp16 = col('colNoFigureFp16', 'count', (g) => g.compute.devicesWithoutFigure.fp16Dense, 12)
  if (variant === 'compact') {
    return device
      ? [devices, accelerators, fp64, fp32, fp16, int8, shareFp16, noFp16, accInUse]
      : [clusters, nodes, cores, accelerators, fp64, fp32, fp16, shareFp32, cpuRequested, accInUse]
  }
  const kinds = acceleratorKinds(census).map((kind) => ({
    header: label(lang, 'colAcceleratorsOfKind', { kind: keyName(lang, undefined, 'kind', kind) }),
    format: 'count' as const,
    width: 12,
    get: (g: LedgerGroup) => g.accelerators[kind] ?? 0,
  }))
  const columns: MeasureColumn[] = [
    clusters,
    nodes,
    ...(device ? [devices] : []),
    cores,
    col('colMemory', 'dec1', (g) => g.memoryBytes / TIB, 12),
    accelerators,
    ...kinds,
    col('colVirtual', 'count', (g) => g.virtualAccelerators, 12),
    fp64,
    fp32,
    fp16,
    int8,
    shareFp32,
    shareFp16,
    col('colNoFigureFp64', 'count', (g) => g.compute.devicesWithoutFigure.fp64, 12),
    col('colNoFigureFp32', 'count', (g) => g.compute.devicesWithoutFigure.fp32, 12),
    noFp16,
    col('colNoFigureInt8', 'count', (g) => g.compute.devicesWithoutFigure.int8Dense, 12),
    cpuRequested,
    col('colMemoryRequested', 'ratio', (g) => g.utilization.memoryRequested, 11),
    col('colCpuUsed', 'ratio', (g) => g.utilization.cpuUsed, 11),
    col('colMemoryUsed', 'ratio', (g) => g.utilization.memoryUsed, 11),
    accInUse,
  ]
  if (!device) {
    columns.push(
      col('colStorageCapacity', 'dec1', (g) => (g.storage ? g.storage.capacityBytes / TB : null)),
      col('colStorageUsed', 'dec1', (g) => (g.storage && g.storage.usedBytes !== null ? g.storage.usedBytes / TB : null)),
      col('colStorageUsedRatio', 'ratio', (g) =>
        g.storage && g.storage.usedBytes !== null ? share(g.storage.usedBytes, g.storage.capacityBytes) : null,
      ),
      col('colItPower', 'dec1', (g) => g.energy?.itPowerKw ?? null),
      col('colFacilityPower', 'dec1', (g) => g.energy?.facilityPowerKw ?? null),
      col('colPue', 'dec2', (g) => g.energy?.pue ?? null, 12),
      col('colGreenShare', 'ratio', (g) => g.energy?.greenShare ?? null, 10),
      col('colCarbonIntensity', 'dec3', (g) => g.energy?.carbonIntensityKgPerKwh ?? null, 16),
      col('colClustersReporting', 'int', (g) => g.energy?.clustersReporting ?? null, 12),
    )
  }
  columns.push({ header: withZone(lang, t('colAsOf')), format: 'time', width: 22, get: (g) => g.asOf })
  return columns
}

interface KeyColumn {
  header: string
  width: number
  get: (g: LedgerGroup) => string | null
}

/** Key columns: the raw code (machines) and, where a code has a name, the name (people). */
function keyColumns(
  lang: CensusLanguage,
  names: CensusNames | undefined,
  b: CensusBreakdown,
  groups: LedgerGroup[],
  variant: 'full' | 'compact',
): KeyColumn[] {
  const raw = (dim: string) => (g: LedgerGroup) => g.key[dim] ?? null
  const named = (dim: string) => (g: LedgerGroup) => keyName(lang, names, dim, g.key[dim] ?? null)
  const rawHeader = (dim: string) => {
    const key = DIMENSION_HEADERS[dim as LedgerDimension]
    return key ? label(lang, key) : dim
  }
  const nameHeaders: Partial<Record<CensusBreakdown, LabelKey>> = {
    province: 'colProvince',
    hub: 'colHub',
    level: 'colLevel',
    kind: 'colKind',
    domestic: 'colDomestic',
  }
  const nameHeader = nameHeaders[b]
  const wide = b === 'site' || b === 'model' || b === 'hub' ? 28 : 16
  const main: KeyColumn[] = nameHeader
    ? variant === 'compact'
      ? [{ header: label(lang, nameHeader), width: wide, get: named(b) }]
      : [
          { header: rawHeader(b), width: 14, get: raw(b) },
          { header: label(lang, nameHeader), width: wide, get: named(b) },
        ]
    : [{ header: rawHeader(b), width: wide, get: variant === 'compact' ? named(b) : raw(b) }]
  // A builder may key a breakdown by more than its own dimension (model with its vendor): show those too.
  const extra: string[] = []
  for (const g of groups) for (const dim of Object.keys(g.key)) if (dim !== b && !extra.includes(dim)) extra.push(dim)
  return [...main, ...extra.map((dim) => ({ header: rawHeader(dim), width: 16, get: raw(dim) }))]
}

/** One breakdown as a table: key columns, measure columns, one row per group, the census total. */
export function breakdownTable(
  census: Census,
  lang: CensusLanguage,
  b: CensusBreakdown,
  names: CensusNames | undefined,
  variant: 'full' | 'compact' = 'full',
): Table {
  const groups = census.breakdowns[b] ?? []
  const keys = keyColumns(lang, names, b, groups, variant)
  const measures = measureColumns(census, lang, b, variant)
  const columns: Column[] = [
    ...keys.map((k) => ({ header: k.header, format: 'text' as const, width: k.width })),
    ...measures.map((m) => ({ header: m.header, format: m.format, width: m.width })),
  ]
  const rows = groups.map((g) => [...keys.map((k) => k.get(g)), ...measures.map((m) => m.get(g))])
  const total = [label(lang, 'total'), ...keys.slice(1).map(() => null), ...measures.map((m) => m.get(census.total))]
  return {
    id: b,
    title: label(lang, BREAKDOWN_TITLES[b]),
    columns,
    rows,
    total,
    ...(isDeviceBreakdown(b) && variant === 'full' ? { note: label(lang, 'noteSiteOnly') } : {}),
  }
}

/** The census total as a one-row table with the full site-level columns (CSV `breakdown=total`). */
export function totalTable(census: Census, lang: CensusLanguage): Table {
  const measures = measureColumns(census, lang, 'total', 'full')
  return {
    id: 'total',
    title: label(lang, 'secTotal'),
    columns: measures.map((m) => ({ header: m.header, format: m.format, width: m.width })),
    rows: [measures.map((m) => m.get(census.total))],
    total: null,
  }
}

// ---------------------------------------------------------------------------------------------
// Identity and summary figures

export function identityBlock(census: Census, lang: CensusLanguage): KeyValueBlock {
  const t = (key: LabelKey) => label(lang, key)
  return {
    id: 'identity',
    title: t('identity'),
    items: [
      { label: t('censusNo'), value: census.id, format: 'int' },
      { label: t('period'), value: census.period, format: 'text' },
      { label: t('title'), value: census.title, format: 'text' },
      { label: withZone(lang, t('createdAt')), value: census.createdAt, format: 'time' },
      { label: withZone(lang, t('asOf')), value: census.asOf, format: 'time' },
      { label: t('catalogVersion'), value: census.catalog.version, format: 'text' },
      { label: t('catalogRows'), value: census.catalog.rows, format: 'int' },
      { label: t('catalogUserFile'), value: census.catalog.userFile, format: 'text' },
      { label: t('staleAfter'), value: census.staleAfterSeconds, format: 'int' },
      { label: t('lineageCount'), value: census.lineage.length, format: 'int' },
    ],
  }
}

/** `数据截至（北京时间）` / `Data as of (Beijing time)`. */
export function withZone(lang: CensusLanguage, text: string): string {
  return lang === 'en' ? `${text} (${label(lang, 'beijingTime')})` : `${text}（${label(lang, 'beijingTime')}）`
}

export function clusterCountsBlock(census: Census, lang: CensusLanguage): KeyValueBlock {
  const t = (key: LabelKey) => label(lang, key)
  return {
    id: 'clusters',
    title: t('clusterCounts'),
    items: [
      { label: t('clustersIncluded'), value: census.total.clusters, format: 'int' },
      { label: t('clustersStale'), value: census.dataQuality.stale.length, format: 'int' },
      { label: t('clustersMissing'), value: census.dataQuality.missing.length, format: 'int' },
    ],
  }
}

export function totalsBlock(census: Census, lang: CensusLanguage): KeyValueBlock {
  const t = (key: LabelKey) => label(lang, key)
  const g = census.total
  return {
    id: 'totals',
    title: t('secTotal'),
    items: [
      { label: t('colFp64'), value: g.compute.fp64Pflops, format: 'pflops' },
      { label: t('colFp32'), value: g.compute.fp32Pflops, format: 'pflops' },
      { label: t('colFp16'), value: g.compute.fp16DensePflops, format: 'pflops' },
      { label: t('colInt8'), value: g.compute.int8DensePops, format: 'pflops' },
      { label: t('colClusters'), value: g.clusters, format: 'int' },
      { label: t('colNodes'), value: g.nodes, format: 'int' },
      { label: t('colCpuCores'), value: g.cpuCores, format: 'int' },
      { label: t('colMemory'), value: g.memoryBytes / TIB, format: 'dec1' },
      { label: t('colAccelerators'), value: acceleratorCount(g), format: 'count' },
      ...acceleratorKinds(census).map((kind) => ({
        label: label(lang, 'colAcceleratorsOfKind', { kind: keyName(lang, undefined, 'kind', kind) }),
        value: g.accelerators[kind] ?? 0,
        format: 'count' as const,
      })),
      { label: t('colVirtual'), value: g.virtualAccelerators, format: 'count' },
    ],
  }
}

export function utilizationBlock(census: Census, lang: CensusLanguage): KeyValueBlock {
  const t = (key: LabelKey) => label(lang, key)
  const u = census.total.utilization
  return {
    id: 'utilization',
    title: t('utilizationOverall'),
    items: [
      { label: t('colCpuRequested'), value: u.cpuRequested, format: 'ratio' },
      { label: t('colMemoryRequested'), value: u.memoryRequested, format: 'ratio' },
      { label: t('colCpuUsed'), value: u.cpuUsed, format: 'ratio' },
      { label: t('colMemoryUsed'), value: u.memoryUsed, format: 'ratio' },
      { label: t('colAcceleratorsInUse'), value: u.acceleratorsInUse, format: 'ratio' },
    ],
  }
}

export function storageBlock(census: Census, lang: CensusLanguage): KeyValueBlock {
  const t = (key: LabelKey) => label(lang, key)
  const s = census.total.storage
  const used = s && s.usedBytes !== null ? s.usedBytes : null
  return {
    id: 'storage',
    title: t('storageTotal'),
    items: [
      { label: t('colStorageCapacity'), value: s ? s.capacityBytes / TB : null, format: 'dec1' },
      { label: t('colStorageUsed'), value: used === null ? null : used / TB, format: 'dec1' },
      { label: t('colStorageUsedRatio'), value: s && used !== null ? share(used, s.capacityBytes) : null, format: 'ratio' },
    ],
  }
}

export function energyBlock(census: Census, lang: CensusLanguage): KeyValueBlock {
  const t = (key: LabelKey) => label(lang, key)
  const e = census.energy
  return {
    id: 'energy',
    title: t('energyTotal'),
    items: [
      { label: t('colItPower'), value: e.itPowerKw, format: 'dec1' },
      { label: t('colFacilityPower'), value: e.facilityPowerKw, format: 'dec1' },
      { label: t('colPue'), value: e.pue, format: 'dec2' },
      { label: t('colGreenShare'), value: e.greenShare, format: 'ratio' },
      { label: t('colCarbonIntensity'), value: e.carbonIntensityKgPerKwh, format: 'dec3' },
      { label: t('colAnnualEnergy'), value: e.annualEnergyMwh, format: 'dec1' },
      { label: t('colAnnualCarbon'), value: e.annualCarbonTonnes, format: 'dec1' },
    ],
  }
}

// ---------------------------------------------------------------------------------------------
// Technology selection: domestic share

export interface DomesticFigures {
  /** Per measure: domestic, non-domestic, total (the census total), domestic / total. */
  rows: { key: string; label: string; format: ValueFormat; domestic: number; nonDomestic: number; total: number; share: number | null }[]
  /** Accelerators per kind, for the chart. */
  kinds: { kind: string; name: string; domestic: number; total: number; share: number | null }[]
}

export function domesticFigures(census: Census, lang: CensusLanguage): DomesticFigures {
  const groups = census.breakdowns.domestic ?? []
  const sum = (value: 'true' | 'false', get: (g: LedgerGroup) => number) =>
    groups.filter((g) => g.key.domestic === value).reduce((a, g) => a + get(g), 0)
  const t = (key: LabelKey) => label(lang, key)
  const measure = (key: string, name: string, format: ValueFormat, get: (g: LedgerGroup) => number) => {
    const domestic = sum('true', get)
    const total = get(census.total)
    return { key, label: name, format, domestic, nonDomestic: sum('false', get), total, share: share(domestic, total) }
  }
  const kinds = acceleratorKinds(census)
  const rows = [
    measure('cpuCores', t('colCpuCores'), 'int', (g) => g.cpuCores),
    measure('accelerators', t('colAccelerators'), 'count', acceleratorCount),
    ...kinds.map((kind) =>
      measure(
        `accelerators.${kind}`,
        label(lang, 'colAcceleratorsOfKind', { kind: keyName(lang, undefined, 'kind', kind) }),
        'count',
        (g) => g.accelerators[kind] ?? 0,
      ),
    ),
    measure('fp64', t('colFp64'), 'pflops', (g) => g.compute.fp64Pflops),
    measure('fp32', t('colFp32'), 'pflops', (g) => g.compute.fp32Pflops),
    measure('fp16', t('colFp16'), 'pflops', (g) => g.compute.fp16DensePflops),
    measure('int8', t('colInt8'), 'pflops', (g) => g.compute.int8DensePops),
  ]
  return {
    rows,
    kinds: kinds.map((kind) => {
      const domestic = sum('true', (g) => g.accelerators[kind] ?? 0)
      const total = census.total.accelerators[kind] ?? 0
      return { kind, name: keyName(lang, undefined, 'kind', kind), domestic, total, share: share(domestic, total) }
    }),
  }
}

export function domesticShareTable(census: Census, lang: CensusLanguage): Table {
  const t = (key: LabelKey) => label(lang, key)
  const figures = domesticFigures(census, lang)
  return {
    id: 'domesticShare',
    title: t('domesticShare'),
    columns: [
      { header: t('colMeasure'), format: 'text', width: 30 },
      { header: t('colDomesticValue'), format: 'dec3', width: 16 },
      { header: t('colNonDomesticValue'), format: 'dec3', width: 16 },
      { header: t('colTotal'), format: 'dec3', width: 16 },
      { header: t('domesticShare'), format: 'ratio', width: 12 },
    ],
    rows: figures.rows.map((r) => [
      r.label,
      { value: r.domestic, format: r.format },
      { value: r.nonDomestic, format: r.format },
      { value: r.total, format: r.format },
      r.share,
    ]),
    total: null,
  }
}

export function domesticSummaryBlock(census: Census, lang: CensusLanguage): KeyValueBlock {
  const t = (key: LabelKey) => label(lang, key)
  const rows = domesticFigures(census, lang).rows
  const of = (key: string) => rows.find((r) => r.key === key)?.share ?? null
  return {
    id: 'domestic',
    title: t('domesticShare'),
    items: [
      { label: t('domesticShareAccelerators'), value: of('accelerators'), format: 'ratio' },
      { label: t('domesticShareFp16'), value: of('fp16'), format: 'ratio' },
      { label: t('domesticShareFp32'), value: of('fp32'), format: 'ratio' },
      { label: t('domesticShareCpuCores'), value: of('cpuCores'), format: 'ratio' },
    ],
  }
}

// ---------------------------------------------------------------------------------------------
// Utilization, idle capacity, storage and energy by province

export function bandLabel(min: number, max: number): string {
  return `${Math.round(min * 100)}%–${Math.round(max * 100)}%`
}

export function bandsTable(census: Census, lang: CensusLanguage): Table {
  const t = (key: LabelKey) => label(lang, key)
  const bands = census.utilizationBands
  return {
    id: 'bands',
    title: t('utilizationBands'),
    columns: [
      { header: t('colBand'), format: 'text', width: 16 },
      { header: t('colBandMin'), format: 'ratio', width: 12 },
      { header: t('colBandMax'), format: 'ratio', width: 12 },
      { header: t('colClusters'), format: 'int', width: 10 },
      { header: t('colCpuCores'), format: 'int', width: 12 },
      { header: t('colAccelerators'), format: 'count', width: 12 },
    ],
    rows: bands.map((b) => [bandLabel(b.min, b.max), b.min, b.max, b.clusters, b.cpuCores, b.accelerators]),
    total: [
      t('total'),
      null,
      null,
      bands.reduce((a, b) => a + b.clusters, 0),
      bands.reduce((a, b) => a + b.cpuCores, 0),
      bands.reduce((a, b) => a + b.accelerators, 0),
    ],
  }
}

export function idleBlock(census: Census, lang: CensusLanguage): KeyValueBlock {
  const t = (key: LabelKey) => label(lang, key)
  const idle = census.idle
  const measures: Record<string, LabelKey> = {
    cpuRequested: 'measureCpuRequested',
    cpuUsed: 'measureCpuUsed',
    acceleratorsInUse: 'measureAcceleratorsInUse',
  }
  const measure = measures[idle.measure]
  return {
    id: 'idle',
    title: t('idleCapacity'),
    items: [
      { label: t('idleThreshold'), value: idle.threshold, format: 'ratio' },
      { label: t('idleHours'), value: idle.hours, format: 'count' },
      { label: t('idleMeasure'), value: measure ? t(measure) : idle.measure, format: 'text' },
      { label: withZone(lang, t('idleWindow')), value: `${beijingTime(idle.from)} – ${beijingTime(idle.to)}`, format: 'text' },
      { label: t('idleTotalClusters'), value: idle.totalClusters, format: 'int' },
      { label: t('idleCount'), value: idle.clusters.length, format: 'int' },
      { label: t('colIdleCpuCores'), value: idle.totals.idleCpuCores, format: 'count' },
      { label: t('colIdleAccelerators'), value: idle.totals.idleAccelerators, format: 'count' },
      { label: t('colIdleFp16'), value: idle.totals.idleFp16DensePflops, format: 'pflops' },
    ],
  }
}

export function idleTable(census: Census, lang: CensusLanguage, names: CensusNames | undefined): Table {
  const t = (key: LabelKey) => label(lang, key)
  const idle = census.idle
  return {
    id: 'idleClusters',
    title: t('idleClusters'),
    columns: [
      { header: t('colClusterId'), format: 'text', width: 26 },
      { header: t('colProvince'), format: 'text', width: 14 },
      { header: t('colCity'), format: 'text', width: 12 },
      { header: t('colSite'), format: 'text', width: 24 },
      { header: t('colHub'), format: 'text', width: 18 },
      { header: t('colPeak'), format: 'ratio', width: 10 },
      { header: t('colMean'), format: 'ratio', width: 10 },
      { header: t('colHoursObserved'), format: 'dec1', width: 12 },
      { header: t('colIdleCpuCores'), format: 'count', width: 12 },
      { header: t('colIdleAccelerators'), format: 'count', width: 12 },
      { header: t('colIdleFp16'), format: 'pflops', width: 16 },
    ],
    rows: idle.clusters.map((c) => [
      c.clusterId,
      codeName(lang, names, 'province', c.province),
      c.city,
      c.site,
      codeName(lang, names, 'hub', c.hub),
      c.peak,
      c.mean,
      c.hoursObserved,
      c.idleCpuCores,
      c.idleAccelerators,
      c.idleFp16DensePflops,
    ]),
    total: [
      t('total'),
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      idle.totals.idleCpuCores,
      idle.totals.idleAccelerators,
      idle.totals.idleFp16DensePflops,
    ],
  }
}

export function storageByProvinceTable(census: Census, lang: CensusLanguage, names: CensusNames | undefined): Table {
  const t = (key: LabelKey) => label(lang, key)
  const row = (g: LedgerGroup) => {
    const used = g.storage && g.storage.usedBytes !== null ? g.storage.usedBytes : null
    return [
      g.storage ? g.storage.capacityBytes / TB : null,
      used === null ? null : used / TB,
      g.storage && used !== null ? share(used, g.storage.capacityBytes) : null,
    ]
  }
  return {
    id: 'storageByProvince',
    title: t('storageByProvince'),
    columns: [
      { header: t('colProvince'), format: 'text', width: 16 },
      { header: t('colStorageCapacity'), format: 'dec1', width: 16 },
      { header: t('colStorageUsed'), format: 'dec1', width: 16 },
      { header: t('colStorageUsedRatio'), format: 'ratio', width: 12 },
    ],
    rows: (census.breakdowns.province ?? []).map((g) => [codeName(lang, names, 'province', g.key.province ?? null), ...row(g)]),
    total: [t('total'), ...row(census.total)],
  }
}

export function energyByProvinceTable(census: Census, lang: CensusLanguage, names: CensusNames | undefined): Table {
  const t = (key: LabelKey) => label(lang, key)
  const row = (g: LedgerGroup) => [
    g.energy?.itPowerKw ?? null,
    g.energy?.facilityPowerKw ?? null,
    g.energy?.pue ?? null,
    g.energy?.greenShare ?? null,
    g.energy?.carbonIntensityKgPerKwh ?? null,
    g.energy?.clustersReporting ?? null,
  ]
  return {
    id: 'energyByProvince',
    title: t('energyByProvince'),
    columns: [
      { header: t('colProvince'), format: 'text', width: 16 },
      { header: t('colItPower'), format: 'dec1', width: 14 },
      { header: t('colFacilityPower'), format: 'dec1', width: 14 },
      { header: t('colPue'), format: 'dec2', width: 12 },
      { header: t('colGreenShare'), format: 'ratio', width: 10 },
      { header: t('colCarbonIntensity'), format: 'dec3', width: 16 },
      { header: t('colClustersReporting'), format: 'int', width: 12 },
    ],
    rows: (census.breakdowns.province ?? []).map((g) => [codeName(lang, names, 'province', g.key.province ?? null), ...row(g)]),
    total: [t('total'), ...row(census.total)],
  }
}

export function pueTargetsTable(census: Census, lang: CensusLanguage, names: CensusNames | undefined): Table {
  const t = (key: LabelKey) => label(lang, key)
  return {
    id: 'pueTargets',
    title: t('pueTargets'),
    columns: [
      { header: t('colHub'), format: 'text', width: 22 },
      { header: t('colSite'), format: 'text', width: 26 },
      { header: t('colTarget'), format: 'dec2', width: 12 },
      { header: t('colPue'), format: 'dec2', width: 12 },
      { header: t('colMeets'), format: 'text', width: 10 },
    ],
    rows: census.energy.pueTargets.map((p) => [
      p.hub === null ? t('nationalTarget') : codeName(lang, names, 'hub', p.hub),
      p.site,
      p.target,
      p.pue,
      p.meets === null ? t('unknown') : t(p.meets ? 'yes' : 'no'),
    ]),
    total: null,
  }
}

// ---------------------------------------------------------------------------------------------
// Data quality and method notes

function clusterStatusTable(census: Census, lang: CensusLanguage, names: CensusNames | undefined, which: 'stale' | 'missing'): Table {
  const t = (key: LabelKey) => label(lang, key)
  return {
    id: which,
    title: t(which === 'stale' ? 'staleClusters' : 'missingClusters'),
    columns: [
      { header: t('colClusterId'), format: 'text', width: 26 },
      { header: t('colProvinceCode'), format: 'text', width: 12 },
      { header: t('colProvince'), format: 'text', width: 14 },
      { header: t('colSite'), format: 'text', width: 26 },
      { header: withZone(lang, t('colLastReport')), format: 'time', width: 22 },
      { header: t('colLastSequence'), format: 'int', width: 12 },
    ],
    rows: census.dataQuality[which].map((c) => [
      c.clusterId,
      c.province,
      codeName(lang, names, 'province', c.province),
      c.site,
      c.lastReportAt,
      c.lastSequence,
    ]),
    total: null,
    ...(which === 'stale' ? { note: t('noteStale') } : {}),
  }
}

export const staleTable = (census: Census, lang: CensusLanguage, names: CensusNames | undefined) =>
  clusterStatusTable(census, lang, names, 'stale')
export const missingTable = (census: Census, lang: CensusLanguage, names: CensusNames | undefined) =>
  clusterStatusTable(census, lang, names, 'missing')

export function unclassifiedTable(census: Census, lang: CensusLanguage): Table {
  const t = (key: LabelKey) => label(lang, key)
  const rows = census.dataQuality.unclassified
  return {
    id: 'unclassified',
    title: t('unclassifiedDevices'),
    columns: [
      { header: t('colResource'), format: 'text', width: 40 },
      { header: t('colDevices'), format: 'count', width: 12 },
      { header: t('colClusters'), format: 'int', width: 10 },
    ],
    rows: rows.map((u) => [u.resource, u.devices, u.clusters]),
    total: [t('total'), rows.reduce((a, u) => a + u.devices, 0), null],
  }
}

export function withoutFigureBlock(census: Census, lang: CensusLanguage): KeyValueBlock {
  const t = (key: LabelKey) => label(lang, key)
  const w = census.total.compute.devicesWithoutFigure
  return {
    id: 'withoutFigure',
    title: t('devicesWithoutFigure'),
    items: [
      { label: t('colNoFigureFp64'), value: w.fp64, format: 'count' },
      { label: t('colNoFigureFp32'), value: w.fp32, format: 'count' },
      { label: t('colNoFigureFp16'), value: w.fp16Dense, format: 'count' },
      { label: t('colNoFigureInt8'), value: w.int8Dense, format: 'count' },
    ],
  }
}

const BASIS_KEYS: Record<string, { name: LabelKey; text: LabelKey }> = {
  fp64Pflops: { name: 'basisFp64', text: 'basisTextFp64' },
  fp32Pflops: { name: 'basisFp32', text: 'basisTextFp32' },
  fp16DensePflops: { name: 'basisFp16', text: 'basisTextFp16' },
  int8DensePops: { name: 'basisInt8', text: 'basisTextInt8' },
  utilization: { name: 'basisUtilization', text: 'basisTextUtilization' },
  energy: { name: 'basisEnergy', text: 'basisTextEnergy' },
  asOf: { name: 'basisAsOf', text: 'basisTextAsOf' },
}

/**
 * The census's basis, one row per measure. English shows the census's own text verbatim (it is what the
 * census froze); Chinese shows the translation of a known measure and the stored text of an unknown one.
 */
export function basisRows(census: Census, lang: CensusLanguage): { key: string; name: string; text: string }[] {
  return Object.entries(census.basis).map(([key, text]) => {
    const known = BASIS_KEYS[key]
    return {
      key,
      name: known ? label(lang, known.name) : key,
      text: known && lang === 'zh-CN' ? label(lang, known.text) : text,
    }
  })
}

export function basisTable(census: Census, lang: CensusLanguage): Table {
  const t = (key: LabelKey) => label(lang, key)
  return {
    id: 'basis',
    title: t('basisNotes'),
    columns: [
      { header: t('colBasisKey'), format: 'text', width: 28 },
      { header: t('colBasisText'), format: 'text', width: 100 },
    ],
    rows: basisRows(census, lang).map((b) => [b.name, b.text]),
    total: null,
    note: t('noteBasis'),
  }
}

export function catalogNotesTable(census: Census, lang: CensusLanguage): Table {
  const t = (key: LabelKey) => label(lang, key)
  return {
    id: 'catalog',
    title: t('catalogNotes'),
    columns: [
      { header: t('colVendor'), format: 'text', width: 14 },
      { header: t('colModel'), format: 'text', width: 30 },
      { header: t('colKind'), format: 'text', width: 10 },
      { header: t('colConfidence'), format: 'text', width: 12 },
      { header: t('colSource'), format: 'text', width: 60 },
      { header: t('colDevices'), format: 'count', width: 12 },
    ],
    rows: census.methodNotes.map((n) => [n.vendor, n.model, keyName(lang, undefined, 'kind', n.kind), n.confidence, n.source, n.devices]),
    total: null,
  }
}

export function lineageTable(census: Census, lang: CensusLanguage): Table {
  const t = (key: LabelKey) => label(lang, key)
  const kinds: Record<string, LabelKey> = { full: 'reportKindFull', usage: 'reportKindUsage' }
  return {
    id: 'lineage',
    title: t('lineage'),
    columns: [
      { header: t('colClusterId'), format: 'text', width: 28 },
      { header: t('colSequence'), format: 'int', width: 12 },
      { header: t('colReportKind'), format: 'text', width: 12 },
      { header: withZone(lang, t('colReceivedAt')), format: 'time', width: 22 },
    ],
    rows: census.lineage.map((l) => {
      const kind = kinds[l.kind]
      return [l.clusterId, l.sequence, kind ? t(kind) : l.kind, l.receivedAt]
    }),
    total: null,
  }
}

/** The report's title line: the census's own title, or `第 N 号普查 · 期`. */
export function reportHeading(census: Census, lang: CensusLanguage): string {
  return label(lang, 'censusHeading', { id: census.id, period: census.period })
}

const SEVERITY: Record<string, LabelKey> = { high: 'severityHigh', medium: 'severityMedium', low: 'severityLow' }

/** One finding as a sentence in the report's language, numbers formatted for it. */
export function recommendationText(lang: CensusLanguage, r: Census['recommendations'][number]): string {
  const f = r.figures
  const n = (v: number | undefined, format: 'int' | 'count' | 'dec1' | 'dec2' | 'ratio') => formatNumber(lang, v ?? null, format)
  switch (r.code) {
    case 'idle-cluster':
      return label(lang, 'recIdleCluster', {
        hours: n(f.hours, 'dec1'),
        peak: n(f.peak, 'ratio'),
        cores: n(f.idleCpuCores, 'int'),
        acc: n(f.idleAccelerators, 'count'),
      })
    case 'stranded-accelerators':
      return label(lang, 'recStranded', { n: n(f.strandedAccelerators, 'count') })
    case 'pue-over-target':
      return label(lang, 'recPue', { pue: n(f.pue, 'dec2'), target: n(f.target, 'dec2') })
    case 'unclassified-devices':
      return label(lang, 'recUnclassified', { devices: n(f.devices, 'count'), clusters: n(f.clusters, 'int') })
    case 'stale-cluster':
      return label(lang, 'recStale', { hours: n(f.silentHours, 'dec1') })
    case 'idle-site':
      return label(lang, 'recIdleSite', {
        clusters: n(f.clusters, 'int'),
        hours: n(f.hours, 'dec1'),
        peak: n(f.peak, 'ratio'),
        cores: n(f.idleCpuCores, 'int'),
        acc: n(f.idleAccelerators, 'count'),
      })
    case 'long-reservation':
      return label(lang, 'recReservation', { hours: n(f.hours, 'dec1'), devices: n(f.devices, 'count'), replicas: n(f.replicas, 'int') })
  }
}

export function recommendationsTable(census: Census, lang: CensusLanguage, names: CensusNames | undefined): Table {
  const t = (key: LabelKey) => label(lang, key)
  return {
    id: 'recommendations',
    title: t('secRecommendations'),
    columns: [
      { header: t('colSeverity'), format: 'text', width: 8 },
      { header: t('colSubject'), format: 'text', width: 28 },
      { header: t('colProvince'), format: 'text', width: 14 },
      { header: t('colFinding'), format: 'text', width: 90 },
    ],
    rows: census.recommendations.map((r) => [
      t(SEVERITY[r.severity] ?? 'severityLow'),
      r.subject,
      r.province === null ? null : keyName(lang, names, 'province', r.province),
      recommendationText(lang, r),
    ]),
    total: null,
    ...(census.recommendations.length === 0 ? { note: t('noRecommendations') } : {}),
  }
}
