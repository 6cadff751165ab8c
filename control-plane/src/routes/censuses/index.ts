import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { compareCensuses } from '../../census/compare'
import { LedgerError } from '../../ledger/errors'
import { apiError } from '../../plugins/errors'
import { loadRegions } from '../../regions'
import {
  type Census,
  CensusCompareQuerySchema,
  CensusComparisonSchema,
  CensusExportQuerySchema,
  CensusListSchema,
  CensusRequestSchema,
  CensusSummarySchema,
  ErrorSchema,
  EvaluationSchema,
} from '../../schemas'
import type { AppServices } from '../../services'

// Census numbers are 32-bit integers in the store.
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) }, { additionalProperties: false })

export const censusRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  const regions = loadRegions()

  const notFound = (id: number) => apiError(404, 'CENSUS_NOT_FOUND', `no census number ${id}`, [{ path: '/id', message: 'not found' }])
  async function load(id: number): Promise<Census> {
    const census = await services.censuses.get(id)
    if (!census) throw new LedgerError(404, 'CENSUS_NOT_FOUND', `no census number ${id}`, [{ path: '/id', message: 'not found' }])
    return census
  }

  app.post(
    '/api/v1/censuses',
    {
      ...services.access.guard('census:write'),
      schema: {
        summary: 'Freeze the ledger as it is now into a numbered census',
        body: CensusRequestSchema,
        response: { 201: CensusSummarySchema, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (request, reply) => {
      const summary = await services.createCensus(request.body)
      return reply.status(201).header('location', `/api/v1/censuses/${summary.id}`).send(summary)
    },
  )

  app.get(
    '/api/v1/censuses',
    {
      ...services.access.guard('census:read'),
      schema: { summary: 'Censuses made so far, newest first', response: { 200: CensusListSchema } },
    },
    async () => ({ censuses: await services.censuses.list() }),
  )

  app.get(
    '/api/v1/evaluation',
    {
      ...services.access.guard('evaluation:read'),
      serializerCompiler: () => (data) => JSON.stringify(data),
      schema: {
        summary: 'Findings now: idle clusters, stranded accelerators, sites over their PUE target, unclassified devices, stale clusters',
        querystring: Type.Object(
          {
            idleThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
            idleHours: Type.Optional(Type.Number({ minimum: 0.1, maximum: 720 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: EvaluationSchema, 400: ErrorSchema },
      },
    },
    async (request) => services.evaluate(request.query),
  )

  app.get(
    '/api/v1/censuses/schedule',
    // The monthly census schedule (Beijing time), its next run and every run so far, late ones marked.
    services.access.guard('census:read'),
    async (_request, reply) => {
      if (!services.censusJob)
        return reply.send({ job: 'monthly-census', schedule: 'off', timezone: 'Asia/Shanghai', nextRun: null, runs: [] })
      return reply.send(await services.scheduler.status(services.censusJob))
    },
  )

  app.get(
    '/api/v1/censuses/compare',
    {
      ...services.access.guard('census:read'),
      serializerCompiler: () => (data) => JSON.stringify(data),
      schema: {
        summary: 'Two censuses side by side, with b − a by any breakdown',
        querystring: CensusCompareQuerySchema,
        response: { 200: CensusComparisonSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const [a, b] = await Promise.all([load(request.query.a), load(request.query.b)])
      const list = await services.censuses.list()
      const summary = (id: number) => {
        const s = list.find((c) => c.id === id)
        if (!s) throw new LedgerError(404, 'CENSUS_NOT_FOUND', `no census number ${id}`)
        return s
      }
      return compareCensuses(a, b, [summary(a.id), summary(b.id)], request.query.by ?? 'province')
    },
  )

  app.get(
    '/api/v1/censuses/:id',
    {
      ...services.access.guard('census:read'),
      schema: {
        summary: 'One census: JSON as frozen, or exported (format=csv|xlsx|pdf|html, lang=zh-CN|en)',
        params: IdParams,
        querystring: CensusExportQuerySchema,
        response: { 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const format = request.query.format ?? 'json'
      if (format === 'json') {
        const document = await services.censuses.document(request.params.id)
        if (document === null) return reply.status(404).send(notFound(request.params.id))
        // The exact text frozen (its digest is in the list), not a re-serialization.
        return reply.type('application/json; charset=utf-8').send(document as never)
      }
      const census = await load(request.params.id)
      const lang = request.query.lang ?? 'zh-CN'
      const { exportCensus } = await import('../../census/export')
      const names = {
        province: Object.fromEntries(regions.provinces.map((p) => [p.code, { zh: p.nameZh, en: p.nameEn }])),
        hub: Object.fromEntries(regions.hubs.map((h) => [h.id, { zh: h.nameZh, en: h.nameEn }])),
      }
      const out = await exportCensus(census, format, lang, { names, breakdown: request.query.breakdown })
      return reply
        .type(out.contentType)
        .header('content-disposition', `attachment; filename="${out.filename}"; filename*=UTF-8''${encodeURIComponent(out.filename)}`)
        .send(out.body as never)
    },
  )
}
