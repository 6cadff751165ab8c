import { type Expression, type SqlBool, sql } from 'kysely'
import { LedgerError } from '../ledger/errors'
import type { LedgerCluster } from '../ledger/view'
import type {
  AcceleratorHistoryQuery,
  AcceleratorHistoryResponse,
  HistoryDimension,
  HistoryQuery,
  HistoryResponse,
  HistorySeries,
  IdleQuery,
  IdleResponse,
} from '../schemas'
import { HISTORY_DIMENSIONS } from '../schemas'
import type { Store } from '../store/open'
import { dropRollups, isRollupDimension, ROLLUP_SUM_NAMES, RollupIndex, type RollupSum, rollUp } from './rollups'
import type { HistorySample } from './sample'

const HOUR_MS = 3_600_000
/** At most this many points per series: a default step is chosen to stay under it. */
const MAX_POINTS = 1_500
export const DEFAULT_SERIES_LIMIT = 20

/** clusters-table column for each location dimension. */
const COLUMN: Record<HistoryDimension, 'province' | 'city' | 'hub' | 'level' | 'platform' | 'site' | 'id'> = {
  province: 'province',
  city: 'city',
  hub: 'hub',
  level: 'level',
  platform: 'platform',
  site: 'site',
  cluster: 'id',
}

export type Filters = Partial<Record<HistoryDimension, string[]>>

export interface Window {
  from: number
  to: number
  step: number
}

/** The points a history question asks for: from/to parsed and checked, the step chosen, buckets aligned. */
export function historyWindow(query: { from?: string; to?: string; step?: number }, now: number, sampleStepSeconds: number): Window {
  const to = parseTime(query.to, '/to', now)
  const from = parseTime(query.from, '/from', to - 24 * HOUR_MS)
  if (from >= to) throw invalid('/from', 'must be before to')
  const sampleMs = sampleStepSeconds * 1000
  let stepMs: number
  if (query.step !== undefined) {
    stepMs = query.step * 1000
    if ((to - from) / stepMs > MAX_POINTS) throw invalid('/step', `gives more than ${MAX_POINTS} points between from and to`)
  } else {
    stepMs = Math.max(sampleMs, Math.ceil((to - from) / 300 / sampleMs) * sampleMs)
  }
  // Buckets start on multiples of the step, so the same question asked twice gives the same points.
  return { from: Math.floor(from / stepMs) * stepMs, to, step: stepMs }
}

export function parseHistoryGroupBy(value: string | undefined): HistoryDimension | null {
  const groupBy = value ? (value.trim() as HistoryDimension) : null
  if (groupBy !== null && !HISTORY_DIMENSIONS.includes(groupBy)) {
    throw invalid('/groupBy', `unknown dimension "${groupBy}"; use one of ${HISTORY_DIMENSIONS.join(', ')}`)
  }
  return groupBy
}

function invalid(path: string, message: string): LedgerError {
  return new LedgerError(400, 'INVALID_QUERY', `${path.slice(1)}: ${message}`, [{ path, message }])
}

function parseTime(value: string | undefined, path: string, fallback: number): number {
  if (value === undefined || value === '') return fallback
  const t = Date.parse(value)
  if (Number.isNaN(t)) throw invalid(path, `not an ISO time: "${value}"`)
  // History exists from 2000 to 2200 at most: outside, bucket arithmetic would leave JavaScript's date range.
  if (t < EARLIEST || t > LATEST) throw invalid(path, 'must be between 2000-01-01 and 2200-01-01')
  return t
}

const EARLIEST = Date.UTC(2000, 0, 1)
const LATEST = Date.UTC(2200, 0, 1)

function listOf(value: string | undefined): string[] | null {
  if (value === undefined || value === '') return null
  const values = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  return values.length > 0 ? values : null
}

export function filtersOf(query: Partial<Record<HistoryDimension, string>>): Filters {
  const filters: Filters = {}
  for (const dim of HISTORY_DIMENSIONS) {
    const values = listOf(query[dim])
    if (values) filters[dim] = values
  }
  return filters
}

/** `c.<column> in (…)` for every filtered dimension, joined with and; null when nothing is filtered. */
function filterSql(filters: Filters): Expression<SqlBool> | null {
  const parts = HISTORY_DIMENSIONS.flatMap((dim) => {
    const values = filters[dim]
    return values ? [sql`${sql.ref(`c.${COLUMN[dim]}`)} in (${sql.join(values)})`] : []
  })
  return parts.length > 0 ? sql<SqlBool>`${sql.join(parts, sql` and `)}` : null
}

