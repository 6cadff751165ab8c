import type { Report, ReportAck } from '@suanpan/control-plane/schemas'
import { type BackoffOptions, backoffDelay } from './backoff'
import type { ReportSender } from './client'
import { ReportError } from './errors'
import { type Logger, stderrLogger } from './log'
import type { ReportKind, Spool, SpoolDrops, SpoolEntry, SpooledReport } from './spool'

/** What became of a submitted report by the time `submit` resolves. */
export type SubmitOutcome = 'sent' | 'spooled' | 'rejected' | 'dropped'

/** What one delivery attempt came to; `retry` leaves the report at the head of the spool. */
export type AttemptOutcome = 'accepted' | 'ignored-older' | 'retry' | 'rejected'

export interface AttemptEvent {
  kind: ReportKind
  sequence: number
  outcome: AttemptOutcome
  seconds: number
  ack?: ReportAck
  error?: ReportError
}

export interface SpoolState {
  depth: number
  bytes: number
  drops: SpoolDrops
}

/** Where the agent hangs its metrics and reactions; the pusher itself knows nothing of prom-client. */
export interface PusherHooks {
  attempt?(event: AttemptEvent): void
  spool?(state: SpoolState): void
  /** The control plane has no full report for this cluster: produce one now. */
  fullReportRequired?(): void
  /** The disk under the spool failed; the loop backs off and tries again. */
  spoolError?(error: unknown): void
}

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>

export interface PusherOptions {
  sender: ReportSender
  spool: Spool
  backoff?: BackoffOptions
  /** Resolves after `ms`, or early when `signal` aborts (on `stop`). */
  sleep?: Sleep
  /** [0, 1), for the backoff jitter. */
  random?: () => number
  /** Milliseconds from any fixed origin, for attempt durations. */
  monotonicNow?: () => number
  logger?: Logger
  hooks?: PusherHooks
}

/** `setTimeout` that an abort cuts short; resolves either way. */
export const abortableSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })

/**
 * The delivery loop for one cluster. At most one report is on the wire at a time, so the control plane sees
 * sequences in order. A report goes straight out when nothing is queued or in flight; otherwise, or when that send
 * fails and may succeed later, it goes to the spool, which drains oldest first with capped, jittered backoff.
 * A report the control plane refuses for good (4xx) is counted, logged and removed: it never blocks the ones behind.
 */
export class Pusher {
  readonly #sender: ReportSender
  readonly #spool: Spool
  readonly #backoff: BackoffOptions
  readonly #sleep: Sleep
  readonly #random: () => number
  readonly #now: () => number
  readonly #log: Logger
  readonly #hooks: PusherHooks
  readonly #abort = new AbortController()
  #stopped = false
  #inflight: Promise<SubmitOutcome> | null = null
  #draining: Promise<void> | null = null
  /** Consecutive retryable failures; drives the backoff. */
  #failures = 0
  #retryAfterMs: number | undefined

  constructor(opts: PusherOptions) {
    this.#sender = opts.sender
    this.#spool = opts.spool
    this.#backoff = opts.backoff ?? {}
    this.#sleep = opts.sleep ?? abortableSleep
    this.#random = opts.random ?? Math.random
    this.#now = opts.monotonicNow ?? performance.now.bind(performance)
    this.#log = opts.logger ?? stderrLogger
    this.#hooks = opts.hooks ?? {}
  }

  /** Reports waiting in the spool. */
  get depth(): number {
    return this.#spool.depth
  }

  /** Starts draining what a previous run left in the spool. */
  start(): void {
    this.#emitSpool()
    this.#kick()
  }

  /** Serializes the report once and delivers it (or spools it); resolves once it is sent, spooled or given up. */
  submit(report: Report): Promise<SubmitOutcome> {
    return this.submitSerialized({ sequence: report.sequence, kind: report.kind, body: JSON.stringify(report) })
  }

