import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LedgerError } from '../../ledger/errors'
import { ingestReport } from '../../ledger/ingest'
import { bearerToken } from '../../plugins/auth'
import { ErrorSchema, ReportAckSchema } from '../../schemas'
import type { AppServices } from '../../services'

/**
 * Report bodies stay bytes here: decoding, parsing, validation and classification happen in the
 * preparer (worker threads, which receive the bytes without a copy). fastify's default parser also scans every body for prototype-poisoning keys;
 * not needed here because JSON.parse only creates own properties, every object in the contract
 * refuses unknown keys, and the one open map (node labels) is only ever read.
 */
function keepBytes(_request: unknown, body: Buffer, done: (err: Error | null, value?: unknown) => void): void {
  done(null, body)
}

export const reportRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: services.config.bodyLimitBytes }, keepBytes)
  app.post(
    '/api/v1/reports',
    {
      ...services.access.guard('agent'),
      bodyLimit: services.config.bodyLimitBytes,
      schema: {
        summary: 'Ingest an agent report (full or usage); idempotent on (cluster, sequence)',
        response: {
          200: ReportAckSchema,
          400: ErrorSchema,
          401: ErrorSchema,
          403: ErrorSchema,
          404: ErrorSchema,
          409: ErrorSchema,
          413: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const started = process.hrtime.bigint()
      let kind = 'unknown'
      try {
        const holder = await services.authenticator.authenticate(bearerToken(request))
        request.auditActor = `cluster:${holder.id}`
        request.auditScope = holder.province
        const body = request.body
        if (!Buffer.isBuffer(body)) throw new LedgerError(400, 'INVALID_JSON', 'body is missing: send the report as JSON')
        const report = await services.preparer.prepare(body)
        kind = report.kind
        await services.authenticator.authorize(holder, report.clusterId)
        const result = await ingestReport(services, holder, report)
        if (result.applied) {
          services.view.put(result.applied)
          services.workloads.onClusterReport(result.applied)
        }
        const outcome = result.replay ? 'replay' : result.ack.status === 'accepted' ? 'accepted' : 'ignored_older'
        services.metrics.reports.inc({ kind, outcome })
        if (result.replay) reply.header('suanpan-replay', 'true')
        return result.ack
      } catch (error) {
        services.metrics.reports.inc({ kind, outcome: 'rejected' })
        throw error
      } finally {
        services.metrics.ingestSeconds.observe({ kind }, Number(process.hrtime.bigint() - started) / 1e9)
      }
    },
  )
}
