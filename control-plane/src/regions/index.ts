import { readFileSync } from 'node:fs'
import { parseCsv } from '../catalog/csv'
import type { Regions } from '../schemas'

const DATA = new URL('../../../data/', import.meta.url)

function records(file: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(new URL(file, DATA), 'utf8'))
  if (!header) return []
  return rows.map((r) => Object.fromEntries(header.fields.map((name, i) => [name, r.fields[i] ?? ''])))
}

const numberOrNull = (v: string | undefined): number | null => (v && Number.isFinite(Number(v)) ? Number(v) : null)

/** Provinces (GB/T 2260) and national hub clusters from the project's data/ (sources kept there). */
export function loadRegions(): Regions {
  const provinces = records('provinces.csv').map((r) => ({
    code: r.code ?? '',
    nameZh: r.name_zh ?? '',
    nameEn: r.name_en ?? '',
    iso: r.iso_3166_2 ?? '',
    gridRegionZh: r.grid_region_zh ?? '',
    gridRegionEn: r.grid_region_en ?? '',
    hubZh: r.national_hub_zh || null,
  }))
  const hubs = records('hubs.csv').map((r) => ({
    id: r.cluster_id ?? '',
    hubId: r.hub_id ?? '',
    hubNameZh: r.hub_name_zh ?? '',
    hubNameEn: r.hub_name_en ?? '',
    hubType: r.hub_type ?? '',
    nameZh: r.cluster_name_zh ?? '',
    nameEn: r.cluster_name_en ?? '',
    provinces: (r.province_codes ?? '').split(';').filter(Boolean),
    pueTargetMax: numberOrNull(r.cluster_pue_target_max),
    rackUtilizationTargetMin: numberOrNull(r.cluster_rack_utilization_target_min),
  }))
  return { provinces, hubs }
}

/** The national data-center PUE target (policy_targets.csv, metric national_avg_pue): sites outside the hubs are held to it. */
export function nationalPueTarget(): number {
  const row = records('policy_targets.csv').find((r) => r.metric === 'national_avg_pue')
  const value = numberOrNull(row?.value)
  if (value === null) throw new Error('data/policy_targets.csv has no national_avg_pue row')
  return value
}
