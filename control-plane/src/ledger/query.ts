import { DEVICE_DIMENSIONS, LEDGER_DIMENSIONS, type LedgerDimension, type LedgerGroup, type LedgerResponse } from '../schemas'
import { LedgerError } from './errors'
import type { LedgerRow } from './rows'
import type { ClusterSummary, LedgerCluster, LedgerView } from './view'

export const BASIS = {
  fp64Pflops: 'HPC compute: peak FP64 (vector/matrix, non-sparse) of CPUs and accelerators, PFLOPS',
  fp32Pflops: 'general compute: peak FP32 of CPUs (cores x clock x FLOP/cycle) and accelerators, PFLOPS',
  fp16DensePflops: 'intelligent compute: dense FP16/BF16 tensor peak of accelerators (no sparsity, CPUs not counted), PFLOPS',
  int8DensePops: 'dense INT8 peak of accelerators (no sparsity), POPS',
  utilization: 'requested / allocatable (Kubernetes requests); used / allocatable over nodes that report usage',
  energy: 'site-level: summed IT power; PUE and green share weighted by IT power; not split by device dimensions',
  asOf: 'oldest report time among the clusters a figure sums: every figure is at least this fresh',
}

export interface LedgerQueryOptions {
  groupBy: LedgerDimension[]
  filters: Partial<Record<LedgerDimension, string[]>>
  lineage: boolean
  limit: number
  offset: number
  now: number
  staleAfterMs: number
}

export const DEFAULT_GROUP_LIMIT = 500
export const MAX_GROUP_LIMIT = 10_000

/** Parse `groupBy=province,kind` and `province=110000,120000` into options, naming the bad field. */
export function parseLedgerQuery(
  query: Record<string, unknown>,
): Pick<LedgerQueryOptions, 'groupBy' | 'filters' | 'lineage' | 'limit' | 'offset'> {
  const known = new Set<string>(LEDGER_DIMENSIONS)
  const groupBy: LedgerDimension[] = []
  const raw = typeof query.groupBy === 'string' ? query.groupBy : ''
  for (const part of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!known.has(part)) {
      throw new LedgerError(400, 'INVALID_QUERY', `groupBy: unknown dimension "${part}"; use any of ${LEDGER_DIMENSIONS.join(', ')}`, [
        { path: '/groupBy', message: `unknown dimension ${part}` },
      ])
    }
    if (!groupBy.includes(part as LedgerDimension)) groupBy.push(part as LedgerDimension)
  }
  const filters: Partial<Record<LedgerDimension, string[]>> = {}
  for (const dim of LEDGER_DIMENSIONS) {
    const value = query[dim]
    if (typeof value !== 'string' || value === '') continue
    const values = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    if (dim === 'domestic') {
      const bad = values.find((v) => v !== 'true' && v !== 'false')
      if (bad)
        throw new LedgerError(400, 'INVALID_QUERY', `domestic must be true or false, got "${bad}"`, [
          { path: '/domestic', message: 'true or false' },
        ])
    }
    filters[dim] = values
  }
  const limit = query.limit === undefined ? DEFAULT_GROUP_LIMIT : Number(query.limit)
  const offset = query.offset === undefined ? 0 : Number(query.offset)
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_GROUP_LIMIT) {
    throw new LedgerError(400, 'INVALID_QUERY', `limit must be an integer from 1 to ${MAX_GROUP_LIMIT}`, [
      { path: '/limit', message: 'out of range' },
    ])
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new LedgerError(400, 'INVALID_QUERY', 'offset must be a non-negative integer', [{ path: '/offset', message: 'out of range' }])
  }
  return { groupBy, filters, lineage: query.lineage === true || query.lineage === 'true', limit, offset }
}

type Filters = LedgerQueryOptions['filters']

type SiteDimension = 'province' | 'city' | 'hub' | 'level' | 'platform' | 'site' | 'cluster'

const SITE_VALUE: Record<SiteDimension, (c: LedgerCluster) => string | null> = {
  province: (c) => c.province,
  city: (c) => c.city,
  hub: (c) => c.hub,
  level: (c) => c.level,
  platform: (c) => c.platform,
  site: (c) => c.site,
  cluster: (c) => c.id,
}

