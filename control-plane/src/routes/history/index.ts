import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LedgerError } from '../../ledger/errors'
import {
  AcceleratorHistoryQuerySchema,
  AcceleratorHistoryResponseSchema,
  ErrorSchema,
  HistoryQuerySchema,
  HistoryResponseSchema,
  IdleQuerySchema,
  IdleResponseSchema,
} from '../../schemas'
import type { AppServices } from '../../services'

const json = () => (data: unknown) => JSON.stringify(data)

export const historyRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  app.get(
    '/api/v1/history',
    {
      serializerCompiler: json,
      schema: {
        summary: 'Utilization and energy over time, national or per location',
        querystring: HistoryQuerySchema,
        response: { 200: HistoryResponseSchema, 400: ErrorSchema },
      },
    },
    async (request) => {
      if (services.vm) {
        try {
          return await services.vm.series(request.query, services.now())
        } catch (error) {
          // A bad question is the caller's; VictoriaMetrics being away is ours: the store answers.
          if (error instanceof LedgerError) throw error
          request.log.warn({ err: error }, 'VictoriaMetrics query failed; answering from the store')
        }
      }
      return services.history.series(request.query, services.now())
    },
  )
  app.get(
    '/api/v1/history/accelerators',
    {
      serializerCompiler: json,
      schema: {
        summary: 'Accelerator utilization over time per model',
        querystring: AcceleratorHistoryQuerySchema,
        response: { 200: AcceleratorHistoryResponseSchema, 400: ErrorSchema },
      },
    },
    async (request) => services.history.accelerators(request.query, services.now()),
  )
  app.get(
    '/api/v1/history/idle',
    {
      serializerCompiler: json,
      schema: {
        summary: 'Clusters below a utilization threshold for a number of hours, with the capacity they leave idle',
        querystring: IdleQuerySchema,
        response: { 200: IdleResponseSchema, 400: ErrorSchema },
      },
    },
    async (request) => services.history.idle(request.query, services.now(), (id) => services.view.get(id)),
  )
}
