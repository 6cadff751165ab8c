import { randomUUID } from 'node:crypto'
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance } from 'fastify'
import { Registry } from 'prom-client'
import { ApprovalService } from './access/approvals'
import { AccessControl } from './access/service'
import { AuditTrail } from './audit/chain'
import { registerAudit } from './audit/hook'
import { type Catalog, catalogVersion, loadCatalog } from './catalog'
import { buildCensus } from './census/build'
import { CensusStore } from './census/store'
import type { Config } from './config'
import { type DrillRunner, DrillService } from './dr/service'
import { bucketStart, HistoryStore, sampleClusters, VictoriaHistory } from './history'
import { ClusterAuthenticator } from './ledger/clusters'
import { LedgerError } from './ledger/errors'
import { inlinePreparer, workerPreparer } from './ledger/prepare-pool'
import { MAX_GROUP_LIMIT, queryLedger } from './ledger/query'
import { LedgerView } from './ledger/view'
import { registerConsole } from './plugins/console'
import { registerErrorHandler } from './plugins/errors'
import { REDACTED_LOG_PATHS, registerHardening } from './plugins/hardening'
import { createMetrics } from './plugins/metrics'
import { loadRegions } from './regions'
import { approvalRoutes } from './routes/approvals'
import { auditRoutes } from './routes/audit'
import { censusRoutes } from './routes/censuses'
import { clusterRoutes } from './routes/clusters'
import { drillRoutes } from './routes/drills'
import { historyRoutes } from './routes/history'
import { ledgerRoutes } from './routes/ledger'
import { regionRoutes } from './routes/regions'
import { reportRoutes } from './routes/reports'
import { userRoutes } from './routes/users'
import { workloadRoutes } from './routes/workloads'
import { JobScheduler, type MonthlyJob, previousMonthPeriod } from './schedule/jobs'
import type { AppServices } from './services'
import { openStore, type Store } from './store/open'
import { loadQuotas } from './workloads/quotas'
import { WorkloadService } from './workloads/service'

export interface BuildAppOptions {
  config: Config
  /** Defaults to the store the config names (SQLite file or DATABASE_URL). */
  store?: Store
  catalog?: Catalog
  registry?: Registry
  now?: () => number
  logger?: boolean
  /** Where log lines go (default stdout); tests read them. */
  logStream?: { write(line: string): void }
  /** What runs a drill (default runDrill on config.drLabDir); tests stand in for the real lab. */
  drillRunner?: DrillRunner
}

export interface App {
  app: FastifyInstance
  services: AppServices
}

/** The JSON path of the first string (or key) holding U+0000, or null. Bounded depth: bodies are validated next. */
function findNul(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null
  if (value === null || typeof value !== 'object' || depth > 64) return null
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return `${path}/${k.replaceAll('\u0000', '\\0')}`
    const found = findNul(v, `${path}/${k}`, depth + 1)
    if (found !== null) return found
  }
  return null
}

