import { type Static, Type } from 'typebox'
import { ClusterIdentitySchema, IdSchema } from './identity'

const NonNegative = Type.Number({ minimum: 0 })
const Share = Type.Number({ minimum: 0, maximum: 1 })

export const REPORT_SCHEMA_VERSION = 'suanpan.report/v1'
export const MAX_NODES_PER_REPORT = 5000

/** One extended resource on a node (GPU, NPU, MLU, DCU, XPU, or a partition of one). */
export const AcceleratorSchema = Type.Object(
  {
    resource: Type.String({ minLength: 1, maxLength: 253 }),
    count: NonNegative,
    allocatable: NonNegative,
    inUse: Type.Optional(NonNegative),
  },
  { additionalProperties: false },
)
export type Accelerator = Static<typeof AcceleratorSchema>

export const CpuSchema = Type.Object(
  {
    cores: NonNegative,
    vendor: Type.Optional(Type.String({ maxLength: 100 })),
    model: Type.Optional(Type.String({ maxLength: 200 })),
    ghz: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10 })),
  },
  { additionalProperties: false },
)

export const ResourceAmountsSchema = Type.Object({ cpuMillis: NonNegative, memoryBytes: NonNegative }, { additionalProperties: false })
export type ResourceAmounts = Static<typeof ResourceAmountsSchema>

export const NodeSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 253 }),
    arch: Type.String({ minLength: 1, maxLength: 32 }),
    ready: Type.Optional(Type.Boolean()),
    cpu: CpuSchema,
    memoryBytes: NonNegative,
    /** Only the labels the device catalog reads (NFD, GPU feature discovery, Ascend, Cambricon, arch). */
    labels: Type.Record(Type.String({ maxLength: 317 }), Type.String({ maxLength: 1024 })),
    allocatable: ResourceAmountsSchema,
    requested: ResourceAmountsSchema,
    used: Type.Optional(ResourceAmountsSchema),
    accelerators: Type.Array(AcceleratorSchema, { maxItems: 64 }),
  },
  { additionalProperties: false },
)
export type Node = Static<typeof NodeSchema>

export const StorageSchema = Type.Object(
  {
    class: Type.String({ minLength: 1, maxLength: 253 }),
    provisioner: Type.Optional(Type.String({ maxLength: 253 })),
    capacityBytes: NonNegative,
    usedBytes: Type.Optional(NonNegative),
  },
  { additionalProperties: false },
)
export type Storage = Static<typeof StorageSchema>

/** Shares of an energy mix must add up to 1 within this tolerance (checked by agents and on ingest). */
export const ENERGY_MIX_SUM_TOLERANCE = 0.02

/** Shares of generation by source; they should add up to 1 (checked on ingest with a tolerance). */
export const EnergyMixSchema = Type.Object(
  {
    coal: Type.Optional(Share),
    gas: Type.Optional(Share),
    oil: Type.Optional(Share),
    hydro: Type.Optional(Share),
    wind: Type.Optional(Share),
    solar: Type.Optional(Share),
    nuclear: Type.Optional(Share),
    biomass: Type.Optional(Share),
    other: Type.Optional(Share),
  },
  { additionalProperties: false },
)
export type EnergyMix = Static<typeof EnergyMixSchema>

export const EnergySchema = Type.Object(
  {
    itPowerKw: NonNegative,
    pue: Type.Number({ minimum: 1, maximum: 5 }),
    mix: Type.Optional(EnergyMixSchema),
    /** Share of low/zero-carbon supply (hydro, wind, solar, nuclear, biomass, green certificates). */
    greenShare: Type.Optional(Share),
    carbonIntensityKgPerKwh: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
    source: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)
export type Energy = Static<typeof EnergySchema>

const Header = {
  schemaVersion: Type.Literal(REPORT_SCHEMA_VERSION),
  /** Per-cluster, strictly increasing across full and usage reports. */
  sequence: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  timestamp: Type.String({ format: 'date-time', maxLength: 40 }),
  agentVersion: Type.String({ minLength: 1, maxLength: 64 }),
}

/** Inventory, usage and energy of a whole cluster: sent every 60 s and whenever inventory changes. */
export const FullReportSchema = Type.Object(
  {
    ...Header,
    kind: Type.Literal('full'),
    cluster: ClusterIdentitySchema,
    nodes: Type.Array(NodeSchema, { maxItems: MAX_NODES_PER_REPORT }),
    storage: Type.Array(StorageSchema, { maxItems: 256 }),
    energy: Type.Optional(EnergySchema),
  },
  { additionalProperties: false },
)
export type FullReport = Static<typeof FullReportSchema>

export const NodeUsageSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 253 }),
    requested: ResourceAmountsSchema,
    used: Type.Optional(ResourceAmountsSchema),
    accelerators: Type.Optional(
      Type.Array(
        Type.Object({ resource: Type.String({ minLength: 1, maxLength: 253 }), inUse: NonNegative }, { additionalProperties: false }),
        { maxItems: 64 },
      ),
    ),
  },
  { additionalProperties: false },
)
export type NodeUsage = Static<typeof NodeUsageSchema>

/** Usage only, between full reports (every 15 s): applies to the nodes of the last full report. */
export const UsageReportSchema = Type.Object(
  {
    ...Header,
    kind: Type.Literal('usage'),
    cluster: Type.Object({ clusterId: IdSchema }, { additionalProperties: false }),
    nodes: Type.Array(NodeUsageSchema, { maxItems: MAX_NODES_PER_REPORT }),
    storage: Type.Optional(
      Type.Array(
        Type.Object({ class: Type.String({ minLength: 1, maxLength: 253 }), usedBytes: NonNegative }, { additionalProperties: false }),
        {
          maxItems: 256,
        },
      ),
    ),
    energy: Type.Optional(
      Type.Object(
        { itPowerKw: NonNegative, pue: Type.Optional(Type.Number({ minimum: 1, maximum: 5 })), greenShare: Type.Optional(Share) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type UsageReport = Static<typeof UsageReportSchema>

export const ReportSchema = Type.Union([FullReportSchema, UsageReportSchema])
export type Report = Static<typeof ReportSchema>

export const ReportStatusSchema = Type.Union([
  Type.Literal('accepted'),
  /** The sequence is older than the last accepted one: nothing changed. */
  Type.Literal('ignored-older'),
])

/** The answer to a report; a replay of the same (cluster, sequence) returns it unchanged. */
export const ReportAckSchema = Type.Object({
  status: ReportStatusSchema,
  clusterId: Type.String(),
  sequence: Type.Integer(),
  lastSequence: Type.Integer(),
  receivedAt: Type.String({ format: 'date-time' }),
  nodes: Type.Integer(),
  message: Type.String(),
})
export type ReportAck = Static<typeof ReportAckSchema>
