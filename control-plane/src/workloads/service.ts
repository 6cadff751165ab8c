import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { HeldReservation } from '../census/evaluate'
import { LedgerError } from '../ledger/errors'
import type { LedgerCluster, LedgerView } from '../ledger/view'
import { capacityFromLedger, clusterCapacity } from '../scheduler/capacity'
import { Scheduler, type SchedulerEvent } from '../scheduler/engine'
import type { QuotaConfig } from '../scheduler/quota'
import { type Decision, type Explanation, SCHEDULABLE_KINDS, type WorkloadSpec } from '../scheduler/types'
import type {
  Assignment,
  AssignmentList,
  AssignmentState,
  AssignmentStatus,
  QuotaUsage,
  Workload,
  WorkloadExplain,
  WorkloadList,
  WorkloadPlacement,
  WorkloadState,
} from '../schemas/workload'
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, WORKLOAD_ID_LABEL } from '../schemas/workload'
import type { RawSqlite } from '../store/open'
import type { Database } from '../store/schema'

export interface WorkloadServiceOptions {
  db: Kysely<Database>
  /** SQLite only: the connection under `db` (Store.sqlite); writes then run plain prepared statements on it. */
  sqlite?: RawSqlite
  view: LedgerView
  now: () => number
  /** A cluster whose last report is older is unhealthy: nothing new goes there and its unfinished replicas move. */
  staleAfterMs: number
  /** A reservation the agent has not confirmed (applied) within this time is released. */
  reservationTtlMs: number
  quotas?: QuotaConfig
  log: { warn(obj: unknown, msg: string): void }
}

/** One cluster's share of an active workload (memory mirror of a workload_assignments row). */
interface AssignmentMem {
  clusterId: string
  /** Replicas by engine workload id (the workload's own id, or a continuation `id/n` after rescheduling). */
  parts: Map<string, { reservationId: string; replicas: number; devices: number; fp16: number }>
  replicas: number
  devices: number
  fp16: number
  classKey: string | null
  model: string | null
  state: AssignmentState
  message: string | null
  readyReplicas: number | null
  assignedAt: number
  updatedAt: number
}

interface DecisionLogEntry {
  at: number
  status: string
  reason: string | null
  message: string | null
  clusters: string[]
}

/** An active workload (pending, placed or running) in memory; terminal ones live only in the store. */
interface WorkloadMem {
  id: string
  spec: WorkloadSpec
  state: WorkloadState
  reason: string | null
  message: string | null
  submittedAt: number
  decidedAt: number | null
  updatedAt: number
  explanation: Explanation | null
  decisions: DecisionLogEntry[]
  assignments: Map<string, AssignmentMem>
  /** Engine workload ids holding a reservation or queued for this workload. */
  engineIds: Set<string>
  continuations: number
  /** The spec and the last explanation as stored (serialized once, not on every write). */
  specText?: string
  explanationText?: string | null
  explanationOf?: Explanation | null
}

/** Some workloads of a write could not be stored (the others were). */
export class FlushError extends Error {
  constructor(
    readonly failed: ReadonlySet<unknown>,
    cause: unknown,
  ) {
    super(`${failed.size} workload(s) could not be stored: ${(cause as Error)?.message ?? cause}`, { cause })
  }
}

const ACTIVE: readonly WorkloadState[] = ['pending', 'placed', 'running']
const DECISION_LOG = 20
const TERMINAL_ASSIGNMENT = new Set<AssignmentState>(['succeeded', 'failed', 'withdrawn'])

let idPool = Buffer.alloc(0)
let idAt = 0

/** Workload ids: `w-` and 12 hex digits, a DNS-1123 label once prefixed (`sp-w-…`); random bytes drawn 3 KiB at a time. */
function newWorkloadId(): string {
  if (idAt + 6 > idPool.length) {
    idPool = randomBytes(6 * 512)
    idAt = 0
  }
  const id = `w-${idPool.toString('hex', idAt, idAt + 6)}`
  idAt += 6
  return id
}

const noop = (): void => {}

const baseIdOf = (engineId: string): string => {
  const slash = engineId.indexOf('/')
  return slash < 0 ? engineId : engineId.slice(0, slash)
}

/**
 * Workloads (统一调度) over the placement engine: submissions, the store, dispatch to agents, and the life cycle.
 *
 * The engine decides synchronously (no two submissions can book the same capacity); this service then persists
 * the outcome. Writes are batched: every change marks its workload dirty and one writer flushes the dirty set in a
 * transaction, so a burst of concurrent submissions costs a few transactions, not one each. A submission answers
 * only once its decision is stored; if storing fails the reservation is undone.
 *
 * One control-plane process runs the scheduler (with a shared PostgreSQL store, the others serve reads).
 */
export class WorkloadService {
  readonly engine: Scheduler
  private readonly db: Kysely<Database>
  private readonly view: LedgerView
  private readonly now: () => number
  private readonly staleAfterMs: number
  private readonly log: WorkloadServiceOptions['log']
  private readonly active = new Map<string, WorkloadMem>()
  private readonly byCluster = new Map<string, Set<WorkloadMem>>()
  private readonly sqlite: RawSqlite | null
  private dirty = new Set<WorkloadMem>()
  /** The write in progress. */
  private writing: Promise<void> | null = null
  /** The next write, not started yet: it takes what is dirty when it starts. */
  private next: Promise<void> | null = null
  private retryQueued = false
  private timer: NodeJS.Timeout | null = null
  private closed = false

