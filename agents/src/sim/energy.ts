import type { EnergyMix } from '@suanpan/control-plane/schemas'
import { COOL_CLIMATE, NUCLEAR_PROVINCES } from './geo'
import type { Rng } from './prng'
import type { HubCluster, ReferenceData } from './reference-data'

/** The facility side of a site: fixed per site, only IT power varies with load. */
export interface SiteEnergy {
  pue: number
  mix: EnergyMix
  greenShare: number
  carbonIntensityKgPerKwh: number
  source: string
}

export interface GridSupply {
  mix: EnergyMix
  carbonIntensityKgPerKwh: number
  source: string
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000

function emissionFactor(data: ReferenceData, province: string, gridRegionZh: string): { value: number; label: string } {
  const own = data.emissionByProvince.get(province)
  if (own) return { value: own.value, label: `MEE/NBS ${own.year} ${province}` }
  const region = data.emissionByRegion.get(gridRegionZh)
  if (region) return { value: region.value, label: `MEE/NBS ${region.year} ${gridRegionZh} grid` }
  const national = data.emissionByProvince.get('CN')
  return { value: national?.value ?? 0.5366, label: `MEE/NBS ${national?.year ?? '2022'} national` }
}

/** Rounds shares to 4 decimals and puts the rounding residue on the largest, so they add up to 1. */
function normalize(shares: Record<string, number>): EnergyMix {
  let total = 0
  for (const v of Object.values(shares)) total += v
  const out: Record<string, number> = {}
  let sum = 0
  let largest = ''
  for (const [k, v] of Object.entries(shares)) {
    if (v <= 0) continue
    out[k] = round4(v / total)
    sum += out[k] ?? 0
    if (!largest || (out[k] ?? 0) > (out[largest] ?? 0)) largest = k
  }
  if (largest) out[largest] = round4((out[largest] ?? 0) + 1 - sum)
  return out as EnergyMix
}

/**
 * The grid a site draws from. Where province_energy_mix.csv has a complete mix (Inner Mongolia) it is used as is;
 * elsewhere the fossil share follows the province's MEE/NBS emission factor (scaled by the national factor per
 * unit of thermal share) and the rest is split by what the province generates (hydro from the NBS 2022-H1 figure,
 * nuclear where plants exist, wind and solar by region). NBS "thermal" is reported as coal.
 */
export function gridSupply(data: ReferenceData, province: string, gridRegionZh: string): GridSupply {
  const factor = emissionFactor(data, province, gridRegionZh)
  const full = data.fullMix.get(province)
  if (full) {
    return {
      mix: normalize({ coal: full.thermal, hydro: full.hydro, nuclear: full.nuclear, wind: full.wind, solar: full.solar }),
      carbonIntensityKgPerKwh: factor.value,
      source: `mix NBS ${province} ${full.period}; ${factor.label}`,
    }
  }
  const national = data.fullMix.get('CN')
  const nationalFactor = data.emissionByProvince.get('CN')?.value ?? 0.5366
  const perThermalShare = nationalFactor / (national?.thermal ?? 0.6883)
  const fossil = Math.min(0.92, Math.max(0.05, factor.value / perThermalShare))
  const hydroTwh = data.hydroTwhH1.get(province)
  const hydroW = hydroTwh === undefined ? (gridRegionZh === '西南' ? 3 : 0.3) : hydroTwh >= 30 ? 3 : hydroTwh >= 5 ? 1 : 0.2
  const windy = gridRegionZh === '华北' || gridRegionZh === '西北' || gridRegionZh === '东北'
  const weights = {
    hydro: hydroW,
    nuclear: NUCLEAR_PROVINCES.has(province) ? 1.2 : 0,
    wind: windy ? 1.5 : 0.6,
    solar: gridRegionZh === '西北' || gridRegionZh === '华北' ? 1 : 0.5,
    biomass: 0.1,
  }
  let wsum = 0
  for (const v of Object.values(weights)) wsum += v
  const shares: Record<string, number> = { coal: fossil }
  for (const [k, v] of Object.entries(weights)) shares[k] = ((1 - fossil) * v) / wsum
  return {
    mix: normalize(shares),
    carbonIntensityKgPerKwh: factor.value,
    source: `mix estimated from ${factor.label}`,
  }
}

export type SiteKind = 'national' | 'ministry' | 'provincial'

/**
 * Site energy: the grid plus contracted green power (western hub sites buy the most), and a PUE that follows
 * the hub target (hubs.csv) or, elsewhere, the climate and the age of the building.
 */
export function siteEnergy(
  data: ReferenceData,
  rng: Rng,
  site: { province: string; gridRegionZh: string; hub?: HubCluster; kind: SiteKind },
): SiteEnergy {
  const grid = gridSupply(data, site.province, site.gridRegionZh)
  const hub = site.hub
  const ppa = hub
    ? hub.hubType === 'west_renewable'
      ? rng.range(0.25, 0.5)
      : rng.range(0.05, 0.2)
    : site.kind === 'national'
      ? rng.range(0.1, 0.2)
      : rng.range(0, 0.08)
  const windPart = rng.range(0.45, 0.65)
  const blended: Record<string, number> = {}
  for (const [k, v] of Object.entries(grid.mix)) blended[k] = (v ?? 0) * (1 - ppa)
  blended.wind = (blended.wind ?? 0) + ppa * windPart
  blended.solar = (blended.solar ?? 0) + ppa * (1 - windPart)
  const mix = normalize(blended)
  const fossil = (mix.coal ?? 0) + (mix.gas ?? 0) + (mix.oil ?? 0)

  let pue: number
  if (hub) pue = rng.range(hub.pueTargetMax - 0.05, hub.pueTargetMax + 0.02)
  else if (site.kind !== 'provincial') pue = rng.range(1.2, 1.35)
  else if (COOL_CLIMATE.has(site.province)) pue = rng.range(1.25, 1.45)
  else pue = rng.range(1.32, 1.6)
  pue = Math.min(1.6, Math.max(1.15, pue))

  return {
    pue: Math.round(pue * 1000) / 1000,
    mix,
    greenShare: round4(1 - fossil),
    carbonIntensityKgPerKwh: round4(grid.carbonIntensityKgPerKwh * (1 - ppa)),
    source: `suanpan-sim: ${grid.source}; green contract ${Math.round(ppa * 100)}%`,
  }
}
