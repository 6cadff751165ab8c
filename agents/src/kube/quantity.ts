// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource), parsed exactly.
//
//   <quantity>        ::= <signedNumber><suffix>
//   <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
//   <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
//   <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
//   <decimalExponent> ::= "e" <signedInteger> | "E" <signedInteger>
//   <number>          ::= <digits> | <digits> "." <digits> | <digits> "." | "." <digits>
//
// The digits are kept as a BigInt with a decimal and a binary exponent, and turned into a JS number
// only once, through a decimal string, so "0.1" cores is exactly 100 millicores and "78083556Ki" is
// exactly 79957561344 bytes (no 0.1 * 1000 = 100.00000000000001).

/** Thrown for a value that is not a Kubernetes quantity; `value` is the offending input. */
export class QuantityError extends Error {
  override readonly name = 'QuantityError'
  readonly code = 'INVALID_QUANTITY'
  constructor(
    readonly value: unknown,
    reason: string,
  ) {
    super(`invalid Kubernetes quantity ${describe(value)}: ${reason}`)
  }
}

/** Multipliers of the suffixes, as powers of 2 (binary SI) or of 10 (decimal SI). */
export const BINARY_SUFFIXES = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 } as const
export const DECIMAL_SUFFIXES = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 } as const

type BinarySuffix = keyof typeof BINARY_SUFFIXES
type DecimalSuffix = keyof typeof DECIMAL_SUFFIXES

/** value = sign × digits × 10^exp10 × 2^exp2, exactly. */
interface ExactQuantity {
  negative: boolean
  digits: bigint
  exp10: number
  exp2: number
}

const QUANTITY_RE = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?\d+))?$/

// A double ends near 1.8e308; past this many integer digits there is no point in building the string.
const MAX_DECIMAL_MAGNITUDE = 400

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)
  if (typeof value === 'number') return String(value)
  return `of type ${value === null ? 'null' : typeof value}`
}

function hint(text: string): string {
  if (text.trim() !== text) return 'remove the surrounding spaces'
  if (/^[+-]?[\d.]+\s+\S/.test(text)) return 'no space is allowed between the number and the suffix'
  if (/^[+-]?[\d.]+K$/.test(text)) return 'the kilo suffix is a lower-case "k" (1000); "Ki" is 1024'
  if (/^[+-]?[\d.]+([KMGTPE]i?B|[kmgtpe]i?b|[KMGTPE]i?b)$/.test(text))
    return 'drop the trailing "B": Kubernetes writes "Gi" or "G", not "GB"'
  if (/^[+-]?[\d.]+[kmgtpe]i$/.test(text)) return 'binary suffixes are Ki Mi Gi Ti Pi Ei (capitalised)'
  if (/^[+-]?[\d.]+[eE]$/.test(text)) return 'an exponent needs digits after "e"'
  return 'expected <number><suffix>, suffix one of Ki Mi Gi Ti Pi Ei, n u m k M G T P E, or e<integer>'
}

function parseExact(input: string | number): ExactQuantity {
  let text: string
  if (typeof input === 'number') {
    // YAML turns unquoted `cpu: 32` or `memory: 1e9` into numbers. String() gives their shortest
    // decimal form ("0.1", "1e+21"), which is then parsed like any quantity.
    if (!Number.isFinite(input)) throw new QuantityError(input, 'not a finite number')
    text = String(input)
  } else if (typeof input === 'string') {
    text = input
  } else {
    throw new QuantityError(input, 'expected a string or a number')
  }
  if (text === '') throw new QuantityError(input, 'empty string')
  const match = QUANTITY_RE.exec(text)
  if (!match) throw new QuantityError(input, hint(text))
  const [, sign = '', number = '', binary, decimal, exponent] = match
  const [whole = '', fraction = ''] = number.split('.')
  const digits = BigInt(`${whole}${fraction}` || '0')
  let exp10 = -fraction.length
  let exp2 = 0
  if (binary !== undefined) exp2 = BINARY_SUFFIXES[binary as BinarySuffix]
  else if (decimal !== undefined) exp10 += DECIMAL_SUFFIXES[decimal as DecimalSuffix]
  else if (exponent !== undefined) {
    const e = Number(exponent)
    if (!Number.isSafeInteger(e) || Math.abs(e) > 1e6) throw new QuantityError(input, `exponent ${exponent} is out of range`)
    exp10 += e
  }
  return { negative: sign === '-' && digits !== 0n, digits, exp10, exp2 }
}

/** The exact value × 10^scale: the nearest double, or rounded up to an integer (towards +∞). */
function toNumber(input: string | number, q: ExactQuantity, scale: number, roundUp: boolean): number {
  const scaled = q.digits << BigInt(q.exp2)
  const exp10 = q.exp10 + scale
  const text = scaled.toString()
  if (scaled === 0n) return 0
  if (text.length + exp10 > MAX_DECIMAL_MAGNITUDE) throw new QuantityError(input, 'too large to represent')
  const sign = q.negative ? '-' : ''
  if (!roundUp || exp10 >= 0) {
    const value = Number(`${sign}${text}e${exp10}`)
    if (!Number.isFinite(value)) throw new QuantityError(input, 'too large to represent')
    return value
  }
  // Round towards +∞ like resource.Quantity.Value() / MilliValue(): split at the decimal point.
  const cut = text.length + exp10
  const whole = cut > 0 ? text.slice(0, cut) : '0'
  const fraction = cut > 0 ? text.slice(cut) : text
  const truncated = Number(whole)
  if (!Number.isFinite(truncated)) throw new QuantityError(input, 'too large to represent')
  if (q.negative) return truncated === 0 ? 0 : -truncated
  return /[1-9]/.test(fraction) ? truncated + 1 : truncated
}

/**
 * The value of a quantity in base units (cores, bytes, devices), as the nearest double.
 * Accepts the numbers YAML makes of unquoted quantities. Throws QuantityError naming the value.
 */
export function parseQuantity(q: string | number): number {
  return toNumber(q, parseExact(q), 0, false)
}

/** CPU in millicores, rounded up to a whole millicore like `Quantity.MilliValue()` (what kubectl prints). */
export function cpuToMillis(q: string | number): number {
  return toNumber(q, parseExact(q), 3, true)
}

/** A quantity rounded up to a whole unit like `Quantity.Value()`: bytes for memory/storage, count for devices. */
export function quantityValue(q: string | number): number {
  return toNumber(q, parseExact(q), 0, true)
}

/** Bytes of a memory or storage quantity, rounded up to a whole byte like `Quantity.Value()`. */
export function bytes(q: string | number): number {
  return quantityValue(q)
}
