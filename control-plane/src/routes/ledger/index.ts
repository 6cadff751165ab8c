import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { narrow, platformsOf, provincesOf } from '../../access/service'
import { parseLedgerQuery, queryLedger } from '../../ledger/query'
import { ErrorSchema, LedgerQuerySchema, LedgerResponseSchema } from '../../schemas'
import type { AppServices } from '../../services'

export const ledgerRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  app.get(
    '/api/v1/ledger',
    {
      ...services.access.guard('ledger:read'),
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
      // A scoped principal sees its province (or its ministry's platform) only, whatever it asks for.
      const provinces = provincesOf(request.principal)
      const platforms = platformsOf(request.principal)
      if (provinces) parsed.filters.province = narrow(parsed.filters.province, provinces)
      if (platforms) parsed.filters.platform = narrow(parsed.filters.platform, platforms)
      return queryLedger(services.view, {
        ...parsed,
        now: services.now(),
        staleAfterMs: 3 * services.config.reportIntervalSeconds * 1000,
      })
    },
  )
}
