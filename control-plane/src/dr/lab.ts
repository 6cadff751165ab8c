// The two-site three-center lab on loopback: etcd (one member per center), Patroni-managed
// PostgreSQL (A1 leader, A2 synchronous standby, B1 asynchronous replica that never leads), a
// pgBackRest repository in B1, HAProxy and a control-plane instance in A1 and A2.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { controlPlaneHealthy, etcdHealthy, patroniCluster, patroniIsPrimary, patroniStatus, pgQuery } from './clients'
import { etcdArgs, haproxyConfig, memberUrl, patroniConfig, pgbackrestCommand, pgbackrestConfig, postgresBinDir } from './configs'
import { type NetworkConfig, type NetworkLink, type NetworkStatus, networkStatus, SERVICES } from './network'
import {
  alive,
  chownToService,
  freePorts,
  postmasterPid,
  run,
  serviceEnv,
  signalGroup,
  spawnDaemon,
  stopGroup,
  stopPostmaster,
  waitFor,
} from './proc'
import {
  CENTERS,
  type CenterName,
  type CenterState,
  CITY,
  checkTimings,
  FAST_TIMINGS,
  type LabState,
  labDir,
  type PatroniTimings,
  readState,
  writeState,
} from './state'

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url))

export type Progress = (step: string, detail?: Record<string, unknown>) => void
const quiet: Progress = () => {}

export interface LabUpOptions {
  dir?: string | null
  timings?: PatroniTimings
  /** Replication lag bound for pre-flight and remote-takeover RPO (bytes). */
  lagBoundBytes?: number
  progress?: Progress
  /** Preload pg-guard.ts into the control planes (default true; see that file). */
  pgGuard?: boolean
}

/** What the lab needs on this machine; null when everything is there, else the missing pieces. */
export function missingEngines(): string[] {
  const missing: string[] = []
  if (!postgresBinDir()) missing.push('postgresql-15')
  const onPath = (cmd: string) => {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' })
      return true
    } catch {
      return false
    }
  }
  if (!onPath('patroni')) missing.push('patroni (+ python3-etcd)')
  if (!onPath('etcd')) missing.push('etcd-server')
  if (!onPath('haproxy')) missing.push('haproxy')
  if (!onPath('pgbackrest')) missing.push('pgbackrest')
  return missing
}

function newState(dir: string, ports: number[], timings: PatroniTimings, lagBoundBytes: number, pgGuard: boolean): LabState {
  const take = () => {
    const p = ports.shift()
    if (p === undefined) throw new Error('not enough free ports')
    return p
  }
  const centers = {} as Record<CenterName, CenterState>
  for (const name of CENTERS) {
    const cdir = join(dir, name.toLowerCase())
    const front = name !== 'B1'
    centers[name] = {
      name,
      city: CITY[name],
      dir: cdir,
      etcd: {
        name: name.toLowerCase(),
        clientPort: take(),
        peerPort: take(),
        dataDir: join(cdir, 'etcd'),
        log: join(cdir, 'etcd.log'),
        pid: null,
      },
      postgres: {
        name: name.toLowerCase(),
        port: take(),
        restPort: take(),
        dataDir: join(cdir, 'pgdata'),
        socketDir: join(cdir, 'run'),
        config: join(cdir, 'patroni.yml'),
        log: join(cdir, 'patroni.log'),
        pid: null,
      },
      haproxy: front ? { port: take(), config: join(cdir, 'haproxy.cfg'), log: join(cdir, 'haproxy.log'), pid: null } : null,
      controlPlane: null,
    }
    if (front) {
      const hp = centers[name].haproxy?.port
      centers[name].controlPlane = {
        name,
        port: take(),
        log: join(cdir, 'control-plane.log'),
        pid: null,
        databaseUrl: `postgres://postgres@127.0.0.1:${hp}/suanpan`,
      }
    }
  }
  // The lab network: an ingress port for every service of every center (what it advertises), and the
  // routes of the HAProxies in A1 and A2 to the other centers' PostgreSQL and Patroni REST.
  const links: NetworkLink[] = []
  for (const to of CENTERS) {
    for (const service of SERVICES) {
      const c = centers[to]
      const target =
        service === 'postgres'
          ? c.postgres.port
          : service === 'rest'
            ? c.postgres.restPort
            : service === 'etcd-peer'
              ? c.etcd.peerPort
              : c.etcd.clientPort
      links.push({ kind: 'ingress', to, from: null, service, listen: take(), target })
    }
  }
  for (const from of CENTERS) {
    if (!centers[from].haproxy) continue
    for (const to of CENTERS) {
      if (to === from) continue
      links.push({ kind: 'route', to, from, service: 'postgres', listen: take(), target: centers[to].postgres.port })
      links.push({ kind: 'route', to, from, service: 'rest', listen: take(), target: centers[to].postgres.restPort })
    }
  }
  const network = { pid: null, controlPort: take(), config: join(dir, 'network.json'), log: join(dir, 'network.log'), links }
  return {
    version: 1,
    id: randomBytes(4).toString('hex'),
    dir,
    repoRoot: REPO_ROOT,
    createdAt: new Date().toISOString(),
    scope: 'suanpan-dr',
    database: 'suanpan',
    timings,
    adminToken: `dr-admin-${randomBytes(16).toString('hex')}`,
    lagBoundBytes,
    centers,
    backup: {
      config: join(dir, 'b1', 'pgbackrest.conf'),
      repo: join(dir, 'b1', 'pgbackrest-repo'),
      stanza: 'suanpan',
      log: join(dir, 'b1', 'pgbackrest-commands.log'),
      fullIntervalHours: 24,
    },
    probe: null,
    takeover: null,
    extras: [],
    network,
    pgGuard,
    ready: false,
  }
}

