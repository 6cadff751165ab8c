import { readCsvRecords } from './csv'

const DATA_DIR = new URL('../../../data/', import.meta.url)

export interface Province {
  code: string
  nameZh: string
  nameEn: string
  gridRegionZh: string
  /** Hub membership as provinces.csv names it (e.g. 京津冀), '' when none. */
  hubZh: string
}

export interface HubCluster {
  hubId: string
  hubNameZh: string
  hubType: 'east_demand' | 'west_renewable'
  provinceCodes: string[]
  /** The 东数西算 data-center cluster id, used as `ClusterIdentity.hub`. */
  clusterId: string
  clusterNameZh: string
  pueTargetMax: number
}

/** Grid generation shares as read from province_energy_mix.csv (NBS 'thermal' kept as one figure). */
export interface GridMix {
  thermal: number
  hydro: number
  nuclear: number
  wind: number
  solar: number
  period: string
}

export interface ReferenceData {
  provinces: Province[]
  hubs: HubCluster[]
  /** kg CO2/kWh, latest year per province code ('CN' national) and per grid region (zh name). */
  emissionByProvince: Map<string, { value: number; year: string }>
  emissionByRegion: Map<string, { value: number; year: string }>
  /** Complete generation mixes where the CSV has them (national, Inner Mongolia). */
  fullMix: Map<string, GridMix>
  /** Above-scale hydro generation, TWh, 2022-H1 (a hint for how hydro-heavy a province is). */
  hydroTwhH1: Map<string, number>
  /** Device TDP in watts by catalog model, where device_catalog.csv gives one. */
  tdpByModel: Map<string, number>
  catalogModels: Set<string>
  catalogResources: Set<string>
}

let cached: ReferenceData | undefined

/** Loads the reference CSVs once per process (they are read-only facts, not state). */
export function referenceData(): ReferenceData {
  cached ??= load()
  return cached
}

function num(s: string | undefined): number | undefined {
  if (s === undefined || s.trim() === '') return undefined
  const v = Number(s.replace(/^~/, ''))
  return Number.isFinite(v) ? v : undefined
}

function load(): ReferenceData {
  const provinces = readCsvRecords(new URL('provinces.csv', DATA_DIR)).map(
    (r): Province => ({
      code: r.code ?? '',
      nameZh: r.name_zh ?? '',
      nameEn: r.name_en ?? '',
      gridRegionZh: r.grid_region_zh ?? '',
      hubZh: r.national_hub_zh ?? '',
    }),
  )
  const hubs = readCsvRecords(new URL('hubs.csv', DATA_DIR)).map(
    (r): HubCluster => ({
      hubId: r.hub_id ?? '',
      hubNameZh: r.hub_name_zh ?? '',
      hubType: r.hub_type === 'west_renewable' ? 'west_renewable' : 'east_demand',
      provinceCodes: (r.province_codes ?? '').split(';').filter(Boolean),
      clusterId: r.cluster_id ?? '',
      clusterNameZh: r.cluster_name_zh ?? '',
      pueTargetMax: num(r.cluster_pue_target_max) ?? 1.25,
    }),
  )

  const emissionByProvince = new Map<string, { value: number; year: string }>()
  const emissionByRegion = new Map<string, { value: number; year: string }>()
  for (const r of readCsvRecords(new URL('grid_emission_factors.csv', DATA_DIR))) {
    const value = num(r.kgco2_per_kwh)
    const year = r.year ?? ''
    if (value === undefined || r.factor_kind !== 'grid_average' || !/^\d{4}$/.test(year)) continue
    const target =
      r.scope === 'region' ? emissionByRegion : r.scope === 'province' || r.scope === 'national' ? emissionByProvince : undefined
    const key = r.scope === 'region' ? (r.name_zh ?? '') : (r.code ?? '')
    const prev = target?.get(key)
    if (target && (!prev || prev.year < year)) target.set(key, { value, year })
  }

  const mixRows = new Map<string, Map<string, number>>()
  const hydroTwhH1 = new Map<string, number>()
  for (const r of readCsvRecords(new URL('province_energy_mix.csv', DATA_DIR))) {
    const code = r.code ?? ''
    const metric = r.metric ?? ''
    if (!code) continue
    if (metric === 'generation_hydro' && r.period === '2022-H1' && code !== 'CN') {
      const v = num(r.value)
      if (v !== undefined) hydroTwhH1.set(code, v)
    }
    const share = num(r.share_of_total)
    if (share === undefined || !metric.startsWith('generation_')) continue
    const key = `${code}|${r.period}`
    const m = mixRows.get(key) ?? new Map<string, number>()
    m.set(metric.slice('generation_'.length), share)
    mixRows.set(key, m)
  }
  const fullMix = new Map<string, GridMix>()
  for (const [key, m] of mixRows) {
    const [code = '', period = ''] = key.split('|')
    const thermal = m.get('thermal')
    if (thermal === undefined || m.get('wind') === undefined || m.get('hydro') === undefined) continue
    const mix: GridMix = {
      thermal,
      hydro: m.get('hydro') ?? 0,
      nuclear: m.get('nuclear') ?? 0,
      wind: m.get('wind') ?? 0,
      solar: m.get('solar') ?? 0,
      period,
    }
    const prev = fullMix.get(code)
    // Prefer a full year over a half year.
    if (!prev || (prev.period.includes('-') && !period.includes('-'))) fullMix.set(code, mix)
  }

  const tdpByModel = new Map<string, number>()
  const catalogModels = new Set<string>()
  const catalogResources = new Set<string>()
  for (const r of readCsvRecords(new URL('device_catalog.csv', DATA_DIR))) {
    const model = r.model ?? ''
    catalogModels.add(model)
    if (r.k8s_resource) catalogResources.add(r.k8s_resource)
    const tdp = num(r.tdp_w)
    if (tdp !== undefined) tdpByModel.set(model, tdp)
  }

  return { provinces, hubs, emissionByProvince, emissionByRegion, fullMix, hydroTwhH1, tdpByModel, catalogModels, catalogResources }
}
