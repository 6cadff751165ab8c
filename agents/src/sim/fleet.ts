import type { ClusterIdentity } from '@suanpan/control-plane/schemas'
import type { ClusterRole, SimCluster } from './cluster-types'
import { type SiteEnergy, type SiteKind, siteEnergy } from './energy'
import { CITIES, type City, EASTERN, HUB_SITES, LOCAL_HOUR_SHIFT, MINISTRIES, POPULATION_M } from './geo'
import { buildInventory, buildStorage } from './inventory'
import type { LoadProfile } from './load'
import { createRng, hash32, hashString, type Rng } from './prng'
import { type HubCluster, type Province, type ReferenceData, referenceData } from './reference-data'

export type { ClusterRole, SimCluster, SimNode, SimPool, SimStorageClass } from './cluster-types'

export interface FleetOptions {
  clusters: number
  seed: number
  /** Nodes per cluster: a fixed number, or [min, max] drawn log-uniformly. Default [12, 160]. */
  nodesPerCluster?: number | [number, number]
}

export const DEFAULT_NODES_PER_CLUSTER: readonly [number, number] = [12, 160]
export const MAX_FLEET_CLUSTERS = 10_000

const BEIJING = '110000'
const BEIJING_CITY: City = { nameZh: '北京市', slug: 'beijing', code: '110100' }

type Slot =
  | { kind: 'national'; ordinal: number }
  | { kind: 'ministry'; ordinal: number }
  | { kind: 'provincial'; province: Province; ordinal: number; ofProvince: number }

/** Largest-remainder apportionment of `total` by `weights`, each share at least `floor`. */
export function apportion(total: number, weights: readonly number[], floor: number): number[] {
  const base = weights.map(() => floor)
  const rest = total - floor * weights.length
  if (rest < 0) throw new RangeError('total below the floor')
  const sum = weights.reduce((a, b) => a + b, 0)
  const exact = weights.map((w) => (w / sum) * rest)
  const out = base.map((b, i) => b + Math.floor(exact[i] ?? 0))
  let left = total - out.reduce((a, b) => a + b, 0)
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (const [, i] of order) {
    if (left <= 0) break
    out[i] = (out[i] ?? 0) + 1
    left--
  }
  return out
}

function hostsHub(code: string): boolean {
  return Object.values(HUB_SITES).some((locs) => locs.some((l) => l.province === code))
}

/** Relative share of provincial clusters: population, more in the east, more in provinces hosting a hub site. */
export function provinceWeight(code: string): number {
  const pop = POPULATION_M[code] ?? 10
  return pop ** 0.75 * (EASTERN.has(code) ? 1.35 : 1) * (hostsHub(code) ? 1.4 : 1) * (code === BEIJING ? 1.3 : 1)
}

function planSlots(data: ReferenceData, n: number): Slot[] {
  const national = n >= 10 ? Math.max(1, Math.round(n * 0.01)) : 0
  const ministry = n >= 20 ? Math.max(1, Math.round(n * 0.025)) : 0
  const provincial = n - national - ministry
  const counts = apportion(
    provincial,
    data.provinces.map((p) => provinceWeight(p.code)),
    provincial >= data.provinces.length ? 1 : 0,
  )
  const slots: Slot[] = []
  for (let i = 0; i < national; i++) slots.push({ kind: 'national', ordinal: i })
  for (let i = 0; i < ministry; i++) slots.push({ kind: 'ministry', ordinal: i })
  data.provinces.forEach((province, p) => {
    const count = counts[p] ?? 0
    for (let i = 0; i < count; i++) slots.push({ kind: 'provincial', province, ordinal: i, ofProvince: count })
  })
  return slots
}

const nn = (i: number): string => String(i).padStart(2, '0')

interface Placement {
  identity: ClusterIdentity
  siteKind: SiteKind
  hub?: HubCluster
  gridRegionZh: string
}