/** Ports `newState` takes: 16 for the centers, 12 ingress + 8 route links and a control port for the network. */
const LAB_PORTS = 16 + 12 + 8 + 1

const timed = async <T>(progress: Progress, step: string, work: () => Promise<T>): Promise<T> => {
  const t0 = performance.now()
  progress(step, { status: 'start' })
  const value = await work()
  progress(step, { status: 'done', seconds: Number(((performance.now() - t0) / 1000).toFixed(2)) })
  return value
}

export async function labUp(options: LabUpOptions = {}): Promise<LabState> {
  const missing = missingEngines()
  if (missing.length) throw new Error(`the DR lab needs: ${missing.join(', ')} (see control-plane/src/dr/README.md)`)
  const progress = options.progress ?? quiet
  const dir = labDir(options.dir)
  const timings = options.timings ?? FAST_TIMINGS
  checkTimings(timings)
  const previous = readState(dir)
  if (previous?.ready && anyAlive(previous)) throw new Error(`a DR lab is already running in ${dir} (suanpan dr lab down --dir ${dir})`)
  if (previous) await labDown({ dir, progress })
  mkdirSync(dir, { recursive: true })
  chmodSync(dir, 0o755)
  const state = newState(dir, await freePorts(LAB_PORTS), timings, options.lagBoundBytes ?? 16 * 1024 * 1024, options.pgGuard ?? false)
  for (const c of Object.values(state.centers)) {
    mkdirSync(c.postgres.socketDir, { recursive: true })
    mkdirSync(c.etcd.dataDir, { recursive: true })
  }
  for (const d of ['pgbackrest-repo', 'pgbackrest-log', 'pgbackrest-lock', 'pgbackrest-spool'])
    mkdirSync(join(dir, 'b1', d), { recursive: true })
  writeState(state)
  try {
    writeFileSync(state.backup.config, pgbackrestConfig(state))
    for (const c of Object.values(state.centers)) {
      chmodSync(c.etcd.dataDir, 0o700)
      writeFileSync(c.postgres.config, `${JSON.stringify(patroniConfig(state, c.name), null, 2)}\n`)
      chownToService(c.dir)
    }
    await timed(progress, 'network: proxies between the centers (a drill can cut two apart)', async () => {
      await startNetwork(state)
      writeState(state)
    })
    await timed(progress, 'etcd: three members (A1, A2, B1)', async () => {
      for (const name of CENTERS) startEtcd(state, name)
      writeState(state)
      await waitFor('etcd members healthy', 30_000, async () => {
        const healthy = await Promise.all(CENTERS.map((n) => etcdHealthy(state.centers[n].etcd.clientPort)))
        return healthy.every(Boolean)
      })
    })
    await timed(progress, 'patroni A1: bootstrap leader', async () => {
      startPatroni(state, 'A1')
      writeState(state)
      await waitFor('A1 leader', 90_000, () => patroniIsPrimary(state.centers.A1.postgres.restPort), 250)
      await waitFor('A1 writable', 30_000, async () => {
        const rows = await pgQuery<{ ro: boolean }>(memberUrl(state, 'A1', 'postgres'), 'select pg_is_in_recovery() as ro')
        return rows[0]?.ro === false
      })
      await pgQuery(memberUrl(state, 'A1', 'postgres'), `create database ${state.database}`, [], 15_000)
    })
    await timed(progress, 'patroni A2 (synchronous standby) and B1 (asynchronous, nofailover + nosync)', async () => {
      startPatroni(state, 'A2')
      startPatroni(state, 'B1')
      writeState(state)
      await waitFor('A2 sync standby and B1 replica streaming', 120_000, async () => {
        const cluster = await patroniCluster(state.centers.A1.postgres.restPort)
        const a2 = cluster.members.find((m) => m.name === 'a2')
        const b1 = cluster.members.find((m) => m.name === 'b1')
        const streaming = (s?: string) => s === 'streaming' || s === 'running'
        return a2?.role === 'sync_standby' && streaming(a2.state) && b1?.role === 'replica' && streaming(b1.state) && b1.lag !== 'unknown'
      })
    })
    await timed(progress, 'haproxy A1, A2 (routes to the member whose Patroni answers /primary)', async () => {
      for (const name of ['A1', 'A2'] as const) startHaproxy(state, name)
      writeState(state)
      await waitFor('haproxy routes to the primary', 15_000, async () => {
        for (const name of ['A1', 'A2'] as const) {
          const port = state.centers[name].haproxy?.port
          if (!port) return false
          const rows = await pgQuery<{ ro: boolean }>(
            `postgres://postgres@127.0.0.1:${port}/postgres`,
            'select pg_is_in_recovery() as ro',
            [],
            2000,
          )
          if (rows[0]?.ro !== false) return false
        }
        return true
      })
    })
    await timed(progress, 'control plane A1, A2', async () => {
      // One at a time: the first runs the migrations.
      for (const name of ['A1', 'A2'] as const) {
        startControlPlane(state, name)
        writeState(state)
        const cp = state.centers[name].controlPlane
        if (!cp) continue
        await waitFor(`control plane ${name} healthy`, 90_000, () => {
          if (!alive(cp.pid)) throw new Error(`control plane ${name} exited (see ${cp.log})`)
          return controlPlaneHealthy(cp.port)
        })
      }
    })
    await timed(progress, 'pgbackrest: stanza in B1, full backup (with the migrated schema) from a standby', async () => {
      await pgbackrest(state, ['stanza-create'], 120_000)
      await pgbackrest(state, ['check'], 120_000)
      await pgbackrest(state, ['--type=full', 'backup'], 300_000)
    })
    state.ready = true
    writeState(state)
    return state
  } catch (error) {
    writeState(state)
    throw error
  }
}

