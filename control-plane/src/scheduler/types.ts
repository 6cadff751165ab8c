import { type Static, Type } from 'typebox'
import { ProvinceCodeSchema } from '../schemas/identity'

// ---------------------------------------------------------------- the workload spec (issue 4 §1)

/** Accelerator kinds the scheduler places (the ledger's kinds without CPU and `unclassified`). */
export const SCHEDULABLE_KINDS = ['GPU', 'NPU', 'DCU', 'XPU'] as const
export type SchedulableKind = (typeof SCHEDULABLE_KINDS)[number]

export const AcceleratorKindSchema = Type.Union([Type.Literal('GPU'), Type.Literal('NPU'), Type.Literal('DCU'), Type.Literal('XPU')])

/** Accelerators per replica: all on one node, all of one device class. */
export const AcceleratorRequestSchema = Type.Object(
  {
    kind: AcceleratorKindSchema,
    /** Catalog model (`A100-SXM4-80GB`, `Ascend-910B`); any model of the kind when absent. */
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
    /** Minimum dense FP16/BF16 TFLOPS per device; a device without a published figure never qualifies. */
    minFp16Tflops: Type.Optional(Type.Number({ minimum: 0 })),
    minFp32Tflops: Type.Optional(Type.Number({ minimum: 0 })),
    /** Devices per replica (on one node). */
    count: Type.Integer({ minimum: 1, maximum: 64 }),
  },
  { additionalProperties: false },
)
export type AcceleratorRequest = Static<typeof AcceleratorRequestSchema>

export const ReplicaResourcesSchema = Type.Object(
  {
    cpuMillis: Type.Integer({ minimum: 0, maximum: 4_096_000 }),
    memoryBytes: Type.Integer({ minimum: 0, maximum: 64 * 1024 ** 4 }),
    accelerators: Type.Optional(AcceleratorRequestSchema),
  },
  { additionalProperties: false },
)
export type ReplicaResources = Static<typeof ReplicaResourcesSchema>

/** gang: all replicas in one cluster, all or nothing; divisible: across clusters; duplicated: the same replicas in N clusters. */
export const PlacementModeSchema = Type.Union([
  Type.Object({ mode: Type.Literal('gang') }, { additionalProperties: false }),
  Type.Object(
    { mode: Type.Literal('divisible'), minPerCluster: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })) },
    { additionalProperties: false },
  ),
  Type.Object({ mode: Type.Literal('duplicated'), clusters: Type.Integer({ minimum: 1, maximum: 1000 }) }, { additionalProperties: false }),
])
export type PlacementMode = Static<typeof PlacementModeSchema>

/**
 * Where the workload may run: HARD. A cluster qualifies when its province is listed, or it sits in a listed hub:
 * a 东数西算 hub id of data/hubs.csv (`jjj`, `nm`: every cluster in the hub's provinces) or a hub data-center
 * cluster id (`zhangjiakou`, `horinger`: the ledger's `hub` dimension). Absent: anywhere. At least one list must be
 * non-empty (an empty residency is rejected, never read as "anywhere").
 */
export const ResidencySchema = Type.Object(
  {
    provinces: Type.Optional(Type.Array(ProvinceCodeSchema, { maxItems: 40 })),
    hubs: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 63 }), { maxItems: 40 })),
  },
  { additionalProperties: false },
)
export type Residency = Static<typeof ResidencySchema>

/** Where the data is; `transferPenalty` (0..1) is the share of the locality score lost by moving it furthest. */
export const DataLocationSchema = Type.Object(
  {
    province: ProvinceCodeSchema,
    transferPenalty: Type.Number({ minimum: 0, maximum: 1 }),
  },
  { additionalProperties: false },
)
export type DataLocation = Static<typeof DataLocationSchema>

/** The owner's preference weights: multipliers (default 1) on the engine's plugin weights, 0 switches a concern off. */
export const PreferencesSchema = Type.Object(
  {
    /** green share, carbon intensity */
    green: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
    /** PUE (energy overhead is the running cost the scheduler can see) */
    cost: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
    /** data locality */
    latency: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
    /** domestic (信创) devices */
    domestic: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
  },
  { additionalProperties: false },
)
export type Preferences = Static<typeof PreferencesSchema>

/** The Kubernetes object the agent applies; the scheduler never reads it. */
export const WorkloadTemplateSchema = Type.Object(
  {
    apiVersion: Type.String({ minLength: 1, maxLength: 100 }),
    kind: Type.Union([Type.Literal('Job'), Type.Literal('Deployment')]),
  },
  { additionalProperties: true },
)

export const WorkloadOwnerSchema = Type.Object(
  {
    department: Type.String({ minLength: 1, maxLength: 100 }),
    /** The owner's administrative scope: `national` or a province code. For access control; placement ignores it. */
    region: Type.Union([Type.Literal('national'), ProvinceCodeSchema]),
  },
  { additionalProperties: false },
)

