export interface BackoffOptions {
  /** Ceiling of the first retry's delay; 1 s by default. */
  baseMs?: number
  /** No delay ever exceeds this; 60 s by default. */
  capMs?: number
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { baseMs: 1_000, capMs: 60_000 }

/** The ceiling for retry number `attempt` (1-based): base·2^(attempt−1), capped. */
export function backoffCeiling(attempt: number, opts: BackoffOptions = {}): number {
  const { baseMs, capMs } = { ...DEFAULT_BACKOFF, ...opts }
  // 2^1024 is Infinity in floating point; clamp the exponent so the cap, not overflow, decides.
  const exponent = Math.min(Math.max(attempt - 1, 0), 52)
  return Math.min(capMs, baseMs * 2 ** exponent)
}

/**
 * Capped exponential backoff with full jitter: uniform in [0, ceiling), so that 2,000 agents coming back from the
 * same outage spread their retries instead of arriving together. A server's `retry-after` raises the delay, still
 * under the cap. `random` returns [0, 1) like `Math.random`.
 */
export function backoffDelay(attempt: number, random: () => number, opts: BackoffOptions = {}, retryAfterMs?: number): number {
  const capMs = opts.capMs ?? DEFAULT_BACKOFF.capMs
  const jittered = Math.floor(random() * backoffCeiling(attempt, opts))
  return retryAfterMs === undefined ? jittered : Math.min(capMs, Math.max(jittered, Math.ceil(retryAfterMs)))
}
