// Failover drills on the lab: pre-flight, fault, measured recovery (RTO, RPO, phases, integrity),
// recovery/failback, verdict, report. Every step is bounded by a timeout; a kill switch (a file in the
// lab directory, or an AbortSignal such as SIGINT in the CLI) stops a drill and restores what it can.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { hostname, userInfo } from 'node:os'
import { join } from 'node:path'
import { controlPlaneHealthy, etcdHealthy, patroniCluster, pgQuery, postJson } from './clients'
import { memberUrl, pgbackrestCommand, postgresBinDir, WAL_SENDER_TIMEOUT } from './configs'
import { fitLevel, loadLevels } from './gbt20988'
import {
  backupInfo,
  CURRENT_TIMELINE_SQL,
  labStatus,
  type Progress,
  spawnControlPlane,
  startControlPlane,
  startEtcd,
  startHaproxy,
  startPatroni,
} from './lab'
import { analyse, MemberWatch } from './member-watch'
import { networkCut, networkHeal, networkStatus } from './network'
import { GUARD_MARK } from './pg-guard'
import { Probe, type ProbeTarget, registerProbe } from './probe'
import {
  AbortError,
  alive,
  chownToService,
  freePorts,
  groupMembers,
  pgidOf,
  portOpen,
  postmasterPid,
  run,
  serviceEnv,
  signalGroup,
  sleep,
  stopGroup,
  stopPostmaster,
  TimeoutError,
  waitFor,
  withTimeout,
} from './proc'
import {
  type DrillMeasurements,
  type DrillReport,
  type DrillStep,
  type DrillTargets,
  type IntegrityResult,
  type MemberDigest,
  type PreflightCheck,
  REPORT_SCHEMA,
  type RpoResult,
  saveReport,
  type Verdict,
} from './report'
import { CENTERS, type CenterName, type ExtraProcess, type LabState, labDir, requireState, writeState } from './state'

export type ScenarioId = 'a1-lost' | 'a1-db-lost' | 'same-city-partition' | 'remote-takeover' | 'failback' | 'backup-restore' | 'switchover'

export interface ScenarioDef {
  id: ScenarioId
  title: string
  titleZh: string
  description: string
  /** What rtoSeconds measures when it is not fault → first acknowledged API write (shown in the report). */
  rtoMeaning?: string
  targets: Omit<DrillTargets, 'lagBoundBytes'>
  /** The fault and the measured recovery. */
  run(d: Drill): Promise<void>
  /** Puts the lab back (restart the lost center, fail back); also run after an abort or a failure. */
  recover(d: Drill): Promise<void>
  /** Runs on a lab that B1 took over (failback); every other scenario needs the lab as `up` built it. */
  acceptsTakenOver?: boolean
}

/** The name of the kill-switch file in the lab directory: its presence stops a running drill. */
export const KILL_SWITCH = 'STOP-DRILL'
export const killSwitchPath = (dir: string) => join(dir, KILL_SWITCH)

export class StepFailed extends Error {}

type Part = 'controlPlane' | 'haproxy' | 'patroni' | 'postgres' | 'etcd'
const ALL_PARTS: Part[] = ['controlPlane', 'haproxy', 'patroni', 'postgres', 'etcd']

export interface DrillOptions {
  dir?: string | null
  trigger?: 'manual' | 'scheduled'
  operator?: string
  progress?: Progress
  /** Aborting it works like the kill-switch file. */
  signal?: AbortSignal
  targets?: Partial<DrillTargets>
  /** Restore the lab after the drill (restart the lost center, fail back). Default true. */
  recover?: boolean
}

/** One drill in progress: steps, marks and measurements; the scenario functions drive it. */
export class Drill {
  readonly id: string
  readonly startedMs = Date.now()
  readonly steps: DrillStep[] = []
  readonly findings: string[] = []
  readonly checks: PreflightCheck[] = []
  faultAt: number | null = null
  detectedAt: number | null = null
  promotedAt: number | null = null
  firstAck: number | null = null
  probe: Probe | null = null
  primary: CenterName = 'A1'
  /** Scenario-specific failures that fail the verdict without failing a step (split brain seen). */
  readonly violations: string[] = []
  /** RPO counts writes acknowledged from this time on (epoch ms; null: every write of the drill). */
  rpoSince: number | null = null
  /** Run when the drill ends, whatever happened (background watchers). */
  readonly cleanup: (() => Promise<void>)[] = []
  readonly m: DrillMeasurements = {
    faultAt: null,
    firstAckAt: null,
    rtoSeconds: null,
    phases: { detectionSeconds: null, promotionSeconds: null, trafficSwitchSeconds: null },
    rpo: null,
    rpoAfterRecovery: null,
    probe: { writes: 0, acked: 0, failed: 0, intervalMs: 100, byTarget: {} },
    integrity: null,
    integrityAfterRecovery: null,
    replication: { reestablished: null, note: 'not checked' },
    switchover: null,
    extra: {},
  }

  constructor(
    readonly state: LabState,
    readonly scenario: ScenarioDef,
    readonly targets: DrillTargets,
    readonly progress: Progress,
    private readonly signal: AbortSignal | undefined,
  ) {
    const stamp = new Date(this.startedMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
    this.id = `${stamp}-${scenario.id}-${randomBytes(2).toString('hex')}`
  }

  aborted = (): boolean => Boolean(this.signal?.aborted) || existsSync(killSwitchPath(this.state.dir))

  since = (t: number | null) => (t === null ? null : Number(((t - this.startedMs) / 1000).toFixed(3)))

  /** Runs one bounded step and records it. Throws StepFailed on failure or timeout, AbortError on abort. */
  async step<T>(name: string, timeoutMs: number, work: () => Promise<T>, describe?: (value: T) => Record<string, unknown>): Promise<T> {
    if (this.aborted()) throw new AbortError(`kill switch before "${name}"`)
    const started = Date.now()
    this.progress(name, { status: 'start', drill: this.id })
    const record = (status: DrillStep['status'], detail: Record<string, unknown>, error?: string) => {
      const ended = Date.now()
      this.steps.push({
        name,
        startedAt: Number(((started - this.startedMs) / 1000).toFixed(3)),
        seconds: Number(((ended - started) / 1000).toFixed(3)),
        sinceFault: this.faultAt === null ? null : Number(((ended - this.faultAt) / 1000).toFixed(3)),
        timeoutSeconds: timeoutMs / 1000,
        status,
        detail,
        ...(error ? { error } : {}),
      })
      this.progress(name, { status, seconds: Number(((ended - started) / 1000).toFixed(2)), ...(error ? { error } : {}) })
    }
    try {
      // waitFor loops inside a step use the same budget; this outer bound catches anything else.
      const value = await withTimeout(name, timeoutMs + 2000, work())
      record('ok', describe ? describe(value) : {})
      return value
    } catch (error) {
      const e = error as Error
      if (e instanceof AbortError || this.aborted()) {
        record('aborted', {}, e.message)
        throw e instanceof AbortError ? e : new AbortError(e.message)
      }
      record(e instanceof TimeoutError ? 'timeout' : 'failed', {}, e.message)
      throw new StepFailed(`${name}: ${e.message}`)
    }
  }

  wait<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, every = 100) {
    return waitFor(what, timeoutMs, probe, every, this.aborted)
  }

  markFault(): void {
    this.faultAt = Date.now()
    this.m.faultAt = new Date(this.faultAt).toISOString()
  }

  probeTargets = (): ProbeTarget[] => {
    const list: ProbeTarget[] = []
    for (const name of CENTERS) {
      const cp = this.state.centers[name].controlPlane
      if (cp) list.push({ name, url: `http://127.0.0.1:${cp.port}` })
    }
    return list
  }

  /** Waits for the first acknowledged write sent after the fault: RTO. */
  async awaitFirstAck(timeoutMs: number): Promise<void> {
    const fault = this.faultAt ?? Date.now()
    await this.step(
      'traffic: first acknowledged write through the API after the fault',
      timeoutMs,
      async () => {
        const ack = await this.wait('first acknowledged write', timeoutMs, () => this.probe?.firstAckAfter(fault) ?? null, 50)
        this.firstAck = ack.doneAt
        this.m.firstAckAt = new Date(ack.doneAt).toISOString()
        this.m.rtoSeconds = Number(((ack.doneAt - fault) / 1000).toFixed(3))
        if (this.detectedAt !== null) this.m.phases.detectionSeconds = Number(((this.detectedAt - fault) / 1000).toFixed(3))
        if (this.promotedAt !== null) {
          this.m.phases.promotionSeconds = Number(((this.promotedAt - (this.detectedAt ?? fault)) / 1000).toFixed(3))
          this.m.phases.trafficSwitchSeconds = Number((Math.max(0, ack.doneAt - this.promotedAt) / 1000).toFixed(3))
        }
        return ack
      },
      (ack) => ({ rtoSeconds: this.m.rtoSeconds, sequence: ack.sequence, via: ack.target }),
    )
    // A few more seconds of acknowledged writes on the new primary before checking.
    await this.step('stabilise: writes keep being acknowledged', 15_000, async () => {
      const from = Date.now()
      await this.wait('5 further acknowledged writes', 15_000, () => (this.probe?.ackedBetween(from, Date.now()).length ?? 0) >= 5)
    })
  }
}

// ---------------------------------------------------------------- center faults and restarts

function centerGroups(state: LabState, center: CenterName, parts: Part[]): { what: Part; pgid: number; pid: number }[] {
  const c = state.centers[center]
  const out: { what: Part; pgid: number; pid: number }[] = []
  const add = (what: Part, pid: number | null | undefined, group?: number | null) => {
    if (pid && alive(pid)) out.push({ what, pid, pgid: group ?? pid })
  }
  if (parts.includes('controlPlane')) add('controlPlane', c.controlPlane?.pid)
  if (parts.includes('haproxy')) add('haproxy', c.haproxy?.pid)
  if (parts.includes('patroni')) add('patroni', c.postgres.pid)
  if (parts.includes('postgres')) {
    const pm = postmasterPid(c.postgres.dataDir)
    if (pm) add('postgres', pm, pgidOf(pm))
  }
  if (parts.includes('etcd')) add('etcd', c.etcd.pid)
  return out
}