function dimensionValue(dim: LedgerDimension, c: LedgerCluster, r: LedgerRow | null): string | null {
  switch (dim) {
    case 'kind':
      return r ? r.kind : null
    case 'vendor':
      return r ? r.vendor : null
    case 'model':
      return r ? r.model : null
    case 'arch':
      return r ? r.arch : null
    case 'domestic':
      return r ? (r.domestic === 1 ? 'true' : 'false') : null
    default:
      return SITE_VALUE[dim](c)
  }
}

const isDevice = (d: LedgerDimension) => DEVICE_DIMENSIONS.includes(d)

function emptyGroup(key: LedgerGroup['key']): LedgerGroup {
  return {
    key,
    clusters: 0,
    nodes: 0,
    devices: 0,
    cpuCores: 0,
    memoryBytes: 0,
    accelerators: {},
    virtualAccelerators: 0,
    strandedAccelerators: 0,
    storage: null,
    compute: {
      fp64Pflops: 0,
      fp32Pflops: 0,
      fp16DensePflops: 0,
      int8DensePops: 0,
      devicesWithoutFigure: { fp64: 0, fp32: 0, fp16Dense: 0, int8Dense: 0 },
    },
    utilization: { cpuRequested: null, memoryRequested: null, acceleratorsInUse: null, cpuUsed: null, memoryUsed: null },
    energy: null,
    asOf: null,
    reports: 0,
  }
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null)

type LineageEntry = NonNullable<LedgerGroup['lineage']>[number]

/** A group being summed: TFLOPS and raw sums until `finish` turns them into the response's units and ratios. */
class Accumulator {
  readonly group: LedgerGroup
  sortKey: string
  lastCluster: string | null = null
  oldest: number | null = null
  cpuAlloc = 0
  cpuReq = 0
  cpuUsed = 0
  cpuUsedAlloc = 0
  memAlloc = 0
  memReq = 0
  memUsed = 0
  memUsedAlloc = 0
  accAlloc = 0
  accInUse = 0
  accInUseAlloc = 0
  site: {
    cap: number
    used: number | null
    it: number
    facility: number
    greenIt: number
    green: number
    carbonIt: number
    carbon: number
    reporting: number
  } | null = null
  lineage: LineageEntry[] | null

  constructor(key: LedgerGroup['key'], sortKey: string, lineage: boolean) {
    this.group = emptyGroup(key)
    this.sortKey = sortKey
    this.lineage = lineage ? [] : null
  }

  addCluster(c: LedgerCluster): void {
    if (this.lastCluster === c.id) return
    this.lastCluster = c.id
    this.group.clusters += 1
    const f = c.figures
    if (!f) return
    if (this.oldest === null || f.fullReceivedAt < this.oldest) this.oldest = f.fullReceivedAt
    if (this.lineage) {
      this.lineage.push({ clusterId: c.id, sequence: f.fullSequence, kind: 'full', receivedAt: new Date(f.fullReceivedAt).toISOString() })
      if (f.usageSequence !== null && f.usageReceivedAt !== null) {
        this.lineage.push({
          clusterId: c.id,
          sequence: f.usageSequence,
          kind: 'usage',
          receivedAt: new Date(f.usageReceivedAt).toISOString(),
        })
      }
    }
  }

  addRow(r: LedgerRow): void {
    const g = this.group
    if (r.kind !== 'CPU') {
      g.accelerators[r.kind] = (g.accelerators[r.kind] ?? 0) + r.devices
      g.virtualAccelerators += r.virtual_devices
    }
    this.addMeasures(r)
  }

  addSummary(s: ClusterSummary): void {
    const g = this.group
    for (const kind in s.accelerators) g.accelerators[kind] = (g.accelerators[kind] ?? 0) + (s.accelerators[kind] ?? 0)
    g.virtualAccelerators += s.virtualAccelerators
    this.addMeasures(s.row)
  }

