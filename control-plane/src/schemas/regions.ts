import { type Static, Type } from 'typebox'

const NullableNumber = Type.Union([Type.Number(), Type.Null()])

export const ProvinceSchema = Type.Object({
  code: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  iso: Type.String(),
  gridRegionZh: Type.String(),
  gridRegionEn: Type.String(),
  hubZh: Type.Union([Type.String(), Type.Null()]),
})
export type Province = Static<typeof ProvinceSchema>

/** A 东数西算 data-center cluster (the `hub` dimension of the ledger uses its id). */
export const HubClusterSchema = Type.Object({
  id: Type.String(),
  hubId: Type.String(),
  hubNameZh: Type.String(),
  hubNameEn: Type.String(),
  hubType: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  provinces: Type.Array(Type.String()),
  pueTargetMax: NullableNumber,
  rackUtilizationTargetMin: NullableNumber,
})
export type HubCluster = Static<typeof HubClusterSchema>

/** Reference regions: the 32 provincial divisions and the national hubs, with sources in data/. */
export const RegionsSchema = Type.Object({
  provinces: Type.Array(ProvinceSchema),
  hubs: Type.Array(HubClusterSchema),
})
export type Regions = Static<typeof RegionsSchema>
