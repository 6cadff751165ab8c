import type { Kysely } from 'kysely'
import type { Catalog } from '../catalog'
import { ENERGY_MIX_SUM_TOLERANCE, type FullReport, type Report, type ReportAck, type UsageReport } from '../schemas'
import type { Store } from '../store/open'
import type { Database } from '../store/schema'
import type { ClusterRecord } from './clusters'
import { LedgerError } from './errors'
import { applyUsage, buildInventory, type Inventory } from './inventory'
import { ledgerRows } from './rows'

export interface IngestResult {
  ack: ReportAck
  /** The same (cluster, sequence) was accepted before: this is its original answer. */
  replay: boolean
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
    if (logged) return { ack: JSON.parse(logged.ack) as ReportAck, replay: true }
    const receivedAt = deps.now()
    const last = current.last_sequence
    if (last !== null && report.sequence <= last) {
      return {
        replay: false,
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
    const nodes =
      report.kind === 'full' && prepared
        ? await writeFull(trx, cluster, report, prepared.inventory, receivedAt)
        : await writeUsage(trx, cluster, report as UsageReport, receivedAt)
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
    await trx
      .updateTable('clusters')
      .set({ last_sequence: report.sequence, last_report_at: receivedAt })
      .where('id', '=', cluster.id)
      .execute()
    return { ack, replay: false }
  })
}

async function replaceRows(trx: Kysely<Database>, clusterId: string, inventory: Inventory): Promise<void> {
  await trx.deleteFrom('ledger_rows').where('cluster_id', '=', clusterId).execute()
  const rows = ledgerRows(inventory)
  if (rows.length > 0)
    await trx
      .insertInto('ledger_rows')
      .values(rows.map((r) => ({ cluster_id: clusterId, ...r })))
      .execute()
}

async function writeFull(
  trx: Kysely<Database>,
  cluster: ClusterRecord,
  report: FullReport,
  inventory: Inventory,
  receivedAt: number,
): Promise<number> {
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
    inventory: JSON.stringify({ ...inventory, storage: report.storage }),
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
  await replaceRows(trx, cluster.id, inventory)
  const identity = report.cluster
  await trx
    .updateTable('clusters')
    .set({
      site: identity.site,
      site_name: identity.siteName ?? null,
      city: identity.city,
      city_code: identity.cityCode ?? null,
      hub: identity.hub ?? null,
      ministry: identity.ministry ?? null,
    })
    .where('id', '=', cluster.id)
    .execute()
  return report.nodes.length
}

async function writeUsage(trx: Kysely<Database>, cluster: ClusterRecord, report: UsageReport, receivedAt: number): Promise<number> {
  const state = await trx.selectFrom('cluster_state').select(['inventory']).where('cluster_id', '=', cluster.id).executeTakeFirst()
  if (!state) {
    throw new LedgerError(
      409,
      'FULL_REPORT_REQUIRED',
      `cluster "${cluster.id}" has no full report yet: send a full report before usage reports`,
    )
  }
  const stored = JSON.parse(state.inventory) as Inventory & { storage: FullReport['storage'] }
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
  await trx
    .updateTable('cluster_state')
    .set({
      usage_sequence: report.sequence,
      usage_received_at: receivedAt,
      report_timestamp: Date.parse(report.timestamp),
      inventory: JSON.stringify(stored),
      ...(storageUsed !== undefined ? { storage_used_bytes: storageUsed } : {}),
      ...(report.energy
        ? {
            it_power_kw: report.energy.itPowerKw,
            ...(report.energy.pue !== undefined ? { pue: report.energy.pue } : {}),
            ...(report.energy.greenShare !== undefined ? { green_share: report.energy.greenShare } : {}),
          }
        : {}),
    })
    .where('cluster_id', '=', cluster.id)
    .execute()
  await replaceRows(trx, cluster.id, stored)
  return stored.nodes.length
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
