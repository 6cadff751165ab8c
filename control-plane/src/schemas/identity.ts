import { type Static, Type } from 'typebox'

/** Lowercase DNS-label-like id, unique across the whole cascade (prefix it with the province code). */
export const IdSchema = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$', maxLength: 63 })

/** GB/T 2260 province-level code, e.g. 110000 (Beijing). */
export const ProvinceCodeSchema = Type.String({ pattern: '^[1-8][0-9]0000$' })

/** GB/T 2260 prefecture-level code, e.g. 130700 (Zhangjiakou). */
export const CityCodeSchema = Type.String({ pattern: '^[1-8][0-9]{3}00$' })

export const PlatformLevelSchema = Type.Union([Type.Literal('national'), Type.Literal('provincial'), Type.Literal('ministry')])
export type PlatformLevel = Static<typeof PlatformLevelSchema>

/**
 * Where a cluster sits. Nothing here assumes one control plane: `platform` names the platform
 * (national, one of 32 provincial, or a ministry) that owns the cluster, and `via` records the
 * control planes a report was forwarded through once provincial planes cascade to the national one.
 */
export const ClusterIdentitySchema = Type.Object(
  {
    clusterId: IdSchema,
    site: IdSchema,
    siteName: Type.Optional(Type.String({ maxLength: 200 })),
    province: ProvinceCodeSchema,
    city: Type.String({ minLength: 1, maxLength: 100 }),
    cityCode: Type.Optional(CityCodeSchema),
    level: PlatformLevelSchema,
    platform: Type.Optional(IdSchema),
    ministry: Type.Optional(Type.String({ maxLength: 100 })),
    hub: Type.Optional(IdSchema),
    via: Type.Optional(Type.Array(IdSchema, { maxItems: 8 })),
  },
  { additionalProperties: false },
)
export type ClusterIdentity = Static<typeof ClusterIdentitySchema>
