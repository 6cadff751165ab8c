import type { Kysely, Selectable } from 'kysely'
import type { ClusterIdentity, ReportAck, UsageReport } from '../schemas'
import { LEDGER_ROW_MEASURES } from '../store/migrations'
import type { RawSqlite, Store } from '../store/open'
import type { ClusterStateTable, Database } from '../store/schema'
import type { ClusterRecord } from './clusters'
import { LedgerError } from './errors'
import { applyUsage } from './inventory'
import { decodeInventory, encodeInventory } from './inventory-codec'
import type { PreparedFull, PreparedReport } from './prepare'
import { type LedgerRow, ledgerRows } from './rows'
import { type ClusterFigures, type LedgerCluster, ledgerClusterOf } from './view'

export interface IngestResult {
  ack: ReportAck
  /** The same (cluster, sequence) was accepted before: this is its original answer. */
  replay: boolean
  /** What the cluster now contributes to the ledger, when the report changed it. */
  applied: LedgerCluster | null
}

export interface IngestDeps {
  store: Store
  now: () => number
}

/** Fields fixed at registration: a report may not move a cluster to another province or level. */
function checkIdentity(identity: ClusterIdentity, cluster: ClusterRecord): void {
  if (identity.province !== cluster.province) {
    throw new LedgerError(
      422,
      'IDENTITY_MISMATCH',
      `cluster.province ${identity.province} differs from the registered ${cluster.province}`,
      [{ path: '/cluster/province', message: `registered as ${cluster.province}` }],
    )
  }
  if (identity.level !== cluster.level) {
    throw new LedgerError(422, 'IDENTITY_MISMATCH', `cluster.level ${identity.level} differs from the registered ${cluster.level}`, [
      { path: '/cluster/level', message: `registered as ${cluster.level}` },
    ])
  }
}

/**
 * The statements of one report's transaction. Two implementations: Kysely (PostgreSQL) and plain
 * prepared statements run synchronously on SQLite's one connection (ingest's hot path: building a
 * Kysely query costs more than running these small statements).
 */
interface LedgerTx {
  lastSequence(clusterId: string): Promise<{ last_sequence: number | null } | undefined> | { last_sequence: number | null } | undefined
  loggedAck(clusterId: string, sequence: number): Promise<string | undefined> | string | undefined
  clusterState(clusterId: string): Promise<ClusterStateRow | undefined> | ClusterStateRow | undefined
  upsertState(clusterId: string, state: FullState): Promise<unknown> | unknown
  updateState(clusterId: string, changes: Partial<FullState>): Promise<unknown> | unknown
  replaceRows(clusterId: string, rows: LedgerRow[]): Promise<unknown> | unknown
  log(entry: { cluster_id: string; sequence: number; kind: string; received_at: number; ack: string }): Promise<unknown> | unknown
  updateCluster(clusterId: string, changes: ClusterChanges): Promise<unknown> | unknown
}

type ClusterStateRow = Selectable<ClusterStateTable>
type FullState = Omit<ClusterStateRow, 'cluster_id'>
type ClusterChanges = { last_sequence: number; last_report_at: number } & Partial<ReturnType<typeof identityColumns>>

/**
 * Apply one report to the ledger in a single transaction. Idempotent on (cluster, sequence): a
 * replay returns the stored answer and writes nothing; an older sequence is ignored and says so.
 */
export async function ingestReport(deps: IngestDeps, cluster: ClusterRecord, report: PreparedReport): Promise<IngestResult> {
  // Parsing and classification happened before (prepareBody, possibly on a worker thread).
  if (report.kind === 'full') checkIdentity(report.identity, cluster)
  const { store } = deps
  const raw = store.sqlite
  if (raw) {
    // Kysely's lock on SQLite's single connection is held for the callback: nothing else runs in between.
    return store.db.connection().execute(async () => {
      raw.exec('begin')
      try {
        const result = await apply(sqliteTx(raw), deps, cluster, report)
        raw.exec('commit')
        return result
      } catch (error) {
        raw.exec('rollback')
        throw error
      }
    })
  }
  return store.db.transaction().execute((trx) => apply(kyselyTx(trx, store.dialect === 'postgres'), deps, cluster, report))
}