/** The lab's own PostgreSQL tools run as the service user with the lab's config. */
export async function pgbackrest(state: LabState, args: string[], timeoutMs: number): Promise<string> {
  const [cmd, ...base] = pgbackrestCommand(state)
  const t0 = Date.now()
  try {
    return await run(cmd ?? 'pgbackrest', [...base, ...args], { asService: true, timeoutMs, env: serviceEnv(state.centers.B1.dir) })
  } finally {
    try {
      execFileSync('sh', ['-c', `echo "$(date -u +%FT%TZ) pgbackrest ${args.join(' ')} (${Date.now() - t0} ms)" >> "${state.backup.log}"`])
    } catch {}
  }
}

/** Starts the lab network (network-daemon.ts) and waits until its control port answers. */
export async function startNetwork(state: LabState): Promise<void> {
  const n = state.network
  if (!n) throw new Error('this lab has no network (built before it existed): rebuild it')
  const config: NetworkConfig = {
    controlPort: n.controlPort,
    centers: Object.fromEntries(CENTERS.map((c) => [c, state.centers[c].dir])) as Record<CenterName, string>,
    links: n.links,
  }
  writeFileSync(n.config, `${JSON.stringify(config, null, 2)}\n`)
  // As the caller (root, not the service user): it reads /proc/<pid>/fd of the service's processes.
  n.pid = spawnDaemon(process.execPath, ['--import', 'tsx', 'control-plane/src/dr/network-daemon.ts', n.config], {
    cwd: state.repoRoot,
    env: serviceEnv(state.dir),
    log: n.log,
  })
  const pid = n.pid
  await waitFor('lab network answering', 30_000, async () => {
    if (!alive(pid)) throw new Error(`the lab network exited (see ${n.log})`)
    return (await networkStatus(n.controlPort, 1000)).pid === pid
  })
}

