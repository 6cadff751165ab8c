import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AuditTrail } from './chain'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request acts as, once a guard has checked its token. */
    auditActor: string
    /** Region scope of the action, when the route knows it (a province code). */
    auditScope: string
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Record every mutating request and every denied one in the audit trail before the answer leaves, so
 * no client is told "done" about an action the trail does not hold. Agent reports are data, not
 * administration: accepted ones are in the report log (with lineage); only their denials are audited.
 */
export function registerAudit(app: FastifyInstance, trail: AuditTrail, now: () => number): void {
  app.decorateRequest('auditActor', 'anonymous')
  app.decorateRequest('auditScope', '*')
  app.addHook('onSend', async (request: FastifyRequest, reply, payload) => {
    const status = reply.statusCode
    const denied = status === 401 || status === 403
    const isReport = request.routeOptions.url === '/api/v1/reports'
    if (!denied && (!MUTATING.has(request.method) || isReport)) return payload
    const outcome = denied ? 'denied' : status >= 500 ? 'error' : status >= 400 ? 'rejected' : 'ok'
    let code: string | undefined
    if (status >= 400 && typeof payload === 'string') {
      try {
        code = (JSON.parse(payload) as { code?: string }).code
      } catch {}
    }
    await trail.append({
      at: now(),
      actor: request.auditActor,
      action: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
      target: request.url.split('?')[0] ?? '',
      scope: request.auditScope,
      outcome,
      status,
      requestId: String(request.id),
      detail: {
        ip: request.ip,
        tokenPresented: Boolean(request.headers.authorization),
        ...(code ? { code } : {}),
      },
    })
    return payload
  })
}
