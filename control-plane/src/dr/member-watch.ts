// Watches every member while a drill runs a fault that kills nothing (the same-city partition): every
// 250 ms, straight to each PostgreSQL (the drill runner is outside the lab network, so a cut never hides
// a member from it) — is it writable (pg_is_in_recovery() = false), what synchronous_standby_names says,
// whom its pg_stat_replication lists — and Patroni's view of the roles. `analyse` turns the samples into
// the partition's timeline: split brain (more than one writable member in one round), when the primary
// dropped the lost standby, when synchronous replication was given up and taken up again.
import { patroniCluster, pgQuery } from './clients'
import { memberUrl } from './configs'
import { sleep } from './proc'
import { CENTERS, type CenterName, type LabState } from './state'

export interface MemberSample {
  /** Answered the query. */
  up: boolean
  /** pg_is_in_recovery() = false. */
  writable: boolean
  /** synchronous_standby_names (only meaningful on a writable member). */
  ssn: string | null
  /** pg_stat_replication on this member: application name, state, sync_state. */
  replication: { name: string; state: string; sync: string }[]
}

export interface WatchSample {
  /** Epoch ms when the round started. */
  at: number
  members: Record<CenterName, MemberSample>
  /** Patroni's roles (`GET /cluster` of the first member that answers), by member name. */
  patroni: Record<string, string> | null
}

export class MemberWatch {
  readonly samples: WatchSample[] = []
  private running = false
  private loop: Promise<void> | null = null

  constructor(
    private readonly state: LabState,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.running = false
    await this.loop
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = Date.now()
      this.samples.push(await sampleMembers(this.state))
      const wait = this.intervalMs - (Date.now() - started)
      if (wait > 0) await sleep(wait)
    }
  }
}

const SAMPLE_SQL = `select pg_is_in_recovery() as ro, current_setting('synchronous_standby_names') as ssn,
  coalesce((select json_agg(json_build_object('name', application_name, 'state', state, 'sync', sync_state)) from pg_stat_replication), '[]'::json) as rep`

export async function sampleMembers(state: LabState, timeoutMs = 800): Promise<WatchSample> {
  const at = Date.now()
  const results = await Promise.all(
    CENTERS.map(async (c): Promise<[CenterName, MemberSample]> => {
      try {
        const rows = await pgQuery<{ ro: boolean; ssn: string; rep: MemberSample['replication'] }>(
          memberUrl(state, c, 'postgres'),
          SAMPLE_SQL,
          [],
          timeoutMs,
        )
        const r = rows[0]
        return [c, { up: Boolean(r), writable: r?.ro === false, ssn: r?.ssn ?? null, replication: r?.rep ?? [] }]
      } catch {
        return [c, { up: false, writable: false, ssn: null, replication: [] }]
      }
    }),
  )
  let patroni: WatchSample['patroni'] = null
  for (const c of ['B1', 'A1', 'A2'] as const) {
    try {
      const cluster = await patroniCluster(state.centers[c].postgres.restPort, timeoutMs)
      patroni = Object.fromEntries(cluster.members.map((m) => [m.name, m.role]))
      break
    } catch {}
  }
  return { at, members: Object.fromEntries(results) as Record<CenterName, MemberSample>, patroni }
}

export interface PartitionTimeline {
  samples: number
  /** The most members that answered writable in one round (1 is right; more is split brain). */
  maxWritableAtOnce: number
  /** Every member seen writable at some point. */
  writableMembers: CenterName[]
  /** Rounds with more than one writable member (at most 10), seconds after the fault. */
  splitBrain: { atSeconds: number; members: CenterName[] }[]
  /** Every change of which members are writable (seconds after the fault): none, one primary, or more. */
  primaryChanges: { atSeconds: number; writable: CenterName[] }[]
  /** The primary no longer lists the cut-off standby in pg_stat_replication (its walsender timed out). */
  standbyDroppedSeconds: number | null
  /** synchronous_standby_names on the primary no longer names the cut-off standby (Patroni gave up on it). */
  syncReleasedSeconds: number | null
  /** What synchronous_standby_names became then ('' = synchronous replication off). */
  syncReleasedTo: string | null
  /** Patroni no longer shows the cut-off standby as sync_standby (its /sync key was rewritten). */
  patroniSyncRemovedSeconds: number | null
  /** After the heal: the standby streams again and is the synchronous standby, in PostgreSQL and in Patroni. */
  resyncSeconds: number | null
}

/**
 * The timeline of a partition between `primary` (writable at the fault) and `standby` (its synchronous
 * standby), from samples; times in seconds after the fault (`resyncSeconds` after the heal).
 */
export function analyse(
  samples: WatchSample[],
  faultAt: number,
  healAt: number | null,
  primary: CenterName,
  standby: CenterName,
  standbyName: string,
): PartitionTimeline {
  const secs = (t: number, from = faultAt) => Number(((t - from) / 1000).toFixed(3))
  const after = samples.filter((s) => s.at >= faultAt)
  const writableOf = (s: WatchSample) => CENTERS.filter((c) => s.members[c].up && s.members[c].writable)
  let maxWritable = 0
  const seen = new Set<CenterName>()
  const splitBrain: PartitionTimeline['splitBrain'] = []
  const changes: PartitionTimeline['primaryChanges'] = []
  let current = primary as string
  for (const s of after) {
    const w = writableOf(s)
    maxWritable = Math.max(maxWritable, w.length)
    for (const c of w) seen.add(c)
    if (w.length > 1 && splitBrain.length < 10) splitBrain.push({ atSeconds: secs(s.at), members: w })
    if (w.join('+') !== current) {
      changes.push({ atSeconds: secs(s.at), writable: w })
      current = w.join('+')
    }
  }
  const during = after.filter((s) => healAt === null || s.at < healAt)
  const names = (ssn: string | null) => (ssn ?? '').replace(/"/g, '').split(/[\s,()]+/)
  const dropped = during.find((s) => s.members[primary].up && !s.members[primary].replication.some((r) => r.name === standbyName))
  const released = during.find(
    (s) => s.members[primary].up && s.members[primary].writable && !names(s.members[primary].ssn).includes(standbyName),
  )
  const patroniRemoved = during.find((s) => s.patroni && s.patroni[standbyName] !== 'sync_standby')
  let resync: WatchSample | undefined
  if (healAt !== null) {
    resync = samples.find((s) => {
      if (s.at < healAt) return false
      const lead = writableOf(s)
      if (lead.length !== 1) return false
      const leader = lead[0] as CenterName
      if (leader === standby) return false
      const row = s.members[leader].replication.find((r) => r.name === standbyName)
      return row?.state === 'streaming' && row.sync === 'sync' && s.patroni?.[standbyName] === 'sync_standby'
    })
  }
  return {
    samples: after.length,
    maxWritableAtOnce: maxWritable,
    writableMembers: [...seen],
    splitBrain,
    primaryChanges: changes,
    standbyDroppedSeconds: dropped ? secs(dropped.at) : null,
    syncReleasedSeconds: released ? secs(released.at) : null,
    syncReleasedTo: released ? (released.members[primary].ssn ?? '') : null,
    patroniSyncRemovedSeconds: patroniRemoved ? secs(patroniRemoved.at) : null,
    resyncSeconds: resync && healAt !== null ? secs(resync.at, healAt) : null,
  }
}