/** Bucket index of a sample; SQLite binds the numbers as reals, so truncate explicitly. */
function bucketSql(w: Window) {
  return sql<number>`cast((h.ts - ${w.from}) / ${w.step} as integer)`
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null
}

/** Numbers from PostgreSQL aggregates arrive as strings (bigint/numeric); SQLite gives numbers. */
function num(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value)
}

/**
 * History of the ledger, kept in the store as one sample per cluster per step. Queries aggregate in
 * SQL (one pass, grouped by time bucket and location), so a day of a 2,000-cluster fleet is read
 * without moving its rows into JavaScript.
 */
export class HistoryStore {
  private readonly rollups: RollupIndex
  /** Bumped whenever samples are written or pruned: cached answers over the samples are then stale. */
  private version = 0
  private readonly idleRows = new Map<string, { rows: IdleRow[]; version: number; at: number }>()

  constructor(
    private readonly store: Store,
    readonly sampleStepSeconds: number,
    /** Off: every question aggregates the samples (tests compare the two ways). */
    private readonly options: { rollups: boolean } = { rollups: true },
  ) {
    this.rollups = new RollupIndex(store.db, sampleStepSeconds * 1000)
  }

  /** Write one sample; writing the same step again replaces it (a restart mid-step is harmless). */
  async record(sample: HistorySample): Promise<void> {
    const db = this.store.db
    const stamps = new Set(sample.samples.map((s) => s.ts))
    await db.transaction().execute(async (trx) => {
      for (const ts of stamps) {
        const ids = sample.samples.filter((s) => s.ts === ts).map((s) => s.cluster_id)
        for (let i = 0; i < ids.length; i += 500) {
          const chunk = ids.slice(i, i + 500)
          await trx.deleteFrom('history_samples').where('ts', '=', ts).where('cluster_id', 'in', chunk).execute()
          await trx.deleteFrom('history_accelerators').where('ts', '=', ts).where('cluster_id', 'in', chunk).execute()
        }
      }
      // Parameter limits: SQLite allows 32,766 per statement, PostgreSQL 65,535.
      for (let i = 0; i < sample.samples.length; i += 2_000) {
        await trx
          .insertInto('history_samples')
          .values(sample.samples.slice(i, i + 2_000))
          .execute()
      }
      for (let i = 0; i < sample.accelerators.length; i += 3_000) {
        await trx
          .insertInto('history_accelerators')
          .values(sample.accelerators.slice(i, i + 3_000))
          .execute()
      }
      // A sampler's step is rolled up now; a batch of many steps (history filled in) when first asked, or by
      // rollUpPending(): rolling up every step again for each batch would read the batches again and again.
      if (stamps.size <= 2) await rollUp(trx, [...stamps])
      else await dropRollups(trx, [...stamps])
    })
    this.version += 1
    // Confirmed from the table on the next question (a step of clusters not registered yet rolls up to nothing).
    if (stamps.size <= 2) this.rollups.unmark(stamps)
    else this.rollups.markPending(stamps)
  }

  /** Roll up the steps recorded in batches (see record); questions would do it too, on first use. */
  async rollUpPending(): Promise<void> {
    await this.rollups.rollUpPending()
  }

  async prune(before: number): Promise<void> {
    await this.store.db.deleteFrom('history_samples').where('ts', '<', before).execute()
    await this.store.db.deleteFrom('history_accelerators').where('ts', '<', before).execute()
    await this.store.db.deleteFrom('history_rollups').where('ts', '<', before).execute()
    await this.store.db.deleteFrom('history_accelerator_rollups').where('ts', '<', before).execute()
    this.rollups.forget(before)
    this.version += 1
  }

  async series(query: HistoryQuery, now: number): Promise<HistoryResponse> {
    const groupBy = parseHistoryGroupBy(query.groupBy)
    const w = historyWindow(query, now, this.sampleStepSeconds)
    const limit = query.limit ?? DEFAULT_SERIES_LIMIT
    const filters = filtersOf(query)
    const rows = (await this.seriesFromRollups(groupBy, filters, w)) ?? (await this.seriesFromSamples(groupBy, filters, w))
    return seriesResponse(rows, groupBy, w, limit)
  }

