import type { Catalog } from '../catalog'
import type { HistoryStore } from '../history'
import { MAX_GROUP_LIMIT, queryLedger } from '../ledger/query'
import type { LedgerView } from '../ledger/view'
import { nationalPueTarget } from '../regions'
import type { Census, CensusBreakdown, CensusRequest, LedgerDimension, LedgerGroup, LedgerResponse, Regions } from '../schemas'
import { CENSUS_BREAKDOWNS } from '../schemas'
import { evaluate, type HeldReservation } from './evaluate'

export interface CensusInputs {
  view: LedgerView
  history: HistoryStore
  catalog: Catalog
  catalogVersion: string
  userCatalog: boolean
  regions: Regions
  now: number
  staleAfterMs: number
  /** Workload shares holding capacity without running for at least `hours` (the scheduler's view). */
  heldReservations?: (hours: number) => HeldReservation[]
}

/** Cluster utilization bands (CPU requested / allocatable): [0, 20%), [20%, 40%) … [80%, 100%]. */
const BAND_EDGES = [0, 0.2, 0.4, 0.6, 0.8, 1]
const HOURS_PER_YEAR = 8_760

/**
 * Freeze the ledger as it is now into a census document (without its number, which the store gives).
 * Every figure comes from the same ledger query the API serves, so a census agrees with
 * `GET /api/v1/ledger` at the moment it was made.
 */
export async function buildCensus(request: CensusRequest, inputs: CensusInputs): Promise<Omit<Census, 'id'>> {
  const { view, now, staleAfterMs } = inputs
  const query = (groupBy: LedgerDimension[], extra: { lineage?: boolean; filters?: Partial<Record<LedgerDimension, string[]>> } = {}) =>
    queryLedger(view, {
      groupBy,
      filters: extra.filters ?? {},
      lineage: extra.lineage ?? false,
      limit: MAX_GROUP_LIMIT,
      offset: 0,
      now,
      staleAfterMs,
    })
  const national: LedgerResponse = query([], { lineage: true })
  // With no grouping there is one group, the nation, and it carries the lineage.
  const lineage = national.groups[0]?.lineage ?? []
  const total = national.total
  const breakdowns = {} as Record<CensusBreakdown, LedgerGroup[]>
  for (const dim of CENSUS_BREAKDOWNS) breakdowns[dim] = query([dim]).groups

  const bands = BAND_EDGES.slice(0, -1).map((min, i) => ({ min, max: BAND_EDGES[i + 1] ?? 1, clusters: 0, cpuCores: 0, accelerators: 0 }))
  for (const c of view.all()) {
    if (c.figures === null || c.lastReportAt === null || now - c.lastReportAt > staleAfterMs) continue
    const s = c.summary.row
    const share = s.cpu_alloc_millis > 0 ? s.cpu_req_millis / s.cpu_alloc_millis : 0
    const band = bands[Math.min(bands.length - 1, Math.floor(share / 0.2))]
    if (!band) continue
    band.clusters += 1
    band.cpuCores += s.cpu_cores
    for (const r of c.rows) if (r.kind !== 'CPU') band.accelerators += r.devices
  }

  const idle = await inputs.history.idle(
    { threshold: request.idleThreshold ?? 0.2, hours: request.idleHours ?? 24, limit: 10_000 },
    now,
    (id) => view.get(id),
  )

  const hubTargets = new Map(inputs.regions.hubs.map((h) => [h.id, h.pueTargetMax]))
  const national_ = nationalPueTarget()
  const pueTargets = query(['site', 'hub']).groups.map((g) => {
    const hub = g.key.hub ?? null
    const target = (hub !== null ? hubTargets.get(hub) : null) ?? national_
    const pue = g.energy?.pue ?? null
    return { hub, target, site: g.key.site ?? '', pue, meets: pue === null ? null : pue <= target }
  })

  const unclassified = query(['model'], { filters: { kind: ['unclassified'] } }).groups.map((g) => ({
    resource: g.key.model ?? '',
    devices: g.devices,
    clusters: g.clusters,
  }))

  const methodNotes = query(['kind', 'vendor', 'model']).groups.map((g) => {
    const kind = g.key.kind ?? ''
    const model = g.key.model ?? ''
    const vendor = g.key.vendor ?? ''
    const entry =
      kind === 'CPU'
        ? inputs.catalog.cpus.find((e) => e.microarchitecture === model && e.vendor === vendor)
        : inputs.catalog.devices.find((e) => e.model === model && e.vendor === vendor)
    return {
      vendor,
      model,
      kind,
      confidence: entry?.confidence ?? (kind === 'unclassified' ? 'unclassified' : 'unknown'),
      source: entry?.source ?? '',
      devices: g.devices,
    }
  })

  const heldReservations = inputs.heldReservations?.(request.reservationHours ?? 6) ?? []
  const recommendations = evaluate({ view, now, staleAfterMs, idle, pueTargets, unclassified, stale: national.stale, heldReservations })

  const energy = total.energy
  const facility = energy?.facilityPowerKw ?? 0
  return {
    period: request.period,
    title: request.title ?? null,
    createdAt: new Date(now).toISOString(),
    asOf: national.asOf,
    basis: national.basis,
    staleAfterSeconds: national.staleAfterSeconds,
    catalog: {
      version: inputs.catalogVersion,
      rows: inputs.catalog.devices.length + inputs.catalog.cpus.length,
      userFile: inputs.userCatalog,
    },
    total,
    breakdowns,
    utilizationBands: bands,
    idle,
    energy: {
      itPowerKw: energy?.itPowerKw ?? 0,
      facilityPowerKw: facility,
      pue: energy?.pue ?? null,
      greenShare: energy?.greenShare ?? null,
      carbonIntensityKgPerKwh: energy?.carbonIntensityKgPerKwh ?? null,
      annualEnergyMwh: (facility * HOURS_PER_YEAR) / 1000,
      annualCarbonTonnes:
        energy?.carbonIntensityKgPerKwh == null ? null : (facility * HOURS_PER_YEAR * energy.carbonIntensityKgPerKwh) / 1000,
      pueTargets,
    },
    dataQuality: { stale: national.stale, missing: national.missing, unclassified },
    methodNotes,
    recommendations,
    lineage,
  }
}
