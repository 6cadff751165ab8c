import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { parseLedgerQuery, queryLedger } from '../../ledger/query'
import { ErrorSchema, LedgerQuerySchema, LedgerResponseSchema } from '../../schemas'
import type { AppServices } from '../../services'

export const ledgerRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  app.get(
    '/api/v1/ledger',
    {
      schema: {
        summary: 'The national compute ledger, grouped and filtered by any ledger dimension',
        querystring: LedgerQuerySchema,
        response: { 200: LedgerResponseSchema, 400: ErrorSchema },
      },
    },
    async (request) => {
      const parsed = parseLedgerQuery(request.query as Record<string, unknown>)
      return queryLedger(services.view, {
        ...parsed,
        now: services.now(),
        staleAfterMs: 3 * services.config.reportIntervalSeconds * 1000,
      })
    },
  )
}
