import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ingestReport } from '../../ledger/ingest'
import { bearerToken } from '../../plugins/auth'
import { ErrorSchema, ReportAckSchema } from '../../schemas'
import type { AppServices } from '../../services'

/**
 * Report bodies stay text here: parsing, validation and classification happen in the preparer
 * (worker threads). fastify's default parser also scans every body for prototype-poisoning keys;
 * not needed here because JSON.parse only creates own properties, every object in the contract
 * refuses unknown keys, and the one open map (node labels) is only ever read.
 */
function keepText(_request: unknown, body: string, done: (err: Error | null, value?: unknown) => void): void {
  done(null, body)
}

export const reportRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: services.config.bodyLimitBytes }, keepText)
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
        const report = await services.preparer.prepare(request.body as string)
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
