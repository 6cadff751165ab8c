import { type RawBuilder, sql } from 'kysely'
import { DEVICE_DIMENSIONS, LEDGER_DIMENSIONS, type LedgerDimension, type LedgerGroup, type LedgerResponse } from '../schemas'
import type { Store } from '../store/open'
import { LedgerError } from './errors'

/** SQL column behind each ledger dimension (c = clusters, r = ledger_rows). */
const COLUMN: Record<LedgerDimension, string> = {
  province: 'c.province',
  city: 'c.city',
  hub: 'c.hub',
  level: 'c.level',
  platform: 'c.platform',
  site: 'c.site',
  cluster: 'c.id',
  kind: 'r.kind',
  vendor: 'r.vendor',
  model: 'r.model',
  arch: 'r.arch',
  domestic: 'r.domestic',
}

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
  now: number
  staleAfterMs: number
}

/** Parse `groupBy=province,kind` and `province=110000,120000` into options, naming the bad field. */
export function parseLedgerQuery(query: Record<string, unknown>): Pick<LedgerQueryOptions, 'groupBy' | 'filters' | 'lineage'> {
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
  return { groupBy, filters, lineage: query.lineage === true || query.lineage === 'true' }
}

interface RowAggregate {
  [key: string]: string | number | null
}

function keyOf(row: RowAggregate, dims: LedgerDimension[]): string {
  return dims.map((d) => String(row[d])).join('\u0000')
}

function dimValue(dim: LedgerDimension, value: string | number | null): string | null {
  if (value === null) return null
  if (dim === 'domestic') return Number(value) === 1 ? 'true' : 'false'
  return String(value)
}

function whereFilters(filters: LedgerQueryOptions['filters'], cutoff: number, withDevice: boolean): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`c.last_report_at >= ${cutoff}`]
  for (const [dim, values] of Object.entries(filters) as [LedgerDimension, string[]][]) {
    if (!withDevice && DEVICE_DIMENSIONS.includes(dim)) continue
    const list = dim === 'domestic' ? values.map((v) => (v === 'true' ? 1 : 0)) : values
    parts.push(sql`${sql.raw(COLUMN[dim])} in (${sql.join(list)})`)
  }
  return sql.join(parts, sql` and `)
}

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

/** Running sums a group needs to finish its ratios. */
interface Sums {
  cpuAlloc: number
  cpuReq: number
  cpuUsed: number
  cpuUsedAlloc: number
  memAlloc: number
  memReq: number
  memUsed: number
  memUsedAlloc: number
  accAlloc: number
  accInUse: number
  accInUseAlloc: number
  clusters: number
  reports: number
  oldest: number | null
}

const num = (v: unknown): number => Number(v ?? 0)

/**
 * The national ledger grouped by any dimensions. Clusters silent for 3 report intervals are listed
 * as stale and left out of every figure; devices without a catalog figure are counted, not guessed.
 */
