// Pre-aggregated history: per sample step, the sums of every cluster sample by one location dimension
// (national, province, city, hub, level, platform, site) and, nationally, per accelerator model. A day of
// national history is then 288 rows instead of 288 × (number of clusters), which is what the console's
// overview, energy and utilization charts ask for first. Questions the rollups cannot answer (per cluster,
// or filtered on another dimension than the one grouped by) still aggregate the samples themselves.
import { type Kysely, sql } from 'kysely'
import type { HistoryDimension } from '../schemas'
import type { Database } from '../store/schema'

/** Location dimensions kept rolled up ('' = national); `cluster` is the samples table itself. */
export const ROLLUP_DIMENSIONS = ['', 'province', 'city', 'hub', 'level', 'platform', 'site'] as const
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number]

export function isRollupDimension(dim: HistoryDimension | null): dim is Exclude<RollupDimension, ''> {
  return dim !== null && dim !== 'cluster'
}

/** Sums kept per rollup row, named as the series query's aggregates. */
export const ROLLUP_SUMS = {
  cpu_alloc: 'h.cpu_alloc_millis',
  cpu_req: 'h.cpu_req_millis',
  cpu_used: 'h.cpu_used_millis',
  cpu_used_alloc: 'h.cpu_used_alloc_millis',
  mem_alloc: 'h.mem_alloc_bytes',
  mem_req: 'h.mem_req_bytes',
  acc_in_use: 'h.acc_in_use',
  acc_in_use_alloc: 'h.acc_in_use_alloc',
  it: 'h.it_power_kw',
  facility: 'h.it_power_kw * coalesce(h.pue, 1)',
  green_it: 'case when h.green_share is not null then h.it_power_kw end',
  green: 'h.it_power_kw * h.green_share',
  carbon_it: 'case when h.carbon_intensity is not null then h.it_power_kw end',
  carbon: 'h.it_power_kw * h.carbon_intensity',
} as const
export type RollupSum = keyof typeof ROLLUP_SUMS
export const ROLLUP_SUM_NAMES = Object.keys(ROLLUP_SUMS) as RollupSum[]

/** Windows of more sample steps than this (10 weeks at 5 min) are read from the samples. */
const MAX_STEPS = 20_000

/** At most this many stamps per statement (bound parameters). */
const CHUNK = 400

/**
 * Roll up the samples at `stamps` (replacing what was rolled up for them before). Location comes from the
 * clusters table, as the series query reads it. Safe to run twice at once (two control planes on one
 * PostgreSQL): each statement replaces or skips, never duplicates.
 */
export async function rollUp(db: Kysely<Database>, stamps: number[]): Promise<void> {
  await dropRollups(db, stamps)
  for (let i = 0; i < stamps.length; i += CHUNK) {
    const chunk = stamps.slice(i, i + CHUNK)
    const sums = sql.join(ROLLUP_SUM_NAMES.map((name) => sql`sum(${sql.raw(ROLLUP_SUMS[name])})`))
    for (const dim of ROLLUP_DIMENSIONS) {
      const value = dim === '' ? sql`''` : sql`coalesce(${sql.ref(`c.${dim}`)}, '')`
      const group = dim === '' ? sql`h.ts` : sql`h.ts, ${sql.ref(`c.${dim}`)}`
      // `where true`: SQLite needs it to read an upsert clause after a SELECT.
      await sql`insert into history_rollups (ts, dim, value, clusters, ${sql.join(ROLLUP_SUM_NAMES.map((n) => sql.ref(n)))})
        select h.ts, ${dim}, ${value}, count(*), ${sums}
        from history_samples h join clusters c on c.id = h.cluster_id
        where true and h.ts in (${sql.join(chunk)})
        group by ${group}
        on conflict do nothing`.execute(db)
    }
    await sql`insert into history_accelerator_rollups (ts, kind, vendor, model, domestic, devices, acc_in_use, acc_in_use_alloc)
      select h.ts, h.kind, h.vendor, h.model, max(h.domestic), sum(h.devices), sum(h.acc_in_use), sum(h.acc_in_use_alloc)
      from history_accelerators h join clusters c on c.id = h.cluster_id
      where true and h.ts in (${sql.join(chunk)})
      group by h.ts, h.kind, h.vendor, h.model
      on conflict do nothing`.execute(db)
  }
}

