import type { AuditRecord } from '@suanpan/control-plane/schemas'
import { useInfiniteQuery, useMutation } from '@tanstack/react-query'
import type { Credentials } from '../lib/credentials'
import { requestJson } from './client'

export const AUDIT_OUTCOMES = ['ok', 'denied', 'rejected', 'error'] as const
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number]

export interface AuditFilters {
  /** ISO times; `to` is exclusive. */
  from?: string
  to?: string
  /** Exact actor: `admin`, `anonymous`, `cluster:<id>`. */
  actor?: string
  /** Substring of the action (`POST /api/v1/censuses`). */
  action?: string
  outcome?: AuditOutcome
}

export interface AuditList {
  records: AuditRecord[]
}

/** `GET /api/v1/audit/verify` (mirrors AuditVerifySchema, which has no exported type). */
export interface AuditVerifyResult {
  ok: boolean
  records: number
  head: { seq: number; hash: string } | null
  problems: { seq: number; problem: string }[]
}

/** Records per request; "load older" asks for the next page below the lowest sequence number shown. */
export const AUDIT_PAGE_SIZE = 100

/**
 * `GET /api/v1/audit` signed in or with the administrator token, newest first, paged with `before=<lowest seq>`.
 * The credentials' version is in the key so other credentials never show the answer to the old ones.
 */
export function useAuditTrail(filters: AuditFilters, { token, ready, version: tokenVersion }: Credentials) {
  return useInfiniteQuery({
    queryKey: ['audit', tokenVersion, filters],
    queryFn: ({ pageParam, signal }) =>
      requestJson<AuditList>('audit', { params: { ...filters, before: pageParam, limit: AUDIT_PAGE_SIZE }, token, signal }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => {
      const lowest = last.records[last.records.length - 1]?.seq
      return last.records.length < AUDIT_PAGE_SIZE || lowest === undefined || lowest <= 1 ? undefined : lowest
    },
    enabled: ready,
    // Keep the rows on screen while other filters load, but never across a change of credentials.
    placeholderData: (previous, previousQuery) => (previousQuery?.queryKey[1] === tokenVersion ? previous : undefined),
  })
}

/** `GET /api/v1/audit/verify`: walks the whole chain; with a head kept from before, also checks nothing was cut off the end. */
export function useVerifyAudit() {
  return useMutation({
    mutationFn: ({ token, head }: { token: string | null; head?: { seq: number; hash: string } | null }) =>
      requestJson<AuditVerifyResult>('audit/verify', { params: head ? { headSeq: head.seq, headHash: head.hash } : {}, token }),
  })
}
