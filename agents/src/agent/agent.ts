import { join } from 'node:path'
import type { KubeConfig } from '@kubernetes/client-node'
import {
  type ClusterIdentity,
  type Energy,
  type FullReport,
  type Node,
  type NodeUsage,
  REPORT_SCHEMA_VERSION,
  type Storage,
  type UsageReport,
} from '@suanpan/control-plane/schemas'
import type { Registry } from 'prom-client'
import { createDispatcher, DEFAULT_DISPATCH_INTERVAL_MS, type Dispatcher } from '../dispatch/dispatcher'
import type { EnergySource } from '../energy/source'
import type { BackoffOptions } from '../report/backoff'
import { ReportClient, type ReportSender } from '../report/client'
import { type Logger, stderrLogger } from '../report/log'
import { type AttemptEvent, Pusher, type Sleep, type SpoolState, type SubmitOutcome } from '../report/pusher'
import { SequenceCounter } from '../report/sequence'
import { type ReportKind, Spool } from '../report/spool'
import { type AgentFailureReason, createAgentMetrics } from './metrics'

export const AGENT_VERSION = '0.1.0'

/** What a full report needs from the cluster (the Kubernetes reader provides it). */
export interface Inventory {
  nodes: Node[]
  storage: Storage[]
}

export interface AgentTimers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface CreateAgentOptions {
  cluster: ClusterIdentity
  /** Where to push; ignored when `sender` is given. */
  controlPlane?: { baseUrl: string; token: string; timeoutMs?: number }
  /** Replaces the HTTP client (tests, or a simulator that shares one). */
  sender?: ReportSender
  /** The agent's own directory: `sequence.json` and `spool/` live here. */
  stateDir: string
  collectFull(): Promise<Inventory>
  collectUsage(): Promise<NodeUsage[]>
  energy?: EnergySource
  /** The agent's metrics are registered here; one registry per agent. */
  registry: Registry
  /** 60 s by default. */
  fullIntervalMs?: number
  /** 15 s by default. */
  usageIntervalMs?: number
  agentVersion?: string
  spool?: { maxReports?: number; maxBytes?: number; fsync?: boolean }
  /** See `SequenceCounterOptions.leaseSize`. */
  sequenceLeaseSize?: number
  backoff?: BackoffOptions
  fetch?: typeof fetch
  /** Wall clock in ms: report timestamps, the last-success metric, a fresh sequence file's first value. */
  clock?: () => number
  sleep?: Sleep
  random?: () => number
  timers?: AgentTimers
  logger?: Logger
  /** The cluster the agent applies its assigned workloads to; without it the agent does not dispatch. */
  kubeConfig?: KubeConfig
  /**
   * Dispatch of assigned workloads (pull, apply, report, delete what is withdrawn) with the `controlPlane` URL and
   * token and `kubeConfig`: on by default (every 10 s) when both are given; `false` switches it off.
   * `namespace`: for templates that name none (`suanpan-workloads` by default).
   */
  dispatch?: AgentDispatchOptions | false
}

export interface AgentDispatchOptions {
  /** 10 s by default. */
  intervalMs?: number
  namespace?: string
}

export type CycleOutcome = SubmitOutcome | 'skipped' | 'failed'

/** One cluster's agent: collects, numbers and pushes full and usage reports on a schedule. */
export interface Agent {
  readonly clusterId: string
  /** Opens the state directory, drains what a previous run spooled, sends a full report, then runs on schedule. */
  start(): Promise<void>
  /** Stops the schedule and the delivery loop; what is undelivered stays in the spool for the next start. Final. */
  stop(): Promise<void>
  /** Runs one cycle now (the schedule calls this; so can a test or the simulator). */
  runCycle(kind: ReportKind): Promise<CycleOutcome>
  /** Resolves when no cycle is running, nothing is on the wire and the spool is empty (or delivery is stopped). */
  idle(): Promise<void>
  /** Reports waiting in the spool. */
  readonly spoolDepth: number
  /** The workload dispatcher, when the agent dispatches (see `CreateAgentOptions.dispatch`). */
  readonly dispatcher: Dispatcher | undefined
}

interface Started {
  pusher: Pusher
  sequence: SequenceCounter
}