class Namer {
  readonly #counters = new Map<string, number>()
  next(key: string): number {
    const v = (this.#counters.get(key) ?? 0) + 1
    this.#counters.set(key, v)
    return v
  }
}

function hubLocations(data: ReferenceData, province: string) {
  const out: { hub: HubCluster; loc: (typeof HUB_SITES)[string][number] }[] = []
  for (const hub of data.hubs) for (const loc of HUB_SITES[hub.clusterId] ?? []) if (loc.province === province) out.push({ hub, loc })
  return out
}

function place(data: ReferenceData, slot: Slot, rng: Rng, names: Namer): Placement {
  const beijingRegion = data.provinces.find((p) => p.code === BEIJING)?.gridRegionZh ?? '华北'
  if (slot.kind === 'national') {
    const center = slot.ordinal % 2 === 0 ? 'a1' : 'a2'
    return {
      identity: {
        clusterId: `${BEIJING}-national-${nn(names.next('cluster:national'))}`,
        site: `${BEIJING}-national-${center}`,
        siteName: center === 'a1' ? '国家政务云主节点 A1' : '国家政务云同城中心 A2',
        province: BEIJING,
        city: BEIJING_CITY.nameZh,
        cityCode: BEIJING_CITY.code,
        level: 'national',
        platform: 'cn',
      },
      siteKind: 'national',
      gridRegionZh: beijingRegion,
    }
  }
  if (slot.kind === 'ministry') {
    const m = MINISTRIES[slot.ordinal % MINISTRIES.length] ?? { code: 'gov', nameZh: '国务院部门' }
    return {
      identity: {
        clusterId: `${BEIJING}-${m.code}-${nn(names.next(`cluster:${m.code}`))}`,
        site: `${BEIJING}-${m.code}-dc01`,
        siteName: `${m.nameZh}数据中心`,
        province: BEIJING,
        city: BEIJING_CITY.nameZh,
        cityCode: BEIJING_CITY.code,
        level: 'ministry',
        platform: `cn-${m.code}`,
        ministry: m.nameZh,
      },
      siteKind: 'ministry',
      gridRegionZh: beijingRegion,
    }
  }
  const { province, ordinal, ofProvince } = slot
  const code = province.code
  const hubs = hubLocations(data, code)
  const western = hubs.some((h) => h.hub.hubType === 'west_renewable')
  const atHub = hubs.length > 0 && (ordinal === 1 || (ofProvince === 1 && western) || (ordinal > 1 && rng.chance(western ? 0.45 : 0.2)))
  const base = { province: code, level: 'provincial' as const, platform: `cn-${code}` }
  if (atHub) {
    const { hub, loc } = rng.pick(hubs)
    const slug = hub.clusterId.replace(/_/g, '-')
    // `hub-` keeps hub sites apart from the city's own sites (the Wuhu cluster sits in Wuhu); the city is
    // named only when the hub has several locations in the province (Horinger: Hohhot and Ulanqab).
    const siteKey = hubs.length > 1 ? `${code}-hub-${slug}-${loc.city.slug}` : `${code}-hub-${slug}`
    const siteNo = Math.ceil(names.next(`site:${siteKey}`) / 3)
    return {
      identity: {
        clusterId: `${code}-${slug}-${nn(names.next(`cluster:${code}-${slug}`))}`,
        site: `${siteKey}-dc${nn(siteNo)}`,
        siteName: `${hub.clusterNameZh}（${loc.areaZh}）${siteNo}号数据中心`,
        city: loc.city.nameZh,
        ...(loc.city.code ? { cityCode: loc.city.code } : {}),
        ...base,
        hub: hub.clusterId,
      },
      siteKind: 'provincial',
      hub,
      gridRegionZh: province.gridRegionZh,
    }
  }
  const cities = CITIES[code] ?? [{ nameZh: province.nameZh, slug: code }]
  const capital = cities[0] ?? { nameZh: province.nameZh, slug: code }
  const city = ordinal === 0 || cities.length === 1 || rng.chance(0.5) ? capital : rng.pick(cities.slice(1))
  const siteKey = `${code}-${city.slug}`
  const siteNo = Math.ceil(names.next(`site:${siteKey}`) / 3)
  const where = city.nameZh === province.nameZh ? city.nameZh : `${province.nameZh}${city.nameZh}`
  return {
    identity: {
      clusterId: `${code}-gov-cloud-${nn(names.next(`cluster:${code}-gov-cloud`))}`,
      site: `${siteKey}-dc${nn(siteNo)}`,
      siteName: `${where}政务云数据中心${siteNo}号`,
      city: city.nameZh,
      ...(city.code ? { cityCode: city.code } : {}),
      ...base,
    },
    siteKind: 'provincial',
    gridRegionZh: province.gridRegionZh,
  }
}

function pickRole(rng: Rng, p: Placement): ClusterRole {
  const [ai, vdi] = p.hub ? [0.35, 0.03] : p.siteKind === 'national' ? [0.3, 0.05] : p.siteKind === 'ministry' ? [0.15, 0.08] : [0.12, 0.04]
  const r = rng.next()
  return r < ai ? 'ai' : r < ai + vdi ? 'vdi' : 'general'
}

function nodeCount(rng: Rng, spec: FleetOptions['nodesPerCluster']): number {
  if (typeof spec === 'number') return Math.max(1, Math.floor(spec))
  const [min, max] = spec ?? DEFAULT_NODES_PER_CLUSTER
  const lo = Math.max(1, Math.min(min, max))
  const hi = Math.max(lo, max)
  return Math.round(Math.exp(rng.range(Math.log(lo), Math.log(hi + 0.999))) - 0.499)
}

function loadProfile(rng: Rng, role: ClusterRole, idle: boolean, province: string, noiseSeed: number): LoadProfile {
  return {
    peak: idle ? rng.range(0.04, 0.1) : rng.range(0.35, 0.85),
    trough: idle ? rng.range(0.6, 0.9) : rng.range(0.25, 0.55),
    lagHours: (LOCAL_HOUR_SHIFT[province] ?? 0) + rng.range(-0.5, 0.5),
    memoryFloor: idle ? rng.range(0.04, 0.1) : rng.range(0.15, 0.35),
    requestOverUse: rng.range(1.15, 1.8),
    acceleratorPeak: idle ? rng.range(0, 0.1) : role === 'ai' ? rng.range(0.55, 0.95) : rng.range(0.3, 0.8),
    wander: rng.range(0.03, 0.1),
    noiseSeed,
  }
}

/**
 * A simulated national fleet: `clusters` clusters over all 32 provincial divisions (every one gets a cluster
 * once there are enough), a few national and ministry clusters in Beijing, hub sites of 东数西算, realistic
 * node mixes and site energy. Pure: the same options give the same fleet.
 */
export function createFleet(opts: FleetOptions): SimCluster[] {
  const n = Math.floor(opts.clusters)
  if (!Number.isFinite(n) || n < 0 || n > MAX_FLEET_CLUSTERS)
    throw new RangeError(`clusters must be 0..${MAX_FLEET_CLUSTERS}, got ${opts.clusters}`)
  const data = referenceData()
  const seed = opts.seed >>> 0
  const names = new Namer()
  const sites = new Map<string, SiteEnergy>()
  const tally = { domestic: 0, total: 0 }

  const drafts = planSlots(data, n).map((slot, index) => {
    const rng = createRng(hash32(seed, index, 0x51c1))
    const placement = place(data, slot, rng, names)
    const role = pickRole(rng, placement)
    const idle = rng.chance(placement.hub?.hubType === 'west_renewable' ? 0.22 : 0.14)
    const withFpga = rng.chance(0.04)
    return { index, rng, placement, role, idle, withFpga }
  })
  // Small fleets still show every case the console and census must handle.
  if (n >= 10) {
    const general = drafts.filter((d) => d.role === 'general' && !d.idle)
    if (!drafts.some((d) => d.role === 'vdi') && general[0]) general[0].role = 'vdi'
    if (!drafts.some((d) => d.withFpga) && general[1]) general[1].withFpga = true
    if (!drafts.some((d) => d.idle) && general[2]) general[2].idle = true
  }

  return drafts.map(({ index, rng, placement, role, idle, withFpga }) => {
    const clusterSeed = hash32(seed, index, 0xc105)
    const { identity } = placement
    let energy = sites.get(identity.site)
    if (!energy) {
      energy = siteEnergy(data, createRng(hash32(seed, hashString(identity.site))), {
        province: identity.province,
        gridRegionZh: placement.gridRegionZh,
        hub: placement.hub,
        kind: placement.siteKind,
      })
      sites.set(identity.site, energy)
    }
    const nodes = nodeCount(rng, opts.nodesPerCluster)
    const inventory = buildInventory(rng, data, clusterSeed, { nodes, role, withFpga, domesticLean: rng.range(0.2, 0.8), tally })
    return {
      index,
      seed: clusterSeed,
      identity,
      role,
      idle,
      pools: inventory.pools,
      nodes: inventory.nodes,
      storage: buildStorage(rng, nodes, role, idle),
      energy,
      load: loadProfile(rng, role, idle, identity.province, hash32(clusterSeed, 0x10ad)),
    }
  })
}
