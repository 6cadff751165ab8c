import type { FullReport, UsageReport } from '@suanpan/control-plane/schemas'
import { ReportClient } from '../report/client'
import { FULL_REPORT_REQUIRED } from '../report/errors'
import type { SimCluster } from './cluster-types'
import { fullReport, fullReportJson, usageReport, usageReportJson } from './reports'

/** What the runner needs from a client; the real agent's `ReportClient` is one. */
export interface SimReportClient {
  send(report: FullReport | UsageReport): Promise<unknown>
  /** When present, reports go out through the fast JSON path (same bytes as `JSON.stringify`). */
  sendBody?(body: string): Promise<unknown>
}

export interface FleetProgress {
  sent: number
  total: number
  failed: number
}

export interface FleetRunnerOptions {
  baseUrl: string
  clusters: SimCluster[]
  /** Bearer token per cluster id; every cluster needs one. */
  tokens: Map<string, string>
  fullIntervalMs?: number
  usageIntervalMs?: number
  /** Reports in flight at once across the fleet; 32 by default. */
  concurrency?: number
  /** Called as each cluster's first full report completes. */
  onProgress?: (p: FleetProgress) => void
  /** Builds one client per cluster; the real agent `ReportClient` by default. */
  createClient?: (baseUrl: string, token: string) => SimReportClient
  /** Per-request timeout of the default client. */
  timeoutMs?: number
  now?: () => number
}

export interface FleetStats {
  clusters: number
  /** Reports the control plane acknowledged. */
  sent: number
  full: number
  usage: number
  /** Reports that failed; the cluster tries again on its next tick (with a full report if needed). */
  failed: number
  /** Ticks skipped because the cluster's previous report was still in flight. */
  skipped: number
  inFlight: number
  lastError?: string
}

export interface FleetRunner {
  stop(): Promise<void>
  stats(): FleetStats
}

export const DEFAULT_FULL_INTERVAL_MS = 60_000
export const DEFAULT_USAGE_INTERVAL_MS = 15_000
export const DEFAULT_CONCURRENCY = 32

interface ClusterState {
  cluster: SimCluster
  client: SimReportClient
  nextSequence: number
  busy: boolean
  needsFull: boolean
  nextFullAt: number
  timer?: NodeJS.Timeout
}

/** A counting semaphore: at most `limit` tasks run at once, the rest wait in order. */
class Limiter {
  #active = 0
  readonly #queue: (() => void)[] = []
  constructor(readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((resolve) => this.#queue.push(resolve))
    this.#active++
    try {
      return await task()
    } finally {
      this.#active--
      this.#queue.shift()?.()
    }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`)
  return value
}

/**
 * Drives a simulated fleet against a control plane through the same HTTP, auth and schema path as real agents:
 * one full report per cluster first (bounded concurrency, with progress), then usage reports every
 * `usageIntervalMs` and full reports every `fullIntervalMs`, staggered so the load is spread over the interval.
 * Resolves once the first round is done; failures are counted, never thrown.
 */
/** Tries of each cluster's first full report before it counts as failed. */
const FIRST_ROUND_ATTEMPTS = 3

export async function startFleet(opts: FleetRunnerOptions): Promise<FleetRunner> {
  const fullIntervalMs = positive('fullIntervalMs', opts.fullIntervalMs ?? DEFAULT_FULL_INTERVAL_MS)
  const usageIntervalMs = positive('usageIntervalMs', opts.usageIntervalMs ?? DEFAULT_USAGE_INTERVAL_MS)
  const limiter = new Limiter(Math.floor(positive('concurrency', opts.concurrency ?? DEFAULT_CONCURRENCY)))
  const now = opts.now ?? Date.now
  const createClient =
    opts.createClient ?? ((baseUrl: string, token: string) => new ReportClient({ baseUrl, token, timeoutMs: opts.timeoutMs }))

  const missing = opts.clusters.filter((c) => !opts.tokens.has(c.identity.clusterId)).map((c) => c.identity.clusterId)
  if (missing.length > 0) throw new Error(`no token for ${missing.length} cluster(s): ${missing.slice(0, 5).join(', ')}`)

  const stats: FleetStats = { clusters: opts.clusters.length, sent: 0, full: 0, usage: 0, failed: 0, skipped: 0, inFlight: 0 }
  // Sequences start at the wall clock so a restarted simulator is never answered `ignored-older`.
  const start = Math.floor(now())
  const states: ClusterState[] = opts.clusters.map((cluster) => ({
    cluster,
    client: createClient(opts.baseUrl, opts.tokens.get(cluster.identity.clusterId) ?? ''),
    nextSequence: start,
    busy: false,
    needsFull: true,
    nextFullAt: Number.POSITIVE_INFINITY,
  }))
  const pending = new Set<Promise<void>>()
  let stopping = false

  async function deliver(st: ClusterState, kind: 'full' | 'usage'): Promise<boolean> {
    if (stopping) return false
    stats.inFlight++
    try {
      const t = now()
      const seq = st.nextSequence++
      const c = st.cluster
      if (st.client.sendBody) await st.client.sendBody(kind === 'full' ? fullReportJson(c, seq, t) : usageReportJson(c, seq, t))
      else await st.client.send(kind === 'full' ? fullReport(c, seq, t) : usageReport(c, seq, t))
      stats.sent++
      stats[kind]++
      if (kind === 'full') st.needsFull = false
      return true
    } catch (err) {
      stats.failed++
      stats.lastError = `${st.cluster.identity.clusterId}: ${describe(err)}`
      if (kind === 'full' || (err as { code?: unknown } | null)?.code === FULL_REPORT_REQUIRED) st.needsFull = true
      return false
    } finally {
      stats.inFlight--
    }
  }

  function send(st: ClusterState, kind: 'full' | 'usage'): Promise<boolean> {
    st.busy = true
    const p = limiter
      .run(() => deliver(st, kind))
      .finally(() => {
        st.busy = false
      })
    const tracked = p.then(() => undefined)
    pending.add(tracked)
    void tracked.finally(() => pending.delete(tracked))
    return p
  }

  let done = 0
  let doneFailed = 0
  await Promise.all(
    states.map(async (st) => {
      // As an agent would, retry a failed first report with a short backoff before counting it failed
      // (a control plane still warming up its workers on a busy machine can miss one timeout).
      let ok = await send(st, 'full')
      for (let attempt = 1; !ok && !stopping && attempt < FIRST_ROUND_ATTEMPTS; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 500 * 3 ** (attempt - 1)))
        ok = await send(st, 'full')
      }
      done++
      if (!ok) doneFailed++
      opts.onProgress?.({ sent: done - doneFailed, total: states.length, failed: doneFailed })
    }),
  )

  const t0 = now()
  const n = Math.max(1, states.length)
  states.forEach((st, i) => {
    st.nextFullAt = t0 + fullIntervalMs * (0.5 + i / n)
    const tick = () => {
      if (stopping) return
      if (st.busy) {
        stats.skipped++
        return
      }
      const due = st.needsFull || now() >= st.nextFullAt
      if (due) st.nextFullAt = now() + fullIntervalMs
      void send(st, due ? 'full' : 'usage')
    }
    st.timer = setTimeout(
      () => {
        tick()
        st.timer = setInterval(tick, usageIntervalMs)
      },
      Math.floor((usageIntervalMs * i) / n),
    )
  })

  return {
    async stop() {
      stopping = true
      for (const st of states) {
        clearTimeout(st.timer)
        clearInterval(st.timer)
      }
      await Promise.all([...pending])
    },
    stats: () => ({ ...stats }),
  }
}