export function createAgent(opts: CreateAgentOptions): Agent {
  const log = opts.logger ?? stderrLogger
  const clock = opts.clock ?? Date.now
  const timers: AgentTimers = opts.timers ?? {
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  }
  const fullIntervalMs = opts.fullIntervalMs ?? 60_000
  const usageIntervalMs = opts.usageIntervalMs ?? 15_000
  const agentVersion = opts.agentVersion ?? AGENT_VERSION
  const clusterId = opts.cluster.clusterId
  const metrics = createAgentMetrics(opts.registry)
  const sender = opts.sender ?? senderFrom(opts)
  const dispatcher = dispatcherFrom(opts, log, timers)

  let started: Started | undefined
  let stopped = false
  let lastFullAt = Number.NEGATIVE_INFINITY
  const running = new Set<ReportKind>()
  const cycles = new Set<Promise<unknown>>()
  const handles = new Map<ReportKind, unknown>()
  // Taking a sequence and handing the report to the pusher happen in one turn, so that reports reach the pusher
  // in sequence order even when a full and a usage cycle finish collecting at the same moment.
  let numbering: Promise<unknown> = Promise.resolve()
  let droppedSeen = { usage: 0, full: 0 }

  const fail = (reason: AgentFailureReason) => metrics.reportFailures.inc({ reason })

  const onAttempt = (e: AttemptEvent) => {
    metrics.reportDuration.observe({ kind: e.kind, outcome: e.outcome }, e.seconds)
    if (e.error) fail(e.error.reason)
    if (!e.ack) return
    metrics.lastSuccess.set(clock() / 1000)
    // The control plane already has a later sequence (state directory lost or restored from an old backup):
    // jump past it, or every report from now on would be ignored as older.
    if (e.ack.status === 'ignored-older' && started && e.ack.lastSequence >= started.sequence.peek) {
      log.warn('control plane has a later sequence than this agent; skipping ahead', { clusterId, lastSequence: e.ack.lastSequence })
      started.sequence
        .advanceTo(e.ack.lastSequence + 1)
        .catch((err: unknown) => log.error('could not persist the sequence', { error: String(err) }))
    }
  }

  const onSpool = (s: SpoolState) => {
    metrics.spoolDepth.set(s.depth)
    for (const kind of ['usage', 'full'] as const) {
      const delta = s.drops[kind] - droppedSeen[kind]
      if (delta > 0) metrics.spoolDropped.inc({ kind }, delta)
    }
    droppedSeen = { ...s.drops }
  }

  const track = <T>(p: Promise<T>): Promise<T> => {
    cycles.add(p)
    void p.finally(() => cycles.delete(p)).catch(() => {})
    return p
  }

  async function readEnergy(): Promise<Energy | undefined> {
    if (!opts.energy) return undefined
    try {
      return await opts.energy.read()
    } catch (err) {
      fail('energy')
      const fields = (err as { fields?: unknown }).fields
      log.warn('energy feed unusable; reporting without energy', { location: opts.energy.location, error: String(err), fields })
      return undefined
    }
  }

  async function cycle(kind: ReportKind): Promise<CycleOutcome> {
    const s = started
    if (!s || stopped) return 'skipped'
    // A full report carries usage too: a usage report right after one adds nothing.
    if (kind === 'usage' && clock() - lastFullAt < usageIntervalMs / 2) return 'skipped'
    if (running.has(kind)) {
      log.warn('previous cycle still running; skipping this one', { clusterId, kind })
      return 'skipped'
    }
    running.add(kind)
    try {
      let build: (sequence: number) => FullReport | UsageReport
      try {
        build = kind === 'full' ? await prepareFull() : await prepareUsage()
      } catch (err) {
        fail('collect')
        log.error('could not collect the cluster state; no report this cycle', { clusterId, kind, error: String(err) })
        return 'failed'
      }
      if (kind === 'full') lastFullAt = clock()
      const handedOver = numbering.then(async () => {
        const report = build(await s.sequence.next())
        return { outcome: s.pusher.submit(report) }
      })
      numbering = handedOver.catch(() => {})
      try {
        return await (await handedOver).outcome
      } catch (err) {
        fail('spool')
        log.error('could not number or submit a report', { clusterId, kind, error: String(err) })
        return 'failed'
      }
    } finally {
      running.delete(kind)
    }
  }

  /** Reads the energy feed while the cluster is collected; settles only when both have, so counts are in order. */
  async function withEnergy<T>(collecting: Promise<T>): Promise<[T, Energy | undefined]> {
    const energy = readEnergy()
    try {
      return [await collecting, await energy]
    } catch (err) {
      await energy
      throw err
    }
  }

  async function prepareFull(): Promise<(sequence: number) => FullReport> {
    const [{ nodes, storage }, energy] = await withEnergy(opts.collectFull())
    return (sequence) => ({
      schemaVersion: REPORT_SCHEMA_VERSION,
      kind: 'full',
      sequence,
      timestamp: new Date(clock()).toISOString(),
      agentVersion,
      cluster: opts.cluster,
      nodes,
      storage,
      ...(energy ? { energy } : {}),
    })
  }

  async function prepareUsage(): Promise<(sequence: number) => UsageReport> {
    const [nodes, energy] = await withEnergy(opts.collectUsage())
    const usageEnergy = energy
      ? { itPowerKw: energy.itPowerKw, pue: energy.pue, ...(energy.greenShare === undefined ? {} : { greenShare: energy.greenShare }) }
      : undefined
    return (sequence) => ({
      schemaVersion: REPORT_SCHEMA_VERSION,
      kind: 'usage',
      sequence,
      timestamp: new Date(clock()).toISOString(),
      agentVersion,
      cluster: { clusterId },
      nodes,
      ...(usageEnergy ? { energy: usageEnergy } : {}),
    })
  }

  async function idle(): Promise<void> {
    // Delivery may ask for a full report while draining, which starts a new cycle: loop until both are quiet.
    for (;;) {
      while (cycles.size > 0) await Promise.allSettled([...cycles])
      await started?.pusher.idle()
      if (cycles.size === 0) return
    }
  }

  function schedule(kind: ReportKind, intervalMs: number): void {
    const tick = () => {
      if (stopped) return
      handles.set(kind, timers.setTimeout(tick, intervalMs))
      void track(cycle(kind))
    }
    handles.set(kind, timers.setTimeout(tick, intervalMs))
  }

  return {
    clusterId,
    get spoolDepth() {
      return started?.pusher.depth ?? 0
    },
    dispatcher,
    async start() {
      if (started || stopped) throw new Error('agent already started (or stopped: an agent cannot be restarted, create a new one)')
      const spool = await Spool.open({ dir: join(opts.stateDir, 'spool'), ...opts.spool })
      const sequence = await SequenceCounter.open({
        file: join(opts.stateDir, 'sequence.json'),
        leaseSize: opts.sequenceLeaseSize,
        initial: clock,
      })
      // A lost or older sequence file must not reuse a sequence that is still waiting in the spool.
      if (spool.lastSequence !== undefined) await sequence.advanceTo(spool.lastSequence + 1)
      const pusher = new Pusher({
        sender,
        spool,
        backoff: opts.backoff,
        sleep: opts.sleep,
        random: opts.random,
        logger: log,
        hooks: {
          attempt: onAttempt,
          spool: onSpool,
          spoolError: () => fail('spool'),
          fullReportRequired: () => {
            log.info('control plane asks for a full report', { clusterId })
            void track(cycle('full'))
          },
        },
      })
      started = { pusher, sequence }
      pusher.start()
      void track(cycle('full'))
      schedule('full', fullIntervalMs)
      schedule('usage', usageIntervalMs)
      if (dispatcher && opts.dispatch !== false) dispatcher.start(opts.dispatch?.intervalMs ?? DEFAULT_DISPATCH_INTERVAL_MS)
    },
    async stop() {
      stopped = true
      for (const h of handles.values()) timers.clearTimeout(h)
      handles.clear()
      await Promise.allSettled([...cycles, dispatcher?.stop()])
      await started?.pusher.stop()
    },
    runCycle: (kind) => track(cycle(kind)),
    idle,
  }
}

/** A dispatcher when dispatch is on and the agent has both a control plane URL/token and a kube config. */
function dispatcherFrom(opts: CreateAgentOptions, logger: Logger, timers: AgentTimers): Dispatcher | undefined {
  if (opts.dispatch === false || !opts.kubeConfig) return undefined
  if (!opts.controlPlane) {
    logger.warn('workload dispatch needs controlPlane (URL and token); not dispatching', { clusterId: opts.cluster.clusterId })
    return undefined
  }
  return createDispatcher({
    clusterId: opts.cluster.clusterId,
    controlPlane: { url: opts.controlPlane.baseUrl, token: opts.controlPlane.token, timeoutMs: opts.controlPlane.timeoutMs },
    kubeConfig: opts.kubeConfig,
    namespace: opts.dispatch?.namespace,
    fetch: opts.fetch,
    logger,
    timers,
  })
}

function senderFrom(opts: CreateAgentOptions): ReportSender {
  if (!opts.controlPlane) throw new Error('createAgent needs controlPlane (baseUrl, token) or a sender')
  return new ReportClient({ ...opts.controlPlane, fetch: opts.fetch })
}
