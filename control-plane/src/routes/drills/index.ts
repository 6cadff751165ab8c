import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { LedgerError } from '../../ledger/errors'
import type { DrillRunSummary, DrillSchedule, DrillScheduleRequest } from '../../schemas'
import {
  ApprovalPendingSchema,
  DrillAbortSchema,
  DrillListQuerySchema,
  DrillReportQuerySchema,
  DrillRequestSchema,
  DrillRunDetailSchema,
  DrillRunIdSchema,
  DrillRunListSchema,
  DrillRunSummarySchema,
  DrillScenarioListSchema,
  DrillScheduleIdSchema,
  DrillScheduleListSchema,
  DrillScheduleRequestSchema,
  DrillScheduleSchema,
  DrillTrendListSchema,
  ErrorSchema,
} from '../../schemas'
import type { AppServices } from '../../services'

/**
 * Drills that move production's primary between centers are high-risk actions under the two-person rule
 * (SUANPAN_TWO_PERSON_RULE, access/approvals.ts): the remote takeover, and the planned failovers (switchover, and
 * failback to the primary node). Fault drills (a center or its database lost, a partition, a restore) are the
 * drill operator's alone.
 */
const APPROVAL_ACTIONS: Readonly<Record<string, string>> = {
  'remote-takeover': 'drills:remote-takeover',
  switchover: 'drills:failover',
  failback: 'drills:failover',
}

const RunParams = Type.Object({ id: DrillRunIdSchema }, { additionalProperties: false })
const ScheduleParams = Type.Object({ id: DrillScheduleIdSchema }, { additionalProperties: false })
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema }
// Reports and progress details are open-ended JSON: sent as they are rather than through a fixed serializer.
const asIs = { serializerCompiler: () => (data: unknown) => JSON.stringify(data) }

