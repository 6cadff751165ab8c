import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BINARY_SUFFIXES, bytes, cpuToMillis, DECIMAL_SUFFIXES, parseQuantity, QuantityError } from './quantity'

type Suffix = keyof typeof BINARY_SUFFIXES | keyof typeof DECIMAL_SUFFIXES

const binarySuffix = fc.constantFrom(...(Object.keys(BINARY_SUFFIXES) as Array<keyof typeof BINARY_SUFFIXES>))
const largeDecimalSuffix = fc.constantFrom('', 'k', 'M', 'G', 'T', 'P', 'E' as const)

/** Suffixes from smallest to largest multiplier. */
const ASCENDING: readonly Suffix[] = ['n', 'u', 'm', '', 'k', 'Ki', 'M', 'Mi', 'G', 'Gi', 'T', 'Ti', 'P', 'Pi', 'E', 'Ei']

/** An integer rendered as a decimal with `places` digits after the point: (1234, 2) → "12.34". */
function decimal(units: number, places: number): string {
  if (places === 0) return String(units)
  const digits = String(units).padStart(places + 1, '0')
  return `${digits.slice(0, -places)}.${digits.slice(-places)}`
}

/** Any string the Kubernetes grammar accepts, with exponents small enough for a double. */
const validQuantity = fc
  .record({
    sign: fc.constantFrom('', '+', '-'),
    whole: fc.stringMatching(/^\d{0,12}$/),
    fraction: fc.option(fc.stringMatching(/^\d{0,9}$/), { nil: undefined }),
    suffix: fc.oneof(
      fc.constantFrom(...ASCENDING),
      fc.integer({ min: -30, max: 30 }).chain((e) => fc.constantFrom(`e${e}`, `E${e}`, `e+${Math.abs(e)}`)),
    ),
  })
  .filter(({ whole, fraction }) => whole.length > 0 || (fraction !== undefined && fraction.length > 0))
  .map(({ sign, whole, fraction, suffix }) => `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}${suffix}`)

describe('quantity properties (fast-check)', () => {
  it('round-trips whole millicores written as "<n>m", as decimal cores and as nanocores', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), (millis) => {
        expect(cpuToMillis(`${millis}m`)).toBe(millis)
        expect(cpuToMillis(decimal(millis, 3))).toBe(millis)
        expect(cpuToMillis(`${millis}000000n`)).toBe(millis)
        expect(cpuToMillis(`${millis}e-3`)).toBe(millis)
      }),
    )
  })

  it('round-trips byte counts written with a binary suffix, in plain bytes and with an exponent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 20 }), binarySuffix, (n, suffix) => {
        const expected = n * 2 ** BINARY_SUFFIXES[suffix]
        expect(bytes(`${n}${suffix}`)).toBe(expected)
        expect(parseQuantity(`${n}${suffix}`)).toBe(expected)
        if (Number.isSafeInteger(expected)) expect(bytes(String(expected))).toBe(expected)
      }),
    )
  })

  it('round-trips counts written with a decimal suffix or an exponent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), largeDecimalSuffix, (n, suffix) => {
        const power = DECIMAL_SUFFIXES[suffix]
        const expected = n * Number(`1e${power}`)
        expect(parseQuantity(`${n}${suffix}`)).toBe(expected)
        expect(parseQuantity(`${n}e${power}`)).toBe(expected)
        expect(parseQuantity(`${n}E${power}`)).toBe(expected)
        expect(parseQuantity(expected)).toBe(expected)
      }),
    )
  })

  it('grows strictly with the suffix for a fixed positive number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: ASCENDING.length - 2 }), (n, i) => {
        const smaller = ASCENDING[i] ?? ''
        const larger = ASCENDING[i + 1] ?? ''
        expect(parseQuantity(`${n}${smaller}`)).toBeLessThan(parseQuantity(`${n}${larger}`))
      }),
    )
  })

  it('never decreases when the number grows under the same suffix', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom(...ASCENDING),
        (a, b, places, suffix) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a]
          const low = `${decimal(lo, places)}${suffix}`
          const high = `${decimal(hi, places)}${suffix}`
          expect(parseQuantity(low)).toBeLessThanOrEqual(parseQuantity(high))
          expect(cpuToMillis(low)).toBeLessThanOrEqual(cpuToMillis(high))
          expect(bytes(low)).toBeLessThanOrEqual(bytes(high))
        },
      ),
    )
  })

  it('gives a finite number, never NaN, for every valid quantity', () => {
    fc.assert(
      fc.property(validQuantity, (q) => {
        for (const value of [parseQuantity(q), cpuToMillis(q), bytes(q)]) {
          expect(Number.isNaN(value)).toBe(false)
          expect(Number.isFinite(value)).toBe(true)
        }
      }),
    )
  })

  it('rounds up: bytes and millicores are whole and never below the exact value', () => {
    fc.assert(
      fc.property(validQuantity, (q) => {
        const exact = parseQuantity(q)
        expect(Number.isInteger(bytes(q))).toBe(true)
        expect(Number.isInteger(cpuToMillis(q))).toBe(true)
        // Above 2^53 doubles are spaced 2 or more apart: "never below" holds up to that spacing.
        expect(bytes(q) - Math.floor(exact)).toBeGreaterThanOrEqual(-2 * Number.EPSILON * Math.abs(exact))
        expect(bytes(q) - exact).toBeLessThanOrEqual(1 + 1e-6 * Math.abs(exact))
      }),
    )
  })

  it('throws a QuantityError naming the value for a corrupted quantity', () => {
    // None of these can complete a valid quantity ("i" could: "5M" + "i"; so could "." : "5" + ".").
    const corruption = fc.constantFrom(' ', 'B', 'K', 'b', 'x', '..', 'e', 'Gi ', 'Kib', 'GB', 'm3', '%', '_', '\n')
    fc.assert(
      fc.property(validQuantity, corruption, fc.boolean(), (q, junk, before) => {
        const bad = before ? `${junk}${q}` : `${q}${junk}`
        expect(() => parseQuantity(bad)).toThrow(QuantityError)
        expect(() => parseQuantity(bad)).toThrow(JSON.stringify(bad))
      }),
    )
  })

  it('on arbitrary text either returns a finite number or throws a QuantityError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (text) => {
        try {
          expect(Number.isFinite(parseQuantity(text))).toBe(true)
        } catch (error) {
          expect(error).toBeInstanceOf(QuantityError)
        }
      }),
    )
  })
})