  constructor(options: WorkloadServiceOptions) {
    this.db = options.db
    this.sqlite = options.sqlite ?? null
    this.view = options.view
    this.now = options.now
    this.staleAfterMs = options.staleAfterMs
    this.log = options.log
    this.engine = new Scheduler([], {
      clock: options.now,
      reservationTtlMs: options.reservationTtlMs,
      staleAfterMs: options.staleAfterMs,
      ...(options.quotas ? { quotas: options.quotas } : {}),
      onEvent: (e) => this.onEvent(e),
    })
  }

  // ------------------------------------------------------------ start-up and shutdown

  /** Load fresh clusters into the engine and take back the active workloads from the store. */
  async start(options: { intervalMs?: number } = {}): Promise<{ restored: number; rescheduled: number }> {
    for (const cap of capacityFromLedger(this.view.all(), { now: this.now(), staleAfterMs: this.staleAfterMs }))
      this.engine.updateCapacity(cap.id, cap)
    const rows = await this.db
      .selectFrom('workloads')
      .selectAll()
      .where('state', 'in', ACTIVE as WorkloadState[])
      .orderBy('submitted_at')
      .orderBy('id')
      .execute()
    const assignmentRows = rows.length
      ? await this.db
          .selectFrom('workload_assignments')
          .selectAll()
          .where(
            'workload_id',
            'in',
            rows.map((r) => r.id),
          )
          .execute()
      : []
    const byWorkload = new Map<string, typeof assignmentRows>()
    for (const a of assignmentRows) {
      const list = byWorkload.get(a.workload_id) ?? []
      list.push(a)
      byWorkload.set(a.workload_id, list)
    }
    let rescheduled = 0
    for (const row of rows) {
      const w: WorkloadMem = {
        id: row.id,
        spec: JSON.parse(row.spec) as WorkloadSpec,
        state: row.state as WorkloadState,
        reason: row.reason,
        message: row.message,
        submittedAt: Number(row.submitted_at),
        decidedAt: row.decided_at === null ? null : Number(row.decided_at),
        updatedAt: Number(row.updated_at),
        explanation: row.explanation ? (JSON.parse(row.explanation) as Explanation) : null,
        decisions: JSON.parse(row.decisions) as DecisionLogEntry[],
        assignments: new Map(),
        engineIds: new Set(),
        continuations: 0,
      }
      for (const a of byWorkload.get(row.id) ?? []) {
        w.assignments.set(a.cluster_id, {
          clusterId: a.cluster_id,
          parts: new Map(),
          replicas: a.replicas,
          devices: Number(a.devices),
          fp16: Number(a.fp16_tflops),
          classKey: a.class_key,
          model: a.model,
          state: a.state as AssignmentState,
          message: a.message,
          readyReplicas: a.ready_replicas,
          assignedAt: Number(a.assigned_at),
          updatedAt: Number(a.updated_at),
        })
      }
      this.active.set(w.id, w)
      for (const a of w.assignments.values()) this.index(w, a.clusterId)
      if (this.restore(w)) rescheduled++
    }
    await this.flush()
    const interval = options.intervalMs ?? 5_000
    if (interval > 0) {
      this.timer = setInterval(() => this.maintain(), interval)
      this.timer.unref()
    }
    return { restored: rows.length, rescheduled }
  }

