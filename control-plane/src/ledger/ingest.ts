import type { Kysely } from 'kysely'
import type { ClusterIdentity, ReportAck, UsageReport } from '../schemas'
import type { Store } from '../store/open'
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
 * Apply one report to the ledger in a single transaction. Idempotent on (cluster, sequence): a
 * replay returns the stored answer and writes nothing; an older sequence is ignored and says so.
 */
export async function ingestReport(deps: IngestDeps, cluster: ClusterRecord, report: PreparedReport): Promise<IngestResult> {
  // Parsing and classification happened before (prepareBody, possibly on a worker thread).
  if (report.kind === 'full') checkIdentity(report.identity, cluster)
  const { store } = deps
  return store.db.transaction().execute(async (trx) => {
    let query = trx.selectFrom('clusters').select(['last_sequence']).where('id', '=', cluster.id)
    if (store.dialect === 'postgres') query = query.forUpdate()
    const current = await query.executeTakeFirst()
    if (!current) throw new LedgerError(404, 'CLUSTER_NOT_FOUND', `cluster "${cluster.id}" is not registered`)
    const logged = await trx
      .selectFrom('report_log')
      .select('ack')
      .where('cluster_id', '=', cluster.id)
      .where('sequence', '=', report.sequence)
      .executeTakeFirst()
    if (logged) return { ack: JSON.parse(logged.ack) as ReportAck, replay: true, applied: null }
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
      report.kind === 'full' ? await writeFull(trx, cluster, report, receivedAt) : await writeUsage(trx, cluster, report.report, receivedAt)
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
    await trx
      .insertInto('report_log')
      .values({ cluster_id: cluster.id, sequence: report.sequence, kind: report.kind, received_at: receivedAt, ack: JSON.stringify(ack) })
      .execute()
    const changes = {
      last_sequence: report.sequence,
      last_report_at: receivedAt,
      ...(report.kind === 'full' ? identityColumns(report.identity) : {}),
    }
    await trx.updateTable('clusters').set(changes).where('id', '=', cluster.id).execute()
    return { ack, replay: false, applied: ledgerClusterOf({ ...cluster, ...changes }, written.figures, written.rows) }
  })
}

interface Written {
  nodes: number
  figures: ClusterFigures
  rows: LedgerRow[]
}

async function replaceRows(trx: Kysely<Database>, clusterId: string, rows: LedgerRow[]): Promise<LedgerRow[]> {
  await trx.deleteFrom('ledger_rows').where('cluster_id', '=', clusterId).execute()
  if (rows.length > 0) {
    await trx
      .insertInto('ledger_rows')
      .values(rows.map((r) => ({ cluster_id: clusterId, ...r })))
      .execute()
  }
  return rows
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

async function writeFull(trx: Kysely<Database>, cluster: ClusterRecord, report: PreparedFull, receivedAt: number): Promise<Written> {
  const state = {
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
  await trx
    .insertInto('cluster_state')
    .values({ cluster_id: cluster.id, ...state })
    .onConflict((oc) => oc.column('cluster_id').doUpdateSet(state))
    .execute()
  const rows = await replaceRows(trx, cluster.id, report.rows)
  return { nodes: report.nodeCount, figures: figuresOf(state), rows }
}

async function writeUsage(trx: Kysely<Database>, cluster: ClusterRecord, report: UsageReport, receivedAt: number): Promise<Written> {
  const state = await trx.selectFrom('cluster_state').selectAll().where('cluster_id', '=', cluster.id).executeTakeFirst()
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
  await trx.updateTable('cluster_state').set(changes).where('cluster_id', '=', cluster.id).execute()
  const rows = await replaceRows(trx, cluster.id, ledgerRows(stored))
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