  /**
   * Grouped by one location dimension (or national) and filtered on that same dimension at most: the
   * rollups answer, one row per step and group. Anything else: null.
   */
  private async seriesFromRollups(groupBy: HistoryDimension | null, filters: Filters, w: Window): Promise<SeriesRow[] | null> {
    const filtered = Object.keys(filters) as HistoryDimension[]
    if (!this.options.rollups) return null
    if (groupBy !== null && !isRollupDimension(groupBy)) return null
    if (filtered.length > 1 || (filtered.length === 1 && groupBy !== null && filtered[0] !== groupBy)) return null
    const dim = groupBy ?? filtered[0] ?? null
    if (dim !== null && !isRollupDimension(dim)) return null
    if (!(await this.rollups.cover(w.from, w.to))) return null
    const values = dim === null ? null : (filters[dim] ?? null)
    let q = this.store.db
      .selectFrom('history_rollups as h')
      .where('h.dim', '=', dim ?? '')
      .where('h.ts', '>=', w.from)
      .where('h.ts', '<', w.to)
      .select([
        bucketSql(w).as('b'),
        (groupBy === null ? sql<string | null>`''` : sql<string | null>`case when h.value = '' then null else h.value end`).as('g'),
        sql<number>`count(distinct h.ts)`.as('stamps'),
        sql<number>`sum(h.clusters)`.as('n'),
        ...ROLLUP_SUM_NAMES.map((name) => sql<number>`sum(${sql.ref(`h.${name}`)})`.as(name)),
      ])
      .groupBy(groupBy === null ? [sql`1`] : [sql`1`, sql`2`])
    if (values) q = q.where('h.value', 'in', values)
    return (await q.execute()) as SeriesRow[]
  }

  private async seriesFromSamples(groupBy: HistoryDimension | null, filters: Filters, w: Window): Promise<SeriesRow[]> {
    const db = this.store.db
    const bucket = bucketSql(w)
    const groupExpr: Expression<string | null> = groupBy ? sql.ref(`c.${COLUMN[groupBy]}`) : sql.lit('')
    let q = db
      .selectFrom('history_samples as h')
      .innerJoin('clusters as c', 'c.id', 'h.cluster_id')
      .where('h.ts', '>=', w.from)
      .where('h.ts', '<', w.to)
      .select([
        bucket.as('b'),
        sql<string | null>`${groupExpr}`.as('g'),
        sql<number>`count(distinct h.ts)`.as('stamps'),
        sql<number>`count(*)`.as('n'),
        sql<number>`sum(h.cpu_alloc_millis)`.as('cpu_alloc'),
        sql<number>`sum(h.cpu_req_millis)`.as('cpu_req'),
        sql<number>`sum(h.cpu_used_millis)`.as('cpu_used'),
        sql<number>`sum(h.cpu_used_alloc_millis)`.as('cpu_used_alloc'),
        sql<number>`sum(h.mem_alloc_bytes)`.as('mem_alloc'),
        sql<number>`sum(h.mem_req_bytes)`.as('mem_req'),
        sql<number>`sum(h.acc_in_use)`.as('acc_in_use'),
        sql<number>`sum(h.acc_in_use_alloc)`.as('acc_in_use_alloc'),
        sql<number>`sum(h.it_power_kw)`.as('it'),
        sql<number>`sum(h.it_power_kw * coalesce(h.pue, 1))`.as('facility'),
        sql<number>`sum(case when h.green_share is not null then h.it_power_kw end)`.as('green_it'),
        sql<number>`sum(h.it_power_kw * h.green_share)`.as('green'),
        sql<number>`sum(case when h.carbon_intensity is not null then h.it_power_kw end)`.as('carbon_it'),
        sql<number>`sum(h.it_power_kw * h.carbon_intensity)`.as('carbon'),
      ])
      .groupBy([sql`1`, sql`2`])
    const where = filterSql(filters)
    if (where) q = q.where(where)
    return (await q.execute()) as SeriesRow[]
  }