export function startEtcd(state: LabState, center: CenterName, options: { forceNewCluster?: boolean } = {}): void {
  const m = state.centers[center].etcd
  m.pid = spawnDaemon('etcd', etcdArgs(state, center, options), {
    env: serviceEnv(state.centers[center].dir, { ETCD_UNSUPPORTED_ARCH: '' }),
    log: m.log,
    asService: true,
  })
}

export function startPatroni(state: LabState, center: CenterName): void {
  const m = state.centers[center].postgres
  // Without PGPASSWORD (it overrides pgpass and breaks pg_rewind and replication).
  m.pid = spawnDaemon('patroni', [m.config], { env: serviceEnv(state.centers[center].dir), log: m.log, asService: true })
}

export function startHaproxy(state: LabState, center: CenterName): void {
  const h = state.centers[center].haproxy
  if (!h) throw new Error(`no HAProxy in ${center}`)
  writeFileSync(h.config, haproxyConfig(state, h.port, center))
  h.pid = spawnDaemon('haproxy', ['-db', '-f', h.config], { env: serviceEnv(state.centers[center].dir), log: h.log })
}

export function controlPlaneEnv(state: LabState, port: number, databaseUrl: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!/^(DATABASE_URL|PORT|HOST|SUANPAN_.*|LOG_LEVEL|PG.*)$/.test(k)) env[k] = v
  return {
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    SUANPAN_ADMIN_TOKEN: state.adminToken,
    SUANPAN_CONSOLE_DIR: 'none',
    SUANPAN_CENSUS_SCHEDULE: 'off',
    SUANPAN_INGEST_WORKERS: '0',
    SUANPAN_REPORT_INTERVAL_SECONDS: '3600',
    LOG_LEVEL: 'warn',
  }
}

/** `node --import tsx control-plane/src/server.ts` (plus the pg guard, see pg-guard.ts) as an operator runs it. */
export function spawnControlPlane(state: LabState, port: number, databaseUrl: string, log: string): number {
  const preload = state.pgGuard ? ['--import', './control-plane/src/dr/pg-guard.ts'] : []
  return spawnDaemon(process.execPath, ['--import', 'tsx', ...preload, 'control-plane/src/server.ts'], {
    cwd: state.repoRoot,
    env: controlPlaneEnv(state, port, databaseUrl),
    log,
  })
}

export function startControlPlane(state: LabState, center: CenterName): void {
  const cp = state.centers[center].controlPlane
  if (!cp) throw new Error(`no control plane in ${center}`)
  cp.pid = spawnControlPlane(state, cp.port, cp.databaseUrl, cp.log)
}

/** Every pid the lab knows of, with what it is. */
export function labProcesses(state: LabState): { what: string; pid: number }[] {
  const list: { what: string; pid: number }[] = []
  for (const c of Object.values(state.centers)) {
    if (c.controlPlane?.pid) list.push({ what: `${c.name} control plane`, pid: c.controlPlane.pid })
    if (c.haproxy?.pid) list.push({ what: `${c.name} haproxy`, pid: c.haproxy.pid })
    if (c.postgres.pid) list.push({ what: `${c.name} patroni`, pid: c.postgres.pid })
    const pm = postmasterPid(c.postgres.dataDir)
    if (pm) list.push({ what: `${c.name} postgres`, pid: pm })
    if (c.etcd.pid) list.push({ what: `${c.name} etcd`, pid: c.etcd.pid })
  }
  if (state.network?.pid) list.push({ what: 'network', pid: state.network.pid })
  for (const e of state.extras ?? []) {
    if (e.pid) list.push({ what: e.name, pid: e.pid })
    if (e.dataDir) {
      const pm = postmasterPid(e.dataDir)
      if (pm) list.push({ what: `${e.name} postgres`, pid: pm })
    }
  }
  return list
}

function anyAlive(state: LabState): boolean {
  return labProcesses(state).some((p) => alive(p.pid))
}

