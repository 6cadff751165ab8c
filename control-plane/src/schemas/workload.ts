import { type Static, Type } from 'typebox'
import { FILTER_REASONS, PLUGINS } from '../scheduler/types'

// The workload spec (what an owner submits) is defined with the engine: scheduler/types.ts.
export {
  type AcceleratorRequest,
  AcceleratorRequestSchema,
  type PlacementMode,
  PlacementModeSchema,
  type ReplicaResources,
  ReplicaResourcesSchema,
  type WorkloadSpec,
  WorkloadSpecSchema,
} from '../scheduler/types'

const Num = Type.Number()
const NullableNum = Type.Union([Type.Number(), Type.Null()])
const NullableStr = Type.Union([Type.String(), Type.Null()])

/**
 * A workload's life: `pending` (queued: it could fit, not now) → `placed` (reserved, waiting for the agents) →
 * `running` (every assigned agent applied it and reports it running) → `succeeded` | `failed`; or `rejected`
 * (could never fit, deadline, quota) and `cancelled` (withdrawn by its owner).
 */
export const WORKLOAD_STATES = ['pending', 'placed', 'running', 'succeeded', 'failed', 'rejected', 'cancelled'] as const
export type WorkloadState = (typeof WORKLOAD_STATES)[number]
export const WorkloadStateSchema = Type.Union([
  Type.Literal('pending'),
  Type.Literal('placed'),
  Type.Literal('running'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('rejected'),
  Type.Literal('cancelled'),
])

/**
 * One cluster's share of a workload, as the control plane tracks it: `assigned` (reserved, the agent has not
 * applied it yet) → `applied` → `running` → `succeeded` | `failed`; `withdrawn` when the control plane took it
 * back (cancelled, expired, rescheduled away from a stale cluster): the agent deletes what it applied.
 */
export const ASSIGNMENT_STATES = ['assigned', 'applied', 'running', 'succeeded', 'failed', 'withdrawn'] as const
export type AssignmentState = (typeof ASSIGNMENT_STATES)[number]
export const AssignmentStateSchema = Type.Union([
  Type.Literal('assigned'),
  Type.Literal('applied'),
  Type.Literal('running'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('withdrawn'),
])

export const WorkloadPlacementSchema = Type.Object({
  clusterId: Type.String(),
  /** Ledger row key `kind|vendor|model|arch` of the devices used; null for CPU-only work. */
  classKey: NullableStr,
  model: NullableStr,
  replicas: Num,
  devices: Num,
  fp16Tflops: Num,
  state: AssignmentStateSchema,
  message: NullableStr,
  /** ms since the epoch of the last change (assignment or agent status). */
  updatedAt: Num,
})
export type WorkloadPlacement = Static<typeof WorkloadPlacementSchema>

/** A workload as the API returns it (list items carry the same fields). */
export const WorkloadSchema = Type.Object({
  id: Type.String(),
  name: NullableStr,
  department: Type.String(),
  /** The owner's scope: `national` or a province code. */
  ownerRegion: Type.String(),
  priority: Num,
  replicas: Num,
  mode: Type.String(),
  /** Accelerator kind per replica, null for CPU-only. */
  acceleratorKind: NullableStr,
  acceleratorsPerReplica: Num,
  state: WorkloadStateSchema,
  /** Why pending or rejected (capacity, quota, not-before, never-fits, exceeds-quota, deadline, invalid …). */
  reason: NullableStr,
  message: NullableStr,
  submittedAt: Num,
  /** Last decision (placement, pending or rejection), ms since the epoch. */
  decidedAt: NullableNum,
  updatedAt: Num,
  placements: Type.Array(WorkloadPlacementSchema),
})
export type Workload = Static<typeof WorkloadSchema>

export const WorkloadDetailSchema = Type.Intersect([WorkloadSchema, Type.Object({ spec: Type.Unknown() })])

export const WorkloadListSchema = Type.Object({
  items: Type.Array(WorkloadSchema),
  total: Num,
  /** Counts by state over the whole (filtered) list. */
  byState: Type.Record(Type.String(), Num),
})
export type WorkloadList = Static<typeof WorkloadListSchema>

export const WorkloadListQuerySchema = Type.Object(
  {
    state: Type.Optional(WorkloadStateSchema),
    department: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    cluster: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
  },
  { additionalProperties: false },
)

const PluginScoresSchema = Type.Object(Object.fromEntries(PLUGINS.map((p) => [p, Num])) as Record<(typeof PLUGINS)[number], typeof Num>)

/** Why here, why not there: the top candidates with per-plugin scores, and the rest counted by filter reason. */
export const ExplanationSchema = Type.Object({
  policy: Type.String(),
  weights: Type.Union([PluginScoresSchema, Type.Null()]),
  clusters: Num,
  evaluated: Num,
  feasible: Num,
  filtered: Type.Object(Object.fromEntries(FILTER_REASONS.map((r) => [r, Num])) as Record<(typeof FILTER_REASONS)[number], typeof Num>),
  top: Type.Array(
    Type.Object({
      clusterId: Type.String(),
      classKey: NullableStr,
      score: Num,
      plugins: Type.Union([PluginScoresSchema, Type.Null()]),
      fit: Num,
      placed: Num,
    }),
  ),
})

export const WorkloadExplainSchema = Type.Object({
  workloadId: Type.String(),
  state: WorkloadStateSchema,
  reason: NullableStr,
  message: NullableStr,
  decidedAt: NullableNum,
  /** The last decision's explanation; null before the first decision. */
  explanation: Type.Union([ExplanationSchema, Type.Null()]),
  /** Every decision taken for the workload, oldest first (placements, pending, displacement, retries). */
  decisions: Type.Array(
    Type.Object({
      at: Num,
      status: Type.String(),
      reason: NullableStr,
      message: NullableStr,
      clusters: Type.Array(Type.String()),
    }),
  ),
})
export type WorkloadExplain = Static<typeof WorkloadExplainSchema>

// ---------------------------------------------------------------- dispatch: what agents pull and report

/** What an agent applies: its cluster's share of one workload. */
export const AssignmentSchema = Type.Object({
  workloadId: Type.String(),
  /** Name for the Kubernetes object: `sp-<workload id>` (a DNS-1123 label). */
  objectName: Type.String(),
  /** Replicas on this cluster: Deployment `spec.replicas`; Job `spec.parallelism` and `spec.completions`. */
  replicas: Num,
  /** The owner's template (Job or Deployment), applied with server-side apply. */
  template: Type.Unknown(),
  /** Labels the agent must put on the object (and on the pod template): the workload id among them. */
  labels: Type.Record(Type.String(), Type.String()),
  state: AssignmentStateSchema,
})
export type Assignment = Static<typeof AssignmentSchema>

export const AssignmentListSchema = Type.Object({
  clusterId: Type.String(),
  /** Every assignment the agent should have applied now; objects it manages that are not listed it deletes. */
  assignments: Type.Array(AssignmentSchema),
  generatedAt: Num,
})
export type AssignmentList = Static<typeof AssignmentListSchema>

/** The agent's report of one assignment's state in its cluster. */
export const AssignmentStatusSchema = Type.Object(
  {
    state: Type.Union([Type.Literal('applied'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]),
    /** Replicas ready (Deployment) or active + succeeded (Job). */
    readyReplicas: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    message: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
)
export type AssignmentStatus = Static<typeof AssignmentStatusSchema>

/** Labels the agent puts on what it applies; the workload id one selects what it manages. */
export const WORKLOAD_ID_LABEL = 'suanpan.io/workload-id'
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by'
export const MANAGED_BY_VALUE = 'suanpan-agent'

// ---------------------------------------------------------------- quotas

export const QuotaUsageSchema = Type.Object({
  /** Departments without a quota entry: `unlimited` or `deny` (no accelerators). */
  unlisted: Type.String(),
  departments: Type.Array(
    Type.Object({
      department: Type.String(),
      cohort: NullableStr,
      kinds: Type.Array(
        Type.Object({
          kind: Type.String(),
          /** Own quota; null = unlimited. */
          devicesQuota: NullableNum,
          fp16TflopsQuota: NullableNum,
          devicesUsed: Num,
          fp16TflopsUsed: Num,
          /** Above its own quota, on idle quota borrowed within its cohort. */
          borrowing: Type.Boolean(),
        }),
      ),
      cpuCoresUsed: Num,
      memoryGiBUsed: Num,
    }),
  ),
})
export type QuotaUsage = Static<typeof QuotaUsageSchema>