  async accelerators(query: AcceleratorHistoryQuery, now: number): Promise<AcceleratorHistoryResponse> {
    const w = historyWindow(query, now, this.sampleStepSeconds)
    const filters = filtersOf({ province: query.province, site: query.site, cluster: query.cluster })
    const national = Object.keys(filters).length === 0 && this.options.rollups && (await this.rollups.cover(w.from, w.to))
    // Nationally the per-model rollups answer; a location filter needs the samples.
    let q = (
      national
        ? this.store.db.selectFrom('history_accelerator_rollups as h')
        : this.store.db.selectFrom('history_accelerators as h').innerJoin('clusters as c', 'c.id', 'h.cluster_id')
    )
      .where('h.ts', '>=', w.from)
      .where('h.ts', '<', w.to)
      .select([
        bucketSql(w).as('b'),
        'h.kind',
        'h.vendor',
        'h.model',
        sql<number>`max(h.domestic)`.as('domestic'),
        sql<number>`count(distinct h.ts)`.as('stamps'),
        sql<number>`sum(h.devices)`.as('devices'),
        sql<number>`sum(h.acc_in_use)`.as('in_use'),
        sql<number>`sum(h.acc_in_use_alloc)`.as('in_use_alloc'),
      ])
      .groupBy([sql`1`, 'h.kind', 'h.vendor', 'h.model'])
    const where = filterSql(filters)
    if (where) q = q.where(where)
    const kinds = listOf(query.kind)
    if (kinds) q = q.where('h.kind', 'in', kinds)
    const rows = await q.execute()
    const points = Math.ceil((w.to - w.from) / w.step)
    const t = Array.from({ length: points }, (_, i) => w.from + i * w.step)
    const byModel = new Map<string, AcceleratorHistoryResponse['series'][number] & { weight: number }>()
    for (const r of rows) {
      const b = num(r.b)
      if (b < 0 || b >= points) continue
      const key = `${r.kind}\u0000${r.vendor}\u0000${r.model}`
      let s = byModel.get(key)
      if (!s) {
        s = {
          model: r.model,
          kind: r.kind,
          vendor: r.vendor,
          domestic: num(r.domestic) === 1,
          devices: new Array<number | null>(points).fill(null),
          inUse: new Array<number | null>(points).fill(null),
          weight: 0,
        }
        byModel.set(key, s)
      }
      const devices = num(r.devices) / Math.max(1, num(r.stamps))
      s.devices[b] = devices
      s.inUse[b] = ratio(num(r.in_use), num(r.in_use_alloc))
      s.weight = Math.max(s.weight, devices)
    }
    const series = [...byModel.values()]
      .sort((a, b) => b.weight - a.weight || a.model.localeCompare(b.model))
      .map(({ weight: _weight, ...s }) => s)
    return { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString(), step: w.step / 1000, t, series }
  }

  /**
   * Clusters whose utilization stayed below `threshold` at every sample of the last `hours`, with the
   * capacity they leave idle now. A cluster younger than the window is not listed: it has not been
   * idle that long.
   */
  async idle(query: IdleQuery, now: number, lookup: (id: string) => LedgerCluster | undefined): Promise<IdleResponse> {
    const threshold = query.threshold ?? 0.2
    const hours = query.hours ?? 24
    const measure = query.measure ?? 'cpuRequested'
    const to = now
    const from = now - hours * HOUR_MS
    const [num_, den] =
      measure === 'cpuRequested'
        ? (['cpu_req_millis', 'cpu_alloc_millis'] as const)
        : measure === 'cpuUsed'
          ? (['cpu_used_millis', 'cpu_used_alloc_millis'] as const)
          : (['acc_in_use', 'acc_in_use_alloc'] as const)
    const share = sql<number>`case when ${sql.ref(`h.${den}`)} > 0 then ${sql.ref(`h.${num_}`)} / ${sql.ref(`h.${den}`)} end`
    let q = this.store.db
      .selectFrom('history_samples as h')
      .innerJoin('clusters as c', 'c.id', 'h.cluster_id')
      .where('h.ts', '>=', from)
      .where('h.ts', '<=', to)
      .select([
        'h.cluster_id',
        sql<number>`min(h.ts)`.as('first'),
        sql<number>`max(h.ts)`.as('last'),
        sql<number>`count(${share})`.as('measured'),
        sql<number>`max(${share})`.as('peak'),
        sql<number>`avg(${share})`.as('mean'),
      ])
      .groupBy('h.cluster_id')
      .having(sql<SqlBool>`max(${share}) < ${threshold}`)
      .having(sql<SqlBool>`min(h.ts) <= ${from + this.sampleStepSeconds * 1000}`)
    const where = filterSql(filtersOf({ province: query.province, site: query.site }))
    if (where) q = q.where(where)
    // The rows change only when a step is recorded or pruned, or when the window passes a step: cached
    // until then (and a minute at most, so a cluster moved to another site is seen).
    const step = this.sampleStepSeconds * 1000
    const cacheKey = JSON.stringify([
      measure,
      threshold,
      hours,
      query.province ?? '',
      query.site ?? '',
      Math.floor(from / step),
      Math.floor(to / step),
    ])
    const cached = this.idleRows.get(cacheKey)
    let rows: IdleRow[]
    if (cached && cached.version === this.version && cached.at > now - 60_000) rows = cached.rows
    else {
      rows = await q.execute()
      if (this.idleRows.size >= 64) this.idleRows.clear()
      this.idleRows.set(cacheKey, { rows, version: this.version, at: now })
    }
    const listed: IdleResponse['clusters'] = []
    for (const r of rows) {
      const c = lookup(r.cluster_id)
      if (!c) continue
      const s = c.summary.row
      let idleFp16 = 0
      for (const row of c.rows) {
        if (row.kind === 'CPU') continue
        const busy = row.acc_in_use_alloc > 0 ? row.acc_in_use / row.acc_in_use_alloc : 0
        idleFp16 += (row.fp16_tflops * (1 - busy)) / 1000
      }
      listed.push({
        clusterId: c.id,
        province: c.province,
        city: c.city,
        site: c.site,
        hub: c.hub,
        peak: num(r.peak),
        mean: num(r.mean),
        hoursObserved: (num(r.last) - num(r.first)) / HOUR_MS + this.sampleStepSeconds / 3600,
        idleCpuCores: Math.max(0, s.cpu_alloc_millis - s.cpu_req_millis) / 1000,
        idleAccelerators: Math.max(0, s.acc_in_use_alloc - s.acc_in_use),
        idleFp16DensePflops: idleFp16,
      })
    }
    const key = measure === 'acceleratorsInUse' ? 'idleFp16DensePflops' : 'idleCpuCores'
    listed.sort((a, b) => b[key] - a[key] || a.clusterId.localeCompare(b.clusterId))
    const totals = { idleCpuCores: 0, idleAccelerators: 0, idleFp16DensePflops: 0 }
    for (const c of listed) {
      totals.idleCpuCores += c.idleCpuCores
      totals.idleAccelerators += c.idleAccelerators
      totals.idleFp16DensePflops += c.idleFp16DensePflops
    }
    return {
      threshold,
      hours,
      measure,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      totalClusters: listed.length,
      clusters: listed.slice(0, query.limit ?? 500),
      totals,
    }
  }
}