export const WorkloadSpecSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    owner: WorkloadOwnerSchema,
    /** Higher goes first and may preempt lower-priority reservations that are not yet running. */
    priority: Type.Integer({ minimum: -1000, maximum: 1000 }),
    replicas: Type.Integer({ minimum: 1, maximum: 100_000 }),
    resources: ReplicaResourcesSchema,
    placement: PlacementModeSchema,
    residency: Type.Optional(ResidencySchema),
    dataLocation: Type.Optional(DataLocationSchema),
    preferences: Type.Optional(PreferencesSchema),
    /** Not before this time (time shifting), ISO 8601. */
    startAfter: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    /** Rejected when not placed by this time, ISO 8601. */
    deadline: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    template: WorkloadTemplateSchema,
  },
  { additionalProperties: false },
)
export type WorkloadSpec = Static<typeof WorkloadSpecSchema>

/** What the engine reads: the spec without the template (the engine never looks at it). */
export type SchedulingRequest = Omit<WorkloadSpec, 'template'> & { template?: unknown }

// ---------------------------------------------------------------- the capacity model

/** Free accelerators of one device class in one cluster. Devices are physical-device equivalents. */
export interface AcceleratorCapacity {
  /** The ledger row key `kind|vendor|model|arch`. */
  key: string
  kind: string
  vendor: string
  model: string
  domestic: boolean
  /** Per device; null when the catalog has no figure (never guessed). */
  fp16Tflops: number | null
  fp32Tflops: number | null
  /** Allocatable devices (healthy, advertised by the device plugin). */
  allocatable: number
  /** allocatable − requested by running pods (not counting this engine's reservations). */
  free: number
  /**
   * Node-level detail: `freeHistogram[k]` = nodes with exactly k free devices (k ≤ maxPerNode) and
   * `allocHistogram[k]` = nodes with k allocatable devices. Absent: see {@link capacityFromLedger} for the assumption.
   */
  nodes?: { freeHistogram: number[]; allocHistogram: number[] }
  /** Largest allocatable count on one node (8 for HGX/Atlas 800 servers, 16 for 910C). */
  maxPerNode: number
  /** Virtual slices (vGPU profiles) are reported but not scheduled. */
  virtual: boolean
}

export interface SiteEnergy {
  greenShare: number | null
  carbonIntensity: number | null
  pue: number | null
  itPowerKw: number | null
}

/** One cluster as the scheduler sees it. */
export interface ClusterCapacity {
  id: string
  province: string
  city: string
  /** Hub data-center cluster id (the ledger's `hub`), null outside the 东数西算 clusters. */
  hub: string | null
  site: string
  level: string
  /** ms since the epoch of the last report; null = never reported. */
  lastReportAt: number | null
  cpu: { allocatableMillis: number; freeMillis: number; maxNodeMillis: number }
  memory: { allocatableBytes: number; freeBytes: number; maxNodeBytes: number }
  /** Share of CPU allocatable on domestic CPUs (Kunpeng, Hygon …), 0..1. */
  domesticCpuShare: number
  accelerators: AcceleratorCapacity[]
  energy: SiteEnergy
}

// ---------------------------------------------------------------- decisions and explanations

export const PLUGINS = ['green', 'carbon', 'pue', 'balance', 'headroom', 'locality', 'domestic'] as const
export type Plugin = (typeof PLUGINS)[number]
export type PluginScores = Record<Plugin, number>

export const FILTER_REASONS = ['residency', 'capability', 'health', 'capacity', 'nodeFit'] as const
export type FilterReason = (typeof FILTER_REASONS)[number]

export interface CandidateExplanation {
  clusterId: string
  /** The device class the replicas would use; null for CPU-only work. */
  classKey: string | null
  /** Weighted total (the policy's score for baselines). */
  score: number
  /** Raw plugin scores 0..1 (null for the baselines, which have none). */
  plugins: PluginScores | null
  /** Replicas that fit there now. */
  fit: number
  /** Replicas placed there by this decision. */
  placed: number
}

/** Why here, why not there: compact whatever the fleet size. */
export interface Explanation {
  policy: string
  /** Effective plugin weights for this request (engine weights × the owner's preferences). */
  weights: PluginScores | null
  /** Clusters known to the engine. */
  clusters: number
  /** Clusters looked at (first-fit stops at the first that fits; indexes skip the rest, counted under their filter). */
  evaluated: number
  /** Clusters that passed every filter. */
  feasible: number
  /** Clusters removed, by the first filter they failed. */
  filtered: Record<FilterReason, number>
  /** The best candidates, best first (at most `explainTop`), plus any chosen cluster beyond them. */
  top: CandidateExplanation[]
}

export type DecisionStatus = 'placed' | 'pending' | 'rejected'

export type PendingReason = 'capacity' | 'quota' | 'not-before' | 'health'
export type RejectReason = 'invalid' | 'never-fits' | 'exceeds-quota' | 'deadline' | 'cancelled'

export interface Placement {
  clusterId: string
  classKey: string | null
  model: string | null
  replicas: number
  devices: number
  fp16Tflops: number
}

export interface Decision {
  workloadId: string
  status: DecisionStatus
  reservationId: string | null
  placements: Placement[]
  /** For pending and rejected decisions. */
  reason: PendingReason | RejectReason | null
  message: string | null
  explanation: Explanation
  decidedAt: number
  /** Reservations released to make room (preemption), by id. */
  preempted: string[]
}
