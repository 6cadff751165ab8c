import { type Static, Type } from 'typebox'

/**
 * Utilization and energy history. The control plane samples its live ledger every step (default
 * 300 s) and keeps the samples per cluster; with `VM_URL` set they also go to VictoriaMetrics and
 * `source` says which answered. Location dimensions only: device dimensions have their own series
 * (`/api/v1/history/accelerators`).
 */
export const HISTORY_DIMENSIONS = ['province', 'city', 'hub', 'level', 'platform', 'site', 'cluster'] as const
export type HistoryDimension = (typeof HISTORY_DIMENSIONS)[number]

const Filter = Type.Optional(Type.String({ maxLength: 400, description: 'comma-separated values' }))

export const HistoryQuerySchema = Type.Object(
  {
    groupBy: Type.Optional(Type.String({ maxLength: 40, description: 'one location dimension, or none for national' })),
    from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO time; default 24 h before `to`' })),
    to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO time; default now' })),
    step: Type.Optional(Type.Integer({ minimum: 60, maximum: 86_400, description: 'seconds per point' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'series, largest CPU first' })),
    province: Filter,
    city: Filter,
    hub: Filter,
    level: Filter,
    platform: Filter,
    site: Filter,
    cluster: Filter,
  },
  { additionalProperties: false },
)
export type HistoryQuery = Static<typeof HistoryQuerySchema>

const Points = Type.Array(Type.Union([Type.Number(), Type.Null()]))

/** One series: parallel arrays over `HistoryResponse.t`; null where no cluster of the group reported. */
export const HistorySeriesSchema = Type.Object({
  key: Type.Record(Type.String(), Type.String()),
  /** Requested / allocatable CPU cores (0..1). */
  cpuRequested: Points,
  /** Used / allocatable CPU cores, over clusters that report usage. */
  cpuUsed: Points,
  memoryRequested: Points,
  /** Accelerators in use / allocatable (physical-device equivalents). */
  acceleratorsInUse: Points,
  itPowerKw: Points,
  /** Energy-weighted PUE and green share over the clusters reporting energy. */
  pue: Points,
  greenShare: Points,
  carbonIntensityKgPerKwh: Points,
  /** Clusters that contributed to each point. */
  clusters: Points,
})
export type HistorySeries = Static<typeof HistorySeriesSchema>

export const HistoryResponseSchema = Type.Object({
  groupBy: Type.Union([Type.String(), Type.Null()]),
  from: Type.String(),
  to: Type.String(),
  step: Type.Integer(),
  source: Type.Union([Type.Literal('store'), Type.Literal('victoriametrics')]),
  /** Point times, epoch milliseconds, start of each step. */
  t: Type.Array(Type.Number()),
  series: Type.Array(HistorySeriesSchema),
})
export type HistoryResponse = Static<typeof HistoryResponseSchema>

export const AcceleratorHistoryQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ maxLength: 40 })),
    to: Type.Optional(Type.String({ maxLength: 40 })),
    step: Type.Optional(Type.Integer({ minimum: 60, maximum: 86_400 })),
    province: Filter,
    site: Filter,
    cluster: Filter,
    kind: Filter,
  },
  { additionalProperties: false },
)
export type AcceleratorHistoryQuery = Static<typeof AcceleratorHistoryQuerySchema>

export const AcceleratorHistoryResponseSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  step: Type.Integer(),
  t: Type.Array(Type.Number()),
  series: Type.Array(
    Type.Object({
      model: Type.String(),
      kind: Type.String(),
      vendor: Type.String(),
      domestic: Type.Boolean(),
      devices: Points,
      /** In use / devices (0..1). */
      inUse: Points,
    }),
  ),
})
export type AcceleratorHistoryResponse = Static<typeof AcceleratorHistoryResponseSchema>

export const IdleQuerySchema = Type.Object(
  {
    threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'utilization below this (default 0.2)' })),
    hours: Type.Optional(Type.Number({ minimum: 0.1, maximum: 24 * 30, description: 'for at least this long (default 24)' })),
    measure: Type.Optional(Type.Union([Type.Literal('cpuRequested'), Type.Literal('cpuUsed'), Type.Literal('acceleratorsInUse')])),
    province: Filter,
    site: Filter,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  },
  { additionalProperties: false },
)
export type IdleQuery = Static<typeof IdleQuerySchema>

export const IdleClusterSchema = Type.Object({
  clusterId: Type.String(),
  province: Type.String(),
  city: Type.String(),
  site: Type.String(),
  hub: Type.Union([Type.String(), Type.Null()]),
  /** Highest utilization seen over the window: below the threshold by definition. */
  peak: Type.Number(),
  mean: Type.Number(),
  /** Hours of samples in the window (the cluster may be younger than `hours`: then it is not listed). */
  hoursObserved: Type.Number(),
  idleCpuCores: Type.Number(),
  idleAccelerators: Type.Number(),
  idleFp16DensePflops: Type.Number(),
})

export const IdleResponseSchema = Type.Object({
  threshold: Type.Number(),
  hours: Type.Number(),
  measure: Type.String(),
  from: Type.String(),
  to: Type.String(),
  totalClusters: Type.Integer(),
  clusters: Type.Array(IdleClusterSchema),
  totals: Type.Object({ idleCpuCores: Type.Number(), idleAccelerators: Type.Number(), idleFp16DensePflops: Type.Number() }),
})
export type IdleResponse = Static<typeof IdleResponseSchema>