/** Failover drills (灾备演练, issue 5 §3–4): run on the control plane's DR lab, follow, read reports, schedule. */
export const drillRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  const drills = services.drills
  const who = (principal: { id: string } | null) => principal?.id ?? 'anonymous'
  // One action runs a gated drill now, or schedules it (a schedule of takeovers is as high-risk as one takeover).
  type Gated = { scenario: string; schedule?: DrillScheduleRequest }
  for (const action of new Set(Object.values(APPROVAL_ACTIONS))) {
    services.approvals.define<Gated, DrillRunSummary | DrillSchedule>(action, {
      permission: 'drills:run',
      // Approved (possibly hours later, by another person): it happens then, in both their names.
      run: ({ scenario, schedule }, ctx) => {
        const by = ctx.approvalId ? `${ctx.requestedBy}+${ctx.principal.id}` : ctx.principal.id
        return schedule ? drills.schedules.create(schedule, by) : drills.run(scenario, by)
      },
    })
  }

  app.get(
    '/api/v1/drills/scenarios',
    {
      ...services.access.guard('drills:read'),
      schema: { summary: 'The drill scenarios with their targets, and those not built yet', response: { 200: DrillScenarioListSchema } },
    },
    async () => drills.scenarios(),
  )

  app.get(
    '/api/v1/drills/trends',
    {
      ...services.access.guard('drills:read'),
      ...asIs,
      schema: {
        summary: 'Per scenario: runs, passes, RTO best/median/worst and its direction, over the stored reports',
        response: { 200: DrillTrendListSchema },
      },
    },
    async () => ({ trends: await drills.trends() }),
  )

  app.get(
    '/api/v1/drills',
    {
      ...services.access.guard('drills:read'),
      schema: {
        summary: 'Drill runs, newest first (manual, scheduled, missed …)',
        querystring: DrillListQuerySchema,
        response: { 200: DrillRunListSchema, ...errors },
      },
    },
    async (request) => ({ runs: await drills.list(request.query) }),
  )

  app.post(
    '/api/v1/drills',
    {
      ...services.access.guard('drills:run'),
      schema: {
        summary: 'Run a drill now on the DR lab (it runs in the background: follow GET /api/v1/drills/:id)',
        body: DrillRequestSchema,
        response: {
          202: Type.Union([Type.Object({ run: DrillRunSummarySchema }), ApprovalPendingSchema]),
          409: ErrorSchema,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { scenario } = request.body
      const action = APPROVAL_ACTIONS[scenario]
      if (action) {
        const gate = await services.approvals.require<Gated, DrillRunSummary>(request, {
          action,
          target: scenario,
          params: { scenario },
        })
        if (gate.status === 'pending')
          return reply.status(202).header('location', `/api/v1/approvals/${gate.approval.id}`).send({ approval: gate.approval })
        return reply.status(202).header('location', `/api/v1/drills/${gate.result.id}`).send({ run: gate.result })
      }
      const run = await drills.run(scenario, who(request.principal))
      return reply.status(202).header('location', `/api/v1/drills/${run.id}`).send({ run })
    },
  )

  app.post(
    '/api/v1/drills/abort',
    {
      ...services.access.guard('drills:run'),
      schema: {
        summary: 'Kill switch: the running drill stops its fault and restores the lab (reported as aborted)',
        response: { 202: DrillAbortSchema, 409: ErrorSchema, ...errors },
      },
    },
    async (_request, reply) => reply.status(202).send(await drills.abort()),
  )

  app.get(
    '/api/v1/drills/:id',
    {
      ...services.access.guard('drills:read'),
      ...asIs,
      schema: {
        summary: 'One drill run: its summary, its report once finished, and the steps so far while it runs',
        params: RunParams,
        response: { 200: DrillRunDetailSchema, ...errors },
      },
    },
    async (request) => drills.get(request.params.id),
  )

  app.get(
    '/api/v1/drills/:id/report',
    {
      ...services.access.guard('drills:read'),
      schema: {
        summary: 'The drill report as JSON, HTML or PDF (bilingual headings; lang sets the document language)',
        params: RunParams,
        querystring: DrillReportQuerySchema,
        response: { 503: ErrorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const file = await drills.reportFile(request.params.id, request.query.format ?? 'json', request.query.lang ?? 'zh-CN')
      return reply
        .type(file.contentType)
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .send(file.body as never)
    },
  )

  app.get(
    '/api/v1/drill-schedules',
    {
      ...services.access.guard('drills:read'),
      schema: {
        summary: 'Drill schedules (cron, Beijing time) with their next due time and last run',
        response: { 200: DrillScheduleListSchema },
      },
    },
    async () => ({ schedules: await drills.schedules.list() }),
  )

  app.post(
    '/api/v1/drill-schedules',
    {
      ...services.access.guard('drills:run'),
      schema: {
        summary: 'Schedule a scenario with a 5-field cron expression in Beijing time (Asia/Shanghai)',
        body: DrillScheduleRequestSchema,
        response: { 201: DrillScheduleSchema, 202: ApprovalPendingSchema, ...errors },
      },
    },
    async (request, reply) => {
      const action = APPROVAL_ACTIONS[request.body.scenario]
      if (action) {
        const gate = await services.approvals.require<Gated, DrillSchedule>(request, {
          action,
          target: `schedule:${request.body.scenario}`,
          params: { scenario: request.body.scenario, schedule: request.body },
        })
        if (gate.status === 'pending')
          return reply.status(202).header('location', `/api/v1/approvals/${gate.approval.id}`).send({ approval: gate.approval })
        return reply.status(201).header('location', `/api/v1/drill-schedules/${gate.result.id}`).send(gate.result)
      }
      const schedule = await drills.schedules.create(request.body, who(request.principal))
      return reply.status(201).header('location', `/api/v1/drill-schedules/${schedule.id}`).send(schedule)
    },
  )

  app.delete(
    '/api/v1/drill-schedules/:id',
    {
      ...services.access.guard('drills:run'),
      schema: {
        summary: 'Remove a drill schedule (its past runs stay)',
        params: ScheduleParams,
        response: { 200: Type.Object({ deleted: Type.String() }), ...errors },
      },
    },
    async (request) => {
      if (!(await drills.schedules.remove(request.params.id)))
        throw new LedgerError(404, 'DRILL_SCHEDULE_NOT_FOUND', `no drill schedule ${request.params.id}`, [
          { path: '/id', message: 'not found' },
        ])
      return { deleted: request.params.id }
    },
  )
}
