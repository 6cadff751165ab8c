import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node'
import type { Assignment, AssignmentState, AssignmentStatus } from '@suanpan/control-plane/schemas'
import { apiStatus, KubeInventoryError } from '../kube/errors'
import { type Logger, stderrLogger } from '../report/log'
import {
  buildWorkloadObject,
  createWorkloadApi,
  DEFAULT_WORKLOAD_NAMESPACE,
  type ManagedObject,
  type ObjectRef,
  objectDigest,
  statusMessage,
  TemplateError,
  type WorkloadApi,
  type WorkloadKind,
  type WorkloadObject,
  workloadStatus,
} from './apply'
import { AssignmentClient, type PulledAssignments } from './client'

/** Every 10 s by default. */
export const DEFAULT_DISPATCH_INTERVAL_MS = 10_000

export interface DispatchTimers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface DispatcherOptions {
  clusterId: string
  /** The agent's control plane settings: the same URL and cluster token as its reports. */
  controlPlane: { url: string; token: string; timeoutMs?: number }
  /** The cluster to apply to. */
  kubeConfig: KubeConfig
  /** For templates that name no namespace; `suanpan-workloads` by default. */
  namespace?: string
  fetch?: typeof fetch
  logger?: Logger
  /** For `start`; the global timers by default. */
  timers?: DispatchTimers
  /** Replaces the Kubernetes calls built from `kubeConfig` (tests). */
  workloadApi?: WorkloadApi
}

/** What one sync did. */
export interface SyncResult {
  /** The assignment list was pulled and read. When false nothing was applied, reported or deleted. */
  pulled: boolean
  /** Why the pull failed. */
  error?: string
  /** Assignments listed (those matching the contract). */
  assignments: number
  /** Workloads sent to the API server (server-side apply) this time. */
  applied: string[]
  /** Workloads already applied with the same spec: only their status was read. */
  unchanged: string[]
  /** Workloads that could not be applied or read: refused templates (reported failed) and API errors. */
  failed: { workloadId: string; message: string }[]
  /** The state read (or decided) for each workload this time. */
  states: Record<string, AssignmentStatus>
  /** Status reports the control plane acknowledged. */
  reported: string[]
  /** Status reports given up: the assignment is gone (404) or the control plane refused the report. */
  dropped: string[]
  /** Status reports kept for the next sync (the control plane could not be reached). */
  pendingReports: number
  /** Objects deleted because their workload is no longer assigned (or withdrawn). */
  deleted: ManagedObject[]
  /** Garbage collection ran: the list was complete and the managed objects could be listed. */
  collected: boolean
}

/** Pulls this cluster's assignments, applies them, reports their states and deletes what is no longer assigned. */
export interface Dispatcher {
  readonly clusterId: string
  /** One pull → apply → report → garbage-collect pass. Never rejects; syncs run one at a time. */
  syncOnce(): Promise<SyncResult>
  /** Syncs now, then `intervalMs` (10 s by default) after each sync ends. */
  start(intervalMs?: number): void
  /** Stops the schedule and waits for a sync in progress. `start` may be called again. */
  stop(): Promise<void>
  /** Status reports waiting for the control plane. */
  readonly pendingReports: number
}

/** The assignment states in which the agent (re)applies the object and follows its status. */
const ACTIVE_STATES: ReadonlySet<AssignmentState> = new Set(['assigned', 'applied', 'running'])
/** States the agent reports, i.e. the ones the control plane can already hold from an earlier report. */
const REPORTED_STATES: ReadonlySet<string> = new Set(['applied', 'running', 'succeeded', 'failed'])
/** API server answers that an apply will not get past by trying again: the assignment fails. */
const PERMANENT_APPLY_ERRORS: ReadonlySet<number> = new Set([400, 403, 404, 405, 415, 422])
const KINDS: readonly WorkloadKind[] = ['Job', 'Deployment']

const sameStatus = (a: AssignmentStatus, b: AssignmentStatus) =>
  a.state === b.state && a.readyReplicas === b.readyReplicas && a.message === b.message

const sameRef = (a: ObjectRef, b: ObjectRef) => a.kind === b.kind && a.namespace === b.namespace && a.name === b.name

const refOf = (object: WorkloadObject): ObjectRef => ({
  kind: object.kind,
  namespace: object.metadata.namespace,
  name: object.metadata.name,
})

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** The API server's HTTP status in an error from the WorkloadApi, when it answered. */
const httpStatus = (error: unknown) => (error instanceof KubeInventoryError ? error.status : apiStatus(error))