/** Forget what was rolled up at `stamps` (their samples are being rewritten). */
export async function dropRollups(db: Kysely<Database>, stamps: number[]): Promise<void> {
  for (let i = 0; i < stamps.length; i += CHUNK) {
    const chunk = stamps.slice(i, i + CHUNK)
    await db.deleteFrom('history_rollups').where('ts', 'in', chunk).execute()
    await db.deleteFrom('history_accelerator_rollups').where('ts', 'in', chunk).execute()
  }
}

/**
 * Which stamps are rolled up, remembered per process. History written by this process rolls itself up;
 * history written before it started (a restored store, a demo or benchmark filled in directly) is rolled up
 * the first time a question covers it.
 */
export class RollupIndex {
  private readonly rolled = new Set<number>()
  /** Stamps checked and found without samples: history is only ever written at its own step. */
  private readonly empty = new Set<number>()

  constructor(
    private readonly db: Kysely<Database>,
    private readonly stepMs: number,
  ) {}

  /** Steps written in batches, not rolled up yet. */
  private readonly pending = new Set<number>()

  markRolled(stamps: Iterable<number>): void {
    for (const ts of stamps) {
      this.rolled.add(ts)
      this.empty.delete(ts)
      this.pending.delete(ts)
    }
  }

  unmark(stamps: Iterable<number>): void {
    for (const ts of stamps) {
      this.rolled.delete(ts)
      this.empty.delete(ts)
    }
  }

  markPending(stamps: Iterable<number>): void {
    for (const ts of stamps) {
      this.rolled.delete(ts)
      this.empty.delete(ts)
      this.pending.add(ts)
    }
  }

  async rollUpPending(): Promise<void> {
    const stamps = [...this.pending]
    if (stamps.length === 0) return
    await this.db.transaction().execute((trx) => rollUp(trx, stamps))
    this.markRolled(stamps)
  }

  forget(before: number): void {
    for (const ts of this.rolled) if (ts < before) this.rolled.delete(ts)
    for (const ts of this.empty) if (ts < before) this.empty.delete(ts)
    for (const ts of this.pending) if (ts < before) this.pending.delete(ts)
  }

  /**
   * Make sure every sample step in [from, to) that has samples is rolled up; false when the window holds
   * more steps than MAX_STEPS (the caller reads the samples instead).
   */
  async cover(from: number, to: number): Promise<boolean> {
    const first = Math.ceil(from / this.stepMs) * this.stepMs
    if ((to - first) / this.stepMs > MAX_STEPS) return false
    const unknown: number[] = []
    for (let ts = first; ts < to; ts += this.stepMs) if (!this.rolled.has(ts) && !this.empty.has(ts)) unknown.push(ts)
    if (unknown.length === 0) return true
    if (this.empty.size > MAX_STEPS) this.empty.clear()
    const found = new Set<number>()
    for (let i = 0; i < unknown.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('history_rollups')
        .select('ts')
        .where('dim', '=', '')
        .where('value', '=', '')
        .where('ts', 'in', unknown.slice(i, i + CHUNK))
        .execute()
      for (const r of rows) found.add(Number(r.ts))
    }
    this.markRolled(found)
    const missing = unknown.filter((ts) => !found.has(ts))
    if (missing.length === 0) return true
    const withSamples: number[] = []
    for (const ts of missing) {
      const any = await this.db.selectFrom('history_samples').select('ts').where('ts', '=', ts).limit(1).executeTakeFirst()
      if (any) withSamples.push(ts)
      else this.empty.add(ts)
    }
    if (withSamples.length === 0) return true
    await this.db.transaction().execute((trx) => rollUp(trx, withSamples))
    // Samples of clusters not registered (yet) roll up to nothing: asked again next time, not remembered.
    const done = await this.db
      .selectFrom('history_rollups')
      .select('ts')
      .where('dim', '=', '')
      .where('value', '=', '')
      .where('ts', 'in', withSamples)
      .execute()
    this.markRolled(done.map((r) => Number(r.ts)))
    return true
  }
}
