import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { parseLedgerQuery, queryLedger } from '../../ledger/query'
import { ErrorSchema, LedgerQuerySchema, LedgerResponseSchema } from '../../schemas'
import type { AppServices } from '../../services'

export const ledgerRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  app.get(
    '/api/v1/ledger',
    {
      // The schema documents the answer; JSON.stringify is several times faster than the schema-driven
      // serializer on this shape (its nullable unions make it validate every value while writing).
      serializerCompiler: () => (data) => JSON.stringify(data),
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