/** kill -9, all at once: Patroni, the postmaster and its backends, etcd member, HAProxy, control plane. */
function killCenters(state: LabState, centers: CenterName[], parts: Part[]): { center: CenterName; what: Part; pid: number }[] {
  const groups = centers.flatMap((c) => centerGroups(state, c, parts).map((g) => ({ ...g, center: c })))
  for (const g of groups) signalGroup(g.pgid, 'SIGKILL')
  for (const g of groups) {
    try {
      process.kill(g.pid, 'SIGKILL')
    } catch {}
  }
  return groups.map((g) => ({ center: g.center, what: g.what, pid: g.pid }))
}

function centerPorts(state: LabState, center: CenterName, parts: Part[]): number[] {
  const c = state.centers[center]
  const ports: number[] = []
  if (parts.includes('controlPlane') && c.controlPlane) ports.push(c.controlPlane.port)
  if (parts.includes('haproxy') && c.haproxy) ports.push(c.haproxy.port)
  if (parts.includes('patroni')) ports.push(c.postgres.restPort)
  if (parts.includes('postgres')) ports.push(c.postgres.port)
  if (parts.includes('etcd')) ports.push(c.etcd.clientPort, c.etcd.peerPort)
  return ports
}

/** Fencing: every process of the lost centers is gone and none of their ports answers. */
async function fence(d: Drill, centers: CenterName[], parts: Part[], killed: { pid: number }[]): Promise<void> {
  await d.step(
    `fence: ${centers.join(' and ')} confirmed dead (no process, no open port)`,
    10_000,
    async () => {
      await d.wait('lost processes gone', 10_000, async () => {
        if (killed.some((k) => alive(k.pid))) return false
        for (const c of centers) {
          if (parts.includes('postgres') && postmasterPid(d.state.centers[c].postgres.dataDir)) return false
          for (const port of centerPorts(d.state, c, parts)) if (await portOpen(port, 200)) return false
        }
        return true
      })
    },
    () => ({ killed: killed.length }),
  )
  for (const c of centers) {
    const center = d.state.centers[c]
    if (parts.includes('controlPlane') && center.controlPlane) center.controlPlane.pid = null
    if (parts.includes('haproxy') && center.haproxy) center.haproxy.pid = null
    if (parts.includes('patroni')) center.postgres.pid = null
    if (parts.includes('etcd')) center.etcd.pid = null
  }
  writeState(d.state)
}

async function leaderOf(
  state: LabState,
  via: CenterName[],
): Promise<{ leader: string | null; members: { name: string; role: string; state: string; timeline?: number }[] } | null> {
  for (const c of via) {
    try {
      const cluster = await patroniCluster(state.centers[c].postgres.restPort, 800)
      return { leader: cluster.members.find((m) => m.role === 'leader')?.name ?? null, members: cluster.members }
    } catch {}
  }
  return null
}

async function writable(state: LabState, center: CenterName, timeoutMs = 1500): Promise<boolean> {
  const rows = await pgQuery<{ ro: boolean }>(memberUrl(state, center, 'postgres'), 'select pg_is_in_recovery() as ro', [], timeoutMs)
  return rows[0]?.ro === false
}

/** Restarts what a fault killed in a center; Patroni rejoins it as a replica (pg_rewind if needed). */
/**
 * Restarts what a fault killed in a center and waits until the cluster has settled: a writable leader
 * and this center either leading or streaming from the leader on its timeline (Patroni rejoins it,
 * with pg_rewind when needed). Whoever leads, A1 or A2: after an abort the old leader key may still hold.
 */
async function restartCenter(d: Drill, center: CenterName, parts: Part[]): Promise<CenterName> {
  const s = d.state
  const c = s.centers[center]
  return d.step(
    `recover ${center}: restart its processes and rejoin the cluster`,
    150_000,
    async () => {
      if (parts.includes('etcd') && !alive(c.etcd.pid)) {
        startEtcd(s, center)
        writeState(s)
        await d.wait(`${center} etcd member healthy`, 30_000, () => etcdHealthy(c.etcd.clientPort))
      }
      if (parts.includes('patroni') && !alive(c.postgres.pid)) {
        startPatroni(s, center)
        writeState(s)
      }
      const name = c.postgres.name
      const leader = await d.wait(
        `${center} leading, or streaming from the leader on its timeline`,
        110_000,
        async () => {
          const view = await leaderOf(s, ['A1', 'A2', 'B1'])
          const lead = view?.members.find((m) => m.role === 'leader')
          const me = view?.members.find((m) => m.name === name)
          const leadCenter = CENTERS.find((x) => s.centers[x].postgres.name === lead?.name)
          if (!lead || !me || !leadCenter || !(await writable(s, leadCenter))) return null
          if (lead.name === name) return leadCenter
          if (me.state !== 'running' && me.state !== 'streaming') return null
          if (lead.timeline !== undefined && me.timeline !== undefined && lead.timeline !== me.timeline) return null
          return !(await writable(s, center)) && (await replicationState(s, leadCenter, name)) === 'streaming' ? leadCenter : null
        },
        250,
      )
      if (parts.includes('haproxy') && c.haproxy && !alive(c.haproxy.pid)) startHaproxy(s, center)
      if (parts.includes('controlPlane') && c.controlPlane && !alive(c.controlPlane.pid)) {
        startControlPlane(s, center)
        writeState(s)
        const cp = c.controlPlane
        await d.wait(`${center} control plane healthy`, 60_000, () => controlPlaneHealthy(cp.port), 250)
      }
      writeState(s)
      return leader
    },
    (leader) => ({ leader }),
  )
}

async function replicationState(state: LabState, leader: CenterName, member: string): Promise<string | null> {
  const rows = await pgQuery<{ state: string }>(
    memberUrl(state, leader, 'postgres'),
    'select state from pg_stat_replication where application_name = $1',
    [member],
    1500,
  )
  return rows[0]?.state ?? null
}

/** Planned switchover with Patroni (POST /switchover), measured: duration and longest write gap. */
async function switchover(
  d: Drill,
  from: CenterName,
  to: CenterName,
  label: string,
): Promise<{ started: number; switched: number; firstAck: number }> {
  const s = d.state
  const fromName = s.centers[from].postgres.name
  const toName = s.centers[to].postgres.name
  await d.step(`${label}: wait until ${to} is the synchronous standby`, 60_000, async () => {
    await d.wait(
      `${to} sync standby`,
      60_000,
      async () => {
        const view = await leaderOf(s, [from, to])
        return view?.members.find((m) => m.name === toName)?.role === 'sync_standby'
      },
      250,
    )
  })
  const started = Date.now()
  await d.step(
    `${label}: switchover ${from} → ${to} (Patroni POST /switchover)`,
    60_000,
    async () => {
      const res = await postJson(
        `http://127.0.0.1:${s.centers[from].postgres.restPort}/switchover`,
        { leader: fromName, candidate: toName },
        45_000,
      )
      if (res.status !== 200) throw new Error(`switchover answered ${res.status}: ${res.text}`)
      await d.wait(
        `${to} writable leader`,
        45_000,
        async () => {
          const view = await leaderOf(s, [to, from])
          return view?.leader === toName && (await writable(s, to))
        },
        100,
      )
      return res.text
    },
    (text) => ({ patroni: text.trim() }),
  )
  const switched = Date.now()
  const ack = await d.step(`${label}: first acknowledged write after the switchover`, 30_000, async () =>
    d.wait('ack after switchover', 30_000, () => d.probe?.firstAckAfter(switched) ?? null, 50),
  )
  await sleep(1000)
  d.m.switchover = {
    to,
    seconds: Number(((switched - started) / 1000).toFixed(3)),
    longestWriteGapSeconds: Number(((d.probe?.longestGap(started, Date.now()) ?? 0) / 1000).toFixed(3)),
  }
  d.primary = to
  return { started, switched, firstAck: ack.doneAt }
}

// ---------------------------------------------------------------- measurements

interface CountRow extends Record<string, unknown> {
  t: string
  n: number | string
  h: string | null
}

const DIGEST_SQL = `
select 'clusters' as t, count(*) as n, md5(coalesce(string_agg(id || ':' || coalesce(last_sequence::text, '-'), ',' order by id), '')) as h from clusters
union all
select 'report_log', count(*), md5(coalesce(string_agg(cluster_id || ':' || sequence::text || ':' || kind, ',' order by cluster_id, sequence), '')) from report_log
union all
select 'cluster_state', count(*), md5(coalesce(string_agg(cluster_id || ':' || full_sequence::text || ':' || coalesce(usage_sequence::text, '-'), ',' order by cluster_id), '')) from cluster_state
union all
select 'ledger_rows', count(*), md5(coalesce(string_agg(cluster_id || ':' || row_key || ':' || nodes::text || ':' || devices::text || ':' || cpu_req_millis::text, ',' order by cluster_id, row_key), '')) from ledger_rows
union all
select 'history_samples', count(*), md5(coalesce(string_agg(cluster_id || ':' || ts::text, ',' order by cluster_id, ts), '')) from history_samples`

async function digest(url: string, member: string, role: string): Promise<MemberDigest> {
  const rows = await pgQuery<CountRow>(url, DIGEST_SQL, [], 10_000)
  return { member, role, tables: rows.map((r) => ({ table: r.t, rows: Number(r.n), checksum: r.h ?? '' })) }
}

/**
 * Row counts and checksums of the ledger tables on every surviving member, after each replica has
 * replayed up to the primary's current WAL position. The probe pauses meanwhile (a write landing
 * between the primary's digest and a replica's would make them differ by their last rows) and resumes
 * afterwards; retried (a control plane's own background write can still land between).
 */
async function integrity(
  d: Drill,
  primary: { name: string; url: string },
  replicas: { name: string; url: string }[],
): Promise<IntegrityResult> {
  const probe = d.probe
  const paused = probe?.active === true
  if (paused) await probe.stop()
  try {
    const result = await compareMembers(d, primary, replicas)
    if (paused) result.note += ' (probe paused while comparing)'
    return result
  } finally {
    if (paused) probe.start()
  }
}

