// The lab's state file: every port, pid and directory the lab made, so `status`, `down` and the
// drills find them, and so `down` can clean up after a half-finished `up`.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { NetworkState } from './network'

export const CENTERS = ['A1', 'A2', 'B1'] as const
export type CenterName = (typeof CENTERS)[number]

/** City A holds the same-city pair (A1 national primary node, A2 same-city center); city B the remote DR center. */
export const CITY: Record<CenterName, 'A' | 'B'> = { A1: 'A', A2: 'A', B1: 'B' }

/**
 * Patroni timings. STACK.md measured 10/2/3 → RTO 8.8–10.3 s (30/10/10 → ~21 s). Patroni 3.0.2 enforces
 * no minimum: keep loop_wait + 2 × retry_timeout ≤ ttl.
 */
export interface PatroniTimings {
  ttl: number
  loopWait: number
  retryTimeout: number
}

export const FAST_TIMINGS: PatroniTimings = { ttl: 10, loopWait: 2, retryTimeout: 3 }

export function checkTimings(t: PatroniTimings): void {
  if (t.loopWait + 2 * t.retryTimeout > t.ttl) {
    throw new Error(`Patroni timings: loop_wait (${t.loopWait}) + 2 × retry_timeout (${t.retryTimeout}) must be ≤ ttl (${t.ttl})`)
  }
}

export interface EtcdMember {
  name: string
  clientPort: number
  peerPort: number
  dataDir: string
  log: string
  pid: number | null
}

export interface PostgresMember {
  name: string
  port: number
  restPort: number
  dataDir: string
  socketDir: string
  config: string
  log: string
  /** Patroni's pid; null once a takeover stopped Patroni in this center. */
  pid: number | null
}

export interface HaproxyInstance {
  port: number
  config: string
  log: string
  pid: number | null
}

export interface ControlPlaneInstance {
  name: string
  port: number
  log: string
  pid: number | null
  /** What DATABASE_URL points at: HAProxy in its center, or one PostgreSQL directly after a takeover. */
  databaseUrl: string
}

export interface CenterState {
  name: CenterName
  city: 'A' | 'B'
  dir: string
  etcd: EtcdMember
  postgres: PostgresMember
  haproxy: HaproxyInstance | null
  controlPlane: ControlPlaneInstance | null
}

export interface BackupState {
  config: string
  repo: string
  stanza: string
  log: string
  /** How often a full backup should be taken (documented; `suanpan dr backup` takes one now). */
  fullIntervalHours: number
}

/** After a remote takeover B1 runs outside Patroni: the lab cannot fail back by itself. */
export interface TakeoverState {
  at: string
  /** PostgreSQL in B1 was promoted by Suanpan (pg_ctl promote), Patroni in B1 stopped. */
  promotedOutsidePatroni: boolean
  postmasterPid: number | null
}

/** Processes started after `up` (B1's control plane after a takeover, a restore test instance). */
export interface ExtraProcess {
  name: string
  kind: 'control-plane' | 'haproxy' | 'postgres' | 'other'
  pid: number | null
  port?: number
  dataDir?: string
  log?: string
}

export interface LabState {
  version: 1
  id: string
  dir: string
  repoRoot: string
  createdAt: string
  scope: string
  database: string
  timings: PatroniTimings
  adminToken: string
  /** Replication lag bound (bytes) for pre-flight and for the remote takeover's RPO. */
  lagBoundBytes: number
  centers: Record<CenterName, CenterState>
  backup: BackupState
  probe: { clusterId: string; token: string } | null
  takeover: TakeoverState | null
  extras: ExtraProcess[]
  /**
   * The lab network between centers (network.ts): every cross-center connection goes through it, so a
   * drill can cut two centers apart. Absent in a lab built before it existed (then nothing can be cut).
   */
  network?: NetworkState | null
  /**
   * Control planes run with pg-guard.ts preloaded (an idle pooled connection's error is logged, not
   * fatal): see that file. Off: the unmodified server, which exits on the first failover.
   */
  pgGuard: boolean
  /** Set when `up` finished; a half-built lab only supports `down`. */
  ready: boolean
}

export const DEFAULT_LAB_DIR = '.suanpan/dr-lab'

export function labDir(dir?: string | null): string {
  return resolve(dir || process.env.SUANPAN_DR_LAB_DIR || DEFAULT_LAB_DIR)
}

export const stateFile = (dir: string) => join(dir, 'lab.json')

export function readState(dir: string): LabState | null {
  const file = stateFile(dir)
  if (!existsSync(file)) return null
  return JSON.parse(readFileSync(file, 'utf8')) as LabState
}

export function requireState(dir: string): LabState {
  const state = readState(dir)
  if (!state) throw new Error(`no DR lab in ${dir} (start one: suanpan dr lab up --dir ${dir})`)
  return state
}

/** Written atomically (rename), so a killed CLI never leaves half a file. */
export function writeState(state: LabState): void {
  mkdirSync(state.dir, { recursive: true })
  const file = stateFile(state.dir)
  const tmp = `${file}.tmp-${process.pid}`
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`)
  renameSync(tmp, file)
}
