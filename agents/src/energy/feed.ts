import { ENERGY_MIX_SUM_TOLERANCE, type Energy, EnergySchema } from '@suanpan/control-plane/schemas'
import { Compile } from 'typebox/compile'
import type { TLocalizedValidationError } from 'typebox/error'

/** How far the shares in `mix` may sum from 1 and still be accepted (rounding in facility systems). */
export const MIX_SUM_TOLERANCE = ENERGY_MIX_SUM_TOLERANCE

export interface EnergyFieldError {
  /** JSON pointer into the feed document, e.g. `/pue` or `/mix/coal`. */
  path: string
  message: string
}

export type EnergyFeedErrorCode = 'ENERGY_FEED_INVALID' | 'ENERGY_FEED_UNREADABLE'

/** The site energy feed could not be read, or its content is not an `Energy` document; `fields` says what is wrong. */
export class EnergyFeedError extends Error {
  override readonly name = 'EnergyFeedError'
  readonly code: EnergyFeedErrorCode
  readonly location: string
  readonly fields: EnergyFieldError[]

  constructor(code: EnergyFeedErrorCode, location: string, message: string, opts: { fields?: EnergyFieldError[]; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.code = code
    this.location = location
    this.fields = opts.fields ?? []
  }
}

const validator = Compile(EnergySchema)

/** Validates a parsed feed document against the contract's `EnergySchema`, plus the mix adding up to 1. */
export function parseEnergy(value: unknown, location: string): Energy {
  if (!validator.Check(value)) throw invalid(location, schemaErrors(validator.Errors(value)))
  const fields = mixErrors(value)
  if (fields.length > 0) throw invalid(location, fields)
  return value
}

function invalid(location: string, fields: EnergyFieldError[]): EnergyFeedError {
  const detail = fields.map((f) => `${f.path} ${f.message}`).join('; ')
  return new EnergyFeedError('ENERGY_FEED_INVALID', location, `energy feed ${location} is invalid: ${detail}`, { fields })
}

/** Parses the text of a feed document (file content or HTTP body). */
export function parseEnergyText(text: string, location: string): Energy {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new EnergyFeedError('ENERGY_FEED_INVALID', location, `energy feed ${location} is not JSON: ${(err as Error).message}`, {
      fields: [{ path: '/', message: 'is not JSON' }],
      cause: err,
    })
  }
  return parseEnergy(value, location)
}

function mixErrors(energy: Energy): EnergyFieldError[] {
  if (!energy.mix) return []
  const sum = Object.values(energy.mix).reduce((a: number, b) => a + (b ?? 0), 0)
  return Math.abs(sum - 1) > MIX_SUM_TOLERANCE
    ? [{ path: '/mix', message: `shares add up to ${Number(sum.toFixed(4))}, expected 1 (±${MIX_SUM_TOLERANCE})` }]
    : []
}

// TypeBox reports a missing or unknown property against its parent object; name the property itself instead.
function schemaErrors(errors: TLocalizedValidationError[]): EnergyFieldError[] {
  const out = new Map<string, EnergyFieldError>()
  const add = (path: string, message: string) => {
    const key = path || '/'
    if (!out.has(key)) out.set(key, { path: key, message })
  }
  for (const e of errors) {
    if (e.keyword === 'required') for (const name of e.params.requiredProperties) add(`${e.instancePath}/${name}`, 'is required')
    else if (e.keyword === 'additionalProperties')
      for (const name of e.params.additionalProperties) add(`${e.instancePath}/${name}`, 'is not a known field')
    else if (!(e.keyword === 'boolean' && e.schemaPath.endsWith('/additionalProperties'))) add(e.instancePath, e.message)
  }
  return [...out.values()]
}