async function compareMembers(
  d: Drill,
  primary: { name: string; url: string },
  replicas: { name: string; url: string }[],
): Promise<IntegrityResult> {
  let last: IntegrityResult | null = null
  for (let attempt = 0; attempt < 3; attempt++) {
    const lsn = (await pgQuery<{ lsn: string }>(primary.url, 'select pg_current_wal_lsn()::text as lsn', [], 5000))[0]?.lsn
    for (const r of replicas) {
      await d.wait(`${r.name} replayed to ${lsn}`, 20_000, async () => {
        const rows = await pgQuery<{ ok: boolean }>(
          r.url,
          'select pg_wal_lsn_diff(pg_last_wal_replay_lsn(), $1::pg_lsn) >= 0 as ok',
          [lsn],
          2000,
        )
        return rows[0]?.ok === true
      })
    }
    const members = [await digest(primary.url, primary.name, 'primary')]
    for (const r of replicas) members.push(await digest(r.url, r.name, 'replica'))
    const ref = JSON.stringify(members[0]?.tables)
    const ok = members.every((m) => JSON.stringify(m.tables) === ref)
    last = {
      ok,
      members,
      note: replicas.length
        ? `${members.length} members compared after replay to ${lsn}: ${ok ? 'identical' : 'DIFFERENT'}`
        : 'single surviving member: nothing to compare with (see RPO for the acknowledged writes)',
    }
    if (ok) return last
    await sleep(1000)
  }
  return last as IntegrityResult
}

/** Looks up every acknowledged probe write on `url` (the current primary). */
async function checkRpo(d: Drill, url: string, checkedOn: string): Promise<RpoResult> {
  const probe = d.probe
  const id = d.state.probe
  if (!probe || !id) throw new Error('no probe')
  const since = d.rpoSince
  const acked = since === null ? probe.acked : probe.acked.filter((w) => w.sentAt >= since)
  const min = acked[0]?.sequence ?? 0
  const rows = await pgQuery<{ sequence: string }>(
    url,
    'select sequence::text as sequence from report_log where cluster_id = $1 and sequence >= $2',
    [id.clusterId, min],
    10_000,
  )
  const present = new Set(rows.map((r) => Number(r.sequence)))
  const last = await pgQuery<{ last: string | null }>(
    url,
    'select last_sequence::text as last from clusters where id = $1',
    [id.clusterId],
    5000,
  )
  const missing = acked.filter((w) => !present.has(w.sequence))
  const fault = d.faultAt ?? Date.now()
  const first = missing[0]
  const lastMissing = missing[missing.length - 1]
  return {
    checkedOn,
    ackedWrites: acked.length,
    missingWrites: missing.length,
    missingSequences: missing.slice(0, 50).map((w) => w.sequence),
    missingSpanSeconds: first && lastMissing ? Number(((lastMissing.doneAt - first.doneAt) / 1000).toFixed(3)) : 0,
    rpoSeconds: first ? Number((Math.max(0, fault - first.sentAt) / 1000).toFixed(3)) : 0,
    lastSequenceInLedger: last[0]?.last == null ? null : Number(last[0].last),
  }
}

/** An RPO result for a step's detail: the missing sequences are in the measurements, not repeated here. */
const rpoSummary = (r: RpoResult): Record<string, unknown> => ({
  checkedOn: r.checkedOn,
  ackedWrites: r.ackedWrites,
  missingWrites: r.missingWrites,
  rpoSeconds: r.rpoSeconds,
})

function guardLines(state: LabState): number {
  let n = 0
  const logs = [
    ...CENTERS.map((c) => state.centers[c].controlPlane?.log),
    ...state.extras.filter((e) => e.kind === 'control-plane').map((e) => e.log),
  ]
  for (const log of logs) {
    if (!log || !existsSync(log)) continue
    n += readFileSync(log, 'utf8').split(GUARD_MARK).length - 1
  }
  return n
}

// ---------------------------------------------------------------- scenarios

async function sameCityLoss(d: Drill, parts: Part[]): Promise<void> {
  const s = d.state
  const killed = await d.step(
    `fault: kill -9 A1's ${parts.join(', ')}`,
    5000,
    async () => {
      d.markFault()
      return killCenters(s, ['A1'], parts)
    },
    (k) => ({ killed: k.map((x) => `${x.what}:${x.pid}`) }),
  )
  await fence(d, ['A1'], parts, killed)
  const survivors: CenterName[] = ['A2', 'B1']
  await d.step('detection: the DCS no longer holds A1 as leader (leader key expired)', 60_000, async () => {
    const view = await d.wait(
      'leader key of a1 gone',
      60_000,
      async () => {
        const v = await leaderOf(s, survivors)
        return v && v.leader !== 'a1' ? v : null
      },
      100,
    )
    d.detectedAt = Date.now()
    return view
  })
  await d.step(
    'promotion: A2 is the writable primary',
    60_000,
    async () => {
      await d.wait('A2 writable', 60_000, async () => (await writable(s, 'A2', 800)) || null, 100)
      d.promotedAt = Date.now()
      d.primary = 'A2'
      return (
        (await pgQuery<{ tli: number }>(memberUrl(s, 'A2', 'postgres'), `select ${CURRENT_TIMELINE_SQL} as tli`, [], 3000))[0]?.tli ?? null
      )
    },
    (timeline) => ({ timeline }),
  )
  await d.awaitFirstAck(60_000)
  d.m.rpo = await d.step('RPO: acknowledged writes on the new primary A2', 20_000, () => checkRpo(d, memberUrl(s, 'A2'), 'A2'), rpoSummary)
  d.m.integrity = await d.step(
    'integrity: ledger tables on A2 and B1',
    45_000,
    () => integrity(d, { name: 'A2', url: memberUrl(s, 'A2') }, [{ name: 'B1', url: memberUrl(s, 'B1') }]),
    (r) => ({ ok: r.ok }),
  )
}

async function sameCityRecover(d: Drill, parts: Part[]): Promise<void> {
  const leader = await restartCenter(d, 'A1', parts)
  d.primary = leader
  if (leader === 'A2') await switchover(d, 'A2', 'A1', 'failback')
  await finalChecks(d)
}

/** A control plane that died during the drill (not one the fault killed) is restarted, and the report says so. */
async function reviveControlPlanes(d: Drill): Promise<void> {
  const s = d.state
  for (const name of ['A1', 'A2'] as const) {
    const cp = s.centers[name].controlPlane
    if (!cp || alive(cp.pid)) continue
    d.findings.push(`the control plane in ${name} exited during the drill (see ${cp.log}); restarted`)
    await d.step(`recover ${name}: restart its control plane, which exited`, 60_000, async () => {
      startControlPlane(s, name)
      writeState(s)
      await d.wait(`${name} control plane healthy`, 60_000, () => controlPlaneHealthy(cp.port), 250)
    })
  }
}

/** After recovery: the lab is healthy again, all acknowledged writes are on the primary, all members agree. */
async function finalChecks(d: Drill): Promise<void> {
  const s = d.state
  await reviveControlPlanes(d)
  const primary = d.primary
  d.m.rpoAfterRecovery = await d.step(
    `RPO after recovery: every acknowledged write on ${primary}`,
    20_000,
    async () => {
      await d.probe?.stop()
      return checkRpo(d, memberUrl(s, primary), primary)
    },
    (r) => ({ missingWrites: r.missingWrites, ackedWrites: r.ackedWrites }),
  )
  d.m.integrityAfterRecovery = await d.step(
    'integrity after recovery: ledger tables on all three centers',
    45_000,
    () =>
      integrity(
        d,
        { name: primary, url: memberUrl(s, primary) },
        CENTERS.filter((c) => c !== primary).map((c) => ({ name: c, url: memberUrl(s, c) })),
      ),
    (r) => ({ ok: r.ok }),
  )
  const status = await d.step(
    'replication re-established: lab status healthy',
    60_000,
    async () => {
      let last: Awaited<ReturnType<typeof labStatus>> | null = null
      try {
        return await d.wait(
          'lab healthy',
          60_000,
          async () => {
            last = await labStatus(s, { backups: false })
            return last.healthy ? last : null
          },
          500,
        )
      } catch (error) {
        throw new Error(`${(error as Error).message}; problems: ${(last as { problems: string[] } | null)?.problems.join('; ')}`)
      }
    },
    (st) => ({ leader: st.leader, timeline: st.leaderTimeline, roles: Object.fromEntries(st.centers.map((c) => [c.name, c.role])) }),
  )
  d.m.replication = {
    reestablished: true,
    note: `leader ${status.leader} on timeline ${status.leaderTimeline}; ${status.centers
      .filter((c) => c.name !== status.leader)
      .map((c) => `${c.name} ${c.role}`)
      .join(', ')} streaming`,
  }
}

const a1Lost: ScenarioDef = {
  id: 'a1-lost',
  title: 'Center A1 lost',
  titleZh: '主中心A1整体失效',
  description:
    'kill -9 of everything in A1 (Patroni, the postmaster and its backends, the etcd member, HAProxy, the control plane); Patroni promotes the synchronous standby in A2; then A1 is restarted, rejoins with pg_rewind and the lab fails back to A1 by a planned switchover',
  targets: { rtoSeconds: 30, rpoWrites: 0, rpoSeconds: 0, requireReplication: true },
  run: (d) => sameCityLoss(d, ALL_PARTS),
  recover: (d) => sameCityRecover(d, ALL_PARTS),
}

const a1DbLost: ScenarioDef = {
  id: 'a1-db-lost',
  title: 'A1 database lost',
  titleZh: 'A1数据库失效',
  description:
    "kill -9 of A1's database host only (Patroni, the postmaster and its backends); A1's etcd member, HAProxy and control plane keep running and must follow the promotion of A2; then fail back",
  targets: { rtoSeconds: 30, rpoWrites: 0, rpoSeconds: 0, requireReplication: true },
  run: (d) => sameCityLoss(d, ['patroni', 'postgres']),
  recover: (d) => sameCityRecover(d, ['patroni', 'postgres']),
}

const plannedSwitchover: ScenarioDef = {
  id: 'switchover',
  title: 'Planned switchover and failback',
  titleZh: '计划内切换与回切',
  description: 'Patroni switchover A1 → A2 (maintenance), then back A2 → A1; RTO is the longest stretch without an acknowledged write',
  targets: { rtoSeconds: 15, rpoWrites: 0, rpoSeconds: 0, requireReplication: true },
  async run(d) {
    d.markFault()
    await switchover(d, 'A1', 'A2', 'switchover')
    const out = d.m.switchover
    d.m.extra.switchoverOut = out
    d.m.rtoSeconds = out?.longestWriteGapSeconds ?? null
    d.m.phases.promotionSeconds = out?.seconds ?? null
    d.m.rpo = await d.step('RPO: acknowledged writes on A2', 20_000, () => checkRpo(d, memberUrl(d.state, 'A2'), 'A2'), rpoSummary)
  },
  async recover(d) {
    const leader = (await leaderOf(d.state, ['A1', 'A2']))?.leader
    if (leader === 'a2') await switchover(d, 'A2', 'A1', 'failback')
    await finalChecks(d)
  },
}

