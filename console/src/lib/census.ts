import type { Census, CensusBreakdown, CensusDeltaMeasures, CensusSummary } from '@suanpan/control-plane/schemas'
import type { AdminTranslate, AnyMessageKey } from '../i18n/admin'
import type { Formatters } from './format'

/** The breakdowns every census carries, in the order the console offers them (mirrors CENSUS_BREAKDOWNS). */
export const CENSUS_BREAKDOWNS = [
  'province',
  'hub',
  'level',
  'site',
  'kind',
  'vendor',
  'model',
  'arch',
  'domestic',
] as const satisfies readonly CensusBreakdown[]

/** The measures a comparison carries (mirrors the contract's delta measures). */
export const DELTA_MEASURES = [
  'fp32Pflops',
  'fp16DensePflops',
  'fp64Pflops',
  'clusters',
  'nodes',
  'devices',
  'cpuCores',
  'storageBytes',
  'itPowerKw',
] as const satisfies readonly (keyof CensusDeltaMeasures)[]
export type DeltaMeasure = (typeof DELTA_MEASURES)[number]

// Copies of contract lists fail to compile when the contract gains a value the copy lacks.
type Exhaustive<T extends never> = T
export type CensusBreakdownsCovered = Exhaustive<Exclude<CensusBreakdown, (typeof CENSUS_BREAKDOWNS)[number]>>
export type DeltaMeasuresCovered = Exhaustive<Exclude<keyof CensusDeltaMeasures, DeltaMeasure>>

export function isCensusBreakdown(value: string | null): value is CensusBreakdown {
  return (CENSUS_BREAKDOWNS as readonly (string | null)[]).includes(value)
}

export function isDeltaMeasure(value: string | null): value is DeltaMeasure {
  return (DELTA_MEASURES as readonly (string | null)[]).includes(value)
}

export const DELTA_LABEL: Readonly<Record<DeltaMeasure, AnyMessageKey>> = {
  fp32Pflops: 'measure.fp32',
  fp16DensePflops: 'measure.fp16',
  fp64Pflops: 'measure.fp64',
  clusters: 'measure.clusters',
  nodes: 'measure.nodes',
  devices: 'census.devices',
  cpuCores: 'measure.cpuCores',
  storageBytes: 'measure.storage',
  itPowerKw: 'measure.itPower',
}

/** A comparison figure in the current language, with its unit. */
export function formatDeltaMeasure(measure: DeltaMeasure, value: number, f: Formatters): string {
  switch (measure) {
    case 'fp32Pflops':
    case 'fp16DensePflops':
    case 'fp64Pflops':
      return f.pflops(value)
    case 'storageBytes':
      return f.bytes(value)
    case 'itPowerKw':
      return f.power(value)
    case 'devices':
      return f.number(value, 2)
    default:
      return f.integer(value)
  }
}

export type DeltaDirection = 'up' | 'down' | 'none'

/** Up, down, or no change at the precision shown (PFLOPS sums differ in the 15th digit; power in watts). */
export function deltaDirection(measure: DeltaMeasure, delta: number, f: Formatters): DeltaDirection {
  if (!Number.isFinite(delta) || formatDeltaMeasure(measure, Math.abs(delta), f) === formatDeltaMeasure(measure, 0, f)) return 'none'
  return delta > 0 ? 'up' : 'down'
}

/** b − a with its sign always written (+1.2 PFLOPS, -3, 0): colour is never the only cue. */
export function formatDelta(measure: DeltaMeasure, delta: number, f: Formatters): string {
  const direction = deltaDirection(measure, delta, f)
  if (direction === 'none') return f.number(0)
  return `${direction === 'up' ? '+' : '-'}${formatDeltaMeasure(measure, Math.abs(delta), f)}`
}

const BEIJING_OFFSET_MS = 8 * 3_600_000

/** The quarter it is now in Beijing time (2026Q4): the period a new census most likely is for. */
export function currentQuarter(now: number = Date.now()): string {
  const d = new Date(now + BEIJING_OFFSET_MS)
  return `${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}`
}

/** `monthly 1 02:00` as its parts, or null for `off` or anything else. */
export function parseSchedule(text: string): { day: number; time: string } | null {
  const m = /^monthly\s+(\d{1,2})\s+(\d{1,2}:\d{2})$/.exec(text.trim())
  return m ? { day: Number(m[1]), time: m[2] ?? '' } : null
}

export interface KindSplit {
  kind: string
  domestic: number
  imported: number
}

/**
 * Accelerators per kind split into domestic and not, from the census's `domestic` breakdown (each of its
 * two groups counts its accelerators by kind). Unclassified devices count as not domestic.
 */
export function acceleratorsByKind(census: Census, kinds: readonly string[]): { rows: KindSplit[]; domestic: number; all: number } {
  const rows = new Map<string, KindSplit>(kinds.map((k) => [k, { kind: k, domestic: 0, imported: 0 }]))
  for (const g of census.breakdowns.domestic ?? []) {
    const isDomestic = g.key.domestic === 'true'
    for (const [kind, n] of Object.entries(g.accelerators)) {
      const row = rows.get(kind) ?? { kind, domestic: 0, imported: 0 }
      if (isDomestic) row.domestic += n
      else row.imported += n
      rows.set(kind, row)
    }
  }
  const list = [...rows.values()].filter((r) => r.domestic + r.imported > 0)
  const domestic = list.reduce((s, r) => s + r.domestic, 0)
  const all = list.reduce((s, r) => s + r.domestic + r.imported, 0)
  return { rows: list, domestic, all }
}

/** "第 3 号普查 · 2026Q4 · 标题" */
export function censusName(c: Pick<CensusSummary, 'id' | 'period' | 'title'>, t: AdminTranslate): string {
  return c.title
    ? t('census.nameWithTitle', { id: c.id, period: c.period, title: c.title })
    : t('census.name', { id: c.id, period: c.period })
}

/** `sha256:0123456789ab…`: enough to tell digests apart on screen; the whole one is in the title and the exports. */
export function shortHash(hash: string): string {
  const at = hash.indexOf(':')
  return at >= 0 ? `${hash.slice(0, at + 1)}${hash.slice(at + 1, at + 13)}…` : `${hash.slice(0, 12)}…`
}
