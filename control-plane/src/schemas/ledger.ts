import { type Static, Type } from 'typebox'

/** Dimensions the ledger can be grouped and filtered by. */
export const LEDGER_DIMENSIONS = [
  'province',
  'city',
  'hub',
  'level',
  'platform',
  'site',
  'cluster',
  'kind',
  'vendor',
  'model',
  'arch',
  'domestic',
] as const
export type LedgerDimension = (typeof LEDGER_DIMENSIONS)[number]

/** Dimensions that describe a device rather than where it is; energy and storage are not split by them. */
export const DEVICE_DIMENSIONS: readonly LedgerDimension[] = ['kind', 'vendor', 'model', 'arch', 'domestic']

export const DEVICE_KINDS = ['CPU', 'GPU', 'NPU', 'DCU', 'XPU', 'unclassified'] as const
export type DeviceKind = (typeof DEVICE_KINDS)[number]

const Num = Type.Number()
const NullableNum = Type.Union([Type.Number(), Type.Null()])

export const LedgerQuerySchema = Type.Object(
  {
    groupBy: Type.Optional(Type.String({ maxLength: 200, description: 'comma-separated dimensions' })),
    province: Type.Optional(Type.String({ maxLength: 400 })),
    city: Type.Optional(Type.String({ maxLength: 400 })),
    hub: Type.Optional(Type.String({ maxLength: 400 })),
    level: Type.Optional(Type.String({ maxLength: 400 })),
    platform: Type.Optional(Type.String({ maxLength: 400 })),
    site: Type.Optional(Type.String({ maxLength: 400 })),
    cluster: Type.Optional(Type.String({ maxLength: 400 })),
    kind: Type.Optional(Type.String({ maxLength: 400 })),
    vendor: Type.Optional(Type.String({ maxLength: 400 })),
    model: Type.Optional(Type.String({ maxLength: 400 })),
    arch: Type.Optional(Type.String({ maxLength: 400 })),
    domestic: Type.Optional(Type.String({ maxLength: 10 })),
    lineage: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'groups per page (default 500)' })),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
)
export type LedgerQuery = Static<typeof LedgerQuerySchema>

export const ComputeSchema = Type.Object({
  fp64Pflops: Num,
  fp32Pflops: Num,
  fp16DensePflops: Num,
  int8DensePops: Num,
  /** Devices whose catalog entry has no figure at that precision: counted, not guessed. */
  devicesWithoutFigure: Type.Object({ fp64: Num, fp32: Num, fp16Dense: Num, int8Dense: Num }),
})

export const UtilizationSchema = Type.Object({
  cpuRequested: NullableNum,
  memoryRequested: NullableNum,
  acceleratorsInUse: NullableNum,
  cpuUsed: NullableNum,
  memoryUsed: NullableNum,
})

export const EnergySummarySchema = Type.Object({
  itPowerKw: Num,
  facilityPowerKw: Num,
  /** Energy-weighted: facility power / IT power over the clusters that report energy. */
  pue: NullableNum,
  greenShare: NullableNum,
  carbonIntensityKgPerKwh: NullableNum,
  clustersReporting: Num,
})

export const LineageEntrySchema = Type.Object({
  clusterId: Type.String(),
  sequence: Type.Integer(),
  kind: Type.String(),
  receivedAt: Type.String(),
})

export const LedgerGroupSchema = Type.Object({
  key: Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()])),
  clusters: Num,
  nodes: Num,
  /** CPU rows: nodes; accelerator rows: physical-device equivalents (a vGPU slice counts its fraction). */
  devices: Num,
  cpuCores: Num,
  memoryBytes: Num,
  accelerators: Type.Record(Type.String(), Num),
  virtualAccelerators: Num,
  /** Free accelerators on nodes whose CPU or memory is nearly all requested (< 2 cores or 8 GiB per free device): capacity nobody can use. */
  strandedAccelerators: Num,
  storage: Type.Union([Type.Object({ capacityBytes: Num, usedBytes: NullableNum }), Type.Null()]),
  compute: ComputeSchema,
  utilization: UtilizationSchema,
  energy: Type.Union([EnergySummarySchema, Type.Null()]),
  asOf: Type.Union([Type.String(), Type.Null()]),
  reports: Num,
  lineage: Type.Optional(Type.Array(LineageEntrySchema)),
})
export type LedgerGroup = Static<typeof LedgerGroupSchema>

export const ClusterStatusSchema = Type.Object({
  clusterId: Type.String(),
  province: Type.String(),
  site: Type.String(),
  lastReportAt: Type.Union([Type.String(), Type.Null()]),
  lastSequence: Type.Union([Type.Integer(), Type.Null()]),
})

export const LedgerResponseSchema = Type.Object({
  groupBy: Type.Array(Type.String()),
  filters: Type.Record(Type.String(), Type.Array(Type.String())),
  generatedAt: Type.String(),
  asOf: Type.Union([Type.String(), Type.Null()]),
  basis: Type.Record(Type.String(), Type.String()),
  staleAfterSeconds: Num,
  total: LedgerGroupSchema,
  /** Groups in the whole answer; `groups` is the page from `offset`, largest FP32 compute first. */
  totalGroups: Type.Integer(),
  offset: Type.Integer(),
  groups: Type.Array(LedgerGroupSchema),
  /** Registered clusters with no report for 3 intervals: listed here, excluded from every figure. */
  stale: Type.Array(ClusterStatusSchema),
  /** Registered clusters that never reported. */
  missing: Type.Array(ClusterStatusSchema),
})
export type LedgerResponse = Static<typeof LedgerResponseSchema>