/**
 * Suanpan's remote takeover: city A is lost (kill -9 of everything in A1 and A2), the DCS has no quorum and
 * Patroni will not promote B1 (nofailover). Fence A, stop Patroni in B1, wait for replay, promote B1 outside
 * Patroni, start a control plane in B1, restore a one-member DCS in B1. Used by remote-takeover and failback.
 */
async function takeover(d: Drill): Promise<void> {
  const s = d.state
  const killed = await d.step(
    'fault: kill -9 everything in A1 and A2',
    5000,
    async () => {
      d.markFault()
      return killCenters(s, ['A1', 'A2'], ALL_PARTS)
    },
    (k) => ({ killed: k.map((x) => `${x.center}/${x.what}:${x.pid}`) }),
  )
  await fence(d, ['A1', 'A2'], ALL_PARTS, killed)
  await d.step('detection: the DCS has lost quorum (B1 etcd member unhealthy)', 30_000, async () => {
    await d.wait('B1 etcd unhealthy', 30_000, async () => !(await etcdHealthy(s.centers.B1.etcd.clientPort, 800)), 100)
    d.detectedAt = Date.now()
  })
  await d.step('takeover: stop Patroni in B1 (kill -9: its PostgreSQL keeps running)', 15_000, async () => {
    const pid = s.centers.B1.postgres.pid
    if (pid) await stopGroup(pid, 'SIGKILL', 0)
    s.centers.B1.postgres.pid = null
    writeState(s)
    if (!postmasterPid(s.centers.B1.postgres.dataDir)) throw new Error("B1's PostgreSQL is not running")
  })
  const replay = await d.step(
    'takeover: wait until B1 has replayed everything it received',
    30_000,
    async () => {
      let previous = ''
      return d.wait(
        'replay caught up',
        30_000,
        async () => {
          const rows = await pgQuery<{ rcv: string | null; rpl: string | null; done: boolean }>(
            memberUrl(s, 'B1', 'postgres'),
            `select pg_last_wal_receive_lsn()::text as rcv, pg_last_wal_replay_lsn()::text as rpl,
                  coalesce(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) <= 0, true) as done`,
            [],
            2000,
          )
          const r = rows[0]
          if (!r?.done) return null
          const key = `${r.rcv}/${r.rpl}`
          const stable = key === previous
          previous = key
          return stable ? r : null
        },
        200,
      )
    },
    (r) => ({ receivedLsn: r.rcv, replayedLsn: r.rpl }),
  )
  d.m.extra.replayedLsn = replay.rpl
  await d.step(
    'takeover: promote B1 (pg_promote), clear synchronous_standby_names',
    30_000,
    async () => {
      const url = memberUrl(s, 'B1', 'postgres')
      await pgQuery(url, 'select pg_promote(true, 25)', [], 28_000)
      await pgQuery(url, "alter system set synchronous_standby_names = ''", [], 5000)
      await pgQuery(url, 'select pg_reload_conf()', [], 5000)
      await d.wait('B1 writable', 20_000, () => writable(s, 'B1', 800), 100)
      d.promotedAt = Date.now()
      d.primary = 'B1'
      s.takeover = {
        at: new Date().toISOString(),
        promotedOutsidePatroni: true,
        postmasterPid: postmasterPid(s.centers.B1.postgres.dataDir),
      }
      writeState(s)
      const tl = await pgQuery<{ tli: number }>(url, `select ${CURRENT_TIMELINE_SQL} as tli`, [], 5000)
      return tl[0]?.tli ?? null
    },
    (timeline) => ({ timeline }),
  )
  await d.step("takeover: repoint traffic — start a control plane in B1 on B1's PostgreSQL", 90_000, async () => {
    const [port] = await freePorts(1)
    if (!port) throw new Error('no free port')
    const log = join(s.centers.B1.dir, 'control-plane.log')
    const databaseUrl = `postgres://postgres@127.0.0.1:${s.centers.B1.postgres.port}/${s.database}`
    const pid = spawnControlPlane(s, port, databaseUrl, log)
    s.centers.B1.controlPlane = { name: 'B1', port, log, pid, databaseUrl }
    writeState(s)
    await d.wait(
      'B1 control plane healthy',
      85_000,
      () => {
        if (!alive(pid)) throw new Error(`B1 control plane exited (see ${log})`)
        return controlPlaneHealthy(port, 800)
      },
      100,
    )
    return port
  })
  await d.awaitFirstAck(30_000)
  d.m.rpo = await d.step('RPO: acknowledged writes on B1', 20_000, () => checkRpo(d, memberUrl(s, 'B1'), 'B1'), rpoSummary)
  d.m.integrity = await d.step('integrity: ledger tables on B1 (the only survivor)', 30_000, () =>
    integrity(d, { name: 'B1', url: memberUrl(s, 'B1') }, []),
  )
  await d.step('takeover: restore a one-member DCS in B1 (etcd --force-new-cluster on its member data)', 30_000, async () => {
    await stopGroup(s.centers.B1.etcd.pid, 'SIGTERM', 3000)
    startEtcd(s, 'B1', { forceNewCluster: true })
    writeState(s)
    await d.wait('B1 etcd healthy alone', 25_000, () => etcdHealthy(s.centers.B1.etcd.clientPort), 200)
  })
}

const remoteTakeover: ScenarioDef = {
  id: 'remote-takeover',
  title: 'Remote takeover by B1 (city A lost)',
  titleZh: '异地接管（A城双中心失效）',
  description:
    "kill -9 of everything in A1 and A2: the DCS loses quorum and Patroni cannot promote B1 (nofailover). Suanpan's sequence: fence A, stop Patroni in B1 (PostgreSQL keeps running), wait for replay, promote B1 outside Patroni, start a control plane in B1 on B1's PostgreSQL, then restore a one-member DCS in B1 (etcd --force-new-cluster)",
  targets: { rtoSeconds: 60, rpoWrites: null, rpoSeconds: 5, requireReplication: false },
  run: takeover,
  async recover(d) {
    await d.probe?.stop()
    d.m.replication = {
      reestablished: false,
      note: 'B1 serves alone outside Patroni (one-member DCS restored): fail back to city A with `suanpan drill run failback`, or rebuild the lab',
    }
  },
}

