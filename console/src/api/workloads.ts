import type { QuotaUsage, Workload, WorkloadExplain, WorkloadList, WorkloadSpec, WorkloadState } from '@suanpan/control-plane/schemas'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { Credentials } from '../lib/credentials'
import { requestJson } from './client'

/** `GET /api/v1/workloads/:id` and the 201 of a submission: the workload with the spec it was submitted with. */
export type WorkloadDetail = Workload & { spec: unknown }

export interface WorkloadFilters {
  state?: WorkloadState
  department?: string
}

/** The queue, placements and quotas change as agents report and reservations expire: refreshed every 5 s. */
export const SCHEDULING_REFRESH_MS = 5_000

/**
 * `GET /api/v1/workloads` signed in or with the administrator token: newest first, one page, with counts by
 * state. The credentials' version is in the key so other credentials never show the answer to the old ones.
 */
export function useWorkloads(
  filters: WorkloadFilters,
  page: { limit: number; offset: number },
  { token, ready, version: tokenVersion }: Credentials,
) {
  return useQuery({
    queryKey: ['workloads', tokenVersion, filters, page],
    queryFn: ({ signal }) => requestJson<WorkloadList>('workloads', { params: { ...filters, ...page }, token, signal }),
    enabled: ready,
    refetchInterval: SCHEDULING_REFRESH_MS,
    staleTime: 0,
    // Keep the rows on screen while another page or filter loads, but never across a change of credentials.
    placeholderData: (previous, previousQuery) => (previousQuery?.queryKey[1] === tokenVersion ? previous : undefined),
  })
}

/** `GET /api/v1/workloads/:id/explain`: why here, why not there, and every decision taken. */
export function useWorkloadExplain(id: string | null, { token, ready, version: tokenVersion }: Credentials) {
  return useQuery({
    queryKey: ['workload-explain', tokenVersion, id],
    queryFn: ({ signal }) => requestJson<WorkloadExplain>(`workloads/${encodeURIComponent(id ?? '')}/explain`, { token, signal }),
    enabled: ready && id !== null,
    refetchInterval: SCHEDULING_REFRESH_MS,
    staleTime: 0,
  })
}

/** `GET /api/v1/workloads/:id`: the workload with its spec. */
export function useWorkload(id: string | null, { token, ready, version: tokenVersion }: Credentials) {
  return useQuery({
    queryKey: ['workload', tokenVersion, id],
    queryFn: ({ signal }) => requestJson<WorkloadDetail>(`workloads/${encodeURIComponent(id ?? '')}`, { token, signal }),
    enabled: ready && id !== null,
    refetchInterval: SCHEDULING_REFRESH_MS,
    staleTime: 0,
  })
}

/** `GET /api/v1/quotas`: department quota usage by accelerator kind. */
export function useQuotas({ token, ready, version: tokenVersion }: Credentials) {
  return useQuery({
    queryKey: ['quotas', tokenVersion],
    queryFn: ({ signal }) => requestJson<QuotaUsage>('quotas', { token, signal }),
    enabled: ready,
    refetchInterval: SCHEDULING_REFRESH_MS,
    staleTime: 0,
  })
}

function useInvalidateScheduling() {
  const client = useQueryClient()
  return () => {
    void client.invalidateQueries({ queryKey: ['workloads'] })
    void client.invalidateQueries({ queryKey: ['workload'] })
    void client.invalidateQueries({ queryKey: ['workload-explain'] })
    void client.invalidateQueries({ queryKey: ['quotas'] })
    // Every request (accepted or refused) is a new audit record.
    void client.invalidateQueries({ queryKey: ['audit'] })
  }
}

/** `POST /api/v1/workloads`: placed or queued (201), rejected (422 with the reason) or invalid (400 naming the fields). */
export function useSubmitWorkload() {
  const invalidate = useInvalidateScheduling()
  return useMutation({
    mutationFn: ({ spec, token }: { spec: WorkloadSpec; token: string | null }) =>
      requestJson<WorkloadDetail>('workloads', { method: 'POST', body: spec, token }),
    onSettled: invalidate,
  })
}

/** `DELETE /api/v1/workloads/:id`: withdraws the workload; agents delete what they applied. */
export function useCancelWorkload() {
  const invalidate = useInvalidateScheduling()
  return useMutation({
    mutationFn: ({ id, token }: { id: string; token: string | null }) =>
      requestJson<Workload>(`workloads/${encodeURIComponent(id)}`, { method: 'DELETE', token }),
    onSettled: invalidate,
  })
}
