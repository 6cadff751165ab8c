// The two persisted measurements of bench:scheduler (issue 4 §7):
// 1. in process: WorkloadService.submit — the engine's decision plus the workload and its assignments written to
//    the embedded store (batched transactions), 8 submitters at once;
// 2. end to end: `POST /api/v1/workloads` over HTTP to a control-plane process (auth, validation, decision,
//    persistence, audit record), 8 concurrent clients.
// Both take the same workloads in the same order onto the same fleet, in real time (no simulated completions:
// capacity fills up and later submissions queue, which is work the engine still does).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fullReportJson, type SimCluster } from '@suanpan/agents'
import { LedgerView } from '../../control-plane/src/ledger/view'
import type { ClusterCapacity, SchedulingRequest } from '../../control-plane/src/scheduler'
import { openStore } from '../../control-plane/src/store/open'
import { WorkloadService } from '../../control-plane/src/workloads/service'
import { freePort } from '../support/postgres'
import { type Distribution, distribution, forEachLimited, HttpClient, progress, startControlPlane } from './support'

const ADMIN_TOKEN = 'bench-admin-token'
const CLIENTS = 8

export interface PersistedRun {
  way: 'in-process' | 'http'
  workloads: number
  seconds: number
  workloadsPerSecond: number
  latencyMs: Distribution
  outcomes: Record<string, number>
  errors: number
}

export interface EndToEndResult {
  inProcess: PersistedRun
  http: PersistedRun
  storeRows: { workloads: number; assignments: number }
}

const TEMPLATE = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.local/bench:1' }] } } },
}

function summary(
  way: PersistedRun['way'],
  latencies: number[],
  seconds: number,
  outcomes: Record<string, number>,
  errors: number,
): PersistedRun {
  return {
    way,
    workloads: latencies.length,
    seconds,
    workloadsPerSecond: latencies.length / seconds,
    latencyMs: distribution(latencies),
    outcomes,
    errors,
  }
}

