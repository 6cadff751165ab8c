import type { Approval } from '@suanpan/control-plane/schemas'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { Locale } from '../i18n'
import type { Credentials } from '../lib/credentials'
import {
  type DrillAbortResult,
  type DrillRunDetail,
  type DrillRunList,
  type DrillRunSummary,
  type DrillScenarioList,
  type DrillSchedule,
  type DrillScheduleList,
  type DrillStatus,
  type DrillTrendList,
  fileNameOf,
  isActive,
  type ReportFormat,
} from '../lib/drills'
import { ApiError, apiPath, requestJson } from './client'

/** Runs, schedules and trends change as drills run and schedules fire: refreshed every 10 s. */
export const DRILLS_REFRESH_MS = 10_000
/** A running drill's progress is followed every 2 s. */
export const DRILL_PROGRESS_MS = 2_000
/** Runs the history asks for (newest first); the table pages through them. */
export const RUN_LIMIT = 200

/**
 * The 202 of a start or the answer to a new schedule: done, or (the scenarios that move production's primary
 * between centers, under the two-person rule) an approval request waiting for a second person.
 */
export type StartAnswer = { run: DrillRunSummary } | { approval: Approval }
export type ScheduleAnswer = DrillSchedule | { approval: Approval }

export const isPending = (answer: StartAnswer | ScheduleAnswer): answer is { approval: Approval } => 'approval' in answer

export interface DrillRunFilters {
  scenario?: string
  status?: DrillStatus
}

/** `GET /api/v1/drills/scenarios`: the scenarios with their RTO/RPO targets. They change only with a new release. */
export function useDrillScenarios({ token, ready, version }: Credentials) {
  return useQuery({
    queryKey: ['drill-scenarios', version],
    queryFn: ({ signal }) => requestJson<DrillScenarioList>('drills/scenarios', { token, signal }),
    enabled: ready,
    staleTime: 5 * 60_000,
  })
}

/**
 * `GET /api/v1/drills`: runs newest first (manual, scheduled, missed …). The credentials' version is in the key
 * so other credentials never show the answer to the old ones.
 */
export function useDrillRuns(filters: DrillRunFilters, { token, ready, version }: Credentials) {
  return useQuery({
    queryKey: ['drill-runs', version, filters],
    queryFn: ({ signal }) => requestJson<DrillRunList>('drills', { params: { ...filters, limit: RUN_LIMIT }, token, signal }),
    enabled: ready,
    staleTime: 0,
    // Faster while a listed drill is going, so its verdict shows soon after it is in.
    refetchInterval: (query) => (query.state.data?.runs.some((r) => isActive(r.status)) ? DRILL_PROGRESS_MS : DRILLS_REFRESH_MS),
    placeholderData: (previous, previousQuery) => (previousQuery?.queryKey[1] === version ? previous : undefined),
  })
}

/** The drill that runs now, if the store has one (`status=running`, the newest); polled every 2 s while there is one. */
export function useActiveDrill({ token, ready, version }: Credentials) {
  return useQuery({
    queryKey: ['drill-active', version],
    queryFn: async ({ signal }) => {
      const [running, queued] = await Promise.all([
        requestJson<DrillRunList>('drills', { params: { status: 'running', limit: 1 }, token, signal }),
        requestJson<DrillRunList>('drills', { params: { status: 'queued', limit: 1 }, token, signal }),
      ])
      return running.runs[0] ?? queued.runs[0] ?? null
    },
    enabled: ready,
    staleTime: 0,
    refetchInterval: (query) => (query.state.data ? DRILL_PROGRESS_MS : DRILLS_REFRESH_MS),
  })
}

/** `GET /api/v1/drills/:id`: summary, report and progress; polled every 2 s while the run is going. */
export function useDrillRun(id: string | null, { token, ready, version }: Credentials) {
  return useQuery({
    queryKey: ['drill-run', version, id],
    queryFn: ({ signal }) => requestJson<DrillRunDetail>(`drills/${encodeURIComponent(id ?? '')}`, { token, signal }),
    enabled: ready && id !== null,
    staleTime: 0,
    refetchInterval: (query) => {
      const status = query.state.data?.run.status
      return status === undefined || isActive(status) ? DRILL_PROGRESS_MS : false
    },
  })
}