  /**
   * Rebuild one workload in the engine: what agents applied is adopted where it runs (the clusters' reports
   * already count it); what was only assigned is decided again; replicas on clusters gone are rescheduled.
   * Returns whether anything had to be placed again.
   */
  private restore(w: WorkloadMem): boolean {
    const committed = [...w.assignments.values()].filter((a) => a.state === 'applied' || a.state === 'running' || a.state === 'succeeded')
    const unconfirmed = [...w.assignments.values()].filter((a) => a.state === 'assigned')
    let moved = false
    if (committed.length === 0) {
      for (const a of unconfirmed) this.setAssignment(w, a, 'withdrawn', 'decided again after a control-plane restart')
      this.applyDecision(w, this.engine.decide(w.spec, { workloadId: w.id }), w.id)
      return unconfirmed.length > 0
    }
    const adopted = this.engine.adopt(
      w.spec,
      w.id,
      committed.filter((a) => a.state !== 'succeeded').map((a) => ({ clusterId: a.clusterId, classKey: a.classKey, replicas: a.replicas })),
    )
    const missing = new Set(adopted?.missing ?? committed.filter((a) => a.state !== 'succeeded').map((a) => a.clusterId))
    if (adopted) {
      w.engineIds.add(w.id)
      for (const a of committed) {
        if (a.state === 'succeeded' || missing.has(a.clusterId)) continue
        a.parts.set(w.id, { reservationId: adopted.reservationId, replicas: a.replicas, devices: a.devices, fp16: a.fp16 })
      }
    }
    let lost = 0
    for (const a of [...unconfirmed, ...committed.filter((x) => missing.has(x.clusterId))]) {
      lost += a.replicas
      this.setAssignment(w, a, 'withdrawn', 'rescheduled after a control-plane restart: cluster not reporting')
    }
    if (lost > 0) {
      this.continue(w, lost)
      moved = true
    }
    this.refreshState(w)
    return moved
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.timer) clearInterval(this.timer)
    await this.flush()
  }

  // ------------------------------------------------------------ owner's side

  /** Decide and store a new workload. Rejected ones are stored too (the owner can read why) and thrown as 422. */
  async submit(spec: WorkloadSpec): Promise<Workload & { spec: WorkloadSpec }> {
    const now = this.now()
    const w: WorkloadMem = {
      id: newWorkloadId(),
      spec,
      state: 'pending',
      reason: null,
      message: null,
      submittedAt: now,
      decidedAt: null,
      updatedAt: now,
      explanation: null,
      decisions: [],
      assignments: new Map(),
      engineIds: new Set(),
      continuations: 0,
    }
    this.active.set(w.id, w)
    const d = this.engine.decide(spec, { workloadId: w.id })
    this.applyDecision(w, d, w.id)
    try {
      await this.flush()
    } catch (error) {
      // Another workload of the same write failing does not concern this one: it is stored.
      const mine = !(error instanceof FlushError) || error.failed.has(w)
      if (mine) {
        // Not stored: undo the reservation so that memory and store agree. The store's words stay in the log.
        this.engine.cancel(w.id)
        this.forget(w)
        this.log.warn({ err: error, workload: w.id }, 'workload not stored')
        throw new LedgerError(503, 'STORE_UNAVAILABLE', 'the workload could not be stored; try again')
      }
    }
    const out = { ...this.toWorkload(w), spec }
    if (w.state === 'rejected') {
      throw new LedgerError(
        422,
        `WORKLOAD_${(w.reason ?? 'rejected').toUpperCase().replace(/-/g, '_')}`,
        `workload ${w.id} rejected: ${w.message ?? w.reason}`,
      )
    }
    return out
  }

  /** Withdraw a workload: pending ones leave the queue, placed and running ones are released and deleted by their agents. */
  async cancel(id: string): Promise<Workload> {
    const w = this.active.get(id)
    if (!w) {
      const row = await this.db.selectFrom('workloads').select(['state']).where('id', '=', id).executeTakeFirst()
      if (!row) throw new LedgerError(404, 'WORKLOAD_NOT_FOUND', `no workload ${id}`)
      throw new LedgerError(409, 'WORKLOAD_FINISHED', `workload ${id} is already ${row.state}`)
    }
    this.finish(w, 'cancelled', 'cancelled', 'withdrawn by its owner')
    await this.flushFor(w)
    this.requestRetry()
    return this.toWorkload(w)
  }

  async get(id: string): Promise<(Workload & { spec: WorkloadSpec }) | null> {
    const w = this.active.get(id)
    if (w) return { ...this.toWorkload(w), spec: w.spec }
    const row = await this.db.selectFrom('workloads').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) return null
    const assignments = await this.db.selectFrom('workload_assignments').selectAll().where('workload_id', '=', id).execute()
    return { ...this.rowToWorkload(row, assignments), spec: JSON.parse(row.spec) as WorkloadSpec }
  }

  async explain(id: string): Promise<WorkloadExplain | null> {
    const w = this.active.get(id)
    if (w)
      return {
        workloadId: w.id,
        state: w.state,
        reason: w.reason,
        message: w.message,
        decidedAt: w.decidedAt,
        explanation: w.explanation,
        decisions: w.decisions,
      }
    const row = await this.db.selectFrom('workloads').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) return null
    return {
      workloadId: row.id,
      state: row.state as WorkloadState,
      reason: row.reason,
      message: row.message,
      decidedAt: row.decided_at === null ? null : Number(row.decided_at),
      explanation: row.explanation ? (JSON.parse(row.explanation) as Explanation) : null,
      decisions: JSON.parse(row.decisions) as DecisionLogEntry[],
    }
  }

  async list(query: {
    state?: WorkloadState
    department?: string
    ownerRegion?: string
    cluster?: string
    limit?: number
    offset?: number
  }): Promise<WorkloadList> {
    await this.flush()
    let q = this.db.selectFrom('workloads')
    if (query.department) q = q.where('department', '=', query.department)
    if (query.ownerRegion) q = q.where('owner_region', '=', query.ownerRegion)
    if (query.cluster) {
      const cluster = query.cluster
      q = q.where('id', 'in', (sub) => sub.selectFrom('workload_assignments').select('workload_id').where('cluster_id', '=', cluster))
    }
    const counts = await q
      .select(['state'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy('state')
      .execute()
    const byState: Record<string, number> = {}
    for (const c of counts) byState[c.state] = Number(c.n)
    if (query.state) q = q.where('state', '=', query.state)
    const total = query.state ? (byState[query.state] ?? 0) : Object.values(byState).reduce((a, b) => a + b, 0)
    const rows = await q
      .selectAll()
      .orderBy('submitted_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit ?? 100)
      .offset(query.offset ?? 0)
      .execute()
    const ids = rows.map((r) => r.id)
    const assignments = ids.length
      ? await this.db.selectFrom('workload_assignments').selectAll().where('workload_id', 'in', ids).execute()
      : []
    const byWorkload = new Map<string, typeof assignments>()
    for (const a of assignments) {
      const list = byWorkload.get(a.workload_id) ?? []
      list.push(a)
      byWorkload.set(a.workload_id, list)
    }
    return { items: rows.map((r) => this.rowToWorkload(r, byWorkload.get(r.id) ?? [])), total, byState }
  }

  quotaUsage(): QuotaUsage {
    const book = this.engine.quotas
    const departments = new Set<string>([...book.configured(), ...[...this.active.values()].map((w) => w.spec.owner.department)])
    return {
      unlisted: book.unlistedPolicy,
      departments: [...departments].sort().map((department) => {
        const usage = book.usage(department)
        return {
          department,
          cohort: book.cohortOf(department),
          kinds: SCHEDULABLE_KINDS.map((kind, k) => {
            const own = book.ownLimit(department, k)
            return {
              kind,
              devicesQuota: Number.isFinite(own.devices) ? own.devices : null,
              fp16TflopsQuota: Number.isFinite(own.fp16) ? own.fp16 : null,
              devicesUsed: usage.devices[k] ?? 0,
              fp16TflopsUsed: Math.round((usage.fp16[k] ?? 0) * 10) / 10,
              borrowing: book.borrowing(department, k),
            }
          }),
          cpuCoresUsed: Math.round(usage.cpuMillis / 100) / 10,
          memoryGiBUsed: Math.round((usage.memoryBytes / 1024 ** 3) * 10) / 10,
        }
      }),
    }
  }

  /** Shares that hold capacity (assigned or applied) without running for at least `hours`: the census reports them. */
  heldReservations(hours: number): HeldReservation[] {
    const now = this.now()
    const out: HeldReservation[] = []
    for (const w of this.active.values()) {
      for (const a of w.assignments.values()) {
        if (a.state !== 'assigned' && a.state !== 'applied') continue
        const held = (now - a.assignedAt) / 3_600_000
        if (held < hours) continue
        out.push({
          workloadId: w.id,
          clusterId: a.clusterId,
          province: this.view.get(a.clusterId)?.province ?? null,
          department: w.spec.owner.department,
          state: a.state,
          replicas: a.replicas,
          devices: a.devices,
          hours: Math.round(held * 10) / 10,
        })
      }
    }
    return out
  }

  // ------------------------------------------------------------ agent's side

  /** What the cluster's agent should have applied now. */
  assignmentsFor(clusterId: string): AssignmentList {
    const out: Assignment[] = []
    for (const w of this.byCluster.get(clusterId) ?? []) {
      const a = w.assignments.get(clusterId)
      if (!a || a.state === 'withdrawn') continue
      out.push({
        workloadId: w.id,
        objectName: `sp-${w.id}`,
        replicas: a.replicas,
        template: w.spec.template,
        labels: { [WORKLOAD_ID_LABEL]: w.id, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
        state: a.state,
      })
    }
    out.sort((a, b) => (a.workloadId < b.workloadId ? -1 : 1))
    return { clusterId, assignments: out, generatedAt: this.now() }
  }

  /** The agent's report on one assignment: applied confirms the reservation; succeeded or failed finishes it. */
  async reportStatus(clusterId: string, workloadId: string, status: AssignmentStatus): Promise<{ state: AssignmentState }> {
    const w = this.active.get(workloadId)
    const a = w?.assignments.get(clusterId)
    if (!w || !a || a.state === 'withdrawn')
      throw new LedgerError(404, 'ASSIGNMENT_NOT_FOUND', `cluster ${clusterId} has no assignment of workload ${workloadId}: delete it`)
    if (TERMINAL_ASSIGNMENT.has(a.state)) return { state: a.state }
    a.readyReplicas = status.readyReplicas ?? a.readyReplicas
    // The agent applied it: confirmed, no longer subject to expiry.
    for (const part of a.parts.values()) this.engine.commit(part.reservationId, clusterId)
    this.setAssignment(w, a, status.state, status.message ?? null)
    this.refreshState(w)
    await this.flushFor(w)
    return { state: a.state }
  }

  /** A cluster's new report: the engine's capacity follows it (work the agents applied is in the report now). */
  onClusterReport(cluster: LedgerCluster): void {
    if (cluster.figures === null || cluster.lastReportAt === null) return
    this.engine.updateCapacity(cluster.id, clusterCapacity(cluster), { absorbsCommitted: true })
    this.requestRetry()
  }

  // ------------------------------------------------------------ maintenance

  /** Expire, retry the queue, move replicas off stale clusters. Runs every few seconds. */
  maintain(): void {
    if (this.closed) return
    const now = this.now()
    for (const [clusterId, set] of this.byCluster) {
      if (set.size === 0) continue
      const c = this.view.get(clusterId)
      if (c?.lastReportAt != null && now - c.lastReportAt <= this.staleAfterMs) continue
      // Gone quiet: the engine forgets it; its parts are displaced (events below reschedule them).
      this.engine.updateCapacity(clusterId, null)
    }
    this.engine.tick(now)
    this.engine.retryPending()
    this.flush().catch((error: unknown) => this.log.warn({ err: error }, 'workload store write failed; will retry'))
  }

  private requestRetry(): void {
    if (this.retryQueued || this.closed) return
    this.retryQueued = true
    setImmediate(() => {
      this.retryQueued = false
      if (this.closed) return
      this.engine.retryPending()
      this.flush().catch((error: unknown) => this.log.warn({ err: error }, 'workload store write failed; will retry'))
    })
  }

  // ------------------------------------------------------------ engine events and decisions

  private onEvent(e: SchedulerEvent): void {
    if (e.type === 'placed' || e.type === 'rejected') {
      const w = this.active.get(baseIdOf(e.decision.workloadId))
      if (w) this.applyDecision(w, e.decision, e.decision.workloadId)
      return
    }
    const w = this.active.get(baseIdOf(e.workloadId))
    if (!w) return
    const now = this.now()
    if (e.type === 'expired') {
      // The agents on e.clusters did not confirm in time: those shares are withdrawn.
      let lost = 0
      for (const clusterId of e.clusters) {
        const a = w.assignments.get(clusterId)
        const part = a?.parts.get(e.workloadId)
        if (!a || !part) continue
        a.parts.delete(e.workloadId)
        lost += part.replicas
        if (a.parts.size === 0) this.setAssignment(w, a, 'withdrawn', 'reservation expired: the agent did not confirm in time')
        else this.sumParts(a)
      }
      this.log_(w, {
        at: now,
        status: 'expired',
        reason: 'ttl',
        message: 'reservation expired before the agent confirmed it',
        clusters: e.clusters,
      })
      // All of it expired: the engine queued the workload again. Part of it: the rest runs, the lost replicas move.
      if (!e.requeued && this.engine.reservation(e.reservationId) && lost > 0) this.continue(w, lost)
      else if (!e.requeued) w.engineIds.delete(e.workloadId)
    } else if (e.type === 'preempted') {
      this.dropReservation(w, e.workloadId, `preempted by workload ${baseIdOf(e.by)}`)
      this.log_(w, { at: now, status: 'preempted', reason: 'priority', message: `preempted by ${baseIdOf(e.by)}`, clusters: [] })
    } else if (e.type === 'displaced') {
      const a = w.assignments.get(e.clusterId)
      const part = a?.parts.get(e.workloadId)
      if (e.committed && a && part) {
        // Running work on a cluster that went away: its replicas are placed again elsewhere (a continuation).
        a.parts.delete(e.workloadId)
        this.setAssignment(w, a, 'withdrawn', 'cluster stale: replicas rescheduled')
        this.log_(w, {
          at: now,
          status: 'displaced',
          reason: 'stale',
          message: `cluster ${e.clusterId} stopped reporting`,
          clusters: [e.clusterId],
        })
        this.continue(w, part.replicas)
      } else {
        this.dropReservation(w, e.workloadId, `cluster ${e.clusterId} lost the capacity`)
        this.log_(w, {
          at: now,
          status: 'displaced',
          reason: 'capacity',
          message: `cluster ${e.clusterId} lost the capacity`,
          clusters: [e.clusterId],
        })
        if (!e.requeued) w.engineIds.delete(e.workloadId)
      }
    }
    this.refreshState(w)
  }

  /** Queue `replicas` more replicas of a workload under a continuation id (rescheduling lost work). */
  private continue(w: WorkloadMem, replicas: number): void {
    const spec: WorkloadSpec =
      w.spec.placement.mode === 'duplicated'
        ? { ...w.spec, placement: { mode: 'duplicated', clusters: Math.max(1, Math.round(replicas / w.spec.replicas)) } }
        : w.spec.placement.mode === 'divisible'
          ? {
              ...w.spec,
              replicas,
              placement: { mode: 'divisible', minPerCluster: Math.min(replicas, w.spec.placement.minPerCluster ?? 1) },
            }
          : { ...w.spec, replicas }
    const engineId = `${w.id}/${++w.continuations}`
    this.applyDecision(w, this.engine.decide(spec, { workloadId: engineId }), engineId)
  }

  /** Take a decision (placed, pending, rejected) for the workload or one of its continuations. */
  private applyDecision(w: WorkloadMem, d: Decision, engineId: string): void {
    const now = this.now()
    w.decidedAt = d.decidedAt
    if (engineId === w.id || d.status !== 'rejected') w.explanation = d.explanation
    this.log_(w, {
      at: d.decidedAt,
      status: d.status,
      reason: d.reason,
      message: d.message,
      clusters: d.placements.map((p) => p.clusterId),
    })
    if (d.status === 'placed' && d.reservationId) {
      w.engineIds.add(engineId)
      for (const p of d.placements) {
        let a = w.assignments.get(p.clusterId)
        if (!a || a.state === 'withdrawn' || TERMINAL_ASSIGNMENT.has(a.state)) {
          a = {
            clusterId: p.clusterId,
            parts: new Map(),
            replicas: 0,
            devices: 0,
            fp16: 0,
            classKey: p.classKey,
            model: p.model,
            state: 'assigned',
            message: null,
            readyReplicas: null,
            assignedAt: now,
            updatedAt: now,
          }
          w.assignments.set(p.clusterId, a)
          this.index(w, p.clusterId)
        }
        a.parts.set(engineId, { reservationId: d.reservationId, replicas: p.replicas, devices: p.devices, fp16: p.fp16Tflops })
        this.sumParts(a)
        a.updatedAt = now
      }
      w.reason = null
      w.message = null
    } else if (d.status === 'pending') {
      w.engineIds.add(engineId)
      w.reason = d.reason
      w.message = d.message
    } else {
      w.engineIds.delete(engineId)
      if (engineId === w.id && w.engineIds.size === 0 && ![...w.assignments.values()].some((a) => a.parts.size > 0)) {
        this.finish(w, 'rejected', d.reason ?? 'rejected', d.message ?? 'rejected')
        return
      }
      w.reason = d.reason
      w.message = `replicas could not be rescheduled: ${d.message ?? d.reason}`
    }
    this.refreshState(w)
  }

  /** An engine reservation of the workload is gone (expired, preempted, displaced): its unconfirmed shares are withdrawn. */
  private dropReservation(w: WorkloadMem, engineId: string, message: string): void {
    for (const a of w.assignments.values()) {
      if (!a.parts.delete(engineId)) continue
      if (a.parts.size === 0) this.setAssignment(w, a, 'withdrawn', message)
      else this.sumParts(a)
    }
  }

  private sumParts(a: AssignmentMem): void {
    let replicas = 0
    let devices = 0
    let fp16 = 0
    for (const p of a.parts.values()) {
      replicas += p.replicas
      devices += p.devices
      fp16 += p.fp16
    }
    a.replicas = replicas
    a.devices = devices
    a.fp16 = Math.round(fp16 * 100) / 100
  }

  private setAssignment(w: WorkloadMem, a: AssignmentMem, state: AssignmentState, message: string | null): void {
    if (a.state === state && a.message === message) return
    a.state = state
    a.message = message
    a.updatedAt = this.now()
    if (state === 'withdrawn') a.parts.clear()
    this.touch(w)
  }

  /** The workload's state from its shares: failed if any failed, succeeded when all did, running when all are applied. */
  private refreshState(w: WorkloadMem): void {
    if (!ACTIVE.includes(w.state)) return
    const live = [...w.assignments.values()].filter((a) => a.state !== 'withdrawn')
    const failed = live.find((a) => a.state === 'failed')
    const queued = [...w.engineIds].some((id) => this.engine.decisionOf(id)?.status === 'pending')
    if (failed) {
      this.finish(w, 'failed', 'failed', `failed on cluster ${failed.clusterId}: ${failed.message ?? 'no message'}`)
      return
    }
    if (live.length > 0 && !queued && live.every((a) => a.state === 'succeeded')) {
      this.finish(w, 'succeeded', null, null)
      return
    }
    const next: WorkloadState = live.length === 0 || queued ? 'pending' : live.every((a) => a.state !== 'assigned') ? 'running' : 'placed'
    if (next !== w.state) w.state = next
    this.touch(w)
  }

  /** End a workload: release everything it holds in the engine; agents delete what they applied. */
  private finish(w: WorkloadMem, state: WorkloadState, reason: string | null, message: string | null): void {
    for (const id of w.engineIds) this.engine.cancel(id)
    w.engineIds.clear()
    for (const a of w.assignments.values()) {
      if (!TERMINAL_ASSIGNMENT.has(a.state)) this.setAssignment(w, a, 'withdrawn', `workload ${state}`)
    }
    w.state = state
    w.reason = reason
    w.message = message
    this.touch(w)
    this.requestRetry()
  }

  private log_(w: WorkloadMem, entry: DecisionLogEntry): void {
    w.decisions.push(entry)
    if (w.decisions.length > DECISION_LOG) w.decisions.splice(0, w.decisions.length - DECISION_LOG)
    this.touch(w)
  }

  private touch(w: WorkloadMem): void {
    w.updatedAt = this.now()
    this.dirty.add(w)
  }

  private index(w: WorkloadMem, clusterId: string): void {
    let set = this.byCluster.get(clusterId)
    if (!set) {
      set = new Set()
      this.byCluster.set(clusterId, set)
    }
    set.add(w)
  }

  private forget(w: WorkloadMem): void {
    this.active.delete(w.id)
    this.dirty.delete(w)
    for (const clusterId of w.assignments.keys()) this.byCluster.get(clusterId)?.delete(w)
  }

  // ------------------------------------------------------------ the store

  /**
   * Write every changed workload; resolves once what was dirty when called is stored (rejects with a FlushError
   * naming the workloads that could not be). Group commit: the write starts on the next turn of the event loop
   * (after the one in progress, if any), so every submission decided meanwhile — all the requests read in one
   * turn — goes into the same transaction. An answer waits for the write that holds its workload.
   */
  flush(): Promise<void> {
    if (this.next) return this.next
    if (this.dirty.size === 0) return this.writing ? this.writing.then(noop, noop) : Promise.resolve()
    const after = this.writing
    const next = (async () => {
      if (after) await after.then(noop, noop)
      await new Promise<void>((resolve) => setImmediate(resolve))
      // From here on, new changes go to the write after this one.
      this.next = null
      const batch = [...this.dirty]
      this.dirty = new Set()
      const writing = this.writeBatch(batch)
      this.writing = writing
      try {
        await writing
      } finally {
        if (this.writing === writing) this.writing = null
      }
    })()
    this.next = next
    return next
  }

  /** Flush, failing only when this workload could not be stored (not when another one of the write could not). */
  private async flushFor(w: WorkloadMem): Promise<void> {
    try {
      await this.flush()
    } catch (error) {
      if (!(error instanceof FlushError) || error.failed.has(w)) throw error
    }
  }

  /** One transaction for the batch; if it fails, one each, so that one bad row does not hold every other write back. */
  private async writeBatch(batch: WorkloadMem[]): Promise<void> {
    if (batch.length === 0) return
    try {
      await this.write(batch)
      this.stored(batch)
      return
    } catch (error) {
      if (batch.length === 1) {
        this.log.warn({ err: error, workload: batch[0]?.id }, 'workload could not be stored')
        throw new FlushError(new Set(batch), error)
      }
      // A workload that still fails is logged and left as memory has it (written again with its next change).
      const failed = new Set<WorkloadMem>()
      for (const w of batch) {
        try {
          await this.write([w])
          this.stored([w])
        } catch (single) {
          failed.add(w)
          this.log.warn({ err: single, workload: w.id }, 'workload could not be stored')
        }
      }
      if (failed.size > 0) throw new FlushError(failed, error)
    }
  }

  /**
   * One transaction writing these workloads and their assignments. SQLite: plain prepared statements run
   * synchronously on its one connection under Kysely's lock (building a Kysely query costs more than running
   * these statements); PostgreSQL: multi-row upserts through Kysely.
   */
  private write(batch: WorkloadMem[]): Promise<void> {
    const raw = this.sqlite
    if (raw) {
      return this.db.connection().execute(async () => {
        // Rows are built under the lock: they hold the state as it is when written.
        const rows = batch.map((w) => this.toRows(w))
        raw.exec('begin immediate')
        try {
          writeRows(sqliteWriter(raw), rows)
          raw.exec('commit')
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
    return this.db.transaction().execute(async (trx) => {
      await writeRows(
        kyselyWriter(trx),
        batch.map((w) => this.toRows(w)),
      )
    })
  }

  /** Stored: finished workloads leave memory. */
  private stored(batch: WorkloadMem[]): void {
    for (const w of batch) if (!ACTIVE.includes(w.state) && !this.dirty.has(w)) this.forget(w)
  }

  private toRows(w: WorkloadMem): { workload: WorkloadRow; assignments: AssignmentRow[] } {
    const acc = w.spec.resources.accelerators
    // The spec never changes; the explanation changes with each decision: each is serialized once.
    w.specText ??= JSON.stringify(w.spec)
    if (w.explanationText === undefined || w.explanationOf !== w.explanation) {
      w.explanationOf = w.explanation
      w.explanationText = w.explanation ? JSON.stringify(w.explanation) : null
    }
    const assignments: AssignmentRow[] = []
    for (const a of w.assignments.values()) {
      assignments.push({
        workload_id: w.id,
        cluster_id: a.clusterId,
        replicas: a.replicas,
        devices: a.devices,
        class_key: a.classKey ?? null,
        model: a.model ?? null,
        fp16_tflops: a.fp16,
        state: a.state,
        message: a.message,
        ready_replicas: a.readyReplicas ?? null,
        assigned_at: a.assignedAt,
        updated_at: a.updatedAt,
      })
    }
    return {
      workload: {
        id: w.id,
        name: w.spec.name ?? null,
        department: w.spec.owner.department,
        owner_region: w.spec.owner.region,
        priority: w.spec.priority,
        replicas: w.spec.replicas,
        mode: w.spec.placement.mode,
        acc_kind: acc?.kind ?? null,
        acc_per_replica: acc?.count ?? 0,
        spec: w.specText,
        state: w.state,
        reason: w.reason,
        message: w.message,
        submitted_at: w.submittedAt,
        decided_at: w.decidedAt,
        updated_at: w.updatedAt,
        explanation: w.explanationText,
        decisions: JSON.stringify(w.decisions),
      },
      assignments,
    }
  }

  private toWorkload(w: WorkloadMem): Workload {
    const acc = w.spec.resources.accelerators
    return {
      id: w.id,
      name: w.spec.name ?? null,
      department: w.spec.owner.department,
      ownerRegion: w.spec.owner.region,
      priority: w.spec.priority,
      replicas: w.spec.replicas,
      mode: w.spec.placement.mode,
      acceleratorKind: acc?.kind ?? null,
      acceleratorsPerReplica: acc?.count ?? 0,
      state: w.state,
      reason: w.reason,
      message: w.message,
      submittedAt: w.submittedAt,
      decidedAt: w.decidedAt,
      updatedAt: w.updatedAt,
      placements: [...w.assignments.values()].map(
        (a): WorkloadPlacement => ({
          clusterId: a.clusterId,
          classKey: a.classKey,
          model: a.model,
          replicas: a.replicas,
          devices: a.devices,
          fp16Tflops: a.fp16,
          state: a.state,
          message: a.message,
          updatedAt: a.updatedAt,
        }),
      ),
    }
  }

  private rowToWorkload(r: Database['workloads'], assignments: readonly Database['workload_assignments'][]): Workload {
    return {
      id: r.id,
      name: r.name,
      department: r.department,
      ownerRegion: r.owner_region,
      priority: Number(r.priority),
      replicas: Number(r.replicas),
      mode: r.mode,
      acceleratorKind: r.acc_kind,
      acceleratorsPerReplica: Number(r.acc_per_replica),
      state: r.state as WorkloadState,
      reason: r.reason,
      message: r.message,
      submittedAt: Number(r.submitted_at),
      decidedAt: r.decided_at === null ? null : Number(r.decided_at),
      updatedAt: Number(r.updated_at),
      placements: assignments.map((a) => ({
        clusterId: a.cluster_id,
        classKey: a.class_key,
        model: a.model,
        replicas: Number(a.replicas),
        devices: Number(a.devices),
        fp16Tflops: Number(a.fp16_tflops),
        state: a.state as AssignmentState,
        message: a.message,
        updatedAt: Number(a.updated_at),
      })),
    }
  }
}

// ---------------------------------------------------------------- the store's statements

type WorkloadRow = Database['workloads']
type AssignmentRow = Database['workload_assignments']

/**
 * The statements of one write. Two implementations: plain prepared statements run synchronously on SQLite's
 * one connection, and Kysely (PostgreSQL); one code path over both.
 */
interface WorkloadWriter {
  upsertWorkloads(rows: WorkloadRow[]): Promise<unknown> | unknown
  upsertAssignments(rows: AssignmentRow[]): Promise<unknown> | unknown
}

function writeRows(tx: WorkloadWriter, rows: { workload: WorkloadRow; assignments: AssignmentRow[] }[]): Promise<unknown> | unknown {
  const workloads = rows.map((r) => r.workload)
  const assignments = rows.flatMap((r) => r.assignments)
  const first = tx.upsertWorkloads(workloads)
  // SQLite's writer is synchronous: no promise, nothing to wait for.
  if (first instanceof Promise) return first.then(() => tx.upsertAssignments(assignments))
  return tx.upsertAssignments(assignments)
}

/** Columns written for a workload, and those an existing row takes from a new write (the rest are fixed at submission). */
const WORKLOAD_COLUMNS = [
  'id',
  'name',
  'department',
  'owner_region',
  'priority',
  'replicas',
  'mode',
  'acc_kind',
  'acc_per_replica',
  'spec',
  'state',
  'reason',
  'message',
  'submitted_at',
  'decided_at',
  'updated_at',
  'explanation',
  'decisions',
] as const satisfies readonly (keyof WorkloadRow)[]
const WORKLOAD_UPDATED = [
  'state',
  'reason',
  'message',
  'decided_at',
  'updated_at',
  'explanation',
  'decisions',
] as const satisfies readonly (keyof WorkloadRow)[]
const ASSIGNMENT_COLUMNS = [
  'workload_id',
  'cluster_id',
  'replicas',
  'devices',
  'class_key',
  'model',
  'fp16_tflops',
  'state',
  'message',
  'ready_replicas',
  'assigned_at',
  'updated_at',
] as const satisfies readonly (keyof AssignmentRow)[]
const ASSIGNMENT_UPDATED = ASSIGNMENT_COLUMNS.filter((c) => c !== 'workload_id' && c !== 'cluster_id')

const upsertSql = (table: string, columns: readonly string[], key: string, updated: readonly string[]) =>
  `insert into ${table} (${columns.join(', ')}) values (?${', ?'.repeat(columns.length - 1)}) on conflict (${key}) do update set ${updated
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`
const UPSERT_WORKLOAD = upsertSql('workloads', WORKLOAD_COLUMNS, 'id', WORKLOAD_UPDATED)
const UPSERT_ASSIGNMENT = upsertSql('workload_assignments', ASSIGNMENT_COLUMNS, 'workload_id, cluster_id', ASSIGNMENT_UPDATED)

function sqliteWriter(raw: RawSqlite): WorkloadWriter {
  return {
    upsertWorkloads(rows) {
      const upsert = raw.prepare(UPSERT_WORKLOAD)
      for (const r of rows)
        upsert.run(
          r.id,
          r.name,
          r.department,
          r.owner_region,
          r.priority,
          r.replicas,
          r.mode,
          r.acc_kind,
          r.acc_per_replica,
          r.spec,
          r.state,
          r.reason,
          r.message,
          r.submitted_at,
          r.decided_at,
          r.updated_at,
          r.explanation,
          r.decisions,
        )
    },
    upsertAssignments(rows) {
      if (rows.length === 0) return
      const upsert = raw.prepare(UPSERT_ASSIGNMENT)
      for (const r of rows)
        upsert.run(
          r.workload_id,
          r.cluster_id,
          r.replicas,
          r.devices,
          r.class_key,
          r.model,
          r.fp16_tflops,
          r.state,
          r.message,
          r.ready_replicas,
          r.assigned_at,
          r.updated_at,
        )
    },
  }
}

function kyselyWriter(trx: Kysely<Database>): WorkloadWriter {
  return {
    async upsertWorkloads(rows) {
      // Multi-row upserts, a few hundred rows a statement.
      for (let i = 0; i < rows.length; i += 500) {
        await trx
          .insertInto('workloads')
          .values(rows.slice(i, i + 500))
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => Object.fromEntries(WORKLOAD_UPDATED.map((c) => [c, eb.ref(`excluded.${c}`)]))),
          )
          .execute()
      }
    },
    async upsertAssignments(rows) {
      for (let i = 0; i < rows.length; i += 1000) {
        await trx
          .insertInto('workload_assignments')
          .values(rows.slice(i, i + 1000))
          .onConflict((oc) =>
            oc
              .columns(['workload_id', 'cluster_id'])
              .doUpdateSet((eb) => Object.fromEntries(ASSIGNMENT_UPDATED.map((c) => [c, eb.ref(`excluded.${c}`)]))),
          )
          .execute()
      }
    },
  }
}
