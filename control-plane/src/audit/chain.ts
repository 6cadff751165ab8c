import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Store } from '../store/open'
import type { AuditLogTable } from '../store/schema'

/** The hash before the first record. */
export const GENESIS = 'sha256:0000000000000000000000000000000000000000000000000000000000000000'

export interface AuditEntry {
  at: number
  /** Who: `admin`, `cluster:<id>`, `user:<name>`, or `anonymous`. */
  actor: string
  /** What: method and route pattern, or a named action (`census.scheduled`). */
  action: string
  /** The object acted on (the URL, a cluster id…). */
  target: string
  /** Region scope of the action: a province code, or `*`. */
  scope: string
  outcome: 'ok' | 'denied' | 'rejected' | 'error'
  status: number
  requestId: string
  detail: Record<string, unknown>
}

/** The exact text hashed: every field in a fixed order, so a changed byte anywhere changes the hash. */
type Hashed = Omit<AuditEntry, 'detail'> & { detail: string }

function canonical(seq: number, e: Hashed, prevHash: string): string {
  return JSON.stringify([seq, e.at, e.actor, e.action, e.target, e.scope, e.outcome, e.status, e.requestId, e.detail, prevHash])
}

/** `detail` as the stored text (the JSON written once), so verification hashes exactly what is stored. */
export function hashRecord(seq: number, e: Hashed, prevHash: string): string {
  return `sha256:${createHash('sha256')
    .update(canonical(seq, e, prevHash))
    .digest('hex')}`
}

function hashedOf(row: AuditLogTable): Hashed {
  return {
    at: Number(row.at),
    actor: row.actor,
    action: row.action,
    target: row.target,
    scope: row.scope,
    outcome: row.outcome as AuditEntry['outcome'],
    status: Number(row.status),
    requestId: row.request_id,
    detail: row.detail,
  }
}

function entryOf(row: AuditLogTable): AuditEntry {
  let detail: Record<string, unknown> = {}
  try {
    detail = JSON.parse(row.detail) as Record<string, unknown>
  } catch {
    detail = { unparsable: row.detail }
  }
  return {
    at: Number(row.at),
    actor: row.actor,
    action: row.action,
    target: row.target,
    scope: row.scope,
    outcome: row.outcome as AuditEntry['outcome'],
    status: Number(row.status),
    requestId: row.request_id,
    detail,
  }
}

/** Chain `entries` after the record `last` (undefined: the trail is empty). */
function chain(entries: AuditEntry[], last: { seq: number | string; hash: string } | undefined): AuditLogTable[] {
  let seq = last ? Number(last.seq) : 0
  let prevHash = last?.hash ?? GENESIS
  const rows: AuditLogTable[] = []
  for (const entry of entries) {
    // The detail is stored as the same string that was hashed.
    const detail = JSON.stringify(entry.detail)
    seq++
    const hash = hashRecord(seq, { ...entry, detail }, prevHash)
    rows.push({
      seq,
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      scope: entry.scope,
      outcome: entry.outcome,
      status: entry.status,
      request_id: entry.requestId,
      detail,
      prev_hash: prevHash,
      hash,
    })
    prevHash = hash
  }
  return rows
}

const LAST_RECORD = 'select seq, hash from audit_log order by seq desc limit 1'
const INSERT_RECORD =
  'insert into audit_log (seq, at, actor, action, target, scope, outcome, status, request_id, detail, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'

/**
 * The append-only audit trail. Appends are serialized (one queue per process; on PostgreSQL an advisory
 * lock per transaction, so several control-plane instances extend one chain rather than forking it).
 */
export class AuditTrail {
  /** Entries waiting for the writer, with their callers' promises. */
  private queue: { entry: AuditEntry; resolve: (r: { seq: number; hash: string }) => void; reject: (e: unknown) => void }[] = []
  private writing = false

  constructor(private readonly store: Store) {}