/** Processes whose command line names the lab directory: the sweep after an orderly stop. */
function strays(dir: string): number[] {
  let out = ''
  try {
    out = execFileSync('ps', ['-e', '-o', 'pid=,args='], { encoding: 'utf8' })
  } catch {
    return []
  }
  const pids: number[] = []
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line)
    if (!m) continue
    const pid = Number(m[1])
    if (pid === process.pid) continue
    if ((m[2] ?? '').includes(`${dir}/`)) pids.push(pid)
  }
  return pids
}

export interface LabDownOptions {
  dir?: string | null
  /** Also delete the drill reports (kept by default: they are the history). */
  purge?: boolean
  progress?: Progress
}

/** Stops everything the lab started and removes its directories (reports are kept unless purge). */
export async function labDown(options: LabDownOptions = {}): Promise<{ stopped: string[]; dir: string }> {
  const progress = options.progress ?? quiet
  const dir = labDir(options.dir)
  const state = readState(dir)
  const stopped: string[] = []
  if (state) {
    const stop = async (what: string, pid: number | null | undefined, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000) => {
      if (!pid || !alive(pid)) return
      progress(`stopping ${what}`, { pid })
      await stopGroup(pid, signal, graceMs)
      stopped.push(what)
    }
    // Clients first, then the routers, then the databases (Patroni stops its PostgreSQL), then the DCS.
    await Promise.all([
      ...Object.values(state.centers).map((c) => stop(`${c.name} control plane`, c.controlPlane?.pid)),
      ...(state.extras ?? []).filter((e) => e.kind === 'control-plane').map((e) => stop(e.name, e.pid)),
    ])
    await Promise.all([
      ...Object.values(state.centers).map((c) => stop(`${c.name} haproxy`, c.haproxy?.pid, 'SIGTERM', 2000)),
      ...(state.extras ?? []).filter((e) => e.kind === 'haproxy').map((e) => stop(e.name, e.pid, 'SIGTERM', 2000)),
    ])
    await Promise.all(Object.values(state.centers).map((c) => stop(`${c.name} patroni`, c.postgres.pid, 'SIGTERM', 15_000)))
    const dataDirs = [
      ...Object.values(state.centers).map((c) => c.postgres.dataDir),
      ...(state.extras ?? []).flatMap((e) => (e.dataDir ? [e.dataDir] : [])),
    ]
    await Promise.all(
      dataDirs.map(async (d) => {
        const pm = postmasterPid(d)
        if (pm) {
          progress('stopping postgres', { dataDir: d, pid: pm })
          await stopPostmaster(pm, 'SIGQUIT', 5000)
          stopped.push(`postgres ${d}`)
        }
      }),
    )
    await Promise.all((state.extras ?? []).filter((e) => e.kind === 'other').map((e) => stop(e.name, e.pid)))
    await Promise.all(Object.values(state.centers).map((c) => stop(`${c.name} etcd`, c.etcd.pid, 'SIGTERM', 5000)))
    // The network last: Patroni and etcd talk through it while they stop.
    await stop('network', state.network?.pid, 'SIGTERM', 3000)
  }
  // Anything else still naming the lab directory (a child of a killed wrapper, a restore test).
  for (const pid of strays(dir)) {
    signalGroup(pid, 'SIGKILL')
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
    stopped.push(`stray ${pid}`)
  }
  if (existsSync(dir)) {
    for (const entry of readdirSync(dir)) {
      if (entry === 'reports' && !options.purge) continue
      rmSync(join(dir, entry), { recursive: true, force: true })
    }
    if (options.purge) rmSync(dir, { recursive: true, force: true })
  }
  return { stopped, dir }
}

// ---------------------------------------------------------------- status

export interface CenterStatus {
  name: CenterName
  city: 'A' | 'B'
  /** leader | sync_standby | replica | standalone-primary | down | unknown */
  role: string
  patroniState: string | null
  timeline: number | null
  /** Bytes behind the primary's current WAL position (replay), null when unknown. */
  lagBytes: number | null
  replayLagSeconds: number | null
  processes: {
    etcd: boolean
    etcdHealthy: boolean
    patroni: boolean
    postgres: boolean
    haproxy: boolean | null
    controlPlane: boolean | null
    controlPlaneHealthy: boolean | null
  }
  healthy: boolean
  problems: string[]
}

