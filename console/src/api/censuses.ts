import type {
  Census,
  CensusBreakdown,
  CensusComparison,
  CensusExportFormat,
  CensusLanguage,
  CensusRequest,
  CensusSummary,
} from '@suanpan/control-plane/schemas'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { apiPath, getJson, requestJson } from './client'

export interface CensusList {
  censuses: CensusSummary[]
}

/** One run of the monthly census job (`GET /api/v1/censuses/schedule`; the contract has no schema for it yet). */
export interface CensusScheduleRun {
  /** The period the run covers (2026-11). */
  slot: string
  claimedAt: string
  claimedBy?: string
  finishedAt: string | null
  /** `ok`, `ok-late` (missed while no control plane ran, caught up at start-up), `failed`; null while running. */
  outcome: string | null
  detail: string | null
}

export interface CensusSchedule {
  job: string
  /** `monthly D HH:MM` (Beijing time) or `off`. */
  schedule: string
  timezone: string
  nextRun: string | null
  installedAt?: string | null
  runs: CensusScheduleRun[]
}

/** `GET /api/v1/censuses`: every census, newest first. */
export function useCensuses() {
  return useQuery({
    queryKey: ['censuses'],
    queryFn: ({ signal }) => getJson<CensusList>('censuses', {}, signal),
    refetchInterval: 60_000,
  })
}

/** `GET /api/v1/censuses/:id`: a census is frozen, so it is fetched once. */
export function useCensus(id: number | null) {
  return useQuery({
    queryKey: ['census', id],
    queryFn: ({ signal }) => getJson<Census>(`censuses/${id}`, {}, signal),
    enabled: id !== null,
    staleTime: Number.POSITIVE_INFINITY,
  })
}

/** `GET /api/v1/censuses/compare`: b − a, in total and by one breakdown. */
export function useCensusComparison(a: number | null, b: number | null, by: CensusBreakdown) {
  return useQuery({
    queryKey: ['census-compare', a, b, by],
    queryFn: ({ signal }) => getJson<CensusComparison>('censuses/compare', { a, b, by }, signal),
    enabled: a !== null && b !== null,
    staleTime: Number.POSITIVE_INFINITY,
  })
}

/** `GET /api/v1/censuses/schedule`: the monthly job, its next run and every run so far. */
export function useCensusSchedule() {
  return useQuery({
    queryKey: ['census-schedule'],
    queryFn: ({ signal }) => getJson<CensusSchedule>('censuses/schedule', {}, signal),
    refetchInterval: 60_000,
  })
}

/** `POST /api/v1/censuses`, signed in (the client adds the CSRF token) or with the administrator token: freezes the ledger as it is now. */
export function useCreateCensus() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ request, token }: { request: CensusRequest; token: string | null }) =>
      requestJson<CensusSummary>('censuses', { method: 'POST', body: request, token }),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ['censuses'] })
      // The request (accepted or refused) is a new audit record.
      void client.invalidateQueries({ queryKey: ['audit'] })
    },
  })
}

/** The export of one census in one format and language (a plain link: the export is public). */
export function censusFileUrl(id: number, format: CensusExportFormat, lang: CensusLanguage): string {
  return apiPath(`censuses/${id}`, { format, lang })
}