export async function queryLedger(store: Store, options: LedgerQueryOptions): Promise<LedgerResponse> {
  const { groupBy, filters, now } = options
  const cutoff = now - options.staleAfterMs
  const deviceLevel =
    groupBy.some((d) => DEVICE_DIMENSIONS.includes(d)) || Object.keys(filters).some((d) => DEVICE_DIMENSIONS.includes(d as LedgerDimension))
  const dimSelect = groupBy.map((d) => sql`${sql.raw(COLUMN[d])} as ${sql.ref(d)}`)
  const dimColumns = groupBy.map((d) => sql.raw(COLUMN[d]))
  const where = whereFilters(filters, cutoff, true)
  const from = sql`from ledger_rows r join clusters c on c.id = r.cluster_id join cluster_state s on s.cluster_id = r.cluster_id`

  // Sums per group and device kind (kind gives accelerators by kind).
  const rowResult = await sql<RowAggregate>`
    select ${sql.join([...dimSelect, sql`r.kind as kind_`])},
      sum(r.nodes) as nodes, sum(r.devices) as devices, sum(r.virtual_devices) as virtual_devices,
      sum(r.cpu_cores) as cpu_cores, sum(r.memory_bytes) as memory_bytes,
      sum(r.fp64_tflops) as fp64, sum(r.fp32_tflops) as fp32, sum(r.fp16_tflops) as fp16, sum(r.int8_tops) as int8,
      sum(r.fp64_missing) as fp64_missing, sum(r.fp32_missing) as fp32_missing, sum(r.fp16_missing) as fp16_missing, sum(r.int8_missing) as int8_missing,
      sum(r.cpu_alloc_millis) as cpu_alloc, sum(r.cpu_req_millis) as cpu_req, sum(r.cpu_used_millis) as cpu_used, sum(r.cpu_used_alloc_millis) as cpu_used_alloc,
      sum(r.mem_alloc_bytes) as mem_alloc, sum(r.mem_req_bytes) as mem_req, sum(r.mem_used_bytes) as mem_used, sum(r.mem_used_alloc_bytes) as mem_used_alloc,
      sum(r.acc_alloc) as acc_alloc, sum(r.acc_in_use) as acc_in_use, sum(r.acc_in_use_alloc) as acc_in_use_alloc
    ${from} where ${where}
    group by ${sql.join([...dimColumns, sql.raw('r.kind')])}
  `.execute(store.db)
  // Clusters per group (a cluster spans several kinds) and the oldest report each group sums.
  const clusterResult = await sql<RowAggregate>`
    select ${sql.join([...dimSelect, sql`count(distinct c.id) as clusters_`, sql`min(s.full_received_at) as oldest_`])}
    ${from} where ${where}
    ${groupBy.length > 0 ? sql`group by ${sql.join(dimColumns)}` : sql``}
  `.execute(store.db)

  const groups = new Map<string, { group: LedgerGroup; sums: Sums }>()
  const total = { group: emptyGroup({}), sums: newSums() }
  const entryFor = (row: RowAggregate) => {
    const key = keyOf(row, groupBy)
    let entry = groups.get(key)
    if (!entry) {
      const k: LedgerGroup['key'] = {}
      for (const d of groupBy) k[d] = dimValue(d, row[d] ?? null)
      entry = { group: emptyGroup(k), sums: newSums() }
      groups.set(key, entry)
    }
    return entry
  }
  for (const row of rowResult.rows) {
    const entry = entryFor(row)
    for (const target of [entry, total]) addRow(target.group, target.sums, row)
  }
  for (const row of clusterResult.rows) {
    if (num(row.clusters_) === 0) continue
    const entry = entryFor(row)
    entry.sums.clusters = num(row.clusters_)
    entry.sums.oldest = row.oldest_ === null ? null : num(row.oldest_)
  }
  const totalRow =
    groupBy.length === 0
      ? clusterResult.rows[0]
      : (
          await sql<RowAggregate>`select count(distinct c.id) as clusters_, min(s.full_received_at) as oldest_ ${from} where ${where}`.execute(
            store.db,
          )
        ).rows[0]
  total.sums.clusters = num(totalRow?.clusters_)
  total.sums.oldest = totalRow?.oldest_ == null ? null : num(totalRow.oldest_)
  const lineage = options.lineage ? await lineageOf(store, groupBy, dimSelect, from, where) : null

  if (!deviceLevel) await addSiteFigures(store, groupBy, filters, cutoff, groups, total)

  const finished = [...groups.entries()].map(([key, entry]) => {
    finish(entry.group, entry.sums)
    if (lineage) entry.group.lineage = lineage.get(key) ?? []
    return entry.group
  })
  finish(total.group, total.sums)
  finished.sort((a, b) => b.compute.fp32Pflops - a.compute.fp32Pflops || JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)))

  const { stale, missing } = await clusterHealth(store, cutoff, filters)
  return {
    groupBy,
    filters: Object.fromEntries(Object.entries(filters)),
    generatedAt: new Date(now).toISOString(),
    asOf: total.group.asOf,
    basis: BASIS,
    staleAfterSeconds: options.staleAfterMs / 1000,
    total: total.group,
    groups: finished,
    stale,
    missing,
  }
}

function newSums(): Sums {
  return {
    cpuAlloc: 0,
    cpuReq: 0,
    cpuUsed: 0,
    cpuUsedAlloc: 0,
    memAlloc: 0,
    memReq: 0,
    memUsed: 0,
    memUsedAlloc: 0,
    accAlloc: 0,
    accInUse: 0,
    accInUseAlloc: 0,
    clusters: 0,
    reports: 0,
    oldest: null,
  }
}