export interface LabStatus {
  dir: string
  id: string
  ready: boolean
  leader: CenterName | null
  leaderTimeline: number | null
  centers: CenterStatus[]
  healthy: boolean
  problems: string[]
  takeover: LabState['takeover']
  backups: { full: number; latest: string | null } | null
  /** The lab network: null in a lab built before it existed; `cuts` lists active partitions. */
  network: { up: boolean; cuts: NetworkStatus['cuts'] } | null
}

/** A primary's current timeline (pg_control_checkpoint() lags behind a fast promotion). */
export const CURRENT_TIMELINE_SQL = "('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int"

interface ReplicationRow extends Record<string, unknown> {
  application_name: string
  state: string
  sync_state: string
  lag_bytes: number | string | null
  replay_lag_s: number | string | null
}

/** Role, timeline, lag and process health of every center; compares timelines (a failed rewind still "runs"). */
export async function labStatus(state: LabState, options: { backups?: boolean } = {}): Promise<LabStatus> {
  const problems: string[] = []
  // The primary: the member whose PostgreSQL answers pg_is_in_recovery() = false.
  const direct = await Promise.all(
    CENTERS.map(async (name) => {
      try {
        const rows = await pgQuery<{ ro: boolean; tli: number | string | null }>(
          memberUrl(state, name, 'postgres'),
          `select pg_is_in_recovery() as ro,
                  case when pg_is_in_recovery()
                       then coalesce((select received_tli from pg_stat_wal_receiver limit 1), (select timeline_id from pg_control_checkpoint()))
                       else ${CURRENT_TIMELINE_SQL} end as tli`,
          [],
          2000,
        )
        return { name, up: true, ro: rows[0]?.ro ?? null, tli: rows[0]?.tli == null ? null : Number(rows[0].tli) }
      } catch {
        return { name, up: false, ro: null, tli: null }
      }
    }),
  )
  const primaries = direct.filter((d) => d.up && d.ro === false)
  if (primaries.length > 1) problems.push(`split brain: ${primaries.map((p) => p.name).join(' and ')} are both writable`)
  const leader = primaries.length === 1 ? (primaries[0]?.name ?? null) : null
  if (!leader && primaries.length === 0) problems.push('no writable primary')
  let replication: ReplicationRow[] = []
  let leaderTimeline: number | null = null
  if (leader) {
    try {
      replication = await pgQuery<ReplicationRow>(
        memberUrl(state, leader, 'postgres'),
        `select application_name, state, sync_state,
                pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) as lag_bytes,
                extract(epoch from replay_lag) as replay_lag_s
           from pg_stat_replication`,
        [],
        2000,
      )
    } catch (error) {
      problems.push(`cannot read pg_stat_replication on ${leader}: ${(error as Error).message}`)
    }
    leaderTimeline = direct.find((d) => d.name === leader)?.tli ?? null
  }
  const centers: CenterStatus[] = []
  for (const name of CENTERS) {
    const c = state.centers[name]
    const d = direct.find((x) => x.name === name)
    const cproblems: string[] = []
    const etcd = alive(c.etcd.pid)
    const etcdOk = etcd && (await etcdHealthy(c.etcd.clientPort))
    const patroni = alive(c.postgres.pid)
    const postgres = postmasterPid(c.postgres.dataDir) !== null
    let patroniState: string | null = null
    let role = 'down'
    let timeline = d?.tli ?? null
    if (patroni) {
      try {
        const s = await patroniStatus(c.postgres.restPort)
        patroniState = s.state
        if (typeof s.timeline === 'number') timeline = s.timeline
      } catch {
        patroniState = 'unreachable'
      }
    }
    if (d?.up) role = d.ro === false ? (patroni ? 'leader' : 'standalone-primary') : 'replica'
    const rep = replication.find((r) => r.application_name === c.postgres.name)
    if (rep && role === 'replica' && rep.sync_state === 'sync') role = 'sync_standby'
    const lagBytes = name === leader ? 0 : rep?.lag_bytes == null ? null : Number(rep.lag_bytes)
    const replayLagSeconds = name === leader ? 0 : rep?.replay_lag_s == null ? null : Number(rep.replay_lag_s)
    const haproxy = c.haproxy ? alive(c.haproxy.pid) : null
    const cp = c.controlPlane ? alive(c.controlPlane.pid) : null
    const cpOk = c.controlPlane && cp ? await controlPlaneHealthy(c.controlPlane.port) : c.controlPlane ? false : null
    if (!etcdOk) cproblems.push(etcd ? 'etcd member unhealthy' : 'etcd member down')
    if (!patroni && !state.takeover) cproblems.push('patroni down')
    if (!postgres) cproblems.push('postgres down')
    else if (!d?.up) cproblems.push('postgres not answering')
    if (name !== leader && d?.up) {
      if (!rep) cproblems.push('not replicating from the primary')
      else if (rep.state !== 'streaming') cproblems.push(`replication state ${rep.state}`)
      if (lagBytes !== null && lagBytes > state.lagBoundBytes) cproblems.push(`lag ${lagBytes} bytes over the bound ${state.lagBoundBytes}`)
    }
    if (leaderTimeline !== null && timeline !== null && timeline !== leaderTimeline)
      cproblems.push(`timeline ${timeline} differs from the primary's ${leaderTimeline}`)
    if (haproxy === false) cproblems.push('haproxy down')
    if (cp === false) cproblems.push('control plane down')
    else if (cpOk === false) cproblems.push('control plane unhealthy')
    centers.push({
      name,
      city: c.city,
      role,
      patroniState,
      timeline,
      lagBytes,
      replayLagSeconds,
      processes: { etcd, etcdHealthy: etcdOk, patroni, postgres, haproxy, controlPlane: cp, controlPlaneHealthy: cpOk },
      healthy: cproblems.length === 0,
      problems: cproblems,
    })
    for (const p of cproblems) problems.push(`${name}: ${p}`)
  }
  if (leader && !state.takeover) {
    const sync = centers.filter((c) => c.role === 'sync_standby').map((c) => c.name)
    if (sync.length === 0) problems.push('no synchronous standby')
    if (sync.includes('B1')) problems.push('B1 became the synchronous standby (it must be nosync)')
  }
  let backups: LabStatus['backups'] = null
  if (options.backups !== false) {
    try {
      backups = await backupInfo(state)
      if (backups.full === 0) problems.push('no full backup in the repository')
    } catch (error) {
      problems.push(`pgbackrest info failed: ${(error as Error).message.split('\n')[0]}`)
    }
  }
  for (const e of state.extras ?? []) {
    if (e.kind === 'control-plane' && e.port && !(await controlPlaneHealthy(e.port))) problems.push(`${e.name}: unhealthy`)
  }
  let network: LabStatus['network'] = null
  if (state.network) {
    try {
      const n = await networkStatus(state.network.controlPort, 2000)
      network = { up: true, cuts: n.cuts }
      for (const cut of n.cuts) problems.push(`network: ${cut.a} and ${cut.b} are cut apart (${cut.mode}) since ${cut.since}`)
    } catch {
      network = { up: false, cuts: [] }
      problems.push(`network: the lab network is down (every cross-center link; see ${state.network.log})`)
    }
  }
  return {
    dir: state.dir,
    id: state.id,
    ready: state.ready,
    leader,
    leaderTimeline,
    centers,
    healthy: state.ready && problems.length === 0,
    problems,
    takeover: state.takeover,
    backups,
    network,
  }
}

