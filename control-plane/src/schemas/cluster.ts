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