function addRow(g: LedgerGroup, s: Sums, row: RowAggregate): void {
  const kind = String(row.kind_)
  g.nodes += num(row.nodes)
  g.devices += num(row.devices)
  g.cpuCores += num(row.cpu_cores)
  g.memoryBytes += num(row.memory_bytes)
  if (kind !== 'CPU') {
    g.accelerators[kind] = (g.accelerators[kind] ?? 0) + num(row.devices)
    g.virtualAccelerators += num(row.virtual_devices)
  }
  const c = g.compute
  c.fp64Pflops += num(row.fp64) / 1000
  c.fp32Pflops += num(row.fp32) / 1000
  c.fp16DensePflops += num(row.fp16) / 1000
  c.int8DensePops += num(row.int8) / 1000
  c.devicesWithoutFigure.fp64 += num(row.fp64_missing)
  c.devicesWithoutFigure.fp32 += num(row.fp32_missing)
  c.devicesWithoutFigure.fp16Dense += num(row.fp16_missing)
  c.devicesWithoutFigure.int8Dense += num(row.int8_missing)
  s.cpuAlloc += num(row.cpu_alloc)
  s.cpuReq += num(row.cpu_req)
  s.cpuUsed += num(row.cpu_used)
  s.cpuUsedAlloc += num(row.cpu_used_alloc)
  s.memAlloc += num(row.mem_alloc)
  s.memReq += num(row.mem_req)
  s.memUsed += num(row.mem_used)
  s.memUsedAlloc += num(row.mem_used_alloc)
  s.accAlloc += num(row.acc_alloc)
  s.accInUse += num(row.acc_in_use)
  s.accInUseAlloc += num(row.acc_in_use_alloc)
}

type LineageEntry = NonNullable<LedgerGroup['lineage']>[number]

/** Which reports each group sums: every cluster's latest full report and the usage report applied on it. */
async function lineageOf(
  store: Store,
  groupBy: LedgerDimension[],
  dimSelect: RawBuilder<unknown>[],
  from: RawBuilder<unknown>,
  where: RawBuilder<unknown>,
): Promise<Map<string, LineageEntry[]>> {
  const result = await sql<RowAggregate>`
    select distinct ${sql.join([
      ...dimSelect,
      sql`c.id as cluster_`,
      sql`s.full_sequence as full_seq_`,
      sql`s.full_received_at as full_at_`,
      sql`s.usage_sequence as usage_seq_`,
      sql`s.usage_received_at as usage_at_`,
    ])}
    ${from} where ${where}
  `.execute(store.db)
  const byGroup = new Map<string, LineageEntry[]>()
  for (const row of result.rows) {
    const key = keyOf(row, groupBy)
    let list = byGroup.get(key)
    if (!list) {
      list = []
      byGroup.set(key, list)
    }
    const clusterId = String(row.cluster_)
    list.push({ clusterId, sequence: num(row.full_seq_), kind: 'full', receivedAt: new Date(num(row.full_at_)).toISOString() })
    if (row.usage_seq_ !== null) {
      list.push({ clusterId, sequence: num(row.usage_seq_), kind: 'usage', receivedAt: new Date(num(row.usage_at_)).toISOString() })
    }
  }
  return byGroup
}

function finish(g: LedgerGroup, s: Sums): void {
  g.clusters = s.clusters
  g.reports = g.lineage ? g.lineage.length : s.clusters
  g.asOf = s.oldest === null ? null : new Date(s.oldest).toISOString()
  g.utilization = {
    cpuRequested: ratio(s.cpuReq, s.cpuAlloc),
    memoryRequested: ratio(s.memReq, s.memAlloc),
    acceleratorsInUse: ratio(s.accInUse, s.accInUseAlloc),
    cpuUsed: ratio(s.cpuUsed, s.cpuUsedAlloc),
    memoryUsed: ratio(s.memUsed, s.memUsedAlloc),
  }
}