interface PgbackrestInfo {
  name: string
  status: { code: number; message: string }
  backup: { label: string; type: string; timestamp: { start: number; stop: number }; error?: boolean }[]
}

export async function backupInfo(state: LabState): Promise<{ full: number; latest: string | null }> {
  const out = await pgbackrest(state, ['--output=json', 'info'], 30_000)
  const info = (JSON.parse(out) as PgbackrestInfo[])[0]
  const backups = (info?.backup ?? []).filter((b) => !b.error)
  const full = backups.filter((b) => b.type === 'full')
  const last = backups[backups.length - 1]
  return { full: full.length, latest: last ? new Date(last.timestamp.stop * 1000).toISOString() : null }
}

/** Takes a backup now (`full` for the scheduled full backup to B1). */
export async function takeBackup(
  state: LabState,
  type: 'full' | 'diff' | 'incr' = 'full',
): Promise<{ label: string | null; seconds: number }> {
  const t0 = performance.now()
  await pgbackrest(state, [`--type=${type}`, 'backup'], 300_000)
  const out = await pgbackrest(state, ['--output=json', 'info'], 30_000)
  const info = (JSON.parse(out) as PgbackrestInfo[])[0]
  const last = info?.backup[info.backup.length - 1]
  return { label: last?.label ?? null, seconds: (performance.now() - t0) / 1000 }
}
