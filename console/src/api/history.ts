import type { AcceleratorHistoryResponse, HistoryDimension, HistoryResponse, IdleResponse } from '@suanpan/control-plane/schemas'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { getJson } from './client'

export interface HistoryParams {
  groupBy?: HistoryDimension | null
  /** Window length ending now. */
  hours: number
  step?: number
  limit?: number
  filters?: Partial<Record<HistoryDimension, readonly string[]>>
}

export type IdleMeasure = 'cpuRequested' | 'cpuUsed' | 'acceleratorsInUse'

export interface IdleParams {
  threshold: number
  hours: number
  measure: IdleMeasure
  province?: readonly string[]
}

const HISTORY_REFRESH_MS = 60_000

/**
 * The window ends at the server's "now" (no `to`); 24 h is the server's default length, so only longer or
 * shorter windows send `from` (rounded to the minute so refetches within a minute share a cache key).
 */
function windowFrom(hours: number): { from?: string } {
  if (hours === 24) return {}
  const from = Math.floor((Date.now() - hours * 3_600_000) / 60_000) * 60_000
  return { from: new Date(from).toISOString() }
}

/** Points per series the charts draw at most; longer windows get longer steps. */
export function stepFor(hours: number): number {
  return Math.max(300, Math.ceil((hours * 3600) / 288 / 60) * 60)
}

/** `GET /api/v1/history`: utilization and energy series, national or per location group. */
export function useHistory({ groupBy = null, hours, step, limit, filters = {} }: HistoryParams) {
  return useQuery({
    queryKey: ['history', groupBy, hours, step, limit, filters],
    queryFn: ({ signal }) =>
      getJson<HistoryResponse>('history', { groupBy, ...windowFrom(hours), step: step ?? stepFor(hours), limit, ...filters }, signal),
    refetchInterval: HISTORY_REFRESH_MS,
    placeholderData: keepPreviousData,
  })
}

/** `GET /api/v1/history/accelerators`: in-use share per accelerator model. */
export function useAcceleratorHistory({ hours, kind }: { hours: number; kind?: readonly string[] }) {
  return useQuery({
    queryKey: ['history-accelerators', hours, kind],
    queryFn: ({ signal }) =>
      getJson<AcceleratorHistoryResponse>('history/accelerators', { ...windowFrom(hours), step: stepFor(hours), kind }, signal),
    refetchInterval: HISTORY_REFRESH_MS,
    placeholderData: keepPreviousData,
  })
}

/** `GET /api/v1/history/idle`: clusters below a utilization threshold for a whole window. */
export function useIdleClusters({ threshold, hours, measure, province }: IdleParams) {
  return useQuery({
    queryKey: ['history-idle', threshold, hours, measure, province],
    queryFn: ({ signal }) => getJson<IdleResponse>('history/idle', { threshold, hours, measure, province, limit: 2000 }, signal),
    refetchInterval: HISTORY_REFRESH_MS,
    placeholderData: keepPreviousData,
  })
}
