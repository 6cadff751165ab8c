import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { scopedQuery } from '../../access/service'
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
      ...services.access.guard('history:read'),
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
          return await services.vm.series(scopedQuery(request.query, request.principal, { platform: true }), services.now())
        } catch (error) {
          // A bad question is the caller's; VictoriaMetrics being away is ours: the store answers.
          if (error instanceof LedgerError) throw error
          request.log.warn({ err: error }, 'VictoriaMetrics query failed; answering from the store')
        }
      }
      return services.history.series(scopedQuery(request.query, request.principal, { platform: true }), services.now())
    },
  )
  app.get(
    '/api/v1/history/accelerators',
    {
      ...services.access.guard('history:read'),
      serializerCompiler: json,
      schema: {
        summary: 'Accelerator utilization over time per model',
        querystring: AcceleratorHistoryQuerySchema,
        response: { 200: AcceleratorHistoryResponseSchema, 400: ErrorSchema },
      },
    },
    async (request) => services.history.accelerators(scopedQuery(request.query, request.principal), services.now()),
  )
  app.get(
    '/api/v1/history/idle',
    {
      ...services.access.guard('history:read'),
      serializerCompiler: json,
      schema: {
        summary: 'Clusters below a utilization threshold for a number of hours, with the capacity they leave idle',
        querystring: IdleQuerySchema,
        response: { 200: IdleResponseSchema, 400: ErrorSchema },
      },
    },
    async (request) => services.history.idle(scopedQuery(request.query, request.principal), services.now(), (id) => services.view.get(id)),
  )
}