  private addMeasures(r: LedgerRow): void {
    const g = this.group
    g.nodes += r.nodes
    g.devices += r.devices
    g.cpuCores += r.cpu_cores
    g.memoryBytes += r.memory_bytes
    const c = g.compute
    c.fp64Pflops += r.fp64_tflops
    c.fp32Pflops += r.fp32_tflops
    c.fp16DensePflops += r.fp16_tflops
    c.int8DensePops += r.int8_tops
    c.devicesWithoutFigure.fp64 += r.fp64_missing
    c.devicesWithoutFigure.fp32 += r.fp32_missing
    c.devicesWithoutFigure.fp16Dense += r.fp16_missing
    c.devicesWithoutFigure.int8Dense += r.int8_missing
    this.cpuAlloc += r.cpu_alloc_millis
    this.cpuReq += r.cpu_req_millis
    this.cpuUsed += r.cpu_used_millis
    this.cpuUsedAlloc += r.cpu_used_alloc_millis
    this.memAlloc += r.mem_alloc_bytes
    this.memReq += r.mem_req_bytes
    this.memUsed += r.mem_used_bytes
    this.memUsedAlloc += r.mem_used_alloc_bytes
    this.accAlloc += r.acc_alloc
    this.accInUse += r.acc_in_use
    this.accInUseAlloc += r.acc_in_use_alloc
    g.strandedAccelerators += r.acc_stranded
  }

  addSite(f: ClusterFiguresLike): void {
    this.site ??= { cap: 0, used: null, it: 0, facility: 0, greenIt: 0, green: 0, carbonIt: 0, carbon: 0, reporting: 0 }
    const s = this.site
    s.cap += f.storageCapacityBytes
    if (f.storageUsedBytes !== null) s.used = (s.used ?? 0) + f.storageUsedBytes
    if (f.itPowerKw === null) return
    s.reporting += 1
    s.it += f.itPowerKw
    s.facility += f.itPowerKw * (f.pue ?? 1)
    if (f.greenShare !== null) {
      s.greenIt += f.itPowerKw
      s.green += f.itPowerKw * f.greenShare
    }
    if (f.carbonIntensity !== null) {
      s.carbonIt += f.itPowerKw
      s.carbon += f.itPowerKw * f.carbonIntensity
    }
  }

  finish(siteLevel: boolean): LedgerGroup {
    const g = this.group
    const c = g.compute
    c.fp64Pflops /= 1000
    c.fp32Pflops /= 1000
    c.fp16DensePflops /= 1000
    c.int8DensePops /= 1000
    g.asOf = this.oldest === null ? null : new Date(this.oldest).toISOString()
    g.utilization = {
      cpuRequested: ratio(this.cpuReq, this.cpuAlloc),
      memoryRequested: ratio(this.memReq, this.memAlloc),
      acceleratorsInUse: ratio(this.accInUse, this.accInUseAlloc),
      cpuUsed: ratio(this.cpuUsed, this.cpuUsedAlloc),
      memoryUsed: ratio(this.memUsed, this.memUsedAlloc),
    }
    if (siteLevel) {
      const s = this.site ?? { cap: 0, used: null, it: 0, facility: 0, greenIt: 0, green: 0, carbonIt: 0, carbon: 0, reporting: 0 }
      g.storage = { capacityBytes: s.cap, usedBytes: s.used }
      g.energy = {
        itPowerKw: s.it,
        facilityPowerKw: s.facility,
        pue: ratio(s.facility, s.it),
        greenShare: ratio(s.green, s.greenIt),
        carbonIntensityKgPerKwh: ratio(s.carbon, s.carbonIt),
        clustersReporting: s.reporting,
      }
    }
    if (this.lineage) g.lineage = this.lineage
    g.reports = this.lineage ? this.lineage.length : g.clusters
    return g
  }
}

type ClusterFiguresLike = NonNullable<LedgerCluster['figures']>

function matches(filters: Filters, dims: readonly LedgerDimension[], c: LedgerCluster, r: LedgerRow | null): boolean {
  for (const dim of dims) {
    const values = filters[dim]
    if (values && !values.includes(dimensionValue(dim, c, r) ?? '')) return false
  }
  return true
}

/**
 * The national ledger grouped by any dimensions, summed from the in-memory view. Clusters silent for
 * 3 report intervals are listed as stale and left out of every figure; devices without a catalog
 * figure are counted, not guessed; energy and storage belong to sites and are given only for
 * site-level groupings.
 */