/** Build the control plane without listening: tests use inject(), server.ts listens. */
export async function buildApp(options: BuildAppOptions): Promise<App> {
  const { config } = options
  const store = options.store ?? (await openStore(config))
  const registry = options.registry ?? new Registry()
  const now = options.now ?? Date.now
  const staleAfterMs = 3 * config.reportIntervalSeconds * 1000
  const view = new LedgerView(store)
  await view.load()
  const metrics = createMetrics(registry, async () =>
    queryLedger(view, {
      groupBy: ['province', 'kind'],
      filters: {},
      lineage: false,
      limit: MAX_GROUP_LIMIT,
      offset: 0,
      now: now(),
      staleAfterMs,
    }),
  )
  // A given catalog (tests) is used inline; otherwise workers load the configured one themselves.
  const preparer = options.catalog
    ? inlinePreparer(options.catalog)
    : config.ingestWorkers > 0
      ? workerPreparer(config.ingestWorkers, config.catalogFile)
      : inlinePreparer(loadCatalog(config.catalogFile ? { userFile: config.catalogFile } : {}))
  const history = new HistoryStore(store, config.historyStepSeconds)
  const vm = config.vmUrl ? new VictoriaHistory(config.vmUrl, config.historyStepSeconds) : null
  const catalogOptions = config.catalogFile ? { userFile: config.catalogFile } : {}
  let mainCatalog: { catalog: Catalog; version: string } | null = null
  const mainCatalogOf = () => {
    mainCatalog ??= { catalog: options.catalog ?? loadCatalog(catalogOptions), version: catalogVersion(catalogOptions) }
    return mainCatalog
  }
  const censuses = new CensusStore(store)
  const regions = loadRegions()
  const freeze = async (request: Parameters<AppServices['createCensus']>[0]) => {
    const { catalog, version } = mainCatalogOf()
    return buildCensus(request, {
      view,
      history,
      catalog,
      catalogVersion: version,
      userCatalog: config.catalogFile !== null,
      regions,
      now: now(),
      staleAfterMs,
      heldReservations: (hours) => workloads.heldReservations(hours),
    })
  }
  const createCensus: AppServices['createCensus'] = async (request) => (await censuses.create(await freeze(request))).summary
  const evaluateNow: AppServices['evaluate'] = async (options) => {
    const idleThreshold = options.idleThreshold ?? 0.2
    const idleHours = options.idleHours ?? 24
    const census = await freeze({ period: '0000', idleThreshold, idleHours })
    return { generatedAt: census.createdAt, idleThreshold, idleHours, recommendations: census.recommendations }
  }
  // The scheduler logs through fastify's logger, which exists once the app is built below.
  let logWarn: (obj: unknown, msg: string) => void = () => {}
  const censusJob: MonthlyJob | null = config.censusSchedule
    ? {
        name: 'monthly-census',
        schedule: config.censusSchedule,
        slotOf: previousMonthPeriod,
        run: async (period) => {
          const summary = await createCensus({ period })
          return `census #${summary.id} (${summary.period})`
        },
      }
    : null
  const workloads = new WorkloadService({
    db: store.db,
    ...(store.sqlite ? { sqlite: store.sqlite } : {}),
    view,
    now,
    staleAfterMs,
    reservationTtlMs: config.reservationTtlSeconds * 1000,
    ...(config.quotasFile ? { quotas: loadQuotas(config.quotasFile) } : {}),
    log: { warn: (obj, msg) => logWarn(obj, msg) },
  })
  const audit = new AuditTrail(store)
  const services: AppServices = {
    access: new AccessControl(store, config, now),
    routes: [],
    config,
    store,
    registry,
    metrics,
    authenticator: new ClusterAuthenticator(store, now),
    view,
    preparer,
    history,
    censuses,
    audit,
    approvals: new ApprovalService({ store, audit, config, now }),
    createCensus,
    evaluate: evaluateNow,
    workloads,
    drills: new DrillService({
      store,
      labDir: config.drLabDir,
      now,
      log: { warn: (obj, msg) => logWarn(obj, msg) },
      ...(options.drillRunner ? { runner: options.drillRunner } : {}),
    }),
    scheduler: new JobScheduler(store, now, { warn: (obj, msg) => logWarn(obj, msg) }),
    censusJob,
    catalog: mainCatalogOf,
    now,
    vm,
    recordHistory: async () => {
      const t = now()
      const sample = sampleClusters(view.all(), bucketStart(t, config.historyStepSeconds), t, staleAfterMs)
      await history.record(sample)
      // The store's copy is the one that must not be lost; VictoriaMetrics being away is only logged.
      await vm?.push(sample, (id) => view.get(id)).catch((error: unknown) => logWarn({ err: error }, 'VictoriaMetrics import failed'))
    },
  }
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: config.logLevel,
            redact: REDACTED_LOG_PATHS,
            ...(options.logStream ? { stream: options.logStream } : {}),
            serializers: {
              // Headers are logged for tracing; the secret ones are redacted (REDACTED_LOG_PATHS).
              req: (req: { method: string; url: string; headers: Record<string, unknown>; ip?: string }) => ({
                method: req.method,
                url: req.url,
                headers: req.headers,
                ip: req.ip,
              }),
            },
          },
    bodyLimit: config.bodyLimitBytes,
    genReqId: () => randomUUID(),
  })
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  // Every API route declares what it needs (guard()); one that does not is a programming error, caught at start-up.
  app.decorateRequest('principal', null)
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/') && !route.config?.access)
      throw new Error(`route ${String(route.method)} ${route.url} declares no access: add ...services.access.guard(permission)`)
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD' && route.config?.access) services.routes.push({ method, url: route.url, access: route.config.access })
    }
  })
  // PostgreSQL cannot store U+0000 in text, and no field of this API needs it: refused up front, naming where.
  app.addHook('preValidation', async (request) => {
    const at =
      findNul(request.query, '/query') ??
      findNul(request.params, '/params') ??
      (typeof request.body === 'string' || Buffer.isBuffer(request.body)
        ? request.body.includes('\\u0000') || request.body.includes('\u0000')
          ? '/body'
          : null
        : findNul(request.body, ''))
    if (at !== null)
      throw new LedgerError(400, 'NUL_CHARACTER', `${at || '/'}: text may not contain the NUL character (U+0000)`, [
        { path: at || '/', message: 'contains U+0000' },
      ])
  })
  registerAudit(app, services.audit, now)
  app.setValidatorCompiler(TypeBoxValidatorCompiler)
  await registerHardening(app, { ratePerMinute: config.rateLimitPerMinute })
  registerErrorHandler(app)
  await app.register(reportRoutes, { services })
  await app.register(ledgerRoutes, { services })
  await app.register(clusterRoutes, { services })
  await app.register(regionRoutes, { services })
  await app.register(historyRoutes, { services })
  await app.register(censusRoutes, { services })
  await app.register(auditRoutes, { services })
  await app.register(workloadRoutes, { services })
  await app.register(drillRoutes, { services })
  await app.register(userRoutes, { services })
  await app.register(approvalRoutes, { services })
  app.get('/metrics', services.access.guard('metrics:read'), async (_request, reply) => {
    reply.header('content-type', registry.contentType)
    return registry.metrics()
  })
  app.get('/healthz', services.access.guard('public'), async () => ({ status: 'ok', store: store.dialect }))
  await registerConsole(app, config.consoleDir)

  // Answers are kept for replays only as long as a lost ack could be retried.
  const prune = setInterval(() => {
    const cutoff = now() - config.reportLogRetentionSeconds * 1000
    store.db
      .deleteFrom('report_log')
      .where('received_at', '<', cutoff)
      .execute()
      .catch((error: unknown) => app.log.warn({ err: error }, 'report log prune failed'))
  }, 60_000)
  prune.unref()
  // One sample of the live ledger per step, and a daily trim of what is past retention.
  let lastHistoryPrune = 0
  const sampler = setInterval(() => {
    services
      .recordHistory()
      .then(async () => {
        const t = now()
        if (t - lastHistoryPrune < 3_600_000) return
        lastHistoryPrune = t
        await history.prune(t - config.historyRetentionDays * 86_400_000)
      })
      .catch((error: unknown) => app.log.warn({ err: error }, 'history sample failed'))
  }, config.historyStepSeconds * 1000)
  sampler.unref()
  // Only a shared PostgreSQL can have writers other than this process; the embedded SQLite store has
  // one, so reloading it would only stall the event loop.
  const refresh =
    store.dialect === 'postgres'
      ? setInterval(() => {
          view.load().catch((error: unknown) => app.log.warn({ err: error }, 'ledger refresh failed'))
        }, config.ledgerRefreshSeconds * 1000)
      : null
  refresh?.unref()
  logWarn = (obj, msg) => app.log.warn(obj, msg)
  if (censusJob) await services.scheduler.start(censusJob)
  await workloads.start()
  await services.drills.start()
  app.addHook('onClose', async () => {
    await services.scheduler.stop()
    await services.drills.close()
    await workloads.close()
    clearInterval(prune)
    clearInterval(sampler)
    if (refresh) clearInterval(refresh)
    await preparer.close()
    if (!options.store) await store.close()
  })
  return { app, services }
}