const backupRestore: ScenarioDef = {
  id: 'backup-restore',
  title: 'Restore the latest backup into a fresh instance in B1',
  titleZh: '备份恢复（B1新实例）',
  description:
    "every database copy is assumed lost at the fault; pgBackRest restores B1's repository (latest full backup + archived WAL) into a new data directory, PostgreSQL recovers to the end of the archive and promotes, a control plane starts on it; the live lab keeps running untouched",
  // RPO target: the full-backup interval (WAL archiving makes it much smaller in practice).
  targets: { rtoSeconds: 300, rpoWrites: null, rpoSeconds: 24 * 3600, requireReplication: false },
  async run(d) {
    const s = d.state
    const bin = postgresBinDir()
    if (!bin) throw new Error('no PostgreSQL binaries')
    await sleep(2000)
    d.markFault()
    const fault = d.faultAt ?? Date.now()
    // Writes after the fault do not count: the probe stops here.
    await d.probe?.stop()
    const [pgPort, cpPort] = await freePorts(2)
    if (!pgPort || !cpPort) throw new Error('no free port')
    const dataDir = join(s.centers.B1.dir, `restore-${d.id.slice(-4)}`)
    const runDir = `${dataDir}-run`
    const log = `${dataDir}.log`
    const extra: ExtraProcess = { name: 'B1 restored PostgreSQL', kind: 'postgres', pid: null, port: pgPort, dataDir, log }
    s.extras.push(extra)
    writeState(s)
    const info = await d.step(
      'restore: latest backup in the repository',
      30_000,
      () => backupInfo(s),
      (b) => ({ ...b }),
    )
    d.m.extra.backupUsed = info.latest
    await d.step('restore: pgbackrest restore into a fresh data directory in B1', 300_000, async () => {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 })
      mkdirSync(runDir, { recursive: true })
      chownToService(dataDir)
      chownToService(runDir)
      const [cmd, ...base] = pgbackrestCommand(s)
      await run(cmd ?? 'pgbackrest', [...base, `--pg1-path=${dataDir}`, '--type=default', 'restore'], {
        asService: true,
        timeoutMs: 290_000,
        env: serviceEnv(s.centers.B1.dir),
      })
      return statSync(dataDir).isDirectory()
    })
    await d.step('restore: start PostgreSQL, replay the archive to its end, promote', 300_000, async () => {
      // No archiving from the restored copy: it must not write a new timeline into the live stanza.
      const opts = [
        `-p ${pgPort}`,
        `-k ${runDir}`,
        '-c listen_addresses=127.0.0.1',
        '-c archive_mode=off',
        "-c synchronous_standby_names=''",
        "-c primary_conninfo=''",
        "-c primary_slot_name=''",
      ].join(' ')
      await run(join(bin, 'pg_ctl'), ['-D', dataDir, '-o', opts, '-l', log, '-w', '-t', '280', 'start'], {
        asService: true,
        timeoutMs: 295_000,
        env: serviceEnv(s.centers.B1.dir),
      })
      extra.pid = postmasterPid(dataDir)
      writeState(s)
      const url = `postgres://postgres@127.0.0.1:${pgPort}/postgres`
      await d.wait(
        'restored instance writable',
        120_000,
        async () => {
          const rows = await pgQuery<{ ro: boolean }>(url, 'select pg_is_in_recovery() as ro', [], 1500)
          return rows[0]?.ro === false
        },
        250,
      )
      d.promotedAt = Date.now()
      // The newest ledger write the restore holds: RPO as time is the fault minus this.
      // (The restore may predate the schema, or even the database, when the WAL that created them was not archived yet.)
      const dbs = await pgQuery<{ n: number }>(
        `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
        'select count(*)::int as n from pg_database where datname = $1',
        [s.database],
        5000,
      )
      if (!dbs[0]?.n) {
        await pgQuery(`postgres://postgres@127.0.0.1:${pgPort}/postgres`, `create database ${s.database}`, [], 15_000)
        d.findings.push(`the restored instance has no "${s.database}" database: it was created after the last archived WAL`)
      }
      const rows = await pgQuery<{ newest: string | null }>(
        `postgres://postgres@127.0.0.1:${pgPort}/${s.database}`,
        "select case when to_regclass('report_log') is null then null else (select max(received_at)::text from report_log) end as newest",
        [],
        5000,
      )
      const newest = rows[0]?.newest == null ? null : Number(rows[0].newest)
      d.m.extra.restoredUpTo = newest === null ? null : new Date(newest).toISOString()
      d.m.extra.restoredDataAgeSeconds = newest === null ? null : Number(((fault - newest) / 1000).toFixed(3))
    })
    await d.step('restore: control plane on the restored instance', 90_000, async () => {
      const cpLog = join(s.centers.B1.dir, `control-plane-restore-${d.id.slice(-4)}.log`)
      const databaseUrl = `postgres://postgres@127.0.0.1:${pgPort}/${s.database}`
      const pid = spawnControlPlane(s, cpPort, databaseUrl, cpLog)
      s.extras.push({ name: 'B1 control plane on the restored instance', kind: 'control-plane', pid, port: cpPort, log: cpLog })
      writeState(s)
      await d.wait(
        'restored control plane healthy',
        85_000,
        () => {
          if (!alive(pid)) throw new Error(`control plane exited (see ${cpLog})`)
          return controlPlaneHealthy(cpPort, 800)
        },
        100,
      )
    })
    // A fresh probe against the restored instance only: the first acknowledged write ends RTO.
    const old = d.probe
    if (!s.probe) throw new Error('no probe cluster')
    // Clusters registered after the last archived WAL are not in the restore: their agents get 401 and
    // must be registered again. The drill does that for its probe (and reports it) so RTO is still measured.
    let identity = s.probe
    const known = await pgQuery<{ n: number }>(
      `postgres://postgres@127.0.0.1:${pgPort}/${s.database}`,
      'select count(*)::int as n from clusters where id = $1',
      [identity.clusterId],
      5000,
    )
    if (!known[0]?.n) {
      identity = await registerProbe(`http://127.0.0.1:${cpPort}`, s.adminToken)
      d.findings.push(
        `the probe cluster ${s.probe.clusterId} (registered before the fault) is not in the restore: registered again as ${identity.clusterId}; agents of clusters registered after the last archived WAL would need the same`,
      )
    }
    const restored = new Probe({ identity, targets: () => [{ name: 'B1-restored', url: `http://127.0.0.1:${cpPort}` }] })
    restored.start()
    await d.step('traffic: first acknowledged write on the restored instance', 30_000, async () => {
      const ack = await d.wait('ack', 30_000, () => restored.firstAckAfter(fault) ?? null, 50)
      d.firstAck = ack.doneAt
      d.m.firstAckAt = new Date(ack.doneAt).toISOString()
      d.m.rtoSeconds = Number(((ack.doneAt - fault) / 1000).toFixed(3))
      if (d.promotedAt) {
        d.m.phases.promotionSeconds = Number(((d.promotedAt - fault) / 1000).toFixed(3))
        d.m.phases.trafficSwitchSeconds = Number(((ack.doneAt - d.promotedAt) / 1000).toFixed(3))
      }
    })
    await restored.stop()
    d.m.rpo = await d.step(
      'RPO: acknowledged writes (before the fault) present in the restored database',
      20_000,
      () => checkRpo(d, `postgres://postgres@127.0.0.1:${pgPort}/${s.database}`, 'B1 restored instance'),
      rpoSummary,
    )
    const age = d.m.extra.restoredDataAgeSeconds
    if (d.m.rpo && typeof age === 'number' && age > d.m.rpo.rpoSeconds) d.m.rpo.rpoSeconds = Math.max(0, age)
    d.m.extra.restoredProbeWrites = restored.writes.length
    d.m.extra.note = old
      ? 'RPO counts writes acknowledged by the live lab before the fault; RTO is fault → first write acknowledged by the restored instance'
      : ''
  },
  async recover(d) {
    const s = d.state
    await d.step('cleanup: stop the restored instance and its control plane, remove its data', 60_000, async () => {
      const mine = s.extras.filter((e) => e.name.includes('restored'))
      for (const e of mine) {
        if (e.kind === 'control-plane') await stopGroup(e.pid, 'SIGTERM', 5000)
      }
      for (const e of mine) {
        if (e.dataDir) {
          const pm = postmasterPid(e.dataDir)
          if (pm) await stopPostmaster(pm, 'SIGQUIT', 5000)
          rmSync(e.dataDir, { recursive: true, force: true })
          rmSync(`${e.dataDir}-run`, { recursive: true, force: true })
        }
      }
      s.extras = s.extras.filter((e) => !mine.includes(e))
      writeState(s)
    })
    d.m.replication = { reestablished: null, note: 'the live lab was not touched; the restored instance was a test copy and is removed' }
  },
}

// ---------------------------------------------------------------- (c) same-city partition

/** The partition lasts at least this long (ms): two leader-key TTLs, so any failover Patroni attempted would show. */
const partitionHoldMs = (s: LabState) => Math.max(20_000, 2 * s.timings.ttl * 1000)

/** Byte offsets of the Patroni logs, to quote what Patroni logged during a drill. */
function logOffsets(state: LabState): Record<CenterName, number> {
  const size = (f: string) => (existsSync(f) ? statSync(f).size : 0)
  return Object.fromEntries(CENTERS.map((c) => [c, size(state.centers[c].postgres.log)])) as Record<CenterName, number>
}

/** Patroni's decisions since `from` (synchronous standby, leader lock, promotion, demotion), at most `max` lines per center. */
function patroniDecisions(state: LabState, from: Record<CenterName, number>, max = 12): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const c of CENTERS) {
    const file = state.centers[c].postgres.log
    if (!existsSync(file)) continue
    const text = readFileSync(file, 'utf8').slice(from[c] ?? 0)
    const lines = text
      .split('\n')
      .filter((l) => /INFO|WARNING|ERROR/.test(l) && /synchronous|lock|promot|demot|follow|leader|failover/i.test(l))
      .filter((l) => !/no action\. I am|Lock owner: \w+; I am/.test(l))
    if (lines.length) out[c] = lines.slice(0, max).map((l) => l.slice(0, 240))
  }
  return out
}

async function partitionRun(d: Drill): Promise<void> {
  const s = d.state
  const net = s.network
  if (!net) throw new Error('the lab has no network between its centers: rebuild it')
  const a2 = s.centers.A2.postgres.name
  const watch = new MemberWatch(s)
  watch.start()
  d.cleanup.push(() => watch.stop())
  const logs = logOffsets(s)
  await sleep(1000)
  await d.step(
    'fault: cut the network between A1 and A2 (every packet dropped, nothing reset); both still reach B1',
    5000,
    async () => {
      d.markFault()
      return networkCut(net.controlPort, 'A1', 'A2', 'drop')
    },
    (r) => ({
      cut: `${r.cut.a} ⇹ ${r.cut.b} (${r.cut.mode})`,
      heldConnections: r.status.connections.filter((c) => c.held > 0).map((c) => `${c.from}→${c.to} ${c.service} ×${c.held}`),
    }),
  )
  const fault = d.faultAt ?? Date.now()
  // A1 keeps the leader key through the etcd members it still reaches; its commits wait for A2 (the
  // synchronous standby) until the walsender gives up on it and Patroni releases it.
  await d.step(
    "detection: the primary's walsender drops A2 (wal_sender_timeout)",
    90_000,
    async () => {
      const t = await d.wait(
        'A2 gone from the primary’s pg_stat_replication',
        90_000,
        () => {
          const tl = analyse(watch.samples, fault, null, 'A1', 'A2', a2)
          return tl.standbyDroppedSeconds !== null || tl.primaryChanges.length > 0 ? tl : null
        },
        100,
      )
      if (t.standbyDroppedSeconds !== null) d.detectedAt = fault + t.standbyDroppedSeconds * 1000
      return t
    },
    (t) => ({ standbyDroppedSeconds: t.standbyDroppedSeconds, primaryChanges: t.primaryChanges }),
  )
  const resumed = await d.step(
    'writes: acknowledged again through the API (Patroni released the synchronous standby)',
    90_000,
    async () =>
      d.wait(
        'writes flowing: 5 acknowledged in 1.5 s',
        90_000,
        () => {
          const now = Date.now()
          const recent = d.probe?.ackedBetween(now - 1500, now) ?? []
          return now - fault >= 2000 && recent.length >= 5 ? recent[0] : null
        },
        100,
      ),
    (w) => ({ firstAckOfResumedWrites: w ? Number(((w.doneAt - fault) / 1000).toFixed(3)) : null }),
  )
  const hold = partitionHoldMs(s)
  await d.step(
    `partition held (${hold / 1000} s or more; every member sampled every 250 ms): one writable primary, writes acknowledged`,
    hold + 30_000,
    async () => {
      const until = Math.max(fault + hold, (resumed?.doneAt ?? Date.now()) + 10_000)
      await d.wait('partition held', hold + 30_000, () => Date.now() >= until, 250)
      return analyse(watch.samples, fault, null, 'A1', 'A2', a2)
    },
    (t) => ({ samples: t.samples, maxWritableAtOnce: t.maxWritableAtOnce, writableMembers: t.writableMembers }),
  )
  const during = analyse(watch.samples, fault, Date.now(), 'A1', 'A2', a2)
  const primaries = during.writableMembers
  const primary: CenterName = primaries.length === 1 && primaries[0] ? primaries[0] : 'A1'
  d.primary = primary
  if (during.maxWritableAtOnce > 1)
    d.violations.push(`split brain: ${during.splitBrain.map((x) => `${x.members.join(' and ')} writable at +${x.atSeconds} s`).join('; ')}`)
  if (during.maxWritableAtOnce === 0) d.violations.push('no writable primary at all during the partition')
  d.m.rpo = await d.step(
    `RPO: every acknowledged write on the primary ${primary} (partition still on)`,
    20_000,
    () => checkRpo(d, memberUrl(s, primary), primary),
    rpoSummary,
  )
  const healed = await d.step('heal: reconnect A1 and A2 (held connections resume, as after a link comes back)', 10_000, async () => {
    const r = await networkHeal(net.controlPort, 'A1', 'A2')
    return { at: Date.now(), released: r.healed.length }
  })
  await d.step(
    'resync: A2 streams from the primary again and is its synchronous standby (pg_stat_replication and Patroni)',
    120_000,
    async () =>
      d.wait(
        'A2 synchronous standby again',
        120_000,
        () => {
          const t = analyse(watch.samples, fault, healed.at, 'A1', 'A2', a2)
          return t.resyncSeconds !== null ? t : null
        },
        250,
      ),
    (t) => ({ resyncSeconds: t.resyncSeconds }),
  )
  await sleep(1000)
  await watch.stop()
  const end = Date.now()
  const timeline = analyse(watch.samples, fault, healed.at, 'A1', 'A2', a2)
  const probe = d.probe
  const gap = (from: number, to: number) => Number(((probe?.longestGap(from, to) ?? 0) / 1000).toFixed(3))
  // Write unavailability: the longest stretch without an acknowledged write while the link was cut.
  d.m.rtoSeconds = gap(fault, healed.at)
  const firstResumed = resumed ? resumed.doneAt : null
  d.m.firstAckAt = firstResumed ? new Date(firstResumed).toISOString() : null
  d.m.phases.detectionSeconds = timeline.standbyDroppedSeconds
  d.m.extra.partition = {
    heldSeconds: Number(((healed.at - fault) / 1000).toFixed(3)),
    writeUnavailableSeconds: d.m.rtoSeconds,
    writeUnavailableAtHealSeconds: gap(healed.at, end),
    standbyDroppedSeconds: timeline.standbyDroppedSeconds,
    syncReleasedSeconds: timeline.syncReleasedSeconds,
    syncReleasedTo: timeline.syncReleasedTo,
    patroniSyncRemovedSeconds: timeline.patroniSyncRemovedSeconds,
    resyncSecondsAfterHeal: timeline.resyncSeconds,
    maxWritableAtOnce: timeline.maxWritableAtOnce,
    writableMembers: timeline.writableMembers,
    primaryChanges: timeline.primaryChanges,
    samples: timeline.samples,
    walSenderTimeout: WAL_SENDER_TIMEOUT,
  }
  d.m.extra.patroniDecisions = patroniDecisions(s, logs)
  try {
    const n = await networkStatus(net.controlPort)
    d.m.extra.networkIdentify = n.identify
  } catch {}
  const others = CENTERS.filter((c) => c !== primary)
  d.m.integrity = await d.step(
    'integrity: ledger tables on all three centers after the heal',
    45_000,
    () =>
      integrity(
        d,
        { name: primary, url: memberUrl(s, primary) },
        others.map((c) => ({ name: c, url: memberUrl(s, c) })),
      ),
    (r) => ({ ok: r.ok }),
  )
}

