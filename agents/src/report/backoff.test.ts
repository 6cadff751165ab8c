import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { backoffCeiling, backoffDelay } from './backoff'

describe('backoffDelay', () => {
  it('is full jitter under a capped exponential ceiling (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        (attempt, r, baseMs, capMs) => {
          const delay = backoffDelay(attempt, () => r, { baseMs, capMs })
          expect(delay).toBeGreaterThanOrEqual(0)
          expect(delay).toBeLessThanOrEqual(Math.min(capMs, baseMs * 2 ** (attempt - 1)))
          expect(delay).toBeLessThanOrEqual(capMs)
        },
      ),
    )
  })

  it('doubles the ceiling per attempt until the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffCeiling(n, { baseMs: 1000, capMs: 60_000 }))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000,
    ])
    expect(backoffCeiling(10_000, { baseMs: 1000, capMs: 60_000 })).toBe(60_000)
  })

  it('spreads delays over the whole range rather than clustering at the ceiling', () => {
    expect(backoffDelay(3, () => 0, { baseMs: 1000 })).toBe(0)
    expect(backoffDelay(3, () => 0.5, { baseMs: 1000 })).toBe(2000)
    expect(backoffDelay(3, () => 0.999_999, { baseMs: 1000 })).toBe(3999)
  })

  it('waits at least retry-after, but never past the cap', () => {
    expect(backoffDelay(1, () => 0, { baseMs: 1000, capMs: 60_000 }, 5000)).toBe(5000)
    expect(backoffDelay(1, () => 0, { baseMs: 1000, capMs: 60_000 }, 3_600_000)).toBe(60_000)
  })
})
