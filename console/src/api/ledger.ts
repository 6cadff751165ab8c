import type { LedgerDimension, LedgerResponse } from '@suanpan/control-plane/schemas'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { getJson } from './client'

export type LedgerFilters = Partial<Record<LedgerDimension, readonly string[]>>

export interface LedgerParams {
  groupBy: readonly LedgerDimension[]
  filters?: LedgerFilters
  /** Groups per page; the ledger table asks for all of them (the API allows 10,000). */
  limit?: number
}

export const LEDGER_REFRESH_MS = 30_000

/** `GET /api/v1/ledger`: refreshed every 30 s; the previous answer stays on screen while a new grouping loads. */
export function useLedger({ groupBy, filters = {}, limit = 500 }: LedgerParams) {
  return useQuery({
    queryKey: ['ledger', groupBy, filters, limit],
    queryFn: ({ signal }) => getJson<LedgerResponse>('ledger', { groupBy, limit, ...filters }, signal),
    refetchInterval: LEDGER_REFRESH_MS,
    placeholderData: keepPreviousData,
  })
}