async function partitionRecover(d: Drill): Promise<void> {
  const s = d.state
  if (s.network) {
    await d.step('recover: the network between A1 and A2 is healed', 10_000, async () => {
      const status = await networkStatus(s.network?.controlPort ?? 0)
      if (status.cuts.length) await networkHeal(s.network?.controlPort ?? 0)
      return status.cuts.length
    })
  }
  const leader = (await leaderOf(s, ['B1', 'A1', 'A2']))?.leader
  if (leader === 'a2') await switchover(d, 'A2', 'A1', 'failback')
  else d.primary = 'A1'
  await finalChecks(d)
}

const sameCityPartition: ScenarioDef = {
  id: 'same-city-partition',
  title: 'Same-city partition between A1 and A2',
  titleZh: '同城双中心网络分区（A1⇹A2）',
  description:
    'the lab network drops every packet between A1 and A2 (replication, etcd peer traffic, Patroni REST, HAProxy routes) while both still reach B1, the witness. What Patroni does (synchronous_mode, not strict): A1 keeps the leader key through the etcd members it still reaches (A2 cannot take it); commits wait for A2, the synchronous standby, until the walsender drops it (wal_sender_timeout), then Patroni releases A2 from /sync and sets synchronous_standby_names to "" (B1 is nosync: no other candidate), so writes continue asynchronously and A2 may not be promoted. Measured: write unavailability, at most one writable member in every 250 ms sample, 0 acknowledged writes lost; after the heal A2 streams again and Patroni makes it the synchronous standby',
  rtoMeaning: 'write unavailability: the longest stretch without an acknowledged API write while A1 and A2 are cut apart',
  targets: { rtoSeconds: 30, rpoWrites: 0, rpoSeconds: 0, requireReplication: true },
  run: partitionRun,
  recover: partitionRecover,
}

// ---------------------------------------------------------------- failback from B1 to city A

/** Deletes a data directory the failback discards (an etcd member's, or a PostgreSQL member's diverged copy). */
function freshDir(path: string, mode = 0o700): void {
  rmSync(path, { recursive: true, force: true })
  mkdirSync(path, { recursive: true, mode })
  chownToService(path)
}

async function clusterRoles(state: LabState, via: CenterName[]): Promise<Record<string, { role: string; state: string }>> {
  for (const c of via) {
    try {
      const cluster = await patroniCluster(state.centers[c].postgres.restPort, 800)
      return Object.fromEntries(cluster.members.map((m) => [m.name, { role: m.role, state: m.state }]))
    } catch {}
  }
  return {}
}

/**
 * Rebuilds a city-A member as a replica of the current leader: its old data directory (a diverged
 * timeline: it was the primary or the synchronous standby when city A was lost) is discarded and Patroni
 * clones a fresh copy (pg_basebackup from the leader).
 */
async function rebuildMember(d: Drill, center: CenterName, leader: CenterName, role: 'sync_standby' | 'replica'): Promise<void> {
  const s = d.state
  const name = s.centers[center].postgres.name
  await d.step(
    `failback: rebuild ${center} as a replica of ${leader} (old data discarded, Patroni clones it)${role === 'sync_standby' ? ', then the synchronous standby' : ''}`,
    180_000,
    async () => {
      const c = s.centers[center]
      if (alive(c.postgres.pid)) await stopGroup(c.postgres.pid, 'SIGTERM', 10_000)
      const pm = postmasterPid(c.postgres.dataDir)
      if (pm) await stopPostmaster(pm, 'SIGQUIT', 5000)
      rmSync(c.postgres.dataDir, { recursive: true, force: true })
      startPatroni(s, center)
      writeState(s)
      await d.wait(
        `${center} ${role}`,
        175_000,
        async () => {
          const roles = await clusterRoles(s, [leader, center])
          const me = roles[name]
          if (!me || (me.state !== 'running' && me.state !== 'streaming')) return null
          if (role === 'sync_standby') return me.role === 'sync_standby'
          return (me.role === 'replica' || me.role === 'sync_standby') && (await replicationState(s, leader, name)) === 'streaming'
        },
        500,
      )
    },
  )
}

async function failbackRun(d: Drill): Promise<void> {
  const s = d.state
  if (!s.takeover) {
    // The lab is whole: lose city A first, exactly as remote-takeover does; measured apart.
    await takeover(d)
    d.m.extra.takeover = {
      faultAt: d.m.faultAt,
      rtoSeconds: d.m.rtoSeconds,
      phases: { ...d.m.phases },
      rpo: d.m.rpo ? rpoSummary(d.m.rpo) : null,
    }
    // The failback answers for every write B1 acknowledged from its promotion on.
    d.rpoSince = d.promotedAt
    d.faultAt = null
    d.detectedAt = null
    d.promotedAt = null
    d.firstAck = null
    d.m.faultAt = null
    d.m.firstAckAt = null
    d.m.rtoSeconds = null
    d.m.phases = { detectionSeconds: null, promotionSeconds: null, trafficSwitchSeconds: null }
    d.m.rpo = null
    d.m.integrity = null
  } else {
    d.m.extra.takeover = { at: s.takeover.at, note: 'B1 had taken over before this drill' }
  }
  // 1. City A comes back as replicas of B1 while B1 keeps serving (not part of the failback's RTO).
  await d.step(
    "failback: a new three-member DCS (etcd in A1, A2 and B1; B1's one-member DCS only held the lost cluster's keys)",
    60_000,
    async () => {
      for (const c of CENTERS) {
        await stopGroup(s.centers[c].etcd.pid, 'SIGTERM', 3000)
        s.centers[c].etcd.pid = null
        freshDir(s.centers[c].etcd.dataDir)
      }
      for (const c of CENTERS) startEtcd(s, c)
      writeState(s)
      await d.wait('three etcd members healthy', 55_000, async () =>
        (await Promise.all(CENTERS.map((c) => etcdHealthy(s.centers[c].etcd.clientPort)))).every(Boolean),
      )
    },
  )
  await d.step(
    'failback: B1 back under Patroni (Patroni adopts the running primary: it initializes the empty DCS with its system id and takes the leader key)',
    60_000,
    async () => {
      // The takeover cleared synchronous_standby_names with ALTER SYSTEM, which would override Patroni's setting.
      const url = memberUrl(s, 'B1', 'postgres')
      await pgQuery(url, 'alter system reset synchronous_standby_names', [], 5000)
      await pgQuery(url, 'select pg_reload_conf()', [], 5000)
      startPatroni(s, 'B1')
      writeState(s)
      await d.wait(
        'B1 leader under Patroni',
        55_000,
        async () => (await clusterRoles(s, ['B1'])).b1?.role === 'leader' && (await writable(s, 'B1', 800)),
        250,
      )
    },
  )
  await rebuildMember(d, 'A1', 'B1', 'sync_standby')
  await rebuildMember(d, 'A2', 'B1', 'replica')
  await d.step('failback: HAProxy and control planes in A1 and A2 (they route to the primary, still B1)', 120_000, async () => {
    for (const c of ['A1', 'A2'] as const) {
      const h = s.centers[c].haproxy
      if (h && !alive(h.pid)) startHaproxy(s, c)
    }
    writeState(s)
    for (const c of ['A1', 'A2'] as const) {
      const cp = s.centers[c].controlPlane
      if (!cp) continue
      if (!alive(cp.pid)) {
        startControlPlane(s, c)
        writeState(s)
      }
      await d.wait(`${c} control plane healthy`, 90_000, () => controlPlaneHealthy(cp.port, 800), 250)
    }
  })
  await d.step("failback: stop B1's control plane (the API is served from city A again)", 30_000, async () => {
    const cp = s.centers.B1.controlPlane
    if (cp) await stopGroup(cp.pid, 'SIGTERM', 5000)
    s.centers.B1.controlPlane = null
    writeState(s)
    const from = Date.now()
    await d.wait('5 acknowledged writes through city A', 25_000, () => (d.probe?.ackedBetween(from, Date.now()).length ?? 0) >= 5, 100)
  })
  // 2. The failback switch: a Patroni switchover B1 → A1, measured like a planned switchover.
  d.markFault()
  const sw = await switchover(d, 'B1', 'A1', 'failback')
  d.promotedAt = sw.switched
  d.firstAck = sw.firstAck
  d.m.firstAckAt = new Date(sw.firstAck).toISOString()
  d.m.rtoSeconds = d.m.switchover?.longestWriteGapSeconds ?? null
  d.m.phases.promotionSeconds = d.m.switchover?.seconds ?? null
  d.m.phases.trafficSwitchSeconds = Number((Math.max(0, sw.firstAck - sw.switched) / 1000).toFixed(3))
  d.m.rpo = await d.step(
    'RPO: every write acknowledged since B1 took over is on A1',
    20_000,
    () => checkRpo(d, memberUrl(s, 'A1'), 'A1'),
    rpoSummary,
  )
  // 3. B1 back to an asynchronous replica (Patroni demoted it in the switchover), A2 the synchronous standby.
  const rows = await d.step(
    "failback: A2 the synchronous standby of A1, B1 an asynchronous replica (A1's pg_stat_replication and Patroni)",
    120_000,
    async () =>
      d.wait(
        'A2 sync, B1 async, both streaming from A1',
        120_000,
        async () => {
          const rep = await pgQuery<{ name: string; state: string; sync: string }>(
            memberUrl(s, 'A1', 'postgres'),
            'select application_name as name, state, sync_state as sync from pg_stat_replication order by 1',
            [],
            1500,
          )
          const roles = await clusterRoles(s, ['A1'])
          const a2 = rep.find((r) => r.name === 'a2')
          const b1 = rep.find((r) => r.name === 'b1')
          return a2?.state === 'streaming' &&
            a2.sync === 'sync' &&
            b1?.state === 'streaming' &&
            b1.sync === 'async' &&
            roles.a2?.role === 'sync_standby' &&
            roles.a1?.role === 'leader'
            ? rep
            : null
        },
        500,
      ),
    (r) => ({ pg_stat_replication: r.map((x) => `${x.name} ${x.state} ${x.sync}`) }),
  )
  d.m.extra.replicationAfterFailback = rows
  s.takeover = null
  writeState(s)
  d.primary = 'A1'
  d.m.integrity = await d.step(
    'integrity: ledger tables on A1, A2 and B1 after the failback',
    45_000,
    () =>
      integrity(
        d,
        { name: 'A1', url: memberUrl(s, 'A1') },
        (['A2', 'B1'] as const).map((c) => ({ name: c, url: memberUrl(s, c) })),
      ),
    (r) => ({ ok: r.ok }),
  )
}

