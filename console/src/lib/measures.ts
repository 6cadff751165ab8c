import type { LedgerGroup } from '@suanpan/control-plane/schemas'
import type { MessageKey } from '../i18n/zh-CN'
import type { Formatters } from './format'

export type MeasureFormat = 'pflops' | 'count' | 'cores' | 'ratio' | 'power' | 'pue' | 'carbon' | 'bytes'

export interface Measure {
  id: MeasureId
  format: MeasureFormat
  /** Lower is better (PUE, carbon): the map legend says so. */
  lowerIsBetter?: boolean
  /** Energy and storage belong to sites: null under device groupings. */
  siteLevel?: boolean
  value(group: LedgerGroup): number | null
}

export type MeasureId =
  | 'fp32'
  | 'fp16'
  | 'fp64'
  | 'clusters'
  | 'nodes'
  | 'cpuCores'
  | 'accelerators'
  | 'memory'
  | 'storage'
  | 'cpuRequested'
  | 'cpuUsed'
  | 'memoryRequested'
  | 'acceleratorsInUse'
  | 'itPower'
  | 'pue'
  | 'greenShare'
  | 'carbon'

/** Accelerators of every kind (physical-device equivalents). */
export function acceleratorCount(group: LedgerGroup): number {
  let sum = 0
  for (const value of Object.values(group.accelerators)) sum += value
  return sum
}

export const MEASURES: Readonly<Record<MeasureId, Measure>> = {
  fp32: { id: 'fp32', format: 'pflops', value: (g) => g.compute.fp32Pflops },
  fp16: { id: 'fp16', format: 'pflops', value: (g) => g.compute.fp16DensePflops },
  fp64: { id: 'fp64', format: 'pflops', value: (g) => g.compute.fp64Pflops },
  clusters: { id: 'clusters', format: 'count', value: (g) => g.clusters },
  nodes: { id: 'nodes', format: 'count', value: (g) => g.nodes },
  cpuCores: { id: 'cpuCores', format: 'cores', value: (g) => g.cpuCores },
  accelerators: { id: 'accelerators', format: 'count', value: acceleratorCount },
  memory: { id: 'memory', format: 'bytes', value: (g) => g.memoryBytes },
  storage: { id: 'storage', format: 'bytes', siteLevel: true, value: (g) => g.storage?.capacityBytes ?? null },
  cpuRequested: { id: 'cpuRequested', format: 'ratio', value: (g) => g.utilization.cpuRequested },
  cpuUsed: { id: 'cpuUsed', format: 'ratio', value: (g) => g.utilization.cpuUsed },
  memoryRequested: { id: 'memoryRequested', format: 'ratio', value: (g) => g.utilization.memoryRequested },
  acceleratorsInUse: { id: 'acceleratorsInUse', format: 'ratio', value: (g) => g.utilization.acceleratorsInUse },
  itPower: { id: 'itPower', format: 'power', siteLevel: true, value: (g) => g.energy?.itPowerKw ?? null },
  pue: { id: 'pue', format: 'pue', siteLevel: true, lowerIsBetter: true, value: (g) => g.energy?.pue ?? null },
  greenShare: { id: 'greenShare', format: 'ratio', siteLevel: true, value: (g) => g.energy?.greenShare ?? null },
  carbon: { id: 'carbon', format: 'carbon', siteLevel: true, lowerIsBetter: true, value: (g) => g.energy?.carbonIntensityKgPerKwh ?? null },
}

/** What the province map can be coloured by. */
export const MAP_MEASURES = [
  'fp32',
  'fp16',
  'cpuCores',
  'accelerators',
  'cpuRequested',
  'acceleratorsInUse',
  'greenShare',
  'pue',
] as const satisfies readonly MeasureId[]
export type MapMeasureId = (typeof MAP_MEASURES)[number]

/** Columns of the ledger table, left to right after the dimension columns. */
export const TABLE_MEASURES = [
  'clusters',
  'nodes',
  'cpuCores',
  'accelerators',
  'fp32',
  'fp16',
  'fp64',
  'cpuRequested',
  'cpuUsed',
  'acceleratorsInUse',
  'storage',
  'itPower',
  'pue',
  'greenShare',
] as const satisfies readonly MeasureId[]

export function isMeasureId(value: string): value is MeasureId {
  return Object.hasOwn(MEASURES, value)
}

/** The unit a column or legend names once (an i18n key), so its cells can show bare numbers (see formatBare). */
export function displayUnit(format: MeasureFormat): MessageKey | null {
  return format === 'pflops'
    ? 'unitSymbol.pflops'
    : format === 'power'
      ? 'unitSymbol.kw'
      : format === 'carbon'
        ? 'unitSymbol.kgPerKwh'
        : null
}

/** A figure without the unit `displayUnit` names; figures whose format has no such unit keep theirs. */
export function formatBare(format: MeasureFormat, value: number | null, f: Formatters): string {
  switch (format) {
    case 'pflops':
      return f.adaptive(value)
    case 'power':
      return f.number(value, 1)
    case 'carbon':
      return f.number(value, 3)
    default:
      return formatMeasure(format, value, f)
  }
}

export function formatMeasure(format: MeasureFormat, value: number | null, f: Formatters): string {
  switch (format) {
    case 'pflops':
      return f.pflops(value)
    case 'count':
      return f.number(value, 2)
    case 'cores':
      return f.integer(value)
    case 'ratio':
      return f.percent(value)
    case 'power':
      return f.power(value)
    case 'pue':
      return f.pue(value)
    case 'carbon':
      return f.carbon(value)
    case 'bytes':
      return f.bytes(value)
  }
}