async function apply(tx: LedgerTx, deps: IngestDeps, cluster: ClusterRecord, report: PreparedReport): Promise<IngestResult> {
  const current = await tx.lastSequence(cluster.id)
  if (!current) throw new LedgerError(404, 'CLUSTER_NOT_FOUND', `cluster "${cluster.id}" is not registered`)
  const logged = await tx.loggedAck(cluster.id, report.sequence)
  if (logged !== undefined) return { ack: JSON.parse(logged) as ReportAck, replay: true, applied: null }
  const receivedAt = deps.now()
  const last = current.last_sequence
  if (last !== null && report.sequence <= last) {
    return {
      replay: false,
      applied: null,
      ack: {
        status: 'ignored-older',
        clusterId: cluster.id,
        sequence: report.sequence,
        lastSequence: last,
        receivedAt: new Date(receivedAt).toISOString(),
        nodes: 0,
        message: `sequence ${report.sequence} is older than the last accepted ${last}: ignored, nothing changed`,
      },
    }
  }
  const written =
    report.kind === 'full' ? await writeFull(tx, cluster, report, receivedAt) : await writeUsage(tx, cluster, report.report, receivedAt)
  const nodes = written.nodes
  const ack: ReportAck = {
    status: 'accepted',
    clusterId: cluster.id,
    sequence: report.sequence,
    lastSequence: report.sequence,
    receivedAt: new Date(receivedAt).toISOString(),
    nodes,
    message: `accepted ${report.kind} report of ${nodes} nodes`,
  }
  await tx.log({ cluster_id: cluster.id, sequence: report.sequence, kind: report.kind, received_at: receivedAt, ack: JSON.stringify(ack) })
  const changes: ClusterChanges = {
    last_sequence: report.sequence,
    last_report_at: receivedAt,
    ...(report.kind === 'full' ? identityColumns(report.identity) : {}),
  }
  await tx.updateCluster(cluster.id, changes)
  return { ack, replay: false, applied: ledgerClusterOf({ ...cluster, ...changes }, written.figures, written.rows) }
}

function kyselyTx(trx: Kysely<Database>, lockRow: boolean): LedgerTx {
  return {
    async lastSequence(clusterId) {
      let query = trx.selectFrom('clusters').select(['last_sequence']).where('id', '=', clusterId)
      if (lockRow) query = query.forUpdate()
      return query.executeTakeFirst()
    },
    async loggedAck(clusterId, sequence) {
      const row = await trx
        .selectFrom('report_log')
        .select('ack')
        .where('cluster_id', '=', clusterId)
        .where('sequence', '=', sequence)
        .executeTakeFirst()
      return row?.ack
    },
    clusterState: (clusterId) => trx.selectFrom('cluster_state').selectAll().where('cluster_id', '=', clusterId).executeTakeFirst(),
    upsertState: (clusterId, state) =>
      trx
        .insertInto('cluster_state')
        .values({ cluster_id: clusterId, ...state })
        .onConflict((oc) => oc.column('cluster_id').doUpdateSet(state))
        .execute(),
    updateState: (clusterId, changes) => trx.updateTable('cluster_state').set(changes).where('cluster_id', '=', clusterId).execute(),
    async replaceRows(clusterId, rows) {
      await trx.deleteFrom('ledger_rows').where('cluster_id', '=', clusterId).execute()
      if (rows.length > 0) {
        await trx
          .insertInto('ledger_rows')
          .values(rows.map((r) => ({ cluster_id: clusterId, ...r })))
          .execute()
      }
    },
    log: (entry) => trx.insertInto('report_log').values(entry).execute(),
    updateCluster: (clusterId, changes) => trx.updateTable('clusters').set(changes).where('id', '=', clusterId).execute(),
  }
}

const STATE_COLUMNS = [
  'full_sequence',
  'full_received_at',
  'usage_sequence',
  'usage_received_at',
  'report_timestamp',
  'node_count',
  'inventory',
  'storage_capacity_bytes',
  'storage_used_bytes',
  'it_power_kw',
  'pue',
  'green_share',
  'carbon_intensity',
] as const satisfies readonly (keyof FullState)[]
const ROW_COLUMNS = ['row_key', 'kind', 'vendor', 'model', 'arch', 'domestic', ...LEDGER_ROW_MEASURES] as const

const UPSERT_STATE = `insert into cluster_state (cluster_id, ${STATE_COLUMNS.join(', ')}) values (?${', ?'.repeat(STATE_COLUMNS.length)}) on conflict (cluster_id) do update set ${STATE_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`
const INSERT_ROW = `insert into ledger_rows (cluster_id, ${ROW_COLUMNS.join(', ')}) values (?${', ?'.repeat(ROW_COLUMNS.length)})`

/** Column names come from the code (the table's own), never from input; values are always bound. */
function setClause(changes: object): { sql: string; values: unknown[] } {
  const keys = Object.keys(changes)
  return { sql: keys.map((k) => `${k} = ?`).join(', '), values: keys.map((k) => (changes as Record<string, unknown>)[k]) }
}

