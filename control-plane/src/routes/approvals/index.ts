import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Principal } from '../../access/roles'
import { LedgerError } from '../../ledger/errors'
import { ApprovalIdSchema, ApprovalListSchema, ApprovalPendingSchema, ApprovalStatusSchema, ErrorSchema } from '../../schemas'
import type { AppServices } from '../../services'

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema }
const Params = Type.Object({ id: ApprovalIdSchema })
const Reason = Type.String({ minLength: 1, maxLength: 1000 })

/**
 * The two-person rule's requests (access/approvals.ts): list and read them in the principal's scope, approve one
 * (a second person holding the action's permission: the action runs now) or reject it with a reason.
 */
export const approvalRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  const { access, approvals } = services
  const principal = (p: Principal | null): Principal => {
    if (!p) throw new LedgerError(401, 'UNAUTHENTICATED', 'sign in (console) or send "authorization: Bearer <token>"')
    return p
  }

  app.get(
    '/api/v1/approvals',
    {
      ...access.guard('approvals:read'),
      schema: {
        summary: 'Approval requests of the two-person rule in your scope, newest first',
        querystring: Type.Object(
          {
            status: Type.Optional(ApprovalStatusSchema),
            action: Type.Optional(Type.String({ maxLength: 100 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ApprovalListSchema, ...errors },
      },
    },
    async (request) => ({
      approvals: await approvals.list(principal(request.principal), {
        ...(request.query.status ? { status: request.query.status } : {}),
        ...(request.query.action ? { action: request.query.action } : {}),
        limit: request.query.limit ?? 100,
      }),
    }),
  )

  app.get(
    '/api/v1/approvals/:id',
    {
      ...access.guard('approvals:read'),
      schema: { summary: 'One approval request', params: Params, response: { 200: ApprovalPendingSchema, ...errors } },
    },
    async (request) => ({ approval: await approvals.get(principal(request.principal), request.params.id) }),
  )

  app.post(
    '/api/v1/approvals/:id/approve',
    {
      ...access.guard('approvals:read'),
      schema: {
        summary:
          "Approve as the second person (never the requester; needs the action's own permission in its scope): the action runs now and its result is kept",
        params: Params,
        body: Type.Optional(Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false })),
        response: { 200: ApprovalPendingSchema, ...errors },
      },
    },
    async (request) => ({ approval: await approvals.approve(request, request.params.id, request.body?.reason) }),
  )

  app.post(
    '/api/v1/approvals/:id/reject',
    {
      ...access.guard('approvals:read'),
      schema: {
        summary: 'Reject a pending request with a reason (its requester may withdraw it this way): nothing runs',
        params: Params,
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: { 200: ApprovalPendingSchema, ...errors },
      },
    },
    async (request) => ({ approval: await approvals.reject(request, request.params.id, request.body.reason) }),
  )
}
