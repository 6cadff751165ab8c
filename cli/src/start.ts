import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createFleet, type SimCluster, startFleet } from '@suanpan/agents'
import { buildApp, loadConfig, loadRegions, queryLedger, registerCluster } from '@suanpan/control-plane'
import { formatLedger, regionLabels } from './format'
import { fillSimulatedHistory } from './history'
import { type Output, progressLine } from './output'

export interface StartOptions {
  clusters: number
  sim: boolean
  /** Hours of simulated history to fill in before now (the demo's trend charts start full). */
  historyHours: number
  port: number
  host: string
  dataDir: string
  seed: number
  json: boolean
}

/** `suanpan start`: control plane on the embedded store plus the simulated national fleet. */
export async function start(options: StartOptions, out: Output): Promise<{ close(): Promise<void> }> {
  const started = Date.now()
  mkdirSync(options.dataDir, { recursive: true })
  const adminToken = process.env.SUANPAN_ADMIN_TOKEN || `spa_${randomBytes(24).toString('base64url')}`
  writeFileSync(join(options.dataDir, 'admin-token'), `${adminToken}\n`, { mode: 0o600 })
  const config = loadConfig(process.env, {
    port: options.port,
    host: options.host,
    adminToken,
    sqlitePath: process.env.SUANPAN_SQLITE_PATH ?? join(options.dataDir, 'suanpan.db'),
    // The demo shows the national figures without signing in unless told otherwise (SUANPAN_OPEN_READS=0).
    ...(process.env.SUANPAN_OPEN_READS === undefined ? { openReads: true } : {}),
  })
  const { app, services } = await buildApp({ config, logger: false })
  const address = await app.listen({ host: config.host, port: config.port })
  out.event(
    'listening',
    { url: address, store: services.store.description },
    `control plane listening on ${address} (store: ${services.store.description})`,
  )

  let fleet: Awaited<ReturnType<typeof startFleet>> | null = null
  if (options.sim) {
    const clusters: SimCluster[] = createFleet({ clusters: options.clusters, seed: options.seed })
    const tokens = new Map<string, string>()
    for (const c of clusters) {
      const registered = await registerCluster(services.store, c.identity, Date.now(), { rotate: true })
      tokens.set(c.identity.clusterId, registered.token)
    }
    out.event(
      'registered',
      { clusters: clusters.length },
      `registered ${clusters.length} simulated clusters across 32 provincial divisions`,
    )
    const progress = progressLine(out, 'fleet start-up')
    fleet = await startFleet({
      baseUrl: address,
      clusters,
      tokens,
      onProgress: (p) => progress(p.sent, p.total, p.failed),
    })
    progress.done()
    const ledger = queryLedger(services.view, {
      groupBy: ['province'],
      filters: {},
      lineage: false,
      limit: 100,
      offset: 0,
      now: Date.now(),
      staleAfterMs: 3 * config.reportIntervalSeconds * 1000,
    })
    out.result('ledger', ledger, formatLedger(ledger, regionLabels(loadRegions())))
    if (options.historyHours > 0) {
      const progress = progressLine(out, `simulated history (${options.historyHours} h)`)
      await fillSimulatedHistory(services, config, clusters, options.historyHours, (done, total) => progress(done, total, 0))
      progress.done()
    }
  }
  await services.recordHistory()
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  out.event(
    'ready',
    { url: address, seconds, adminTokenFile: join(options.dataDir, 'admin-token') },
    [
      '',
      `Suanpan is up in ${seconds} s.`,
      `  console:         ${address}/`,
      `  ledger (HTTP):   ${address}/api/v1/ledger?groupBy=province,kind`,
      `  ledger (CLI):    npm run suanpan -- ledger --by province,kind --url ${address}`,
      `  clusters:        ${address}/api/v1/clusters`,
      `  metrics:         ${address}/metrics`,
      `  admin token in   ${join(options.dataDir, 'admin-token')}`,
      'Press Ctrl-C to stop.',
    ].join('\n'),
  )
  return {
    async close() {
      await fleet?.stop()
      await app.close()
    },
  }
}
