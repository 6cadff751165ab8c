// The two persisted measurements of bench:scheduler (issue 4 §7):
// 1. in process: WorkloadService.submit — the engine's decision plus the workload and its assignments written to
//    the embedded store (batched transactions), 8 submitters at once;
// 2. end to end: `POST /api/v1/workloads` over HTTP to a control-plane process (auth, validation, decision,
//    persistence, audit record), 8 concurrent clients.
// Both take the same workloads in the same order onto the same fleet, in real time (no simulated completions:
// capacity fills up and later submissions queue, which is work the engine still does).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fullReportJson, type SimCluster } from '@suanpan/agents'
import { LedgerView } from '../../control-plane/src/ledger/view'
import type { ClusterCapacity, SchedulingRequest } from '../../control-plane/src/scheduler'
import { openStore } from '../../control-plane/src/store/open'
import { WorkloadService } from '../../control-plane/src/workloads/service'
import { freePort } from '../support/postgres'
import {
  createSourceResolver,
  formatSummary,
  mainThreadFiles,
  monotonicUs,
  type Phases,
  profileFiles,
  summarizeProfiles,
} from './cpuprofile'
import { cpuSecondsOf, type Distribution, distribution, forEachLimited, HttpClient, progress, startControlPlane } from './support'

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
  /** CPU time of the process doing the work (the bench itself in process, the control plane over HTTP) per workload. */
  cpuMsPerWorkload: number
  /** Over HTTP: CPU time of the control plane's main thread (its event loop) per workload. */
  mainThreadCpuMsPerWorkload: number | null
  /** 1-minute load average at the end of the run (the machine is shared). */
  loadAverage: number
}

export interface EndToEndOptions {
  /** Run the control plane under --cpu-prof, profiles to this directory; a summary of the POST phase is printed. */
  profile?: string | null
  /** Skip the in-process measurement (iterate on the HTTP path). */
  httpOnly?: boolean
}

export interface EndToEndResult {
  /** null with --e2e-http-only */
  inProcess: PersistedRun | null
  http: PersistedRun
  storeRows: { workloads: number; assignments: number } | null
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
  cpuSeconds: number,
  mainThreadCpuSeconds: number | null = null,
): PersistedRun {
  return {
    way,
    workloads: latencies.length,
    seconds,
    workloadsPerSecond: latencies.length / seconds,
    latencyMs: distribution(latencies),
    outcomes,
    errors,
    cpuMsPerWorkload: (cpuSeconds * 1000) / latencies.length,
    mainThreadCpuMsPerWorkload: mainThreadCpuSeconds === null ? null : (mainThreadCpuSeconds * 1000) / latencies.length,
    loadAverage: loadavg()[0] ?? Number.NaN,
  }
}

/** CPU seconds of a process's main thread (the event loop of a Node process): /proc/<pid>/task/<pid>/stat. */
function mainThreadCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

const processCpuSeconds = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

export async function endToEnd(
  fleet: SimCluster[],
  capacity: ClusterCapacity[],
  specs: SchedulingRequest[],
  options: EndToEndOptions = {},
): Promise<EndToEndResult> {
  const dir = mkdtempSync(join(tmpdir(), 'suanpan-bench-sched-'))
  try {
    // Real time here: the stream's start-after and deadlines are in its simulated time, so they are left out.
    const bodies = specs.map(({ startAfter: _a, deadline: _d, ...s }) => ({ ...s, template: TEMPLATE }))

    // ---- 1. in process, persisted
    const inProcessRun = options.httpOnly ? null : await persistedInProcess(dir, capacity, bodies)
    const inProcess = inProcessRun?.run ?? null
    const storeRows = inProcessRun?.storeRows ?? null

    // ---- 2. end to end over HTTP
    const profiling = options.profile ? options.profile : null
    const serverStartMs = Date.now()
    if (profiling) mkdirSync(profiling, { recursive: true })
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
      nodeFlags: profiling ? ['--cpu-prof', `--cpu-prof-dir=${profiling}`] : [],
    })
    const client = new HttpClient(server.port, CLIENTS)
    let http: PersistedRun
    let postWindow: { startUs: number; endUs: number } | null = null
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
      const cpu0 = cpuSecondsOf(server.pid)
      const main0 = mainThreadCpuSeconds(server.pid)
      const startUs = monotonicUs()
      const t0 = performance.now()
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
      const seconds = (performance.now() - t0) / 1000
      postWindow = { startUs, endUs: monotonicUs() }
      http = summary('http', lat, seconds, outcomes, errors, cpuSecondsOf(server.pid) - cpu0, mainThreadCpuSeconds(server.pid) - main0)
      if (firstError) progress(`end to end: first error: ${firstError}`)
      progress(
        `end to end: ${Math.round(http.workloadsPerSecond).toLocaleString('en-US')} workloads/s, p50 ${http.latencyMs.p50.toFixed(2)} ms, p99 ${http.latencyMs.p99.toFixed(2)} ms, control-plane CPU ${http.cpuMsPerWorkload.toFixed(3)} ms/workload (main thread ${http.mainThreadCpuMsPerWorkload?.toFixed(3)}), load average ${http.loadAverage.toFixed(2)}; ${JSON.stringify(outcomes)}, ${errors} errors`,
      )
    } finally {
      client.close()
      await server.stop(30_000)
    }
    if (profiling && postWindow) {
      const files = mainThreadFiles(profileFiles(profiling).filter((f) => statSync(f).mtimeMs >= serverStartMs))
      const phases: Phases = { 'POST /api/v1/workloads': postWindow }
      writeFileSync(join(profiling, 'phases.json'), `${JSON.stringify(phases, null, 2)}\n`)
      const text = formatSummary(
        summarizeProfiles(files, postWindow, await createSourceResolver()),
        25,
        'control plane, POST /api/v1/workloads',
      )
      writeFileSync(join(profiling, 'summary.txt'), `${text}\n`)
      progress(`end to end: CPU profile written to ${files.join(', ')}`)
      process.stderr.write(`\n${text}\n\n`)
    }
    return { inProcess, http, storeRows }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** WorkloadService.submit with the embedded store, in this process, 8 submitters at once. */
async function persistedInProcess(
  dir: string,
  capacity: ClusterCapacity[],
  bodies: unknown[],
): Promise<{ run: PersistedRun; storeRows: { workloads: number; assignments: number } }> {
  progress(`persisted in process: ${bodies.length.toLocaleString('en-US')} submissions, ${CLIENTS} at a time`)
  const store = await openStore({ sqlitePath: join(dir, 'in-process.db'), databaseUrl: null })
  const view = new LedgerView(store)
  const service = new WorkloadService({
    db: store.db,
    ...(store.sqlite ? { sqlite: store.sqlite } : {}),
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
  const cpu0 = processCpuSeconds()
  const t0 = performance.now()
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
  const inProcess = summary('in-process', inLat, (performance.now() - t0) / 1000, inOutcomes, inErrors, processCpuSeconds() - cpu0)
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
    `persisted in process: ${Math.round(inProcess.workloadsPerSecond).toLocaleString('en-US')} workloads/s, p99 ${inProcess.latencyMs.p99.toFixed(2)} ms, CPU ${inProcess.cpuMsPerWorkload.toFixed(3)} ms/workload; ${JSON.stringify(inOutcomes)}; stored ${storeRows.workloads} workloads, ${storeRows.assignments} assignments`,
  )

  return { run: inProcess, storeRows }
}