export function queryLedger(view: LedgerView, options: LedgerQueryOptions): LedgerResponse {
  const { groupBy, filters, now } = options
  const cutoff = now - options.staleAfterMs
  const filterDims = Object.keys(filters) as LedgerDimension[]
  const siteFilters = filterDims.filter((d) => !isDevice(d))
  const deviceFilters = filterDims.filter(isDevice)
  const siteLevel = !groupBy.some(isDevice) && deviceFilters.length === 0
  const groups: Accumulator[] = []
  const total = new Accumulator({}, '', false)
  const stale: LedgerResponse['stale'] = []
  const missing: LedgerResponse['missing'] = []

  // A tree of maps, one level per dimension, keyed by the values themselves: no key strings to build
  // and hash for every row.
  const root = new Map<string | null, unknown>()
  const accumulatorFor = (c: LedgerCluster, r: LedgerRow | null): Accumulator => {
    let level = root
    const last = groupBy.length - 1
    for (let i = 0; i < last; i++) {
      const value = dimensionValue(groupBy[i] as LedgerDimension, c, r)
      let next = level.get(value) as Map<string | null, unknown> | undefined
      if (!next) {
        next = new Map()
        level.set(value, next)
      }
      level = next
    }
    const value = last >= 0 ? dimensionValue(groupBy[last] as LedgerDimension, c, r) : null
    let acc = level.get(value) as Accumulator | undefined
    if (!acc) {
      const k: LedgerGroup['key'] = {}
      for (const d of groupBy) k[d] = dimensionValue(d, c, r)
      acc = new Accumulator(k, groupBy.map((d) => k[d] ?? '\u0001').join('\u0000'), options.lineage)
      level.set(value, acc)
      groups.push(acc)
    }
    return acc
  }

  for (const c of view.all()) {
    if (!matches(filters, siteFilters, c, null)) continue
    if (c.lastReportAt === null || c.figures === null) {
      if (c.lastReportAt === null) missing.push(healthOf(c))
      else stale.push(healthOf(c))
      continue
    }
    if (c.lastReportAt < cutoff) {
      stale.push(healthOf(c))
      continue
    }
    if (siteLevel) {
      const acc = accumulatorFor(c, null)
      acc.addCluster(c)
      acc.addSummary(c.summary)
      acc.addSite(c.figures)
      total.addCluster(c)
      total.addSummary(c.summary)
      total.addSite(c.figures)
      continue
    }
    let counted = false
    for (const r of c.rows) {
      if (deviceFilters.length > 0 && !matches(filters, deviceFilters, c, r)) continue
      const acc = accumulatorFor(c, r)
      acc.addCluster(c)
      acc.addRow(r)
      total.addRow(r)
      counted = true
    }
    if (counted || deviceFilters.length === 0) total.addCluster(c)
  }

  // Order by FP32 compute (still in TFLOPS: same order), then finish only the page asked for.
  const ordered = groups.sort(
    (a, b) => b.group.compute.fp32Pflops - a.group.compute.fp32Pflops || (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0),
  )
  const page = ordered.slice(options.offset, options.offset + options.limit).map((a) => a.finish(siteLevel))
  stale.sort((a, b) => a.clusterId.localeCompare(b.clusterId))
  missing.sort((a, b) => a.clusterId.localeCompare(b.clusterId))
  const totalGroup = total.finish(siteLevel)
  return {
    groupBy,
    filters: Object.fromEntries(Object.entries(filters)),
    generatedAt: new Date(now).toISOString(),
    asOf: totalGroup.asOf,
    basis: BASIS,
    staleAfterSeconds: options.staleAfterMs / 1000,
    total: totalGroup,
    totalGroups: ordered.length,
    offset: options.offset,
    groups: page,
    stale,
    missing,
  }
}

function healthOf(c: LedgerCluster): LedgerResponse['stale'][number] {
  return {
    clusterId: c.id,
    province: c.province,
    site: c.site,
    lastReportAt: c.lastReportAt === null ? null : new Date(c.lastReportAt).toISOString(),
    lastSequence: c.lastSequence,
  }
}
