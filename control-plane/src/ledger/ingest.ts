import type { Kysely } from 'kysely'
import type { Catalog } from '../catalog'
import { ENERGY_MIX_SUM_TOLERANCE, type FullReport, type Report, type ReportAck, type UsageReport } from '../schemas'
import type { Store } from '../store/open'
import type { ClusterStateTable, Database } from '../store/schema'
import type { ClusterRecord } from './clusters'
import { LedgerError } from './errors'
import { applyUsage, buildInventory, type Inventory } from './inventory'
import { decodeInventory, encodeInventory } from './inventory-codec'
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
  catalog: Catalog
  now: () => number
}

/** Checks the schema cannot express: an energy mix must add up to 1. */
function checkEnergy(report: FullReport): void {
  const mix = report.energy?.mix
  if (!mix) return
  const sum = Object.values(mix).reduce((a: number, b) => a + (b ?? 0), 0)
  if (Math.abs(sum - 1) > ENERGY_MIX_SUM_TOLERANCE) {
    throw new LedgerError(
      400,
      'SCHEMA_VIOLATION',
      `body/energy/mix shares add up to ${sum.toFixed(4)}, expected 1 (±${ENERGY_MIX_SUM_TOLERANCE})`,
      [{ path: '/energy/mix', message: 'shares must add up to 1' }],
    )
  }
}

/** Fields fixed at registration: a report may not move a cluster to another province or level. */
function checkIdentity(report: FullReport, cluster: ClusterRecord): void {
  if (report.cluster.province !== cluster.province) {
    throw new LedgerError(
      422,
      'IDENTITY_MISMATCH',
      `cluster.province ${report.cluster.province} differs from the registered ${cluster.province}`,
      [{ path: '/cluster/province', message: `registered as ${cluster.province}` }],
    )
  }
  if (report.cluster.level !== cluster.level) {
    throw new LedgerError(422, 'IDENTITY_MISMATCH', `cluster.level ${report.cluster.level} differs from the registered ${cluster.level}`, [
      { path: '/cluster/level', message: `registered as ${cluster.level}` },
    ])
  }
}

/**
 * Apply one report to the ledger in a single transaction. Idempotent on (cluster, sequence): a
 * replay returns the stored answer and writes nothing; an older sequence is ignored and says so.
 */
export async function ingestReport(deps: IngestDeps, cluster: ClusterRecord, report: Report): Promise<IngestResult> {
  // Classification is the expensive part: do it before taking the write lock.
  let prepared: { inventory: Inventory } | null = null
  if (report.kind === 'full') {
    checkIdentity(report, cluster)
    checkEnergy(report)
    prepared = { inventory: buildInventory(report, deps.catalog) }
  }
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
      report.kind === 'full' && prepared
        ? await writeFull(trx, cluster, report, prepared.inventory, receivedAt)
        : await writeUsage(trx, cluster, report as UsageReport, receivedAt)
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
      ...(report.kind === 'full' ? identityColumns(report) : {}),
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

async function replaceRows(trx: Kysely<Database>, clusterId: string, inventory: Inventory): Promise<LedgerRow[]> {
  await trx.deleteFrom('ledger_rows').where('cluster_id', '=', clusterId).execute()
  const rows = ledgerRows(inventory)
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

async function writeFull(
  trx: Kysely<Database>,
  cluster: ClusterRecord,
  report: FullReport,
  inventory: Inventory,
  receivedAt: number,
): Promise<Written> {
  let capacity = 0
  let used: number | null = null
  for (const s of report.storage) {
    capacity += s.capacityBytes
    if (s.usedBytes !== undefined) used = (used ?? 0) + s.usedBytes
  }
  const energy = report.energy
  const state = {
    full_sequence: report.sequence,
    full_received_at: receivedAt,
    usage_sequence: null,
    usage_received_at: null,
    report_timestamp: Date.parse(report.timestamp),
    node_count: report.nodes.length,
    inventory: encodeInventory(inventory, report.storage),
    storage_capacity_bytes: capacity,
    storage_used_bytes: used,
    it_power_kw: energy?.itPowerKw ?? null,
    pue: energy?.pue ?? null,
    green_share: energy ? greenShareOf(energy) : null,
    carbon_intensity: energy?.carbonIntensityKgPerKwh ?? null,
  }
  await trx
    .insertInto('cluster_state')
    .values({ cluster_id: cluster.id, ...state })
    .onConflict((oc) => oc.column('cluster_id').doUpdateSet(state))
    .execute()
  const rows = await replaceRows(trx, cluster.id, inventory)
  return { nodes: report.nodes.length, figures: figuresOf(state), rows }
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
  const rows = await replaceRows(trx, cluster.id, stored)
  return { nodes: stored.nodes.length, figures: figuresOf({ ...state, ...changes }), rows }
}

/** Site, city and hub follow the reports (sites get renamed); province and level are fixed at registration. */
function identityColumns(report: FullReport) {
  const identity = report.cluster
  return {
    site: identity.site,
    site_name: identity.siteName ?? null,
    city: identity.city,
    city_code: identity.cityCode ?? null,
    hub: identity.hub ?? null,
    ministry: identity.ministry ?? null,
  }
}

const GREEN_SOURCES = ['hydro', 'wind', 'solar', 'nuclear', 'biomass'] as const

/** The report's green share, or the low/zero-carbon part of its mix. */
export function greenShareOf(energy: NonNullable<FullReport['energy']>): number | null {
  if (energy.greenShare !== undefined) return energy.greenShare
  if (!energy.mix) return null
  let green = 0
  for (const source of GREEN_SOURCES) green += energy.mix[source] ?? 0
  return Math.min(1, green)
}