  /** Same as `submit`, for a report already serialized (the simulator can build the JSON itself). */
  submitSerialized(report: SpooledReport): Promise<SubmitOutcome> {
    if (this.#stopped || this.#inflight || this.#draining || this.#spool.depth > 0) {
      return this.#enqueue(report).finally(() => this.#kick())
    }
    const run = this.#sendDirect(report).finally(() => {
      this.#inflight = null
      this.#kick()
    })
    this.#inflight = run
    return run
  }

  /** Resolves when nothing is in flight and the spool is empty, or the loop is stopped. */
  async idle(): Promise<void> {
    for (;;) {
      const busy = this.#inflight ?? this.#draining
      if (!busy) return
      await busy
    }
  }

  /** Stops sending (waits for an attempt on the wire, at most the client's timeout); later submits are spooled. */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#abort.abort()
    await this.idle()
  }

  async #sendDirect(report: SpooledReport): Promise<SubmitOutcome> {
    const outcome = await this.#attempt(report)
    if (outcome === 'retry') return this.#enqueue(report)
    return outcome === 'rejected' ? 'rejected' : 'sent'
  }

  async #enqueue(report: SpooledReport): Promise<SubmitOutcome> {
    let dropped: SpoolEntry[]
    try {
      dropped = await this.#spool.append(report)
    } catch (err) {
      this.#log.error('could not spool a report; it is lost', { sequence: report.sequence, kind: report.kind, error: String(err) })
      this.#hooks.spoolError?.(err)
      return 'dropped'
    }
    if (dropped.length > 0) {
      this.#log.warn('spool full: dropped reports', {
        dropped: dropped.map((d) => `${d.sequence}/${d.kind}`),
        droppedTotal: this.#spool.drops,
      })
    }
    this.#emitSpool()
    return dropped.some((d) => d.sequence === report.sequence) ? 'dropped' : 'spooled'
  }

  #kick(): void {
    if (this.#stopped || this.#inflight || this.#draining || this.#spool.depth === 0) return
    this.#draining = this.#drain().finally(() => {
      this.#draining = null
      // A report spooled while the loop was finding the spool empty would otherwise wait for the next submit.
      this.#kick()
    })
  }

  async #drain(): Promise<void> {
    while (!this.#stopped) {
      if (this.#failures > 0) {
        await this.#sleep(backoffDelay(this.#failures, this.#random, this.#backoff, this.#retryAfterMs), this.#abort.signal)
        if (this.#stopped) return
      }
      try {
        const head = await this.#spool.peek()
        if (!head) return
        if ((await this.#attempt(head)) === 'retry') continue
        await this.#spool.remove(head.sequence)
        this.#emitSpool()
      } catch (err) {
        this.#log.error('spool read/remove failed; backing off', { error: String(err) })
        this.#hooks.spoolError?.(err)
        this.#failures += 1
        this.#retryAfterMs = undefined
      }
    }
  }

  async #attempt(report: SpooledReport): Promise<AttemptOutcome> {
    const started = this.#now()
    const seconds = () => (this.#now() - started) / 1000
    const { sequence, kind } = report
    try {
      const ack = await this.#sender.sendBody(report.body)
      this.#failures = 0
      this.#hooks.attempt?.({ kind, sequence, outcome: ack.status, seconds: seconds(), ack })
      return ack.status
    } catch (err) {
      const error =
        err instanceof ReportError
          ? err
          : new ReportError(`report sender failed: ${String(err)}`, { retryable: true, reason: 'network', cause: err })
      if (error.retryable) {
        this.#failures += 1
        this.#retryAfterMs = error.retryAfterMs
        this.#hooks.attempt?.({ kind, sequence, outcome: 'retry', seconds: seconds(), error })
        if (this.#failures === 1) this.#log.warn('report not delivered; spooling and retrying', { sequence, kind, error: error.message })
        return 'retry'
      }
      // The control plane answered, so it is reachable: the next report need not wait.
      this.#failures = 0
      this.#hooks.attempt?.({ kind, sequence, outcome: 'rejected', seconds: seconds(), error })
      this.#log.error('report rejected by the control plane; dropping it', {
        sequence,
        kind,
        status: error.status,
        code: error.code,
        error: error.apiError ?? error.message,
      })
      if (error.reason === 'full-report-required' && this.#spool.fullCount === 0) this.#hooks.fullReportRequired?.()
      return 'rejected'
    }
  }

  #emitSpool(): void {
    this.#hooks.spool?.({ depth: this.#spool.depth, bytes: this.#spool.bytes, drops: this.#spool.drops })
  }
}
