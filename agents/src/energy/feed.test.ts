import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EnergyFeedError, parseEnergy, parseEnergyText } from './feed'

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn()
  } catch (err) {
    if (err instanceof EnergyFeedError) return err.fields.map((f) => f.path)
    throw err
  }
  throw new Error('expected an EnergyFeedError')
}

describe('parseEnergy', () => {
  it('accepts the README example', () => {
    const doc = {
      itPowerKw: 1840.5,
      pue: 1.23,
      mix: { hydro: 0.12, wind: 0.38, solar: 0.2, coal: 0.3 },
      greenShare: 0.75,
      carbonIntensityKgPerKwh: 0.21,
      source: '张家口 BMS, meter M-03',
    }
    expect(parseEnergy(doc, 'energy.json')).toEqual(doc)
  })

  it('names the missing field, not its parent', () => {
    expect(fieldsOf(() => parseEnergy({ pue: 1.2 }, 'f'))).toEqual(['/itPowerKw'])
  })

  it('names each field out of range, nested ones included', () => {
    expect(fieldsOf(() => parseEnergy({ itPowerKw: 10, pue: 0.9, mix: { coal: 1.5 } }, 'f')).sort()).toEqual(['/mix/coal', '/pue'])
  })

  it('names an unknown field once', () => {
    expect(fieldsOf(() => parseEnergy({ itPowerKw: 10, pue: 1.2, powerKw: 3 }, 'f'))).toEqual(['/powerKw'])
  })

  it('puts the file and the fields in the message', () => {
    expect(() => parseEnergy({ itPowerKw: 'lots', pue: 1.2 }, '/etc/energy.json')).toThrow(/\/etc\/energy\.json.*\/itPowerKw/)
  })

  it('rejects a mix that does not add up to 1', () => {
    expect(fieldsOf(() => parseEnergy({ itPowerKw: 10, pue: 1.2, mix: { coal: 0.5, wind: 0.3 } }, 'f'))).toEqual(['/mix'])
  })

  it('reports text that is not JSON at the root', () => {
    expect(fieldsOf(() => parseEnergyText('{"itPowerKw": ', 'f'))).toEqual(['/'])
  })

  it('accepts every in-range reading whose mix adds up (property)', () => {
    const share = fc.double({ min: 0, max: 1, noNaN: true })
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 1, max: 5, noNaN: true }), share, (it, pue, coal) => {
        const doc = { itPowerKw: it, pue, mix: { coal, wind: 1 - coal } }
        expect(parseEnergy(doc, 'f')).toEqual(doc)
      }),
    )
  })
})
