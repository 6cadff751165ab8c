import { type Static, Type } from 'typebox'
import { ClusterIdentitySchema } from './identity'

/** Registering a cluster returns its bearer token once; only a hash is stored. */
export const ClusterRegistrationSchema = ClusterIdentitySchema
export type ClusterRegistration = Static<typeof ClusterRegistrationSchema>

export const ClusterRegisteredSchema = Type.Object({
  clusterId: Type.String(),
  token: Type.String(),
  registeredAt: Type.String(),
})
export type ClusterRegistered = Static<typeof ClusterRegisteredSchema>

export const ClusterSummarySchema = Type.Object({
  clusterId: Type.String(),
  site: Type.String(),
  siteName: Type.Union([Type.String(), Type.Null()]),
  province: Type.String(),
  city: Type.String(),
  level: Type.String(),
  platform: Type.String(),
  hub: Type.Union([Type.String(), Type.Null()]),
  registeredAt: Type.String(),
  lastSequence: Type.Union([Type.Integer(), Type.Null()]),
  lastReportAt: Type.Union([Type.String(), Type.Null()]),
  lastFullReportAt: Type.Union([Type.String(), Type.Null()]),
  nodes: Type.Integer(),
  stale: Type.Boolean(),
})
export type ClusterSummary = Static<typeof ClusterSummarySchema>

export const ClusterListSchema = Type.Object({ clusters: Type.Array(ClusterSummarySchema) })

const NullableNumber = Type.Union([Type.Number(), Type.Null()])
const Amounts = Type.Object({ cpuMillis: Type.Number(), memoryBytes: Type.Number() })

/** One classified node of a cluster, for drill-down from province to node. */
export const ClusterNodeSchema = Type.Object({
  name: Type.String(),
  arch: Type.String(),
  cpu: Type.Object({
    vendor: Type.String(),
    model: Type.String(),
    cores: Type.Number(),
    fp64Tflops: NullableNumber,
    fp32Tflops: NullableNumber,
  }),
  memoryBytes: Type.Number(),
  allocatable: Amounts,
  requested: Amounts,
  used: Type.Union([Amounts, Type.Null()]),
  accelerators: Type.Array(
    Type.Object({
      resource: Type.String(),
      kind: Type.String(),
      vendor: Type.String(),
      model: Type.String(),
      domestic: Type.Boolean(),
      devices: Type.Number(),
      allocatable: Type.Number(),
      inUse: NullableNumber,
      virtual: Type.Boolean(),
    }),
  ),
})
export type ClusterNode = Static<typeof ClusterNodeSchema>

export const ClusterNodesSchema = Type.Object({
  clusterId: Type.String(),
  fullSequence: Type.Integer(),
  usageSequence: Type.Union([Type.Integer(), Type.Null()]),
  nodes: Type.Array(ClusterNodeSchema),
})

/** A cluster deleted: out of the ledger, its tokens revoked; its history and audit records stay. */
export const ClusterDeletedSchema = Type.Object({
  clusterId: Type.String(),
  province: Type.String(),
  deletedAt: Type.String(),
  /** The approval it ran under (two-person rule), or null when deletion needed none. */
  approvalId: Type.Union([Type.String(), Type.Null()]),
})
export type ClusterDeleted = Static<typeof ClusterDeletedSchema>