const failback: ScenarioDef = {
  id: 'failback',
  title: 'Failback from B1 to city A',
  titleZh: '回切（B1 → A城）',
  description:
    "after a remote takeover (performed first when B1 is not serving yet) Suanpan returns the primary to A1: a new three-member DCS; B1 back under Patroni (Patroni adopts the running primary, even with nofailover, and takes the leader key of the empty DCS); A1 and A2 rebuilt as replicas of B1 (their diverged data discarded, Patroni clones them) with A1 the synchronous standby; HAProxy and control planes in city A, B1's control plane stopped; then a Patroni switchover B1 → A1 (the measured failback switch); B1 rejoins as an asynchronous replica and A2 becomes the synchronous standby",
  rtoMeaning: 'failback switch: the longest stretch without an acknowledged API write from the switchover request until writes flow on A1',
  targets: { rtoSeconds: 60, rpoWrites: 0, rpoSeconds: 0, requireReplication: true },
  acceptsTakenOver: true,
  run: failbackRun,
  async recover(d) {
    if (d.state.takeover) {
      await d.probe?.stop()
      d.m.replication = {
        reestablished: false,
        note: 'the failback did not complete: B1 still serves; run the failback again or rebuild the lab (suanpan dr lab down && suanpan dr lab up)',
      }
      return
    }
    d.primary = 'A1'
    await finalChecks(d)
  },
}

export const SCENARIOS: Record<ScenarioId, ScenarioDef> = {
  'a1-lost': a1Lost,
  'a1-db-lost': a1DbLost,
  'same-city-partition': sameCityPartition,
  'remote-takeover': remoteTakeover,
  failback,
  'backup-restore': backupRestore,
  switchover: plannedSwitchover,
}

/** Scenarios of issue 5 not built yet (listed so `drill list` says so): none left. */
export const NOT_YET: { id: string; why: string }[] = []

/** Short names accepted by runDrill and the CLI (`suanpan drill run partition`); reports carry the id. */
export type ScenarioAlias = 'partition'
export const SCENARIO_ALIASES: Record<ScenarioAlias, ScenarioId> = { partition: 'same-city-partition' }

export function isScenario(id: string): id is ScenarioId {
  return id in SCENARIOS
}

/** The scenario id for an id or an alias, or null. */
export function scenarioId(idOrAlias: string): ScenarioId | null {
  if (isScenario(idOrAlias)) return idOrAlias
  return Object.hasOwn(SCENARIO_ALIASES, idOrAlias) ? SCENARIO_ALIASES[idOrAlias as ScenarioAlias] : null
}

// ---------------------------------------------------------------- the engine

function engineVersions(): Record<string, string> {
  const v = (cmd: string, args: string[], re: RegExp) => {
    try {
      const out = execFileSync(cmd, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] })
      return re.exec(out)?.[1] ?? out.trim().split('\n')[0] ?? ''
    } catch {
      return 'unknown'
    }
  }
  const bin = postgresBinDir()
  return {
    postgresql: bin ? v(join(bin, 'postgres'), ['--version'], /([\d.]+)/) : 'unknown',
    patroni: v('patroni', ['--version'], /([\d.]+)/),
    etcd: v('etcd', ['--version'], /etcd Version: ([\d.]+)/),
    pgbackrest: v('pgbackrest', ['version'], /([\d.]+)/),
    haproxy: v('haproxy', ['-v'], /version ([\d.]+)/),
  }
}

async function preflight(d: Drill): Promise<boolean> {
  const s = d.state
  const check = (name: string, ok: boolean, detail: string) => {
    d.checks.push({ name, ok, detail })
    d.progress(`pre-flight: ${name}`, { ok, detail })
    return ok
  }
  check(
    'kill switch off',
    !existsSync(killSwitchPath(s.dir)),
    existsSync(killSwitchPath(s.dir)) ? `remove ${killSwitchPath(s.dir)}` : 'no kill-switch file',
  )
  if (s.takeover && d.scenario.acceptsTakenOver) {
    check('lab built', s.ready, s.ready ? `B1 took over at ${s.takeover.at}` : 'lab up did not finish')
    await takenOverChecks(d, check)
    return probeChecks(d, check)
  }
  check(
    'lab built and not taken over',
    s.ready && !s.takeover,
    s.takeover
      ? `B1 took over at ${s.takeover.at}: fail back (suanpan drill run failback) or rebuild the lab`
      : s.ready
        ? 'ready'
        : 'lab up did not finish',
  )
  if (d.scenario.id === 'same-city-partition')
    check(
      'the lab has a network between its centers',
      Boolean(s.network),
      s.network
        ? `${s.network.links.length} links`
        : 'built before the lab network existed: rebuild it (suanpan dr lab down && suanpan dr lab up)',
    )
  let status: Awaited<ReturnType<typeof labStatus>> | null = null
  try {
    status = await withTimeout('lab status', 30_000, labStatus(s))
  } catch (error) {
    check('lab status readable', false, (error as Error).message)
  }
  if (status?.network)
    check(
      'lab network up, no centers cut apart',
      status.network.up && status.network.cuts.length === 0,
      !status.network.up
        ? 'the lab network is down'
        : status.network.cuts.length
          ? `cut: ${status.network.cuts.map((c) => `${c.a} ⇹ ${c.b}`).join(', ')} (a drill that was killed left it: curl -X POST http://127.0.0.1:${s.network?.controlPort}/heal)`
          : 'every link open',
    )
  if (status) {
    for (const c of status.centers) {
      check(
        `${c.name} healthy`,
        c.healthy,
        c.healthy ? `${c.role}, timeline ${c.timeline}, lag ${c.lagBytes ?? '?'} bytes` : c.problems.join('; '),
      )
    }
    check(
      'A1 is the leader, A2 the synchronous standby',
      status.leader === 'A1' && status.centers.find((c) => c.name === 'A2')?.role === 'sync_standby',
      `leader ${status.leader}`,
    )
    const tls = new Set(status.centers.map((c) => c.timeline))
    check('timelines agree', tls.size === 1, `timelines ${[...tls].map((t) => t ?? '?').join(', ')}`)
    const worst = Math.max(...status.centers.map((c) => c.lagBytes ?? Number.POSITIVE_INFINITY))
    check('replication lag under the bound', worst <= d.targets.lagBoundBytes, `worst ${worst} bytes, bound ${d.targets.lagBoundBytes}`)
    const b1 = status.centers.find((c) => c.name === 'B1')
    check(
      'B1 replay delay under the RPO bound',
      (b1?.replayLagSeconds ?? 0) <= Math.max(d.targets.rpoSeconds, 1),
      `replay_lag ${b1?.replayLagSeconds ?? 0} s`,
    )
    check(
      'a restorable full backup in B1',
      (status.backups?.full ?? 0) > 0,
      status.backups ? `${status.backups.full} full, latest ${status.backups.latest}` : 'pgbackrest info failed',
    )
    const age = status.backups?.latest ? (Date.now() - Date.parse(status.backups.latest)) / 3_600_000 : Number.POSITIVE_INFINITY
    check(
      `latest backup within the backup interval (${s.backup.fullIntervalHours} h)`,
      age <= s.backup.fullIntervalHours,
      `${Number.isFinite(age) ? age.toFixed(2) : '∞'} h old${age <= s.backup.fullIntervalHours ? '' : '; take one: suanpan dr backup --type full'}`,
    )
  }
  return probeChecks(d, check)
}

