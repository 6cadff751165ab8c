import { type Static, Type } from 'typebox'
import { IdleResponseSchema } from './history'
import { ClusterStatusSchema, LedgerGroupSchema, LineageEntrySchema } from './ledger'

/** Breakdowns every census carries, each a list of ledger groups summing to the census total. */
export const CENSUS_BREAKDOWNS = ['province', 'hub', 'level', 'site', 'kind', 'vendor', 'model', 'arch', 'domestic'] as const
export type CensusBreakdown = (typeof CENSUS_BREAKDOWNS)[number]

/** A period label: a year, a quarter or a month (2026, 2026Q4, 2026-11). */
export const CENSUS_PERIOD_PATTERN = '^[0-9]{4}(Q[1-4]|-(0[1-9]|1[0-2]))?$'

export const CensusRequestSchema = Type.Object(
  {
    period: Type.String({ pattern: CENSUS_PERIOD_PATTERN, description: '2026, 2026Q4 or 2026-11' }),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** Idle evaluation: below this utilization (default 0.2) … */
    idleThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    /** … for at least this many hours (default 24). */
    idleHours: Type.Optional(Type.Number({ minimum: 0.1, maximum: 720 })),
    /** A workload's share holding capacity without running for at least this many hours (default 6) is reported. */
    reservationHours: Type.Optional(Type.Number({ minimum: 0.1, maximum: 720 })),
  },
  { additionalProperties: false },
)
export type CensusRequest = Static<typeof CensusRequestSchema>

const Num = Type.Number()
const NullableNum = Type.Union([Type.Number(), Type.Null()])

export const UtilizationBandSchema = Type.Object({
  /** Lower bound inclusive, upper exclusive (the last band includes 1). */
  min: Num,
  max: Num,
  clusters: Num,
  cpuCores: Num,
  accelerators: Num,
})

export const PueTargetCheckSchema = Type.Object({
  /** Hub data-center cluster id, or null for sites outside the hubs (national target). */
  hub: Type.Union([Type.String(), Type.Null()]),
  target: Num,
  site: Type.String(),
  pue: NullableNum,
  meets: Type.Union([Type.Boolean(), Type.Null()]),
})

export const UnclassifiedDeviceSchema = Type.Object({
  resource: Type.String(),
  devices: Num,
  clusters: Num,
})

export const CatalogNoteSchema = Type.Object({
  vendor: Type.String(),
  model: Type.String(),
  kind: Type.String(),
  confidence: Type.String(),
  source: Type.String(),
  /** Devices of this model in the census. */
  devices: Num,
})

export const RECOMMENDATION_CODES = [
  'idle-cluster',
  'stranded-accelerators',
  'pue-over-target',
  'unclassified-devices',
  'stale-cluster',
  'long-reservation',
  'idle-site',
] as const
export type RecommendationCode = (typeof RECOMMENDATION_CODES)[number]

/** One finding of the evaluation (云资源分析评估), with the figures behind it; texts are localized by code. */
export const RecommendationSchema = Type.Object({
  code: Type.Union([
    Type.Literal('idle-cluster'),
    Type.Literal('stranded-accelerators'),
    Type.Literal('pue-over-target'),
    Type.Literal('unclassified-devices'),
    Type.Literal('stale-cluster'),
    Type.Literal('long-reservation'),
    Type.Literal('idle-site'),
  ]),
  severity: Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]),
  /** What it is about: a cluster, a site, a device resource name. */
  subject: Type.String(),
  province: Type.Union([Type.String(), Type.Null()]),
  figures: Type.Record(Type.String(), Type.Number()),
})
export type Recommendation = Static<typeof RecommendationSchema>

export const EvaluationSchema = Type.Object({
  generatedAt: Type.String(),
  idleThreshold: Type.Number(),
  idleHours: Type.Number(),
  recommendations: Type.Array(RecommendationSchema),
})
export type Evaluation = Static<typeof EvaluationSchema>