type IdleRow = { cluster_id: string; first: number; last: number; measured: number; peak: number; mean: number }

/** One row of a series query: a step bucket, a group and the sums over its samples. */
type SeriesRow = { b: number; g: string | null; stamps: number; n: number } & Record<RollupSum, number | null>

/** Series from the grouped sums: ratios per bucket, power as the bucket's mean, the heaviest groups first. */
function seriesResponse(rows: SeriesRow[], groupBy: HistoryDimension | null, w: Window, limit: number): HistoryResponse {
  const points = Math.ceil((w.to - w.from) / w.step)
  const t = Array.from({ length: points }, (_, i) => w.from + i * w.step)
  const bySeries = new Map<string, { series: HistorySeries; weight: number }>()
  const nulls = () => new Array<number | null>(points).fill(null)
  for (const r of rows) {
    const b = num(r.b)
    if (b < 0 || b >= points) continue
    const key = r.g ?? '(none)'
    let entry = bySeries.get(key)
    if (!entry) {
      entry = {
        weight: 0,
        series: {
          key: groupBy ? { [groupBy]: key } : {},
          cpuRequested: nulls(),
          cpuUsed: nulls(),
          memoryRequested: nulls(),
          acceleratorsInUse: nulls(),
          itPowerKw: nulls(),
          pue: nulls(),
          greenShare: nulls(),
          carbonIntensityKgPerKwh: nulls(),
          clusters: nulls(),
        },
      }
      bySeries.set(key, entry)
    }
    const s = entry.series
    const stamps = Math.max(1, num(r.stamps))
    const it = num(r.it)
    entry.weight += num(r.cpu_alloc) / stamps
    s.cpuRequested[b] = ratio(num(r.cpu_req), num(r.cpu_alloc))
    s.cpuUsed[b] = ratio(num(r.cpu_used), num(r.cpu_used_alloc))
    s.memoryRequested[b] = ratio(num(r.mem_req), num(r.mem_alloc))
    s.acceleratorsInUse[b] = ratio(num(r.acc_in_use), num(r.acc_in_use_alloc))
    // Power is a level, not a ratio: the mean over the samples in the bucket.
    s.itPowerKw[b] = it / stamps
    s.pue[b] = ratio(num(r.facility), it)
    s.greenShare[b] = ratio(num(r.green), num(r.green_it))
    s.carbonIntensityKgPerKwh[b] = ratio(num(r.carbon), num(r.carbon_it))
    s.clusters[b] = num(r.n) / stamps
  }
  const series = [...bySeries.values()]
    .sort((a, b) => b.weight - a.weight || (a.series.key[groupBy ?? ''] ?? '').localeCompare(b.series.key[groupBy ?? ''] ?? ''))
    .slice(0, limit)
    .map((e) => e.series)
  return {
    groupBy,
    from: new Date(w.from).toISOString(),
    to: new Date(w.to).toISOString(),
    step: w.step / 1000,
    source: 'store',
    t,
    series,
  }
}