/** Pre-flight of a drill on a lab B1 took over: B1 serves, city A stays fenced until the failback rebuilds it. */
async function takenOverChecks(d: Drill, check: (name: string, ok: boolean, detail: string) => boolean): Promise<void> {
  const s = d.state
  let b1 = false
  try {
    b1 = await writable(s, 'B1', 2000)
  } catch {}
  check('B1 is the writable primary', b1, b1 ? 'pg_is_in_recovery() = false' : 'B1 does not answer as a primary')
  const cp = s.centers.B1.controlPlane
  const cpOk = cp ? await controlPlaneHealthy(cp.port) : false
  check("B1's control plane healthy", cpOk, cp ? `port ${cp.port}` : 'no control plane in B1')
  const running = (['A1', 'A2'] as const).flatMap((c) =>
    centerGroups(s, c, ['patroni', 'postgres', 'haproxy', 'controlPlane']).map((g) => `${c} ${g.what} (pid ${g.pid})`),
  )
  check(
    'city A fenced (the failback rebuilds it)',
    running.length === 0,
    running.length ? `still running: ${running.join(', ')}` : 'no Patroni, PostgreSQL, HAProxy or control plane in A1 and A2',
  )
  if (s.network) {
    let up = false
    try {
      up = (await networkStatus(s.network.controlPort, 2000)).cuts.length === 0
    } catch {}
    check('lab network up, no centers cut apart', up, up ? 'every link open' : 'the lab network is down or cut')
  }
}

/** The API must be acknowledging writes before the fault, or the drill measures nothing. */
async function probeChecks(d: Drill, check: (name: string, ok: boolean, detail: string) => boolean): Promise<boolean> {
  const s = d.state
  if (!d.checks.every((c) => c.ok)) return false
  try {
    let identity = s.probe
    if (!identity) {
      for (const target of d.probeTargets()) {
        try {
          identity = await registerProbe(target.url, s.adminToken)
          break
        } catch {}
      }
      if (!identity) throw new Error('no control plane registered the probe cluster')
      s.probe = identity
      writeState(s)
    }
    d.probe = new Probe({ identity, targets: d.probeTargets })
    d.probe.start()
    const from = Date.now()
    await waitFor('10 acknowledged probe writes', 15_000, () => (d.probe?.ackedBetween(from, Date.now()).length ?? 0) >= 10, 100, d.aborted)
    check('API acknowledges probe writes', true, `${d.probe.acked.length} acknowledged in ${((Date.now() - from) / 1000).toFixed(1)} s`)
  } catch (error) {
    check('API acknowledges probe writes', false, (error as Error).message)
  }
  return d.checks.every((c) => c.ok)
}

function verdictOf(d: Drill, outcome: 'done' | 'aborted' | 'skipped' | 'failed', reasons: string[]): Verdict {
  if (outcome === 'skipped') return 'skipped'
  if (outcome === 'aborted') return 'aborted'
  const t = d.targets
  const m = d.m
  if (m.rtoSeconds === null) reasons.push('RTO not measured')
  else if (m.rtoSeconds > t.rtoSeconds) reasons.push(`RTO ${m.rtoSeconds} s over the target ${t.rtoSeconds} s`)
  for (const [label, rpo] of [
    ['RPO', m.rpo],
    ['RPO after recovery', m.rpoAfterRecovery],
  ] as const) {
    if (!rpo) continue
    if (t.rpoWrites !== null && rpo.missingWrites > t.rpoWrites)
      reasons.push(`${label}: ${rpo.missingWrites} acknowledged writes missing (target ≤ ${t.rpoWrites})`)
    if (rpo.rpoSeconds > t.rpoSeconds)
      reasons.push(`${label}: ${rpo.rpoSeconds} s of acknowledged writes lost (target ≤ ${t.rpoSeconds} s)`)
  }
  if (!m.rpo) reasons.push('RPO not measured')
  if (m.integrity && !m.integrity.ok) reasons.push('ledger tables differ between surviving members')
  if (m.integrityAfterRecovery && !m.integrityAfterRecovery.ok) reasons.push('ledger tables differ between members after recovery')
  if (t.requireReplication && m.replication.reestablished !== true) reasons.push(`replication not re-established: ${m.replication.note}`)
  reasons.push(...d.violations)
  if (outcome === 'failed' && reasons.length === 0) reasons.push('a step failed')
  return reasons.length === 0 ? 'pass' : 'fail'
}

export interface DrillResult {
  report: DrillReport
  files: { json: string; html: string }
}

/**
 * Runs one drill on the lab in `dir` and stores its report. Never throws for a failed drill: the
 * verdict says it (skipped when pre-flight fails, aborted on the kill switch, fail on a missed target
 * or a failed step).
 */
export async function runDrill(id: ScenarioId | ScenarioAlias, options: DrillOptions = {}): Promise<DrillResult> {
  const resolved = scenarioId(id)
  const scenario = resolved ? SCENARIOS[resolved] : undefined
  if (!scenario) throw new Error(`unknown scenario ${id}`)
  const dir = labDir(options.dir)
  const state = requireState(dir)
  const progress = options.progress ?? (() => {})
  const targets: DrillTargets = { ...scenario.targets, lagBoundBytes: state.lagBoundBytes, ...options.targets }
  // One drill at a time per lab.
  const lock = join(dir, 'drill.lock')
  if (existsSync(lock)) {
    const holder = Number(readFileSync(lock, 'utf8').trim())
    if (alive(holder)) throw new Error(`a drill is already running on this lab (pid ${holder}); suanpan drill abort stops it`)
  }
  writeFileSync(lock, `${process.pid}\n`)
  try {
    return await drillLocked(scenario, dir, state, targets, progress, options)
  } finally {
    rmSync(lock, { force: true })
  }
}

async function drillLocked(
  scenario: ScenarioDef,
  dir: string,
  state: LabState,
  targets: DrillTargets,
  progress: Progress,
  options: DrillOptions,
): Promise<DrillResult> {
  const d = new Drill(state, scenario, targets, progress, options.signal)
  const guardBefore = guardLines(state)
  const reasons: string[] = []
  let outcome: 'done' | 'aborted' | 'skipped' | 'failed' = 'done'
  const recover = async () => {
    if (options.recover === false) {
      d.m.replication = { reestablished: null, note: 'recovery skipped (--no-recover)' }
      return
    }
    try {
      await scenario.recover(d)
    } catch (error) {
      reasons.push(`recovery: ${(error as Error).message}`)
      if (d.m.replication.reestablished === null)
        d.m.replication = { reestablished: false, note: `recovery failed: ${(error as Error).message}` }
    }
  }
  try {
    const ok = await preflight(d)
    if (!ok) {
      outcome = 'skipped'
      reasons.push(...d.checks.filter((c) => !c.ok).map((c) => `pre-flight: ${c.name}: ${c.detail}`))
    } else {
      try {
        await scenario.run(d)
      } catch (error) {
        if (error instanceof AbortError || d.aborted()) {
          outcome = 'aborted'
          reasons.push(`aborted: ${(error as Error).message}`)
        } else {
          outcome = 'failed'
          reasons.push((error as Error).message)
        }
      }
      // Recovery runs even after an abort or a failure: the kill switch stops the fault, not the repair.
      const abortedByFile = existsSync(killSwitchPath(dir))
      if (abortedByFile) unlinkSync(killSwitchPath(dir))
      if (outcome !== 'aborted' || abortedByFile || options.signal?.aborted) await recover()
    }
  } finally {
    await d.probe?.stop().catch(() => {})
    for (const done of d.cleanup) await done().catch(() => {})
    if (existsSync(killSwitchPath(dir))) unlinkSync(killSwitchPath(dir))
  }
  const guardAfter = guardLines(state)
  if (guardAfter > guardBefore) {
    d.findings.push(
      `${guardAfter - guardBefore} time(s) a control-plane instance got a PostgreSQL connection error that nothing listened for (an idle pooled connection: pg Pool 'error'; or a checked-out connection between statements: pg Client 'error'): without the lab's pg guard the process would have exited. Fix in control-plane/src/store/open.ts: pool.on('error', …) and pool.on('connect', (client) => client.on('error', …))`,
    )
  }
  if (d.m.rpo && d.m.rpo.missingWrites > 0)
    d.findings.push(`${d.m.rpo.missingWrites} acknowledged writes were missing on ${d.m.rpo.checkedOn}`)
  const writes = d.probe?.writes ?? []
  d.m.probe = {
    writes: writes.length,
    acked: writes.filter((w) => w.ack === 'accepted').length,
    failed: writes.filter((w) => w.ack !== 'accepted').length,
    intervalMs: 100,
    byTarget: writes.reduce<Record<string, number>>((acc, w) => {
      if (w.ack === 'accepted') acc[w.target] = (acc[w.target] ?? 0) + 1
      return acc
    }, {}),
  }
  const verdict = verdictOf(d, outcome, reasons)
  const ended = Date.now()
  const rpoForLevel = d.m.rpo ? d.m.rpo.rpoSeconds : null
  const report: DrillReport = {
    schema: REPORT_SCHEMA,
    id: d.id,
    scenario: scenario.id,
    title: scenario.title,
    titleZh: scenario.titleZh,
    description: scenario.description,
    ...(scenario.rtoMeaning ? { rtoMeaning: scenario.rtoMeaning } : {}),
    trigger: options.trigger ?? 'manual',
    operator: options.operator ?? process.env.SUDO_USER ?? userInfo().username,
    startedAt: new Date(d.startedMs).toISOString(),
    endedAt: new Date(ended).toISOString(),
    durationSeconds: Number(((ended - d.startedMs) / 1000).toFixed(2)),
    lab: {
      id: state.id,
      dir: state.dir,
      host: hostname(),
      timings: state.timings,
      engines: engineVersions(),
      topology: `A1 (leader) ⇄ A2 (synchronous standby) in city A; B1 (asynchronous replica, nofailover + nosync, pgBackRest repository) in city B; etcd member in each center; HAProxy + control plane in A1 and A2${
        state.network ? '; every cross-center connection through the lab network (a TCP proxy that can cut two centers apart)' : ''
      }`,
      pgGuard: state.pgGuard,
    },
    targets,
    preflight: { ok: outcome !== 'skipped', checks: d.checks },
    steps: d.steps,
    measurements: d.m,
    findings: d.findings,
    verdict,
    verdictReasons: reasons,
    gbt20988: fitLevel(loadLevels(), d.m.rtoSeconds, rpoForLevel),
    exports: { json: '', html: '', pdf: '' },
  }
  const files = saveReport(dir, report)
  return { report, files }
}

/** `suanpan drill abort`: engage the kill switch of the lab in `dir`. */
export function engageKillSwitch(dir?: string | null): string {
  const file = killSwitchPath(labDir(dir))
  writeFileSync(file, `${new Date().toISOString()}\n`)
  return file
}

export { groupMembers }