export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const log = opts.logger ?? stderrLogger
  const { clusterId } = opts
  const namespace = opts.namespace ?? DEFAULT_WORKLOAD_NAMESPACE
  const timers: DispatchTimers = opts.timers ?? {
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  }
  const client = new AssignmentClient({
    baseUrl: opts.controlPlane.url,
    token: opts.controlPlane.token,
    clusterId,
    timeoutMs: opts.controlPlane.timeoutMs,
    fetch: opts.fetch,
  })
  const kube = opts.workloadApi ?? createWorkloadApi(opts.kubeConfig)

  // All in memory: after a restart the agent applies once more (server-side apply makes that a no-op) and compares
  // with the states in the list, so it neither re-reports what the control plane has nor loses what it has not.
  /** Digest of what was last applied, per workload. */
  const appliedDigests = new Map<string, string>()
  /** The last status the control plane acknowledged (or refused), per workload. */
  const acked = new Map<string, AssignmentStatus>()
  /** Status reports not delivered yet: the latest per workload. */
  const pending = new Map<string, AssignmentStatus>()
  let warnedNamespaced = false

  /** Queues a status for the control plane when it differs from what the control plane has. */
  function note(assignment: Assignment, status: AssignmentStatus): void {
    const id = assignment.workloadId
    // Without an acknowledged report (e.g. after a restart), the list's state is what the control plane has.
    const listed = REPORTED_STATES.has(assignment.state) ? ({ ...status, state: assignment.state } as AssignmentStatus) : undefined
    const known = acked.get(id) ?? listed
    if (known && sameStatus(known, status)) pending.delete(id)
    else pending.set(id, status)
  }

  /** Applies one assignment's object unless the same spec is already there; returns its status, undefined to retry later. */
  async function reconcile(id: string, object: WorkloadObject, result: SyncResult): Promise<AssignmentStatus | undefined> {
    const digest = objectDigest(object)
    let live: KubernetesObject | undefined
    try {
      if (appliedDigests.get(id) === digest) live = await kube.read(refOf(object))
      if (live) result.unchanged.push(id)
      else {
        // Not applied yet, a different spec, or deleted behind the agent's back.
        live = await kube.apply(object)
        appliedDigests.set(id, digest)
        result.applied.push(id)
      }
    } catch (error) {
      appliedDigests.delete(id)
      const message = errorText(error)
      result.failed.push({ workloadId: id, message })
      const status = httpStatus(error)
      if (status !== undefined && PERMANENT_APPLY_ERRORS.has(status)) {
        log.error('the API server refuses the workload; reporting it failed', { clusterId, workloadId: id, error: message })
        return { state: 'failed', message: statusMessage(message) }
      }
      log.warn('could not apply or read a workload; trying again next sync', { clusterId, workloadId: id, error: message })
      return undefined
    }
    return workloadStatus(live)
  }

  /** Sends the pending reports; stops at the first that cannot reach the control plane and keeps the rest. */
  async function flush(result: SyncResult): Promise<void> {
    for (const [id, status] of [...pending]) {
      const sent = await client.report(id, status)
      switch (sent.outcome) {
        case 'acknowledged':
          pending.delete(id)
          acked.set(id, status)
          result.reported.push(id)
          break
        case 'gone':
          pending.delete(id)
          acked.delete(id)
          result.dropped.push(id)
          break
        case 'rejected':
          // Not sent again until the status changes.
          pending.delete(id)
          acked.set(id, status)
          result.dropped.push(id)
          log.error('the control plane refused a status report', { clusterId, workloadId: id, error: sent.error })
          break
        case 'retry':
          log.warn('status report not delivered; keeping it for the next sync', { clusterId, workloadId: id, error: sent.error })
          if (sent.unreachable) return
      }
    }
  }

  /** Lists what the agent manages; on 403 (RBAC for the workload namespace only), lists the namespaces it applies to. */
  async function listManaged(kind: WorkloadKind, desired: Iterable<ObjectRef>): Promise<ManagedObject[]> {
    try {
      return await kube.listManaged(kind)
    } catch (error) {
      if (httpStatus(error) !== 403) throw error
      if (!warnedNamespaced) {
        warnedNamespaced = true
        log.warn('cannot list workloads in all namespaces (403); garbage-collecting only the namespaces the agent applies to', {
          clusterId,
          error: errorText(error),
        })
      }
      const namespaces = new Set([namespace, ...[...desired].map((r) => r.namespace)])
      const found: ManagedObject[] = []
      for (const ns of namespaces) found.push(...(await kube.listManaged(kind, ns)))
      return found
    }
  }

  /**
   * Deletes managed objects whose workload is not kept (not listed, or withdrawn), and objects of a kept workload that
   * are not where its object is now. Objects without a workload-id label are left alone.
   */
  async function collect(keep: ReadonlySet<string>, desired: ReadonlyMap<string, ObjectRef>, result: SyncResult): Promise<void> {
    const found: ManagedObject[] = []
    try {
      for (const kind of KINDS) found.push(...(await listManaged(kind, desired.values())))
    } catch (error) {
      log.warn('cannot list the workloads the agent manages; nothing deleted this time', { clusterId, error: errorText(error) })
      return
    }
    for (const object of found) {
      if (object.workloadId === undefined) continue
      if (keep.has(object.workloadId)) {
        const want = desired.get(object.workloadId)
        if (!want || sameRef(want, object)) continue
      }
      try {
        if (await kube.delete(object)) result.deleted.push(object)
        log.info('deleted a workload no longer assigned here', { clusterId, ...object })
      } catch (error) {
        log.warn('could not delete a workload no longer assigned here', { clusterId, ...object, error: errorText(error) })
      }
    }
    result.collected = true
  }

  async function sync(): Promise<SyncResult> {
    const result: SyncResult = {
      pulled: false,
      assignments: 0,
      applied: [],
      unchanged: [],
      failed: [],
      states: {},
      reported: [],
      dropped: [],
      pendingReports: 0,
      deleted: [],
      collected: false,
    }
    let pulled: PulledAssignments
    try {
      pulled = await client.pull()
    } catch (error) {
      // Nothing is concluded from a failed pull: in particular nothing is deleted.
      result.error = errorText(error)
      result.pendingReports = pending.size
      log.warn('cannot pull the assignments; trying again next sync', { clusterId, error: result.error })
      return result
    }
    result.pulled = true
    result.assignments = pulled.assignments.length
    for (const entry of pulled.invalid) log.warn('ignoring an assignment that does not match the contract', { clusterId, ...entry })

    const byId = new Map(pulled.assignments.map((a) => [a.workloadId, a]))
    // What may stay in the cluster: every listed workload but the withdrawn ones; unreadable entries keep theirs.
    const keep = new Set<string>(pulled.invalid.flatMap((i) => (i.workloadId === undefined ? [] : [i.workloadId])))
    for (const a of pulled.assignments) if (a.state !== 'withdrawn') keep.add(a.workloadId)
    for (const id of appliedDigests.keys()) if (!keep.has(id)) appliedDigests.delete(id)
    for (const id of acked.keys()) if (!keep.has(id)) acked.delete(id)
    // A report is only worth sending while the control plane still follows the assignment.
    for (const id of pending.keys()) {
      const state = byId.get(id)?.state
      if (state === undefined || !ACTIVE_STATES.has(state)) pending.delete(id)
    }

    /** Where each kept workload's object is (when its template can be built). */
    const desired = new Map<string, ObjectRef>()
    for (const assignment of pulled.assignments) {
      if (assignment.state === 'withdrawn') continue
      const id = assignment.workloadId
      let object: WorkloadObject
      try {
        object = buildWorkloadObject(assignment, { namespace })
      } catch (error) {
        if (!ACTIVE_STATES.has(assignment.state)) continue
        const message = error instanceof TemplateError ? error.message : `cannot build the object: ${errorText(error)}`
        result.failed.push({ workloadId: id, message })
        const status: AssignmentStatus = { state: 'failed', message: statusMessage(`refused template: ${message}`) }
        result.states[id] = status
        note(assignment, status)
        continue
      }
      desired.set(id, refOf(object))
      // Succeeded and failed assignments are left as they are until the control plane stops listing them.
      if (!ACTIVE_STATES.has(assignment.state)) continue
      const status = await reconcile(id, object, result)
      if (!status) continue
      result.states[id] = status
      note(assignment, status)
    }

    await flush(result)
    result.pendingReports = pending.size
    if (pulled.complete) await collect(keep, desired, result)
    else log.warn('the assignment list has unreadable entries; nothing deleted this time', { clusterId })
    return result
  }

  let chain: Promise<unknown> = Promise.resolve()
  let handle: unknown
  let loop: { stopped: boolean } | undefined

  function syncOnce(): Promise<SyncResult> {
    const run = chain.then(() =>
      sync().catch((error: unknown): SyncResult => {
        // sync handles its own errors; this is the loop's last line of defence.
        log.error('dispatch sync failed', { clusterId, error: errorText(error) })
        return {
          pulled: false,
          error: errorText(error),
          assignments: 0,
          applied: [],
          unchanged: [],
          failed: [],
          states: {},
          reported: [],
          dropped: [],
          pendingReports: pending.size,
          deleted: [],
          collected: false,
        }
      }),
    )
    chain = run
    return run
  }

  return {
    clusterId,
    get pendingReports() {
      return pending.size
    },
    syncOnce,
    start(intervalMs = DEFAULT_DISPATCH_INTERVAL_MS) {
      if (loop && !loop.stopped) throw new Error('dispatcher already started')
      const current = { stopped: false }
      loop = current
      const tick = () => {
        void syncOnce().then(() => {
          if (!current.stopped) handle = timers.setTimeout(tick, intervalMs)
        })
      }
      tick()
    },
    async stop() {
      if (loop) loop.stopped = true
      if (handle !== undefined) timers.clearTimeout(handle)
      handle = undefined
      await chain
    },
  }
}
