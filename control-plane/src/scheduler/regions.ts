import type { HubCluster } from '../schemas'

/**
 * 东数西算: which western (renewable) hub an eastern (demand) hub's data is sent to.
 *
 * The 2021 实施方案 and the 2022 approvals name four east_demand hubs (京津冀, 长三角, 粤港澳, 成渝) and four
 * west_renewable hubs (内蒙古, 贵州, 甘肃, 宁夏) — data/hubs.csv `hub_type` — but fix no one-to-one pairing: the
 * western hubs take "non-real-time demand from the whole country". So the pairing here is the project's own, by
 * one rule: the western hub whose data-center clusters are nearest (mean great-circle distance between the start
 * areas of the two hubs' clusters; coordinates of the start areas' towns from general knowledge, about ±0.1°, not
 * from a file in data/):
 *
 * | east hub | clusters | → nm Horinger | gz Gui'an | gs Qingyang | nx Zhongwei | pairing |
 * |---|---|---|---|---|---|---|
 * | jjj | Zhangjiakou (Huailai) | 313 km | 1,773 | 863 | 948 | nm |
 * | yrd | demo zone (Qingpu), Wuhu | 1,242 | 1,414 | 1,223 | 1,501 | gs (nm within 2 %) |
 * | gba | Shaoguan | 1,739 | 756 | 1,340 | 1,620 | gz |
 * | cy | Tianfu (Chengdu), Chongqing | 1,294 | 434 | 675 | 832 | gz |
 *
 * (Horinger measured at Horinger; its Ulanqab part is 100 km nearer Zhangjiakou and changes nothing.) Ningxia is
 * nobody's nearest and is paired with none; it still scores as "elsewhere". Replace with `regions.pairing` in
 * the Scheduler's options. Confidence: the east/west split is from data/hubs.csv (high); the pairing is reasoned.
 */
export const EAST_WEST_PAIRING: Readonly<Record<string, string>> = { jjj: 'nm', yrd: 'gs', gba: 'gz', cy: 'gz' }

/** Locality tiers: the share of the transfer penalty a placement pays (same province pays none). */
export const LOCALITY_TIER = { sameProvince: 0, sameHub: 0.3, pairedHub: 0.5, elsewhere: 1 } as const

/**
 * The regions the scheduler needs: hub groups (hub_id) by province and by hub data-center cluster, and the pairing.
 * Provinces belong to at most one hub (data/hubs.csv).
 */
export class RegionModel {
  /** hub_id → its provinces */
  readonly provincesOfHub = new Map<string, Set<string>>()
  /** province → hub_id */
  readonly hubOfProvince = new Map<string, string>()
  /** hub data-center cluster id (`zhangjiakou`) → hub_id (`jjj`) */
  readonly hubOfSite = new Map<string, string>()
  readonly hubType = new Map<string, string>()
  readonly pairing: ReadonlyMap<string, string>

  constructor(hubs: readonly Pick<HubCluster, 'id' | 'hubId' | 'hubType' | 'provinces'>[], pairing: Readonly<Record<string, string>>) {
    for (const h of hubs) {
      this.hubOfSite.set(h.id, h.hubId)
      this.hubType.set(h.hubId, h.hubType)
      let set = this.provincesOfHub.get(h.hubId)
      if (!set) {
        set = new Set()
        this.provincesOfHub.set(h.hubId, set)
      }
      for (const p of h.provinces) {
        set.add(p)
        this.hubOfProvince.set(p, h.hubId)
      }
    }
    this.pairing = new Map(Object.entries(pairing))
  }

  /** A cluster's hub group: that of its hub data-center cluster, else that of its province, else null. */
  hubGroupOf(cluster: { hub: string | null; province: string }): string | null {
    return (cluster.hub ? this.hubOfSite.get(cluster.hub) : undefined) ?? this.hubOfProvince.get(cluster.province) ?? null
  }

  /** Whether a residency entry names a hub group (`jjj`) or a hub data-center cluster (`zhangjiakou`). */
  isKnownHub(id: string): boolean {
    return this.provincesOfHub.has(id) || this.hubOfSite.has(id)
  }

  /** The locality tier of running in `cluster` with data in `dataProvince`. */
  tier(dataProvince: string, cluster: { hub: string | null; province: string }): number {
    if (cluster.province === dataProvince) return LOCALITY_TIER.sameProvince
    const dataHub = this.hubOfProvince.get(dataProvince)
    if (!dataHub) return LOCALITY_TIER.elsewhere
    const group = this.hubGroupOf(cluster)
    if (group === dataHub) return LOCALITY_TIER.sameHub
    if (group !== null && this.pairing.get(dataHub) === group) return LOCALITY_TIER.pairedHub
    return LOCALITY_TIER.elsewhere
  }
}
