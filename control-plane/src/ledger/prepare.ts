import type { Catalog } from '../catalog'
import { type ClusterIdentity, ENERGY_MIX_SUM_TOLERANCE, type FullReport, type UsageReport } from '../schemas'
import { LedgerError } from './errors'
import { buildInventory } from './inventory'
import { encodeInventory } from './inventory-codec'
import { type LedgerRow, ledgerRows } from './rows'
import { validateReport } from './validate'

/** A full report reduced to what the store writes: the CPU-heavy part of ingest, with no I/O. */
export interface PreparedFull {
  kind: 'full'
  clusterId: string
  sequence: number
  identity: ClusterIdentity
  timestamp: number
  nodeCount: number
  inventoryText: string
  rows: LedgerRow[]
  storageCapacityBytes: number
  storageUsedBytes: number | null
  itPowerKw: number | null
  pue: number | null
  greenShare: number | null
  carbonIntensity: number | null
}

/** Usage reports apply to the stored inventory, so they are only validated here. */
export interface PreparedUsage {
  kind: 'usage'
  clusterId: string
  sequence: number
  report: UsageReport
}

export type PreparedReport = PreparedFull | PreparedUsage

/** Parse, validate and classify a report body. Pure: safe to run on a worker thread. */
export function prepareBody(text: string, catalog: Catalog): PreparedReport {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (error) {
    throw new LedgerError(400, 'INVALID_JSON', `body is not valid JSON: ${(error as Error).message}`)
  }
  const report = validateReport(body)
  if (report.kind === 'usage') return { kind: 'usage', clusterId: report.cluster.clusterId, sequence: report.sequence, report }
  return prepareFull(report, catalog)
}

export function prepareFull(report: FullReport, catalog: Catalog): PreparedFull {
  checkEnergy(report)
  const inventory = buildInventory(report, catalog)
  let capacity = 0
  let used: number | null = null
  for (const s of report.storage) {
    capacity += s.capacityBytes
    if (s.usedBytes !== undefined) used = (used ?? 0) + s.usedBytes
  }
  const energy = report.energy
  return {
    kind: 'full',
    clusterId: report.cluster.clusterId,
    sequence: report.sequence,
    identity: report.cluster,
    timestamp: Date.parse(report.timestamp),
    nodeCount: report.nodes.length,
    inventoryText: encodeInventory(inventory, report.storage),
    rows: ledgerRows(inventory),
    storageCapacityBytes: capacity,
    storageUsedBytes: used,
    itPowerKw: energy?.itPowerKw ?? null,
    pue: energy?.pue ?? null,
    greenShare: energy ? greenShareOf(energy) : null,
    carbonIntensity: energy?.carbonIntensityKgPerKwh ?? null,
  }
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

const GREEN_SOURCES = ['hydro', 'wind', 'solar', 'nuclear', 'biomass'] as const

/** The report's green share, or the low/zero-carbon part of its mix. */
export function greenShareOf(energy: NonNullable<FullReport['energy']>): number | null {
  if (energy.greenShare !== undefined) return energy.greenShare
  if (!energy.mix) return null
  let green = 0
  for (const source of GREEN_SOURCES) green += energy.mix[source] ?? 0
  return Math.min(1, green)
}