/** `GET /api/v1/drills/trends`: per scenario, the RTO of every stored report and its direction. */
export function useDrillTrends({ token, ready, version }: Credentials) {
  return useQuery({
    queryKey: ['drill-trends', version],
    queryFn: ({ signal }) => requestJson<DrillTrendList>('drills/trends', { token, signal }),
    enabled: ready,
    staleTime: 0,
    refetchInterval: DRILLS_REFRESH_MS * 3,
  })
}

/** `GET /api/v1/drill-schedules`: schedules with their next due time (Beijing time) and last run. */
export function useDrillSchedules({ token, ready, version }: Credentials) {
  return useQuery({
    queryKey: ['drill-schedules', version],
    queryFn: ({ signal }) => requestJson<DrillScheduleList>('drill-schedules', { token, signal }),
    enabled: ready,
    staleTime: 0,
    refetchInterval: DRILLS_REFRESH_MS * 3,
  })
}

function useInvalidateDrills() {
  const client = useQueryClient()
  return () => {
    for (const key of ['drill-runs', 'drill-active', 'drill-run', 'drill-trends', 'drill-schedules', 'audit'])
      void client.invalidateQueries({ queryKey: [key] })
  }
}

/**
 * `POST /api/v1/drills`: 202 with the run (it goes on in the background), or with an approval request when the
 * scenario needs a second person's approval; 409 when one runs or there is no lab.
 */
export function useStartDrill() {
  const invalidate = useInvalidateDrills()
  return useMutation({
    mutationFn: ({ scenario, token }: { scenario: string; token: string | null }) =>
      requestJson<StartAnswer>('drills', { method: 'POST', body: { scenario }, token }),
    onSettled: invalidate,
  })
}

/** `POST /api/v1/drills/abort`: the kill switch; 409 when no drill runs. */
export function useAbortDrill() {
  const invalidate = useInvalidateDrills()
  return useMutation({
    mutationFn: ({ token }: { token: string | null }) => requestJson<DrillAbortResult>('drills/abort', { method: 'POST', token }),
    onSettled: invalidate,
  })
}

/** `POST /api/v1/drill-schedules`: 201, 202 with an approval request (two-person rule), or 400 naming `/cron` or `/scenario`. */
export function useAddDrillSchedule() {
  const invalidate = useInvalidateDrills()
  return useMutation({
    mutationFn: ({ scenario, cron, token }: { scenario: string; cron: string; token: string | null }) =>
      requestJson<ScheduleAnswer>('drill-schedules', {
        method: 'POST',
        body: { scenario, cron, timezone: 'Asia/Shanghai' },
        token,
      }),
    onSettled: invalidate,
  })
}

/** `DELETE /api/v1/drill-schedules/:id`: its past runs stay. */
export function useDeleteDrillSchedule() {
  const invalidate = useInvalidateDrills()
  return useMutation({
    mutationFn: ({ id, token }: { id: string; token: string | null }) =>
      requestJson<{ deleted: string }>(`drill-schedules/${encodeURIComponent(id)}`, { method: 'DELETE', token }),
    onSettled: invalidate,
  })
}

/** `/api/v1/drills/:id/report?format=…&lang=…`: what a link to the report points at. */
export function reportUrl(id: string, format: ReportFormat, lang: Locale): string {
  return apiPath(`drills/${encodeURIComponent(id)}/report`, { format, lang })
}

/**
 * Fetches a report file with the page's credentials (the administrator token cannot ride on a plain link) and
 * hands it to the browser as a download. A refusal or an error is thrown as an ApiError.
 */
export async function downloadReport(id: string, format: ReportFormat, lang: Locale, token: string | null): Promise<string> {
  const url = reportUrl(id, format, lang)
  let response: Response
  try {
    response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, credentials: 'same-origin' })
  } catch (error) {
    throw new ApiError(0, 'NETWORK', `GET ${url} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
      sentWith: token ? 'token' : 'cookie',
    })
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { code?: string; message?: string; fields?: [] } | null
    throw new ApiError(
      response.status,
      body?.code ?? `HTTP_${response.status}`,
      body?.message ?? `GET ${url} answered ${response.status}`,
      {
        fields: body?.fields ?? [],
        sentWith: token ? 'token' : 'cookie',
      },
    )
  }
  const name = fileNameOf(response.headers.get('content-disposition'), `suanpan-drill-${id}.${format}`)
  const blob = await response.blob()
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = name
  a.style.display = 'none'
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 10_000)
  return name
}