function sqliteTx(raw: RawSqlite): LedgerTx {
  return {
    lastSequence: (clusterId) =>
      raw.prepare('select last_sequence from clusters where id = ?').get(clusterId) as { last_sequence: number | null } | undefined,
    loggedAck: (clusterId, sequence) =>
      (
        raw.prepare('select ack from report_log where cluster_id = ? and sequence = ?').get(clusterId, sequence) as
          | { ack: string }
          | undefined
      )?.ack,
    clusterState: (clusterId) =>
      raw.prepare('select * from cluster_state where cluster_id = ?').get(clusterId) as ClusterStateRow | undefined,
    upsertState: (clusterId, state) => raw.prepare(UPSERT_STATE).run(clusterId, ...STATE_COLUMNS.map((c) => state[c])),
    updateState(clusterId, changes) {
      const set = setClause(changes)
      return raw.prepare(`update cluster_state set ${set.sql} where cluster_id = ?`).run(...set.values, clusterId)
    },
    replaceRows(clusterId, rows) {
      raw.prepare('delete from ledger_rows where cluster_id = ?').run(clusterId)
      const insert = raw.prepare(INSERT_ROW)
      for (const row of rows) insert.run(clusterId, ...ROW_COLUMNS.map((c) => row[c]))
    },
    log: (e) =>
      raw
        .prepare('insert into report_log (cluster_id, sequence, kind, received_at, ack) values (?, ?, ?, ?, ?)')
        .run(e.cluster_id, e.sequence, e.kind, e.received_at, e.ack),
    updateCluster(clusterId, changes) {
      const set = setClause(changes)
      return raw.prepare(`update clusters set ${set.sql} where id = ?`).run(...set.values, clusterId)
    },
  }
}

interface Written {
  nodes: number
  figures: ClusterFigures
  rows: LedgerRow[]
}

function figuresOf(state: Omit<ClusterStateTable, 'cluster_id' | 'inventory' | 'node_count' | 'report_timestamp'>): ClusterFigures {
  return {
    fullSequence: state.full_sequence,
    fullReceivedAt: state.full_received_at,
    usageSequence: state.usage_sequence,
    usageReceivedAt: state.usage_received_at,
    storageCapacityBytes: state.storage_capacity_bytes,
    storageUsedBytes: state.storage_used_bytes,
    itPowerKw: state.it_power_kw,
    pue: state.pue,
    greenShare: state.green_share,
    carbonIntensity: state.carbon_intensity,
  }
}

async function writeFull(tx: LedgerTx, cluster: ClusterRecord, report: PreparedFull, receivedAt: number): Promise<Written> {
  const state: FullState = {
    full_sequence: report.sequence,
    full_received_at: receivedAt,
    usage_sequence: null,
    usage_received_at: null,
    report_timestamp: report.timestamp,
    node_count: report.nodeCount,
    inventory: report.inventoryText,
    storage_capacity_bytes: report.storageCapacityBytes,
    storage_used_bytes: report.storageUsedBytes,
    it_power_kw: report.itPowerKw,
    pue: report.pue,
    green_share: report.greenShare,
    carbon_intensity: report.carbonIntensity,
  }
  await tx.upsertState(cluster.id, state)
  await tx.replaceRows(cluster.id, report.rows)
  return { nodes: report.nodeCount, figures: figuresOf(state), rows: report.rows }
}

async function writeUsage(tx: LedgerTx, cluster: ClusterRecord, report: UsageReport, receivedAt: number): Promise<Written> {
  const state = await tx.clusterState(cluster.id)
  if (!state) {
    throw new LedgerError(
      409,
      'FULL_REPORT_REQUIRED',
      `cluster "${cluster.id}" has no full report yet: send a full report before usage reports`,
    )
  }
  const stored = decodeInventory(state.inventory)
  const { unknownNodes } = applyUsage(stored, report)
  if (unknownNodes.length > 0) {
    throw new LedgerError(
      409,
      'FULL_REPORT_REQUIRED',
      `usage names ${unknownNodes.length} nodes the last full report did not have (first: ${unknownNodes[0]}): send a full report`,
      [{ path: '/nodes', message: 'unknown node names' }],
    )
  }
  let storageUsed: number | null | undefined
  if (report.storage) {
    const byClass = new Map(report.storage.map((s) => [s.class, s.usedBytes]))
    storageUsed = 0
    for (const s of stored.storage) {
      const u = byClass.get(s.class) ?? s.usedBytes
      if (u !== undefined) {
        s.usedBytes = u
        storageUsed += u
      }
    }
  }
  const changes = {
    usage_sequence: report.sequence,
    usage_received_at: receivedAt,
    report_timestamp: Date.parse(report.timestamp),
    inventory: encodeInventory(stored, stored.storage),
    ...(storageUsed !== undefined ? { storage_used_bytes: storageUsed } : {}),
    ...(report.energy
      ? {
          it_power_kw: report.energy.itPowerKw,
          ...(report.energy.pue !== undefined ? { pue: report.energy.pue } : {}),
          ...(report.energy.greenShare !== undefined ? { green_share: report.energy.greenShare } : {}),
        }
      : {}),
  }
  await tx.updateState(cluster.id, changes)
  const rows = ledgerRows(stored)
  await tx.replaceRows(cluster.id, rows)
  return { nodes: stored.nodes.length, figures: figuresOf({ ...state, ...changes }), rows }
}

/** Site, city and hub follow the reports (sites get renamed); province and level are fixed at registration. */
function identityColumns(identity: ClusterIdentity) {
  return {
    site: identity.site,
    site_name: identity.siteName ?? null,
    city: identity.city,
    city_code: identity.cityCode ?? null,
    hub: identity.hub ?? null,
    ministry: identity.ministry ?? null,
  }
}
