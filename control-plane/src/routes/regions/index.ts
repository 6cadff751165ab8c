import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { loadRegions } from '../../regions'
import { RegionsSchema } from '../../schemas'
import type { AppServices } from '../../services'

export const regionRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  const regions = loadRegions()
  app.get(
    '/api/v1/regions',
    {
      ...services.access.guard('public'),
      schema: { summary: 'Provincial divisions and national hub clusters', response: { 200: RegionsSchema } },
    },
    async () => regions,
  )
}
