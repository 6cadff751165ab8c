import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Compile } from 'typebox/compile'
import { LedgerError } from '../../ledger/errors'
import { ingestReport } from '../../ledger/ingest'
import { bearerToken } from '../../plugins/auth'
import { ErrorSchema, FullReportSchema, type Report, ReportAckSchema, UsageReportSchema } from '../../schemas'
import type { AppServices } from '../../services'

const checkFull = Compile(FullReportSchema)
const checkUsage = Compile(UsageReportSchema)
const MAX_FIELD_ERRORS = 20

/** Validate against the schema the `kind` selects, so errors point at the real field, not at a union. */
export function validateReport(body: unknown): Report {
  const kind = typeof body === 'object' && body !== null ? (body as { kind?: unknown }).kind : undefined
  const check = kind === 'full' ? checkFull : kind === 'usage' ? checkUsage : null
  if (!check) {
    throw new LedgerError(400, 'SCHEMA_VIOLATION', 'body/kind must be "full" or "usage"', [
      { path: '/kind', message: 'must be "full" or "usage"' },
    ])
  }
  if (check.Check(body)) return body as Report
  const fields = check
    .Errors(body)
    .slice(0, MAX_FIELD_ERRORS)
    .map((e) => ({ path: e.instancePath || '/', message: e.message }))
  const first = fields[0]
  throw new LedgerError(400, 'SCHEMA_VIOLATION', `body${first?.path ?? ''} ${first?.message ?? 'is invalid'}`, fields)
}

/**
 * Reports are the bulk of all traffic: parse them with plain JSON.parse. fastify's default parser
 * also scans every body for prototype-poisoning keys; that protection is not needed here because
 * JSON.parse only creates own properties, every object in the contract refuses unknown keys, and
 * the one open map (node labels) is only ever read.
 */
function parseReportBody(_request: unknown, body: string, done: (err: Error | null, value?: unknown) => void): void {
  try {
    done(null, JSON.parse(body))
  } catch (error) {
    done(new LedgerError(400, 'INVALID_JSON', `body is not valid JSON: ${(error as Error).message}`))
  }
}

export const reportRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: services.config.bodyLimitBytes }, parseReportBody)
  app.post(
    '/api/v1/reports',
    {
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
        const report = validateReport(request.body)
        kind = report.kind
        await services.authenticator.authorize(holder, report.cluster.clusterId)
        const result = await ingestReport(services, holder, report)
        if (result.applied) services.view.put(result.applied)
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