  /**
   * Append one record; resolves once it is committed. Concurrent appends are group-committed: the writer starts
   * on the next turn of the event loop, so the records of every request answered in this turn share one
   * transaction; whatever queues while a transaction runs goes into the next one, chained in arrival order.
   */
  append(entry: AuditEntry): Promise<{ seq: number; hash: string }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, resolve, reject })
      if (!this.writing) {
        this.writing = true
        setImmediate(() => void this.drain())
      }
    })
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, 500)
        try {
          const results = await this.write(batch.map((b) => b.entry))
          for (const [i, b] of batch.entries()) b.resolve(results[i] as { seq: number; hash: string })
        } catch (error) {
          for (const b of batch) b.reject(error)
        }
      }
    } finally {
      this.writing = false
    }
  }

  private async write(entries: AuditEntry[]): Promise<{ seq: number; hash: string }[]> {
    const raw = this.store.sqlite
    if (raw) {
      // SQLite: plain prepared statements, synchronously, under Kysely's lock on the one connection.
      return this.store.db.connection().execute(async () => {
        raw.exec('begin immediate')
        try {
          const rows = chain(entries, raw.prepare(LAST_RECORD).get() as { seq: number; hash: string } | undefined)
          const insert = raw.prepare(INSERT_RECORD)
          for (const r of rows)
            insert.run(r.seq, r.at, r.actor, r.action, r.target, r.scope, r.outcome, r.status, r.request_id, r.detail, r.prev_hash, r.hash)
          raw.exec('commit')
          return rows.map((r) => ({ seq: r.seq, hash: r.hash }))
        } catch (error) {
          try {
            raw.exec('rollback')
          } catch {
            // SQLite rolled back already (it does on some errors); the first error is the one to report.
          }
          throw error
        }
      })
    }
    return this.store.db.transaction().execute(async (trx) => {
      if (this.store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(7412)`.execute(trx)
      const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst()
      const rows = chain(entries, last)
      // 12 columns a row: 500 rows stay well under the bound-parameter limit.
      await trx.insertInto('audit_log').values(rows).execute()
      return rows.map((r) => ({ seq: r.seq, hash: r.hash }))
    })
  }

  async list(filter: { from?: number; to?: number; actor?: string; outcome?: string; action?: string; limit: number; afterSeq?: number }) {
    let q = this.store.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(filter.limit)
    if (filter.from !== undefined) q = q.where('at', '>=', filter.from)
    if (filter.to !== undefined) q = q.where('at', '<', filter.to)
    if (filter.actor) q = q.where('actor', '=', filter.actor)
    if (filter.outcome) q = q.where('outcome', '=', filter.outcome)
    if (filter.action) q = q.where('action', 'like', `%${filter.action}%`)
    if (filter.afterSeq !== undefined) q = q.where('seq', '<', filter.afterSeq)
    const rows = await q.execute()
    return rows.map((r) => ({
      seq: Number(r.seq),
      ...entryOf(r),
      at: new Date(Number(r.at)).toISOString(),
      prevHash: r.prev_hash,
      hash: r.hash,
    }))
  }
}

export interface VerifyResult {
  ok: boolean
  records: number
  /** seq and hash of the last record: keep it, and a later truncation of the tail is caught by `expectHead`. */
  head: { seq: number; hash: string } | null
  problems: { seq: number; problem: string }[]
}

/**
 * Walk the chain from the first record: every record's hash must match its content and its predecessor's
 * hash, and sequence numbers must have no gaps — so an edit, an insertion or a deletion anywhere is
 * found. Deleting the newest records leaves a shorter valid chain: pass a head recorded earlier
 * (`expectHead`) to catch that too.
 */
export async function verifyAuditTrail(store: Store, expectHead?: { seq: number; hash: string }): Promise<VerifyResult> {
  const problems: VerifyResult['problems'] = []
  let prevHash = GENESIS
  let expectedSeq = 1
  let records = 0
  let head: VerifyResult['head'] = null
  let after = 0
  for (;;) {
    const page = await store.db.selectFrom('audit_log').selectAll().where('seq', '>', after).orderBy('seq').limit(5_000).execute()
    if (page.length === 0) break
    for (const row of page) {
      const seq = Number(row.seq)
      if (seq !== expectedSeq) problems.push({ seq, problem: `sequence jumps from ${expectedSeq - 1} to ${seq}: records deleted` })
      if (row.prev_hash !== prevHash)
        problems.push({ seq, problem: 'prev_hash does not match the previous record: a record before it was changed or removed' })
      const recomputed = hashRecord(seq, hashedOf(row), row.prev_hash)
      if (recomputed !== row.hash) problems.push({ seq, problem: 'hash does not match the record: the record was edited' })
      prevHash = row.hash
      expectedSeq = seq + 1
      records += 1
      head = { seq, hash: row.hash }
      after = seq
    }
  }
  if (expectHead) {
    if (!head || head.seq < expectHead.seq) {
      problems.push({
        seq: expectHead.seq,
        problem: `the trail ends at ${head?.seq ?? 0}, before the recorded head ${expectHead.seq}: records removed from the end`,
      })
    } else {
      const at = await store.db.selectFrom('audit_log').select('hash').where('seq', '=', expectHead.seq).executeTakeFirst()
      if (at?.hash !== expectHead.hash) problems.push({ seq: expectHead.seq, problem: 'the record at the recorded head has another hash' })
    }
  }
  return { ok: problems.length === 0, records, head, problems }
}
