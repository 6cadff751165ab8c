import type { ApiError } from '@suanpan/control-plane/schemas'

/** Why a delivery attempt failed; a small closed set so it can be a metric label. */
export type ReportFailureReason = 'network' | 'timeout' | 'throttled' | 'server' | 'bad-ack' | 'rejected' | 'full-report-required'

export interface ReportErrorOptions {
  retryable: boolean
  reason: ReportFailureReason
  status?: number
  code?: string
  apiError?: ApiError
  /** From a `retry-after` header on 429/503, in milliseconds. */
  retryAfterMs?: number
  cause?: unknown
}

/** A report the control plane did not take; `retryable` says whether sending the same bytes again can succeed. */
export class ReportError extends Error {
  override readonly name = 'ReportError'
  readonly retryable: boolean
  readonly reason: ReportFailureReason
  readonly status?: number
  readonly code?: string
  readonly apiError?: ApiError
  readonly retryAfterMs?: number

  constructor(message: string, opts: ReportErrorOptions) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.retryable = opts.retryable
    this.reason = opts.reason
    this.status = opts.status
    this.code = opts.code
    this.apiError = opts.apiError
    this.retryAfterMs = opts.retryAfterMs
  }
}

export const FULL_REPORT_REQUIRED = 'FULL_REPORT_REQUIRED'
