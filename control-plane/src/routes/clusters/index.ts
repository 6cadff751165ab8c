import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { inScope } from '../../access/service'
import { registerCluster, revokeClusterTokens } from '../../ledger/clusters'
import { LedgerError } from '../../ledger/errors'
import { decodeInventory } from '../../ledger/inventory-codec'
import { newToken } from '../../ledger/tokens'
import { ledgerClusterOf } from '../../ledger/view'
import {
  ApprovalPendingSchema,
  type ClusterDeleted,
  ClusterDeletedSchema,
  ClusterListSchema,
  type ClusterNode,
  ClusterNodesSchema,
  ClusterRegisteredSchema,
  ClusterRegistrationSchema,
  type ClusterSummary,
  ErrorSchema,
  IdSchema,
} from '../../schemas'
import type { AppServices } from '../../services'

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

export const clusterRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  const staleAfterMs = () => 3 * services.config.reportIntervalSeconds * 1000

  app.post(
    '/api/v1/clusters',
    {
      ...services.access.guard('clusters:write'),
      schema: {
        summary: 'Register a cluster; the answer carries its bearer token, shown once',
        body: ClusterRegistrationSchema,
        response: { 201: ClusterRegisteredSchema, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request, reply) => {
      request.auditScope = request.body.province
      const platform = request.body.platform ?? (request.body.level === 'national' ? 'cn' : `cn-${request.body.province}`)
      if (!inScope(request.principal, { province: request.body.province, platform }))
        throw new LedgerError(403, 'OUTSIDE_SCOPE', `province ${request.body.province} is outside ${request.principal?.id}'s scope`, [
          { path: '/province', message: 'outside your scope' },
        ])
      // A deleted cluster's id registers again in its own province (its row, and so its history, carries on).
      const deleted = await services.store.db
        .selectFrom('clusters')
        .select(['province', 'deleted_at'])
        .where('id', '=', request.body.clusterId)
        .where('deleted_at', 'is not', null)
        .executeTakeFirst()
      if (deleted && deleted.province !== request.body.province)
        throw new LedgerError(
          409,
          'CLUSTER_EXISTS',
          `cluster "${request.body.clusterId}" was deleted in province ${deleted.province}; register it there again, or use a new id`,
          [{ path: '/province', message: `the deleted cluster's province is ${deleted.province}` }],
        )
      if (deleted)
        await services.store.db
          .updateTable('clusters')
          .set({ deleted_at: null, registered_at: services.now(), last_sequence: null, last_report_at: null })
          .where('id', '=', request.body.clusterId)
          .execute()
      const registered = await registerCluster(services.store, request.body, services.now(), deleted ? { rotate: true, graceMs: 0 } : {})
      const record = await services.store.db
        .selectFrom('clusters')
        .selectAll()
        .where('id', '=', registered.clusterId)
        .executeTakeFirstOrThrow()
      services.view.put(ledgerClusterOf(record, null, []))
      return reply.status(201).send(registered)
    },
  )

  app.post(
    '/api/v1/clusters/:clusterId/token',
    {
      ...services.access.guard('clusters:write'),
      schema: {
        summary:
          "Rotate a cluster's token: the old one keeps working for the grace period (graceSeconds, default SUANPAN_TOKEN_GRACE_SECONDS)",
        params: Type.Object({ clusterId: IdSchema }),
        querystring: Type.Object(
          { graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86_400 })) },
          { additionalProperties: false },
        ),
        response: { 200: ClusterRegisteredSchema, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const { clusterId } = request.params
      const row = await services.store.db
        .selectFrom('clusters')
        .selectAll()
        .where('id', '=', clusterId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst()
      if (!row || !inScope(request.principal, row))
        throw new LedgerError(404, 'CLUSTER_NOT_FOUND', `cluster "${clusterId}" is not registered`)
      return registerCluster(
        services.store,
        {
          clusterId,
          site: row.site,
          province: row.province,
          city: row.city,
          level: row.level as 'national' | 'provincial' | 'ministry',
          platform: row.platform,
          ...(row.site_name ? { siteName: row.site_name } : {}),
          ...(row.hub ? { hub: row.hub } : {}),
          ...(row.city_code ? { cityCode: row.city_code } : {}),
          ...(row.ministry ? { ministry: row.ministry } : {}),
        },
        services.now(),
        { rotate: true, graceMs: (request.query.graceSeconds ?? services.config.tokenGraceSeconds) * 1000 },
      )
    },
  )

  app.delete(
    '/api/v1/clusters/:clusterId/token',
    {
      ...services.access.guard('clusters:write'),
      schema: {
        summary: 'Revoke every token of a cluster at once (a lost or leaked token): it cannot report until a new one is issued',
        params: Type.Object({ clusterId: IdSchema }),
        response: {
          200: Type.Object({ clusterId: Type.String(), revokedAt: Type.String() }),
          401: ErrorSchema,
          404: ErrorSchema,
        },
      },
    },
    async (request) => {
      const { clusterId } = request.params
      const now = services.now()
      const row = await services.store.db
        .selectFrom('clusters')
        .select(['province', 'platform', 'deleted_at'])
        .where('id', '=', clusterId)
        .executeTakeFirst()
      if (row && (!inScope(request.principal, row) || row.deleted_at !== null))
        throw new LedgerError(404, 'CLUSTER_NOT_FOUND', `cluster "${clusterId}" is not registered`)
      if (!(await revokeClusterTokens(services.store, clusterId, now)))
        throw new LedgerError(404, 'CLUSTER_NOT_FOUND', `cluster "${clusterId}" is not registered`)
      return { clusterId, revokedAt: new Date(now).toISOString() }
    },
  )

  // Deleting a cluster is a high-risk action: under the two-person rule (SUANPAN_TWO_PERSON_RULE, on by default) it
  // waits for a second person's approval (access/approvals.ts), who needs clusters:write for the cluster's province.
  services.approvals.define<{ clusterId: string }, ClusterDeleted>('clusters:delete', {
    permission: 'clusters:write',
    run: async ({ clusterId }, ctx) => {
      const now = services.now()
      const province = await services.store.db.transaction().execute(async (trx) => {
        let query = trx.selectFrom('clusters').select(['province', 'platform']).where('id', '=', clusterId).where('deleted_at', 'is', null)
        // A report of this cluster being ingested holds the row; the deletion waits for it (and the next one finds no token).
        if (services.store.dialect === 'postgres') query = query.forUpdate()
        const row = await query.executeTakeFirst()
        if (!row || !inScope(ctx.principal, row))
          throw new LedgerError(404, 'CLUSTER_NOT_FOUND', `cluster "${clusterId}" is not registered`)
        // Out of the ledger: its current state and rows go, and the answers kept for replays; its history samples,
        // its row (their location) and the audit trail stay. Its tokens are revoked as `DELETE …/token` does.
        await trx.deleteFrom('ledger_rows').where('cluster_id', '=', clusterId).execute()
        await trx.deleteFrom('cluster_state').where('cluster_id', '=', clusterId).execute()
        await trx.deleteFrom('report_log').where('cluster_id', '=', clusterId).execute()
        await trx
          .updateTable('clusters')
          .set({
            deleted_at: now,
            token_hash: `revoked:${now}:${newToken()}`,
            previous_token_hash: null,
            previous_token_expires_at: null,
          })
          .where('id', '=', clusterId)
          .execute()
        return row.province
      })
      await services.view.load()
      return { clusterId, province, deletedAt: new Date(now).toISOString(), approvalId: ctx.approvalId }
    },
  })

  app.delete(
    '/api/v1/clusters/:clusterId',
    {
      ...services.access.guard('clusters:write'),
      schema: {
        summary:
          'Delete a cluster: out of the ledger and its tokens revoked, its history and audit kept. Under the two-person rule the answer is 202 with the approval request a second person decides',
        params: Type.Object({ clusterId: IdSchema }),
        response: {
          200: ClusterDeletedSchema,
          202: ApprovalPendingSchema,
          401: ErrorSchema,
          403: ErrorSchema,
          404: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { clusterId } = request.params
      const row = await services.store.db
        .selectFrom('clusters')
        .select(['province', 'platform'])
        .where('id', '=', clusterId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst()
      if (!row || !inScope(request.principal, row))
        throw new LedgerError(404, 'CLUSTER_NOT_FOUND', `cluster "${clusterId}" is not registered`)
      request.auditScope = row.province
      const gate = await services.approvals.require<{ clusterId: string }, ClusterDeleted>(request, {
        action: 'clusters:delete',
        target: clusterId,
        scope: row.province,
        params: { clusterId },
      })
      if (gate.status === 'pending')
        return reply.status(202).header('location', `/api/v1/approvals/${gate.approval.id}`).send({ approval: gate.approval })
      return gate.result
    },
  )

  app.get(
    '/api/v1/clusters',
    {
      ...services.access.guard('clusters:read'),
      schema: { summary: 'Registered clusters with liveness', response: { 200: ClusterListSchema } },
    },
    async (request) => {
      const cutoff = services.now() - staleAfterMs()
      const rows = await services.store.db
        .selectFrom('clusters as c')
        .leftJoin('cluster_state as s', 's.cluster_id', 'c.id')
        .select([
          'c.id',
          'c.site',
          'c.site_name',
          'c.province',
          'c.city',
          'c.level',
          'c.platform',
          'c.hub',
          'c.registered_at',
          'c.last_sequence',
          'c.last_report_at',
          's.full_received_at',
          's.node_count',
        ])
        .where('c.deleted_at', 'is', null)
        .orderBy('c.id')
        .execute()
      const clusters: ClusterSummary[] = rows.map((r) => ({
        clusterId: r.id,
        site: r.site,
        siteName: r.site_name,
        province: r.province,
        city: r.city,
        level: r.level,
        platform: r.platform,
        hub: r.hub,
        registeredAt: new Date(r.registered_at).toISOString(),
        lastSequence: r.last_sequence,
        lastReportAt: iso(r.last_report_at),
        lastFullReportAt: iso(r.full_received_at ?? null),
        nodes: r.node_count ?? 0,
        stale: r.last_report_at === null || r.last_report_at < cutoff,
      }))
      return { clusters: clusters.filter((c) => inScope(request.principal, c)) }
    },
  )

  app.get(
    '/api/v1/clusters/:clusterId/nodes',
    {
      ...services.access.guard('clusters:read'),
      schema: {
        summary: "A cluster's classified nodes (drill-down)",
        params: Type.Object({ clusterId: IdSchema }),
        response: { 200: ClusterNodesSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const { clusterId } = request.params
      const owner = services.view.get(clusterId)
      // Outside the principal's scope it does not exist, as far as the principal can tell.
      if (owner && !inScope(request.principal, owner))
        throw new LedgerError(404, 'CLUSTER_NOT_FOUND', `cluster "${clusterId}" has no full report`)
      const state = await services.store.db
        .selectFrom('cluster_state')
        .select(['inventory', 'full_sequence', 'usage_sequence'])
        .where('cluster_id', '=', clusterId)
        .executeTakeFirst()
      if (!state) throw new LedgerError(404, 'CLUSTER_NOT_FOUND', `cluster "${clusterId}" has no full report`)
      const inventory = decodeInventory(state.inventory)
      return {
        clusterId,
        fullSequence: state.full_sequence,
        usageSequence: state.usage_sequence,
        nodes: inventory.nodes.map((n): ClusterNode => {
          const cls = inventory.classes[n.cls]
          return {
            name: n.name,
            arch: cls?.arch ?? 'unknown',
            cpu: {
              vendor: cls?.vendor ?? 'unknown',
              model: cls?.model ?? 'unknown',
              cores: n.cores,
              fp64Tflops: n.figures.fp64,
              fp32Tflops: n.figures.fp32,
            },
            memoryBytes: n.memoryBytes,
            allocatable: { cpuMillis: n.alloc[0], memoryBytes: n.alloc[1] },
            requested: { cpuMillis: n.req[0], memoryBytes: n.req[1] },
            used: n.used ? { cpuMillis: n.used[0], memoryBytes: n.used[1] } : null,
            accelerators: n.acc.map((a) => {
              const c = inventory.classes[a.cls]
              return {
                resource: a.resource,
                kind: c?.kind ?? 'unclassified',
                vendor: c?.vendor ?? 'unknown',
                model: c?.model ?? a.resource,
                domestic: c?.domestic ?? false,
                devices: a.devices,
                allocatable: a.allocatable,
                inUse: a.inUse,
                virtual: a.virtual,
              }
            }),
          }
        }),
      }
    },
  )
}
