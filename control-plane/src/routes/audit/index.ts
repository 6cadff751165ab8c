import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { verifyAuditTrail } from '../../audit/chain'
import { LedgerError } from '../../ledger/errors'
import { AuditListSchema, AuditVerifySchema, ErrorSchema } from '../../schemas'
import type { AppServices } from '../../services'

const AuditQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO time' })),
    to: Type.Optional(Type.String({ maxLength: 40 })),
    actor: Type.Optional(Type.String({ maxLength: 200 })),
    action: Type.Optional(Type.String({ maxLength: 200, description: 'substring of the action' })),
    outcome: Type.Optional(Type.Union(['ok', 'denied', 'rejected', 'error'].map((o) => Type.Literal(o)))),
    before: Type.Optional(
      Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'records with seq below this (paging)' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5_000 })),
  },
  { additionalProperties: false },
)

const VerifyQuerySchema = Type.Object(
  { headSeq: Type.Optional(Type.Integer({ minimum: 1 })), headHash: Type.Optional(Type.String({ maxLength: 100 })) },
  { additionalProperties: false },
)

function time(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined
  const t = Date.parse(value)
  if (Number.isNaN(t))
    throw new LedgerError(400, 'INVALID_QUERY', `${field}: not an ISO time`, [{ path: `/${field}`, message: 'not an ISO time' }])
  return t
}

/** The audit trail, for auditors (admin token until regional roles arrive). */
export const auditRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  app.get(
    '/api/v1/audit',
    {
      ...services.access.guard('audit:read'),
      schema: { querystring: AuditQuerySchema, response: { 200: AuditListSchema, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema } },
    },
    async (request) => {
      const q = request.query
      const records = await services.audit.list({
        from: time(q.from, 'from'),
        to: time(q.to, 'to'),
        actor: q.actor,
        action: q.action,
        outcome: q.outcome,
        afterSeq: q.before,
        limit: q.limit ?? 200,
      })
      return { records }
    },
  )
  app.get(
    '/api/v1/audit/verify',
    {
      ...services.access.guard('audit:read'),
      schema: {
        querystring: VerifyQuerySchema,
        response: { 200: AuditVerifySchema, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (request) => {
      const { headSeq, headHash } = request.query
      return verifyAuditTrail(services.store, headSeq !== undefined && headHash ? { seq: headSeq, hash: headHash } : undefined)
    },
  )
}