export async function endToEnd(fleet: SimCluster[], capacity: ClusterCapacity[], specs: SchedulingRequest[]): Promise<EndToEndResult> {
  const dir = mkdtempSync(join(tmpdir(), 'suanpan-bench-sched-'))
  try {
    // Real time here: the stream's start-after and deadlines are in its simulated time, so they are left out.
    const bodies = specs.map(({ startAfter: _a, deadline: _d, ...s }) => ({ ...s, template: TEMPLATE }))

    // ---- 1. in process, persisted
    progress(`persisted in process: ${bodies.length.toLocaleString('en-US')} submissions, ${CLIENTS} at a time`)
    const store = await openStore({ sqlitePath: join(dir, 'in-process.db'), databaseUrl: null })
    const view = new LedgerView(store)
    const service = new WorkloadService({
      db: store.db,
      view,
      now: Date.now,
      staleAfterMs: Number.POSITIVE_INFINITY,
      reservationTtlMs: 3_600_000,
      log: { warn: () => {} },
    })
    await service.start({ intervalMs: 0 })
    for (const c of capacity) service.engine.updateCapacity(c.id, { ...c, lastReportAt: Date.now() })
    const inLat: number[] = new Array(bodies.length)
    const inOutcomes: Record<string, number> = {}
    let inErrors = 0
    let t0 = performance.now()
    await forEachLimited(bodies.length, CLIENTS, async (i) => {
      const start = performance.now()
      try {
        const w = await service.submit(bodies[i] as never)
        inOutcomes[w.state] = (inOutcomes[w.state] ?? 0) + 1
      } catch (error) {
        const code = (error as { statusCode?: number }).statusCode
        if (code === 422) inOutcomes.rejected = (inOutcomes.rejected ?? 0) + 1
        else inErrors++
      }
      inLat[i] = performance.now() - start
    })
    const inProcess = summary('in-process', inLat, (performance.now() - t0) / 1000, inOutcomes, inErrors)
    await service.close()
    const workloadsRow = await store.db
      .selectFrom('workloads')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    const assignmentsRow = await store.db
      .selectFrom('workload_assignments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    const storeRows = { workloads: Number(workloadsRow.n), assignments: Number(assignmentsRow.n) }
    await store.close()
    progress(
      `persisted in process: ${Math.round(inProcess.workloadsPerSecond).toLocaleString('en-US')} workloads/s, p99 ${inProcess.latencyMs.p99.toFixed(2)} ms; ${JSON.stringify(inOutcomes)}; stored ${storeRows.workloads} workloads, ${storeRows.assignments} assignments`,
    )

    // ---- 2. end to end over HTTP
    const server = await startControlPlane({
      port: await freePort(),
      env: {
        SUANPAN_SQLITE_PATH: join(dir, 'http.db'),
        SUANPAN_ADMIN_TOKEN: ADMIN_TOKEN,
        SUANPAN_CONSOLE_DIR: 'none',
        SUANPAN_CENSUS_SCHEDULE: 'off',
        SUANPAN_REPORT_INTERVAL_SECONDS: '3600',
        SUANPAN_RESERVATION_TTL_SECONDS: '3600',
      },
    })
    const client = new HttpClient(server.port, CLIENTS)
    try {
      progress(`end to end: registering ${fleet.length} clusters and sending their full reports`)
      const now = Date.now()
      await forEachLimited(fleet.length, CLIENTS, async (i) => {
        const c = fleet[i] as SimCluster
        const reg = await client.send('POST', '/api/v1/clusters', Buffer.from(JSON.stringify(c.identity)), {
          authorization: `Bearer ${ADMIN_TOKEN}`,
        })
        if (reg.status !== 201) throw new Error(`register ${c.identity.clusterId}: ${reg.status} ${reg.body}`)
        const token = (JSON.parse(reg.body.toString()) as { token: string }).token
        const rep = await client.send('POST', '/api/v1/reports', Buffer.from(fullReportJson(c, 1, now)), {
          authorization: `Bearer ${token}`,
        })
        if (rep.status !== 200) throw new Error(`report ${c.identity.clusterId}: ${rep.status} ${rep.body}`)
        if ((i + 1) % 500 === 0) progress(`end to end: ${i + 1}/${fleet.length} clusters reported`)
      })
      const encoded = bodies.map((b) => Buffer.from(JSON.stringify(b)))
      const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
      // Warm-up (JIT, connections), not counted.
      await forEachLimited(Math.min(200, encoded.length), CLIENTS, async (i) => {
        await client.send('GET', '/api/v1/quotas', null, auth)
        void i
      })
      progress(`end to end: ${encoded.length.toLocaleString('en-US')} POST /api/v1/workloads, ${CLIENTS} clients`)
      const lat: number[] = new Array(encoded.length)
      const outcomes: Record<string, number> = {}
      let errors = 0
      let firstError = ''
      t0 = performance.now()
      await forEachLimited(encoded.length, CLIENTS, async (i) => {
        const res = await client.send('POST', '/api/v1/workloads', encoded[i] as Buffer, auth)
        lat[i] = res.ms
        if (res.status === 201) {
          const state = (JSON.parse(res.body.toString()) as { state: string }).state
          outcomes[state] = (outcomes[state] ?? 0) + 1
        } else if (res.status === 422) outcomes.rejected = (outcomes.rejected ?? 0) + 1
        else {
          errors++
          firstError ||= `${res.status} ${res.body.toString().slice(0, 300)}`
        }
      })
      const http = summary('http', lat, (performance.now() - t0) / 1000, outcomes, errors)
      if (firstError) progress(`end to end: first error: ${firstError}`)
      progress(
        `end to end: ${Math.round(http.workloadsPerSecond).toLocaleString('en-US')} workloads/s, p50 ${http.latencyMs.p50.toFixed(2)} ms, p99 ${http.latencyMs.p99.toFixed(2)} ms, ${JSON.stringify(outcomes)}, ${errors} errors`,
      )
      return { inProcess, http, storeRows }
    } finally {
      client.close()
      await server.stop(5_000)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