/** Storage and energy belong to sites, so they are summed per cluster, only for site-level groupings. */
async function addSiteFigures(
  store: Store,
  groupBy: LedgerDimension[],
  filters: LedgerQueryOptions['filters'],
  cutoff: number,
  groups: Map<string, { group: LedgerGroup }>,
  total: { group: LedgerGroup },
): Promise<void> {
  const dimSelect = groupBy.map((d) => sql`${sql.raw(COLUMN[d])} as ${sql.ref(d)}`)
  const groupClause = groupBy.length > 0 ? sql`group by ${sql.join(groupBy.map((d) => sql.raw(COLUMN[d])))}` : sql``
  const result = await sql<RowAggregate>`
    select ${sql.join([
      ...dimSelect,
      sql`sum(s.storage_capacity_bytes) as cap`,
      sql`sum(s.storage_used_bytes) as used`,
      sql`sum(s.it_power_kw) as it`,
      sql`sum(s.it_power_kw * s.pue) as facility`,
      sql`sum(case when s.green_share is not null then s.it_power_kw end) as green_it`,
      sql`sum(s.it_power_kw * s.green_share) as green`,
      sql`sum(case when s.carbon_intensity is not null then s.it_power_kw end) as carbon_it`,
      sql`sum(s.it_power_kw * s.carbon_intensity) as carbon`,
      sql`count(s.it_power_kw) as reporting`,
    ])}
    from cluster_state s join clusters c on c.id = s.cluster_id
    where ${whereFilters(filters, cutoff, false)}
    ${groupClause}
  `.execute(store.db)
  const totals = { cap: 0, used: 0, usedKnown: false, it: 0, facility: 0, greenIt: 0, green: 0, carbonIt: 0, carbon: 0, reporting: 0 }
  for (const row of result.rows) {
    const entry = groups.get(keyOf(row, groupBy))
    const it = num(row.it)
    const figures = {
      cap: num(row.cap),
      used: row.used === null ? null : num(row.used),
      it,
      facility: num(row.facility),
      greenIt: num(row.green_it),
      green: num(row.green),
      carbonIt: num(row.carbon_it),
      carbon: num(row.carbon),
      reporting: num(row.reporting),
    }
    if (entry) applySite(entry.group, figures)
    totals.cap += figures.cap
    if (figures.used !== null) {
      totals.used += figures.used
      totals.usedKnown = true
    }
    totals.it += it
    totals.facility += figures.facility
    totals.greenIt += figures.greenIt
    totals.green += figures.green
    totals.carbonIt += figures.carbonIt
    totals.carbon += figures.carbon
    totals.reporting += figures.reporting
  }
  applySite(total.group, { ...totals, used: totals.usedKnown ? totals.used : null })
}

function applySite(
  g: LedgerGroup,
  f: {
    cap: number
    used: number | null
    it: number
    facility: number
    greenIt: number
    green: number
    carbonIt: number
    carbon: number
    reporting: number
  },
): void {
  g.storage = { capacityBytes: f.cap, usedBytes: f.used }
  g.energy = {
    itPowerKw: f.it,
    facilityPowerKw: f.facility,
    pue: ratio(f.facility, f.it),
    greenShare: ratio(f.green, f.greenIt),
    carbonIntensityKgPerKwh: ratio(f.carbon, f.carbonIt),
    clustersReporting: f.reporting,
  }
}

async function clusterHealth(store: Store, cutoff: number, filters: LedgerQueryOptions['filters']) {
  let query = store.db.selectFrom('clusters as c').select(['c.id', 'c.province', 'c.site', 'c.last_report_at', 'c.last_sequence'])
  query = query.where((eb) => eb.or([eb('c.last_report_at', 'is', null), eb('c.last_report_at', '<', cutoff)]))
  for (const [dim, values] of Object.entries(filters) as [LedgerDimension, string[]][]) {
    if (DEVICE_DIMENSIONS.includes(dim)) continue
    query = query.where(sql.raw(COLUMN[dim]), 'in', values)
  }
  const rows = await query.orderBy('c.id').execute()
  const stale = []
  const missing = []
  for (const r of rows) {
    const status = {
      clusterId: r.id,
      province: r.province,
      site: r.site,
      lastReportAt: r.last_report_at === null ? null : new Date(r.last_report_at).toISOString(),
      lastSequence: r.last_sequence,
    }
    if (r.last_report_at === null) missing.push(status)
    else stale.push(status)
  }
  return { stale, missing }
}