export const CensusSummarySchema = Type.Object({
  id: Type.Integer(),
  period: Type.String(),
  title: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  /** The ledger's as-of time: the oldest report the census sums. */
  asOf: Type.Union([Type.String(), Type.Null()]),
  catalogVersion: Type.String(),
  clustersIncluded: Type.Integer(),
  clustersStale: Type.Integer(),
  clustersMissing: Type.Integer(),
  fp32Pflops: Num,
  fp16DensePflops: Num,
  /** SHA-256 of the census document as stored: a frozen census keeps this digest for ever. */
  digest: Type.String(),
})
export type CensusSummary = Static<typeof CensusSummarySchema>

export const CensusSchema = Type.Object({
  id: Type.Integer(),
  period: Type.String(),
  title: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  asOf: Type.Union([Type.String(), Type.Null()]),
  /** Precision each total is stated in. */
  basis: Type.Record(Type.String(), Type.String()),
  staleAfterSeconds: Num,
  catalog: Type.Object({ version: Type.String(), rows: Type.Integer(), userFile: Type.Boolean() }),
  total: LedgerGroupSchema,
  breakdowns: Type.Record(Type.String(), Type.Array(LedgerGroupSchema)),
  /** Clusters by CPU requested / allocatable. */
  utilizationBands: Type.Array(UtilizationBandSchema),
  idle: IdleResponseSchema,
  energy: Type.Object({
    itPowerKw: Num,
    facilityPowerKw: Num,
    pue: NullableNum,
    greenShare: NullableNum,
    carbonIntensityKgPerKwh: NullableNum,
    /** Annualized at the current IT load: kWh and tonnes CO2. */
    annualEnergyMwh: Num,
    annualCarbonTonnes: NullableNum,
    pueTargets: Type.Array(PueTargetCheckSchema),
  }),
  dataQuality: Type.Object({
    stale: Type.Array(ClusterStatusSchema),
    missing: Type.Array(ClusterStatusSchema),
    unclassified: Type.Array(UnclassifiedDeviceSchema),
  }),
  methodNotes: Type.Array(CatalogNoteSchema),
  /** Findings and what to do about them: idle clusters, stranded accelerators, sites over their PUE target… */
  recommendations: Type.Array(RecommendationSchema),
  /** The reports the census sums (one per included cluster: its last full and usage sequence). */
  lineage: Type.Array(LineageEntrySchema),
})
export type Census = Static<typeof CensusSchema>

export const CensusListSchema = Type.Object({ censuses: Type.Array(CensusSummarySchema) })

export const CENSUS_EXPORT_FORMATS = ['json', 'csv', 'xlsx', 'pdf', 'html'] as const
export type CensusExportFormat = (typeof CENSUS_EXPORT_FORMATS)[number]
export const CENSUS_LANGUAGES = ['zh-CN', 'en'] as const
export type CensusLanguage = (typeof CENSUS_LANGUAGES)[number]

export const CensusExportQuerySchema = Type.Object(
  {
    format: Type.Optional(Type.Union(CENSUS_EXPORT_FORMATS.map((f) => Type.Literal(f)))),
    lang: Type.Optional(Type.Union(CENSUS_LANGUAGES.map((l) => Type.Literal(l)))),
    /** CSV only: which breakdown (default: total and every breakdown, one section each). */
    breakdown: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
)

export const CensusCompareQuerySchema = Type.Object(
  {
    a: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
    b: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
    by: Type.Optional(Type.String({ maxLength: 40, description: 'a census breakdown (default province)' })),
  },
  { additionalProperties: false },
)

const DeltaMeasures = Type.Object({
  clusters: Num,
  nodes: Num,
  devices: Num,
  cpuCores: Num,
  fp64Pflops: Num,
  fp32Pflops: Num,
  fp16DensePflops: Num,
  storageBytes: Num,
  itPowerKw: Num,
})

export const CensusComparisonSchema = Type.Object({
  a: CensusSummarySchema,
  b: CensusSummarySchema,
  by: Type.String(),
  /** b − a for the totals, and per key of the breakdown (a key only in one census counts 0 in the other). */
  total: Type.Object({ a: DeltaMeasures, b: DeltaMeasures, delta: DeltaMeasures }),
  rows: Type.Array(
    Type.Object({
      key: Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()])),
      a: DeltaMeasures,
      b: DeltaMeasures,
      delta: DeltaMeasures,
    }),
  ),
})
export type CensusComparison = Static<typeof CensusComparisonSchema>
export type CensusDeltaMeasures = Static<typeof DeltaMeasures>
