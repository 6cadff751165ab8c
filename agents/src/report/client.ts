import type { ApiError, Report, ReportAck } from '@suanpan/control-plane/schemas'
import { FULL_REPORT_REQUIRED, ReportError } from './errors'

export interface ReportClientOptions {
  /** The control plane's origin, optionally with a path prefix: `https://suanpan.example.gov.cn`. */
  baseUrl: string
  /** This cluster's bearer token. */
  token: string
  /** Per request, connect to last byte of the answer; 10 s by default. */
  timeoutMs?: number
  fetch?: typeof fetch
}

/** The one call the delivery loop needs; a body already serialized so the spool and the wire share the bytes. */
export interface ReportSender {
  sendBody(body: string): Promise<ReportAck>
}

const DEFAULT_TIMEOUT_MS = 10_000

/**
 * Pushes reports to `POST /api/v1/reports`. One instance per cluster; everything that does not depend on the
 * report (URL, headers) is built once, so a simulator can drive thousands of these from one process.
 */
export class ReportClient implements ReportSender {
  readonly #url: string
  readonly #headers: Record<string, string>
  readonly #timeoutMs: number
  readonly #fetch: typeof fetch

  constructor(opts: ReportClientOptions) {
    this.#url = `${opts.baseUrl.replace(/\/+$/, '')}/api/v1/reports`
    this.#headers = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${opts.token}` }
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.#fetch = opts.fetch ?? globalThis.fetch
  }

  /** Sends one report; resolves with the ack (`accepted` or `ignored-older`), throws `ReportError` otherwise. */
  send(report: Report): Promise<ReportAck> {
    return this.sendBody(JSON.stringify(report))
  }

  /** Sends a report already serialized as JSON (from the spool, or serialized once by the pusher). */
  async sendBody(body: string): Promise<ReportAck> {
    let res: Response
    try {
      res = await this.#fetch(this.#url, {
        method: 'POST',
        headers: this.#headers,
        body,
        // A redirected POST would silently turn into a GET; a redirect means the base URL is wrong.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
    } catch (err) {
      throw networkError(err, this.#timeoutMs)
    }
    let text: string
    try {
      // Always read the body to the end, even on errors: it gives the connection back to the keep-alive pool.
      text = await res.text()
    } catch (err) {
      throw networkError(err, this.#timeoutMs, res.status)
    }
    if (res.status >= 200 && res.status < 300) return parseAck(text, res.status)
    throw httpError(res, text)
  }
}

function networkError(err: unknown, timeoutMs: number, status?: number): ReportError {
  const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
  return timedOut
    ? new ReportError(`control plane did not answer within ${timeoutMs} ms`, { retryable: true, reason: 'timeout', status, cause: err })
    : new ReportError(`control plane unreachable: ${describe(err)}`, { retryable: true, reason: 'network', status, cause: err })
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : ''
  return `${err.message}${cause}`
}

function parseAck(text: string, status: number): ReportAck {
  let ack: unknown
  try {
    ack = JSON.parse(text)
  } catch (err) {
    throw badAck(status, err)
  }
  if (!isAck(ack)) throw badAck(status)
  return ack
}

// A 2xx that is not an ack is most likely a proxy or a captive portal, not the control plane, so the report was
// probably not stored: retry it (the control plane treats a replay of the same sequence as a no-op).
function badAck(status: number, cause?: unknown): ReportError {
  return new ReportError(`HTTP ${status} from the control plane, but the body is not a report ack`, {
    retryable: true,
    reason: 'bad-ack',
    status,
    code: 'BAD_ACK',
    cause,
  })
}

function isAck(value: unknown): value is ReportAck {
  if (typeof value !== 'object' || value === null) return false
  const { status, sequence } = value as Record<string, unknown>
  return (status === 'accepted' || status === 'ignored-older') && typeof sequence === 'number'
}

function httpError(res: Response, text: string): ReportError {
  const status = res.status
  const apiError = parseApiError(text)
  const code = apiError?.code
  const detail = apiError ? `${apiError.code}: ${apiError.message}` : text.slice(0, 200)
  const message = `control plane answered HTTP ${status}${detail ? ` (${detail})` : ''}`
  if (status === 429 || status === 408 || status >= 500) {
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'))
    return new ReportError(message, {
      retryable: true,
      reason: status >= 500 ? 'server' : 'throttled',
      status,
      code,
      apiError,
      retryAfterMs,
    })
  }
  const reason = status === 409 && code === FULL_REPORT_REQUIRED ? 'full-report-required' : 'rejected'
  return new ReportError(message, { retryable: false, reason, status, code, apiError })
}

function parseApiError(text: string): ApiError | undefined {
  if (!text) return undefined
  try {
    const body: unknown = JSON.parse(text)
    if (typeof body !== 'object' || body === null) return undefined
    const { code, message } = body as Record<string, unknown>
    return typeof code === 'string' && typeof message === 'string' ? (body as ApiError) : undefined
  } catch {
    return undefined
  }
}

function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}
