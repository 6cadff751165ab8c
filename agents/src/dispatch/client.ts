import {
  type Assignment,
  AssignmentSchema,
  type AssignmentState,
  AssignmentStateSchema,
  type AssignmentStatus,
} from '@suanpan/control-plane/schemas'
import { Compile } from 'typebox/compile'

export interface AssignmentClientOptions {
  /** The control plane's origin, optionally with a path prefix (the agent's `controlPlane.url`). */
  baseUrl: string
  /** The cluster token (the one the agent's reports use). */
  token: string
  clusterId: string
  /** Per request; 10 s by default. */
  timeoutMs?: number
  fetch?: typeof fetch
}

/** A pulled assignment list. `complete` is false when an entry could not be read at all (no workload id). */
export interface PulledAssignments {
  generatedAt: number
  /** Entries that match the contract. */
  assignments: Assignment[]
  /** Entries that do not, by workload id (when they have one) and why. */
  invalid: { workloadId: string | undefined; error: string }[]
  /** Every entry could be attributed to a workload: only then may the agent delete what is not listed. */
  complete: boolean
}

/** How one status report went. */
export type StatusReportOutcome =
  /** Stored; `state` is the assignment's state now. */
  | { outcome: 'acknowledged'; state: AssignmentState | string }
  /** 404: the assignment no longer exists (withdrawn or unknown); the report is dropped. */
  | { outcome: 'gone' }
  /** Refused for good (400, 409, 422 …): sending it again would not help. */
  | { outcome: 'rejected'; error: string }
  /** Not delivered (network, timeout, 5xx, 429, 401/403): keep it and send it again later. */
  | { outcome: 'retry'; error: string; unreachable: boolean }

/** The pull failed: nothing may be concluded from it (no apply, no delete). */
export class AssignmentPullError extends Error {
  override readonly name = 'AssignmentPullError'
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

const checkAssignment = Compile(AssignmentSchema)
const checkState = Compile(AssignmentStateSchema)

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'no answer in time'
  return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message
}

/** The text of a control plane error body (`{ code, message }`), or the start of the body. */
function errorDetail(text: string): string {
  try {
    const body: unknown = JSON.parse(text)
    if (isRecord(body) && typeof body.message === 'string')
      return typeof body.code === 'string' ? `${body.code}: ${body.message}` : body.message
  } catch {
    // not JSON
  }
  return text.slice(0, 200)
}

/** The agent's side of dispatch: `GET …/clusters/{id}/assignments` and `POST …/assignments/{workloadId}/status`. */
export class AssignmentClient {
  readonly #base: string
  readonly #headers: Record<string, string>
  readonly #timeoutMs: number
  readonly #fetch: typeof fetch
  readonly #clusterId: string

  constructor(opts: AssignmentClientOptions) {
    this.#clusterId = opts.clusterId
    this.#base = `${opts.baseUrl.replace(/\/+$/, '')}/api/v1/clusters/${encodeURIComponent(opts.clusterId)}/assignments`
    this.#headers = { accept: 'application/json', authorization: `Bearer ${opts.token}` }
    this.#timeoutMs = opts.timeoutMs ?? 10_000
    this.#fetch = opts.fetch ?? globalThis.fetch
  }

  /** Fetches and checks the assignment list; throws AssignmentPullError when it cannot be had whole. */
  async pull(): Promise<PulledAssignments> {
    let res: Response
    let text: string
    try {
      res = await this.#fetch(this.#base, { headers: this.#headers, redirect: 'manual', signal: AbortSignal.timeout(this.#timeoutMs) })
      text = await res.text()
    } catch (err) {
      throw new AssignmentPullError(`control plane unreachable: ${describe(err)}`, undefined, { cause: err })
    }
    if (res.status !== 200) throw new AssignmentPullError(`assignments: HTTP ${res.status}: ${errorDetail(text)}`, res.status)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch (err) {
      throw new AssignmentPullError('assignments: the answer is not JSON', res.status, { cause: err })
    }
    if (!isRecord(body) || !Array.isArray(body.assignments) || typeof body.generatedAt !== 'number') {
      throw new AssignmentPullError('assignments: the answer is not an AssignmentList', res.status)
    }
    if (body.clusterId !== this.#clusterId) {
      throw new AssignmentPullError(
        `assignments: the list is for cluster ${JSON.stringify(body.clusterId)}, not ${this.#clusterId}`,
        res.status,
      )
    }
    // Checked one by one, so that one odd entry does not stop the others from being applied.
    const pulled: PulledAssignments = { generatedAt: body.generatedAt, assignments: [], invalid: [], complete: true }
    body.assignments.forEach((entry: unknown, i) => {
      if (checkAssignment.Check(entry)) {
        pulled.assignments.push(entry)
        return
      }
      const workloadId = isRecord(entry) && typeof entry.workloadId === 'string' ? entry.workloadId : undefined
      if (workloadId === undefined) pulled.complete = false
      const first = checkAssignment.Errors(entry)[0]
      pulled.invalid.push({ workloadId, error: `assignments[${i}]${first?.instancePath ?? ''} ${first?.message ?? 'is invalid'}` })
    })
    return pulled
  }

  /** Reports one assignment's state. Never throws. */
  async report(workloadId: string, status: AssignmentStatus): Promise<StatusReportOutcome> {
    let res: Response
    let text: string
    try {
      res = await this.#fetch(`${this.#base}/${encodeURIComponent(workloadId)}/status`, {
        method: 'POST',
        headers: { ...this.#headers, 'content-type': 'application/json' },
        body: JSON.stringify(status),
        // A redirected POST would silently turn into a GET.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
      text = await res.text()
    } catch (err) {
      return { outcome: 'retry', error: `control plane unreachable: ${describe(err)}`, unreachable: true }
    }
    if (res.status === 200 || res.status === 201) {
      let state: unknown
      try {
        state = (JSON.parse(text) as { state?: unknown }).state
      } catch {
        state = undefined
      }
      // A 2xx without a state is not the control plane's answer (a proxy?): the report was probably not stored.
      if (typeof state !== 'string')
        return { outcome: 'retry', error: `HTTP ${res.status} without an assignment state`, unreachable: false }
      return { outcome: 'acknowledged', state: checkState.Check(state) ? state : String(state) }
    }
    if (res.status === 404) return { outcome: 'gone' }
    const error = `status of ${workloadId}: HTTP ${res.status}: ${errorDetail(text)}`
    // 401/403: a wrong or rotated token is an operator's fix away; 408/429/5xx are passing.
    if (res.status === 401 || res.status === 403 || res.status === 408 || res.status === 429 || res.status >= 500) {
      return { outcome: 'retry', error, unreachable: false }
    }
    return { outcome: 'rejected', error }
  }
}
