import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Principal } from '../../access/roles'
import { LedgerError } from '../../ledger/errors'
import { bearerToken } from '../../plugins/auth'
import {
  AssignmentListSchema,
  AssignmentStatusSchema,
  ErrorSchema,
  QuotaUsageSchema,
  WorkloadDetailSchema,
  WorkloadExplainSchema,
  WorkloadListQuerySchema,
  WorkloadListSchema,
  WorkloadSchema,
  WorkloadSpecSchema,
} from '../../schemas'
import type { AppServices } from '../../services'

const WorkloadId = Type.String({ pattern: '^w-[0-9a-f]{12}$', description: 'w- and 12 hex digits' })
const IdParams = Type.Object({ id: WorkloadId }, { additionalProperties: false })
const ClusterParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 63 }) }, { additionalProperties: false })
const StatusParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 63 }), workloadId: WorkloadId },
  { additionalProperties: false },
)
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema }

/** A scoped principal sees its province's (owner region) or its ministry's (department) workloads only. */
function visible(p: Principal | null, w: { ownerRegion: string; department: string }): boolean {
  if (!p || p.scope.kind === 'national') return true
  return p.scope.kind === 'province' ? w.ownerRegion === p.scope.code : w.department === p.scope.name
}

const notFound = (id: string) => new LedgerError(404, 'WORKLOAD_NOT_FOUND', `no workload ${id}`, [{ path: '/id', message: 'not found' }])

/** Workloads (统一调度): owners submit and follow them; agents pull their cluster's share and report its state. */
export const workloadRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  const workloads = services.workloads

  app.post(
    '/api/v1/workloads',
    {
      ...services.access.guard('workloads:write'),
      // The schema documents the answer; JSON.stringify writes it several times faster than the schema-driven
      // serializer (an intersection with an unknown spec, nullable unions).
      serializerCompiler: () => (data) => JSON.stringify(data),
      schema: {
        summary: 'Submit a workload: placed now (reserved for the agents), queued, or rejected with the reason',
        body: WorkloadSpecSchema,
        response: { 201: WorkloadDetailSchema, 422: ErrorSchema, 503: ErrorSchema, ...errors },
      },
    },
    async (request, reply) => {
      request.auditScope = request.body.owner.region
      const scope = request.principal?.scope
      if (scope?.kind === 'province' && request.body.owner.region !== scope.code)
        throw new LedgerError(403, 'OUTSIDE_SCOPE', `owner.region must be ${scope.code}, your scope`, [
          { path: '/owner/region', message: 'outside your scope' },
        ])
      if (scope?.kind === 'ministry' && request.body.owner.department !== scope.name)
        throw new LedgerError(403, 'OUTSIDE_SCOPE', `owner.department must be ${scope.name}, your ministry`, [
          { path: '/owner/department', message: 'outside your scope' },
        ])
      const workload = await workloads.submit(request.body)
      return reply.status(201).header('location', `/api/v1/workloads/${workload.id}`).send(workload)
    },
  )

  app.get(
    '/api/v1/workloads',
    {
      ...services.access.guard('workloads:read'),
      schema: {
        summary: 'Workloads, newest first, with counts by state',
        querystring: WorkloadListQuerySchema,
        response: { 200: WorkloadListSchema, ...errors },
      },
    },
    async (request) => {
      const scope = request.principal?.scope
      return workloads.list({
        ...request.query,
        ...(scope?.kind === 'province' ? { ownerRegion: scope.code } : {}),
        ...(scope?.kind === 'ministry' ? { department: scope.name } : {}),
      })
    },
  )

  app.get(
    '/api/v1/workloads/:id',
    {
      ...services.access.guard('workloads:read'),
      schema: { params: IdParams, response: { 200: WorkloadDetailSchema, ...errors } },
    },
    async (request) => {
      const w = await workloads.get(request.params.id)
      if (!w || !visible(request.principal, w)) throw notFound(request.params.id)
      return w
    },
  )

  app.get(
    '/api/v1/workloads/:id/explain',
    {
      ...services.access.guard('workloads:read'),
      schema: {
        summary: 'Why here, why not there: the top candidates with per-plugin scores and the rest counted by filter',
        params: IdParams,
        response: { 200: WorkloadExplainSchema, ...errors },
      },
    },
    async (request) => {
      const w = await workloads.get(request.params.id)
      const e = await workloads.explain(request.params.id)
      if (!w || !e || !visible(request.principal, w)) throw notFound(request.params.id)
      return e
    },
  )

  app.delete(
    '/api/v1/workloads/:id',
    {
      ...services.access.guard('workloads:write'),
      schema: {
        summary: 'Cancel a workload: agents delete what they applied',
        params: IdParams,
        response: { 200: WorkloadSchema, 409: ErrorSchema, ...errors },
      },
    },
    async (request) => {
      const w = await workloads.get(request.params.id)
      if (!w || !visible(request.principal, w)) throw notFound(request.params.id)
      return workloads.cancel(request.params.id)
    },
  )

  app.get(
    '/api/v1/quotas',
    {
      ...services.access.guard('quotas:read'),
      schema: { summary: 'Department quota usage by accelerator kind', response: { 200: QuotaUsageSchema, ...errors } },
    },
    async () => workloads.quotaUsage(),
  )

  // ---------------------------------------------------------------- agents

  app.get(
    '/api/v1/clusters/:id/assignments',
    {
      ...services.access.guard('agent'),
      schema: {
        summary: "The cluster's assignments: what its agent applies (and keeps); anything else it manages it deletes",
        params: ClusterParams,
        response: { 200: AssignmentListSchema, ...errors },
      },
    },
    async (request) => {
      const holder = await services.authenticator.authenticate(bearerToken(request))
      await services.authenticator.authorize(holder, request.params.id)
      return workloads.assignmentsFor(request.params.id)
    },
  )

  app.post(
    '/api/v1/clusters/:id/assignments/:workloadId/status',
    {
      ...services.access.guard('agent'),
      // The cluster token is checked before the body is parsed or validated.
      onRequest: async (request: FastifyRequest) => {
        const holder = await services.authenticator.authenticate(bearerToken(request))
        request.auditActor = `cluster:${holder.id}`
      },
      schema: {
        summary: "The agent's report on one assignment: applied confirms the reservation, succeeded/failed finishes it",
        params: StatusParams,
        body: AssignmentStatusSchema,
        response: { 200: Type.Object({ state: Type.String() }), ...errors },
      },
    },
    async (request) => {
      const holder = await services.authenticator.authenticate(bearerToken(request))
      request.auditActor = `cluster:${holder.id}`
      await services.authenticator.authorize(holder, request.params.id)
      return workloads.reportStatus(request.params.id, request.params.workloadId, request.body)
    },
  )
}
