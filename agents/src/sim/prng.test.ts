import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createRng, hash32, hashString, hashUnit } from './prng'

describe('createRng', () => {
  it('repeats the same sequence for the same seed', () => {
    const a = createRng(42)
    const b = createRng(42)
    expect(Array.from({ length: 100 }, () => a.next())).toEqual(Array.from({ length: 100 }, () => b.next()))
  })

  it('gives different sequences for different seeds', () => {
    expect(createRng(1).next()).not.toBe(createRng(2).next())
  })

  it('stays in range', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (seed, lo, span) => {
        const rng = createRng(seed)
        for (let i = 0; i < 20; i++) {
          const x = rng.next()
          expect(x).toBeGreaterThanOrEqual(0)
          expect(x).toBeLessThan(1)
          const k = rng.int(lo, lo + span)
          expect(k).toBeGreaterThanOrEqual(lo)
          expect(k).toBeLessThanOrEqual(lo + span)
          expect(Number.isInteger(k)).toBe(true)
        }
      }),
    )
  })

  it('never picks a zero weight', () => {
    const rng = createRng(7)
    for (let i = 0; i < 1000; i++)
      expect(
        rng.weighted([
          ['a', 0],
          ['b', 1],
          ['c', 0],
        ] as const),
      ).toBe('b')
  })
})

describe('hash32', () => {
  it('is a stable, well-spread function of its inputs', () => {
    expect(hash32(1, 2, 3)).toBe(hash32(1, 2, 3))
    expect(hash32(1, 2, 3)).not.toBe(hash32(1, 2, 4))
    expect(hashString('110000-gov-cloud-01')).toBe(hashString('110000-gov-cloud-01'))
    const mean = Array.from({ length: 10_000 }, (_, i) => hashUnit(99, i)).reduce((a, b) => a + b, 0) / 10_000
    expect(mean).toBeGreaterThan(0.48)
    expect(mean).toBeLessThan(0.52)
  })
})
