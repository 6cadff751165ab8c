import type { LedgerDimension } from '@suanpan/control-plane/schemas'
import { DRILL_PATH, type DrillDimension, isLedgerDimension, LEDGER_DIMENSIONS } from './dimensions'
import { isMeasureId, MAP_MEASURES, type MapMeasureId, type MeasureId } from './measures'

export type LedgerFiltersState = Partial<Record<LedgerDimension, string[]>>

export interface SortState {
  column: MeasureId | LedgerDimension
  order: 'ascend' | 'descend'
}

/** Everything the ledger page shows, read from the URL so any view can be linked to. */
export interface LedgerViewState {
  /** The grouping asked for, or the drill-down level's default. */
  groupBy: LedgerDimension[]
  /** True when `groupBy` came from the URL rather than the drill-down level. */
  customGroupBy: boolean
  filters: LedgerFiltersState
  /** A single cluster is selected: the node table replaces the group table. */
  cluster: string | null
  measure: MapMeasureId
  query: string
  sort: SortState
}

export const DEFAULT_SORT: SortState = { column: 'fp32', order: 'descend' }

const list = (value: string | null): string[] =>
  value
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : []

/** The next level down from the filters in force: province → site → cluster. */
export function drillLevel(filters: LedgerFiltersState): DrillDimension | 'node' {
  const one = (d: LedgerDimension) => filters[d]?.length === 1
  if (one('cluster')) return 'node'
  if (one('site')) return 'cluster'
  if (one('province')) return 'site'
  return 'province'
}

export function parseLedgerView(params: URLSearchParams): LedgerViewState {
  const filters: LedgerFiltersState = {}
  for (const dim of LEDGER_DIMENSIONS) {
    const values = list(params.get(dim))
    if (values.length > 0) filters[dim] = values
  }
  const requested = list(params.get('groupBy')).filter(isLedgerDimension)
  const level = drillLevel(filters)
  const groupBy = requested.length > 0 ? [...new Set(requested)] : [level === 'node' ? 'cluster' : level]
  const measure = params.get('measure')
  const [column, order] = (params.get('sort') ?? '').split('.')
  const sort: SortState =
    column && (isMeasureId(column) || isLedgerDimension(column)) && (order === 'ascend' || order === 'descend')
      ? { column, order }
      : DEFAULT_SORT
  return {
    groupBy,
    customGroupBy: requested.length > 0,
    filters,
    cluster: level === 'node' ? (filters.cluster?.[0] ?? null) : null,
    measure: MAP_MEASURES.find((m) => m === measure) ?? 'fp32',
    query: params.get('q') ?? '',
    sort,
  }
}

/** Filters without the drill-down path (province, site, cluster): what the province map applies. */
export function nonLocationFilters(filters: LedgerFiltersState): LedgerFiltersState {
  const rest: LedgerFiltersState = { ...filters }
  for (const d of DRILL_PATH) delete rest[d]
  return rest
}

export type ParamPatch = Readonly<Record<string, string | null>>

/** A copy of `params` with `patch` applied (null deletes). */
export function patchParams(params: URLSearchParams, patch: ParamPatch): URLSearchParams {
  const next = new URLSearchParams(params)
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === '') next.delete(key)
    else next.set(key, value)
  }
  return next
}

/**
 * Drill into one value of a location dimension: keep the device filters and the map measure, narrow
 * the path to the value, and drop the grouping, text filter and sort of the level left behind.
 */
export function drillParams(
  params: URLSearchParams,
  dim: DrillDimension,
  value: string,
  context: { province?: string | null; site?: string | null } = {},
): URLSearchParams {
  const depth = DRILL_PATH.indexOf(dim)
  const patch: Record<string, string | null> = { groupBy: null, q: null, sort: null, [dim]: value }
  DRILL_PATH.forEach((d, i) => {
    if (i > depth) patch[d] = null
  })
  // A row of a deeper level knows its parents; keep the breadcrumb trail complete.
  if (depth >= 1 && context.province) patch.province = context.province
  if (depth >= 2 && context.site) patch.site = context.site
  return patchParams(params, patch)
}

/** Back up to a level of the breadcrumb trail: `null` is the whole country. */
export function upParams(params: URLSearchParams, dim: DrillDimension | null): URLSearchParams {
  const depth = dim === null ? -1 : DRILL_PATH.indexOf(dim)
  const patch: Record<string, string | null> = { groupBy: null, q: null, sort: null }
  DRILL_PATH.forEach((d, i) => {
    if (i > depth) patch[d] = null
  })
  return patchParams(params, patch)
}
