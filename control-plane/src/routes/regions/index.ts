import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { loadRegions } from '../../regions'
import { RegionsSchema } from '../../schemas'

export const regionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const regions = loadRegions()
  app.get(
    '/api/v1/regions',
    { schema: { summary: 'Provincial divisions and national hub clusters', response: { 200: RegionsSchema } } },
    async () => regions,
  )
}
