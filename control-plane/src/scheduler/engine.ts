import { loadRegions } from '../regions'
import type { HubCluster } from '../schemas'
import { MinHeap } from './heap'
import { kindIndex, type QuotaBook, QuotaBook as QuotaBookImpl, type QuotaConfig, type QuotaDemand } from './quota'
import { EAST_WEST_PAIRING, RegionModel } from './regions'
import {
  type AcceleratorCapacity,
  type CandidateExplanation,
  type ClusterCapacity,
  type Decision,
  type Explanation,
  FILTER_REASONS,
  type FilterReason,
  type PendingReason,
  PLUGINS,
  type Placement,
  type PluginScores,
  type RejectReason,
  SCHEDULABLE_KINDS,
  type SchedulingRequest,
} from './types'

// ---------------------------------------------------------------- options

/**
 * How candidates are chosen and divided. The engine's own policy scores with the plugins; the baselines
 * (baselines.ts) plug in here so that they share the capacity model, the filters and the reservations.
 */
export interface PlacementPolicy {
  readonly name: string
  /** `score`: the best score wins; `first`: the first feasible cluster in fleet order wins (nothing is scored). */
  readonly selection: 'score' | 'first'
  /** Divisible work: greedily by score, or in proportion to each feasible cluster's available replicas. */
  readonly division: 'greedy' | 'proportional'
  /** The score of a cluster where `fit` replicas fit now; absent: the engine's plugins. */
  readonly score?: (fit: number) => number
}

export const ENGINE_POLICY: PlacementPolicy = { name: 'suanpan', selection: 'score', division: 'greedy' }

/**
 * Default plugin weights (a candidate's score is Σ weight × plugin ÷ Σ weights, each plugin 0..1):
 * - green 3, carbon 1, PUE 1: eligible work goes where power is green (东数西算);
 * - headroom 12: (fit − take) ÷ (fit + take) is ≈ 1 for small work anywhere, so it only steers work that is big
 *   against a cluster's room — gangs go where many more of their shape still fit (Karmada's available-replicas
 *   idea), leaving small pockets to work that residency confines to them. Its weight was set with the benchmark
 *   (test/bench/scheduler.ts, fleet seed 1; checked on seed 2): without it, green placement cost a few more gang
 *   rejections than the Karmada-like baseline;
 * - balance 1: 1 − utilization after placing, of the class (accelerators) or of CPU;
 * - locality 3 (only with a data location and a transfer penalty): 1 − penalty × tier;
 * - domestic 0.5: a tie-breaker unless the owner raises it.
 */
export const DEFAULT_WEIGHTS: Readonly<PluginScores> = {
  green: 3,
  carbon: 1,
  pue: 1,
  balance: 1,
  headroom: 12,
  locality: 3,
  domestic: 0.5,
}

export interface SchedulerOptions {
  /** ms since the epoch; drives reservation expiry, staleness, start-after and deadlines. Default Date.now. */
  clock?: () => number
  weights?: Partial<PluginScores>
  /** A reservation not committed within this time is released (default 120 s). */
  reservationTtlMs?: number
  /** A cluster whose last report is older is filtered out as unhealthy (default 180 s; Infinity: never). */
  staleAfterMs?: number
  /** Candidates kept in an explanation (default 5). */
  explainTop?: number
  quotas?: QuotaConfig
  preemption?: {
    /** Preempt lower-priority reservations that are not yet committed (default true). */
    enabled?: boolean
    /** Committed (running) reservations too (default false). */
    running?: boolean
    /** At most this many victims per decision (default 64). */
    maxVictims?: number
  }
  /** Hubs (default: data/hubs.csv) and the east→west pairing (default {@link EAST_WEST_PAIRING}). */
  regions?: { hubs: readonly Pick<HubCluster, 'id' | 'hubId' | 'hubType' | 'provinces'>[]; pairing?: Readonly<Record<string, string>> }
  policy?: PlacementPolicy
  /** The carbon intensity that scores 0 (kg CO2/kWh, default 1.0): score = 1 − intensity / reference. */
  carbonReferenceKgPerKwh?: number
  /** Events of decisions taken outside `decide` (retries, expiry, preemption, capacity changes). */
  onEvent?: (event: SchedulerEvent) => void
}

export type SchedulerEvent =
  | { type: 'placed'; decision: Decision }
  | { type: 'rejected'; decision: Decision }
  | { type: 'expired'; reservationId: string; workloadId: string; clusters: string[]; requeued: boolean }
  | { type: 'preempted'; reservationId: string; workloadId: string; by: string }
  | { type: 'displaced'; reservationId: string; workloadId: string; clusterId: string; committed: boolean; requeued: boolean }

// ---------------------------------------------------------------- internal state

const INF = Number.POSITIVE_INFINITY
const GANG = 0
const DIVISIBLE = 1
const DUPLICATED = 2
const NP = PLUGINS.length
const P_GREEN = 0
const P_CARBON = 1
const P_PUE = 2
const P_BALANCE = 3
const P_HEADROOM = 4
const P_LOCALITY = 5
const P_DOMESTIC = 6
// fitOn() result codes below 0: the filter that removed the cluster
const F_CAPABILITY = -1
const F_HEALTH = -2
const F_CAPACITY = -3
const F_NODEFIT = -4
const R_RESIDENCY = 0
const R_CAPABILITY = 1
const R_HEALTH = 2
const R_CAPACITY = 3
const R_NODEFIT = 4

/**
 * The per-class numbers the filter loop reads, as flat typed arrays indexed by slot id (a slot = one accelerator
 * class in one cluster; a cluster's slots have consecutive ids): class, devices per node, free devices, the nodes
 * histogram by free devices (stride `hs`), and a one-entry cache of fit(count).
 */
class SlotArrays {
  hs = 17
  size = 0
  cls = new Int32Array(0)
  maxPer = new Int32Array(0)
  free = new Int32Array(0)
  fitCount = new Int32Array(0)
  fitVal = new Int32Array(0)
  /** allocatable devices of the slot (Slot.alloc) and 1 for domestic devices: read by the scoring loop */
  alloc = new Float64Array(0)
  dom = new Uint8Array(0)
  hist = new Int32Array(0)
  /** perNode[count * hs + k] = floor(k / count): replicas of `count` devices a node with k free holds */
  perNode = new Int32Array(0)

  constructor() {
    this.resize(64, this.hs)
  }

  /** `n` new consecutive slot ids. */
  allocate(n: number): number {
    const start = this.size
    if (start + n > this.cls.length) this.resize(Math.max(64, (start + n) * 2), this.hs)
    this.size += n
    return start
  }

  ensureStride(maxPerNode: number): void {
    if (maxPerNode + 1 > this.hs) this.resize(this.cls.length, maxPerNode + 1)
  }

  private resize(cap: number, hs: number): void {
    const grow = <A extends Int32Array | Float64Array | Uint8Array>(a: A, len: number): A => {
      const b = new (a.constructor as new (n: number) => A)(len)
      b.set(a.subarray(0, Math.min(a.length, len)))
      return b
    }
    this.cls = grow(this.cls, cap)
    this.maxPer = grow(this.maxPer, cap)
    this.free = grow(this.free, cap)
    this.fitCount = grow(this.fitCount, cap)
    this.fitVal = grow(this.fitVal, cap)
    this.alloc = grow(this.alloc, cap)
    this.dom = grow(this.dom, cap)
    const hist = new Int32Array(cap * hs)
    for (let g = 0; g < this.size; g++) for (let k = 0; k < this.hs; k++) hist[g * hs + k] = this.hist[g * this.hs + k] as number
    this.hist = hist
    if (hs !== this.hs || this.perNode.length === 0) {
      this.perNode = new Int32Array(hs * hs)
      for (let c = 1; c < hs; c++) for (let k = 0; k < hs; k++) this.perNode[c * hs + k] = Math.floor(k / c)
    }
    this.hs = hs
  }

  /** Replicas of `count` devices (2 ≤ count ≤ maxPer) slot g holds now; caches the answer. */
  fitOf(g: number, count: number): number {
    const hs = this.hs
    const h = this.hist
    const per = this.perNode
    const base = g * hs
    const row = count * hs
    const max = this.maxPer[g] as number
    let n = 0
    for (let k = count; k <= max; k++) n += (h[base + k] as number) * (per[row + k] as number)
    this.fitCount[g] = count
    this.fitVal[g] = n
    return n
  }
}

/** One accelerator class in one cluster, node by node; its summary numbers live in SlotArrays. */
class Slot {
  /** free devices per node = base − reserved */
  readonly nodeFree: Int32Array
  private everCache: Map<number, number> | null = null

  constructor(
    private readonly arr: SlotArrays,
    readonly gid: number,
    readonly cls: number,
    readonly key: string,
    readonly kind: string,
    readonly model: string,
    readonly domestic: boolean,
    readonly fp16: number,
    readonly alloc: number,
    readonly maxPerNode: number,
    readonly nodeAlloc: Int32Array,
    /** free per node as reported (before this engine's reservations) */
    readonly nodeBase: Int32Array,
  ) {
    this.nodeFree = Int32Array.from(nodeBase)
    arr.ensureStride(maxPerNode)
    arr.cls[gid] = cls
    arr.maxPer[gid] = maxPerNode
    arr.alloc[gid] = alloc
    arr.dom[gid] = domestic ? 1 : 0
    arr.fitCount[gid] = 0
    const base = gid * arr.hs
    arr.hist.fill(0, base, base + arr.hs)
    let free = 0
    for (const f of nodeBase) {
      arr.hist[base + f] = (arr.hist[base + f] as number) + 1
      free += f
    }
    arr.free[gid] = free
  }

  get free(): number {
    return this.arr.free[this.gid] as number
  }

  /** hist(k): nodes with k free devices. */
  hist(k: number): number {
    return this.arr.hist[this.gid * this.arr.hs + k] as number
  }

  /** Replicas of `count` devices each that fit now (each replica on one node). */
  fit(count: number): number {
    const a = this.arr
    const g = this.gid
    if (count === 1) return a.free[g] as number
    if (count > this.maxPerNode) return 0
    if (a.fitCount[g] === count) return a.fitVal[g] as number
    return a.fitOf(g, count)
  }

  /** Replicas that would fit on an empty class. */
  everFit(count: number): number {
    this.everCache ??= new Map()
    let v = this.everCache.get(count)
    if (v === undefined) {
      v = 0
      for (const a of this.nodeAlloc) v += Math.floor(a / count)
      this.everCache.set(count, v)
    }
    return v
  }

  private move(node: number, delta: number): void {
    const a = this.arr
    const base = this.gid * a.hs
    const f = this.nodeFree[node] as number
    a.hist[base + f] = (a.hist[base + f] as number) - 1
    a.hist[base + f + delta] = (a.hist[base + f + delta] as number) + 1
    this.nodeFree[node] = f + delta
    a.free[this.gid] = (a.free[this.gid] as number) + delta
    a.fitCount[this.gid] = 0
  }

  take(node: number, devices: number): void {
    this.move(node, -devices)
  }

  give(node: number, devices: number): void {
    this.move(node, devices)
  }

  /** Best fit: replicas go to the nodes with the fewest free devices that still hold one. Returns [node, devices]… */
  place(replicas: number, count: number): number[] | null {
    if (this.fit(count) < replicas) return null
    const out: number[] = []
    let left = replicas
    while (left > 0) {
      let k = count
      while (k <= this.maxPerNode && this.hist(k) === 0) k++
      if (k > this.maxPerNode) throw new Error('slot histogram out of step with its nodes')
      const node = this.nodeFree.indexOf(k)
      const n = Math.min(left, Math.floor(k / count))
      this.take(node, n * count)
      out.push(node, n * count)
      left -= n
    }
    return out
  }
}

/**
 * The numbers the filter loop reads for every cluster, as parallel typed arrays indexed by cluster (a few cache
 * lines per thousand clusters rather than one object each). ClusterState reads and writes its own entries.
 */
class HotArrays {
  active = new Uint8Array(0)
  cpuFree = new Float64Array(0)
  memFree = new Float64Array(0)
  maxCpu = new Float64Array(0)
  maxMem = new Float64Array(0)
  lastReport = new Float64Array(0)
  cpuAlloc = new Float64Array(0)
  memAlloc = new Float64Array(0)
  slotStart = new Int32Array(0)
  slotN = new Int32Array(0)

  grow(n: number): void {
    if (n <= this.active.length) return
    const cap = Math.max(16, n * 2)
    const grow8 = (a: Uint8Array) => {
      const b = new Uint8Array(cap)
      b.set(a)
      return b
    }
    const grow64 = (a: Float64Array) => {
      const b = new Float64Array(cap)
      b.set(a)
      return b
    }
    this.active = grow8(this.active)
    this.cpuFree = grow64(this.cpuFree)
    this.memFree = grow64(this.memFree)
    this.maxCpu = grow64(this.maxCpu)
    this.maxMem = grow64(this.maxMem)
    this.lastReport = grow64(this.lastReport)
    this.cpuAlloc = grow64(this.cpuAlloc)
    this.memAlloc = grow64(this.memAlloc)
    const grow32 = (a: Int32Array) => {
      const b = new Int32Array(cap)
      b.set(a)
      return b
    }
    this.slotStart = grow32(this.slotStart)
    this.slotN = grow32(this.slotN)
  }
}

class ClusterState {
  /** Active reservation parts here. */
  readonly parts = new Set<Part>()
  readonly slots: Slot[]
  readonly cpuAlloc: number
  readonly cpuBase: number
  readonly memAlloc: number
  readonly memBase: number
  readonly maxNodeCpu: number
  readonly maxNodeMem: number
  readonly sGreen: number
  readonly sCarbon: number
  readonly sPue: number
  readonly sDomCpu: number
  readonly hubGroup: string | null

  constructor(
    readonly index: number,
    readonly cap: ClusterCapacity,
    private readonly hot: HotArrays,
    slotArrays: SlotArrays,
    regions: RegionModel,
    classOf: (a: AcceleratorCapacity) => number,
    carbonRef: number,
    /** slot ids of the state this one replaces, reused when the count matches */
    reuse: { start: number; n: number } | null,
  ) {
    this.cpuAlloc = cap.cpu.allocatableMillis
    this.cpuBase = Math.max(0, Math.min(cap.cpu.freeMillis, cap.cpu.allocatableMillis))
    this.memAlloc = cap.memory.allocatableBytes
    this.memBase = Math.max(0, Math.min(cap.memory.freeBytes, cap.memory.allocatableBytes))
    this.maxNodeCpu = cap.cpu.maxNodeMillis > 0 ? cap.cpu.maxNodeMillis : cap.cpu.allocatableMillis
    this.maxNodeMem = cap.memory.maxNodeBytes > 0 ? cap.memory.maxNodeBytes : cap.memory.allocatableBytes
    hot.grow(index + 1)
    hot.active[index] = 1
    hot.cpuFree[index] = this.cpuBase
    hot.memFree[index] = this.memBase
    hot.maxCpu[index] = this.maxNodeCpu
    hot.maxMem[index] = this.maxNodeMem
    hot.lastReport[index] = cap.lastReportAt ?? Number.NEGATIVE_INFINITY
    hot.cpuAlloc[index] = this.cpuAlloc
    hot.memAlloc[index] = this.memAlloc
    const e = cap.energy
    this.sGreen = clamp01(e.greenShare ?? 0)
    this.sCarbon = e.carbonIntensity === null ? 0 : clamp01(1 - e.carbonIntensity / carbonRef)
    this.sPue = e.pue === null ? 0 : clamp01((2 - e.pue) / (2 - 1))
    this.sDomCpu = clamp01(cap.domesticCpuShare)
    this.hubGroup = regions.hubGroupOf(cap)
    const schedulable = cap.accelerators.filter((a) => !a.virtual && SCHEDULABLE_KINDS.some((k) => k === a.kind) && a.allocatable > 0)
    const start = reuse && reuse.n === schedulable.length ? reuse.start : slotArrays.allocate(schedulable.length)
    this.slots = schedulable.map((a, i) => slotOf(a, classOf(a), slotArrays, start + i))
    hot.slotStart[index] = start
    hot.slotN[index] = schedulable.length
  }

  get id(): string {
    return this.cap.id
  }

  get active(): boolean {
    return this.hot.active[this.index] === 1
  }

  set active(v: boolean) {
    this.hot.active[this.index] = v ? 1 : 0
  }

  get cpuFree(): number {
    return this.hot.cpuFree[this.index] as number
  }

  set cpuFree(v: number) {
    this.hot.cpuFree[this.index] = v
  }

  get memFree(): number {
    return this.hot.memFree[this.index] as number
  }

  set memFree(v: number) {
    this.hot.memFree[this.index] = v
  }
}

/** Nodes from the histograms: allocatable and free paired largest with largest, free never above allocatable. */
function slotOf(a: AcceleratorCapacity, cls: number, arr: SlotArrays, gid: number): Slot {
  const allocs: number[] = []
  const frees: number[] = []
  const hist = a.nodes
  if (hist) {
    for (let k = hist.allocHistogram.length - 1; k >= 0; k--) for (let i = 0; i < (hist.allocHistogram[k] ?? 0); i++) allocs.push(k)
    for (let k = hist.freeHistogram.length - 1; k >= 0; k--) for (let i = 0; i < (hist.freeHistogram[k] ?? 0); i++) frees.push(k)
  } else {
    // No node detail: nodes of maxPerNode devices, free devices packed.
    const d = Math.max(1, a.maxPerNode || 8)
    for (let left = a.allocatable; left > 0; left -= d) allocs.push(Math.min(d, left))
    for (let left = Math.min(a.free, a.allocatable); left > 0; left -= d) frees.push(Math.min(d, left))
  }
  const n = Math.max(allocs.length, frees.length)
  const nodeAlloc = new Int32Array(n)
  const nodeBase = new Int32Array(n)
  let maxPerNode = 0
  let freeLeft = Math.max(0, Math.floor(a.free))
  for (let i = 0; i < n; i++) {
    const al = Math.floor(allocs[i] ?? frees[i] ?? 0)
    const fr = Math.min(al, Math.floor(frees[i] ?? 0), freeLeft)
    nodeAlloc[i] = al
    nodeBase[i] = fr
    freeLeft -= fr
    if (al > maxPerNode) maxPerNode = al
  }
  return new Slot(
    arr,
    gid,
    cls,
    a.key,
    a.kind,
    a.model,
    a.domestic,
    a.fp16Tflops ?? Number.NaN,
    a.allocatable,
    maxPerNode,
    nodeAlloc,
    nodeBase,
  )
}

interface GlobalClass {
  key: string
  kind: string
  model: string
  fp16: number
  fp32: number
  clusters: number[]
}

interface AccNeed {
  key: string
  kind: number
  count: number
  /** match[globalClass] = 1 when the class qualifies */
  match: Uint8Array
  classes: number[]
  /** Active clusters holding a qualifying class, ascending. */
  candidates: Int32Array
}

/** A request compiled against the current topology (recompiled when clusters or classes change). */
interface Compiled {
  id: string
  spec: SchedulingRequest
  department: string
  priority: number
  seq: number
  replicas: number
  mode: number
  minPer: number
  dupN: number
  cpu: number
  mem: number
  acc: AccNeed | null
  accSpec: SchedulingRequest['resources']['accelerators'] | null
  residency: { list: Int32Array; mask: Uint8Array } | null
  /** Locality tier per cluster for the data's province (0 same province … 1 elsewhere), or null: no data location. */
  tiers: Float64Array | null
  /** The share of the locality score lost at tier 1 (the owner's transfer penalty). */
  penalty: number
  w: Float64Array
  invW: number
  /** Key of the static-score cache: weights, data location, CPU-only or not. */
  skey: string
  weights: Readonly<PluginScores>
  notBefore: number
  deadline: number
  version: number
  /** never-fits check done for this topology version */
  everChecked: number
  /** shapeOf(), once computed */
  shape: string | null
}

interface WeightBlock {
  w: Float64Array
  weights: Readonly<PluginScores>
  invW: number
  skey: string
}

interface Part {
  reservation: Reservation
  cluster: ClusterState
  slot: Slot | null
  replicas: number
  cpu: number
  mem: number
  devices: number
  fp16: number
  /** [node, devices]… in the slot */
  nodes: number[]
  committed: boolean
  /** Counted by the cluster's own report (committed and absorbed): no longer deducted here. */
  absorbed: boolean
  released: boolean
}

interface Reservation {
  id: string
  /** Creation order (the number in the id): ties between victims are broken by it. */
  seq: number
  /** Neighbours in its priority's list of uncommitted reservations (UncommittedList), older and newer. */
  older: Reservation | null
  newer: Reservation | null
  workloadId: string
  department: string
  priority: number
  createdAt: number
  expiresAt: number
  parts: Part[]
  demand: QuotaDemand | null
  cpu: number
  mem: number
  released: boolean
  compiled: Compiled
}

/** One priority's uncommitted reservations, a list in creation order (linked through Reservation.older/newer). */
interface UncommittedList {
  newest: Reservation | null
  oldest: Reservation | null
  size: number
  /** createdAt never decreases from oldest to newest (the clock did not go back): the newest-first walk may stop early. */
  monotonic: boolean
}

interface WorkloadRecord {
  compiled: Compiled
  state: 'pending' | 'reserved'
  reservation: Reservation | null
  decision: Decision
  reason: PendingReason | null
}

/** A plan: where the replicas go, before reserving. */
interface PlanItem {
  cluster: ClusterState
  slot: Slot | null
  replicas: number
}

export interface ReservationView {
  id: string
  workloadId: string
  department: string
  priority: number
  createdAt: number
  expiresAt: number
  state: 'reserved' | 'committed' | 'released'
  placements: Placement[]
  committedClusters: string[]
}

export interface ClusterView {
  id: string
  province: string
  hub: string | null
  greenShare: number | null
  cpu: { allocatableMillis: number; freeMillis: number }
  memory: { allocatableBytes: number; freeBytes: number }
  accelerators: { key: string; kind: string; model: string; allocatable: number; free: number }[]
  reservations: number
}

export interface AuditReport {
  ok: boolean
  violations: string[]
}

// ---------------------------------------------------------------- the scheduler

/**
 * The cross-region scheduler (统一调度): filter → score → divide → reserve over live free capacity, in memory.
 *
 * Everything is synchronous: a decision and its reservation happen in one turn of the event loop, so concurrent
 * submissions (any number of pending promises) can never book the same capacity twice. Persisting reservations is
 * the caller's part; the engine is the source of truth for free = allocatable − requested − reserved.
 */
export class Scheduler {
  private readonly clock: () => number
  private readonly weights: PluginScores
  private readonly ttl: number
  private readonly staleAfter: number
  private readonly explainTop: number
  private readonly preempt: { enabled: boolean; running: boolean; maxVictims: number }
  private readonly regions: RegionModel
  private readonly policy: PlacementPolicy
  private readonly carbonRef: number
  private readonly onEvent: ((e: SchedulerEvent) => void) | undefined
  readonly quotas: QuotaBook

  private clusters: ClusterState[] = []
  private readonly hot = new HotArrays()
  private readonly slotArrays = new SlotArrays()
  private readonly byId = new Map<string, ClusterState>()
  private readonly classes: GlobalClass[] = []
  private readonly classIndex = new Map<string, number>()
  private activeCount = 0
  private version = 0
  /** Bumped whenever allocatable capacity may have changed: never-fits verdicts are taken again. */
  private everVersion = 0
  private readonly accCache = new Map<string, AccNeed>()
  private readonly residencyCache = new Map<string, { list: Int32Array; mask: Uint8Array } | string>()
  private readonly localityCache = new Map<string, Float64Array>()
  private readonly totals = { cpuMillis: 0, memoryBytes: 0, devices: new Float64Array(SCHEDULABLE_KINDS.length) }

  private readonly workloads = new Map<string, WorkloadRecord>()
  private readonly reservations = new Map<string, Reservation>()
  /** Reservations with a part not yet committed: the only preemption victims unless running work may be preempted. */
  private readonly uncommitted = new Set<Reservation>()
  /** The uncommitted reservations again by priority, in creation order: preemption looks only below its own, newest first. */
  private readonly uncommittedByPriority = new Map<number, UncommittedList>()
  /** maxFitOf answers, valid for one retry pass (placements only lower them, so they stay upper bounds). */
  private readonly passFit = new Map<number, number>()
  private readonly pendingSet = new Set<WorkloadRecord>()
  private readonly expiry = new MinHeap<Reservation>()
  private readonly deadlines = new MinHeap<WorkloadRecord>()
  /** Running totals, for metrics. */
  readonly counters = { decisions: 0, retryAttempts: 0, placed: 0, pending: 0, rejected: 0, preemptions: 0, expired: 0, displaced: 0 }
  private wseq = 0
  private rseq = 0
  private subSeq = 0

  // evaluation buffers (reused; never allocated in the loop)
  private cap = 0
  private fIdx = new Int32Array(0)
  private fSlot = new Int32Array(0)
  private fFit = new Int32Array(0)
  private fScore = new Float64Array(0)
  private order = new Int32Array(0)
  private nf = 0
  private kept = 0
  private keptSorted = true
  private ranked = false
  private readonly staticCache = new Map<string, { arr: Float64Array; c: Compiled }>()
  private readonly weightBlocks = new Map<string, WeightBlock>()
  /** neverFits answers by request shape and department, valid for one everVersion */
  private readonly neverCache = new Map<string, { reason: RejectReason; message: string } | null>()
  private neverVersion = -1
  private readonly orderCache = new Map<string, Int32Array>()
  private readonly counts = new Int32Array(FILTER_REASONS.length)
  private evaluated = 0

  constructor(capacities: Iterable<ClusterCapacity>, options: SchedulerOptions = {}) {
    this.clock = options.clock ?? Date.now
    this.weights = { ...DEFAULT_WEIGHTS, ...options.weights }
    this.ttl = options.reservationTtlMs ?? 120_000
    this.staleAfter = options.staleAfterMs ?? 180_000
    this.explainTop = Math.max(1, options.explainTop ?? 5)
    this.preempt = {
      enabled: options.preemption?.enabled ?? true,
      running: options.preemption?.running ?? false,
      maxVictims: options.preemption?.maxVictims ?? 64,
    }
    const hubs = options.regions?.hubs ?? loadRegions().hubs
    this.regions = new RegionModel(hubs, options.regions?.pairing ?? EAST_WEST_PAIRING)
    this.policy = options.policy ?? ENGINE_POLICY
    this.carbonRef = options.carbonReferenceKgPerKwh ?? 1
    this.onEvent = options.onEvent
    this.quotas = new QuotaBookImpl(options.quotas)
    for (const c of capacities) this.addCluster(c)
  }

  get policyName(): string {
    return this.policy.name
  }

  // ------------------------------------------------------------ topology

  private classOf = (a: AcceleratorCapacity): number => {
    const key = `${a.kind}|${a.vendor}|${a.model}`
    let i = this.classIndex.get(key)
    if (i === undefined) {
      i = this.classes.length
      this.classes.push({
        key,
        kind: a.kind,
        model: a.model,
        fp16: a.fp16Tflops ?? Number.NaN,
        fp32: a.fp32Tflops ?? Number.NaN,
        clusters: [],
      })
      this.classIndex.set(key, i)
    }
    return i
  }

  private addCluster(cap: ClusterCapacity): ClusterState {
    if (this.byId.has(cap.id)) throw new Error(`cluster ${cap.id} given twice`)
    const cl = new ClusterState(this.clusters.length, cap, this.hot, this.slotArrays, this.regions, this.classOf, this.carbonRef, null)
    this.clusters.push(cl)
    this.byId.set(cap.id, cl)
    this.ensureBuffers()
    this.account(cl, 1)
    this.topologyChanged()
    return cl
  }

  private account(cl: ClusterState, sign: 1 | -1): void {
    this.activeCount += sign
    this.totals.cpuMillis += sign * cl.cpuAlloc
    this.totals.memoryBytes += sign * cl.memAlloc
    for (const s of cl.slots) {
      const k = kindIndex(s.kind)
      if (k >= 0) this.totals.devices[k] = (this.totals.devices[k] as number) + sign * s.alloc
    }
  }

  private ensureBuffers(): void {
    const n = this.clusters.length
    if (n <= this.cap) return
    const cap = Math.max(16, n * 2)
    this.cap = cap
    this.fIdx = new Int32Array(cap)
    this.fSlot = new Int32Array(cap)
    this.fFit = new Int32Array(cap)
    this.fScore = new Float64Array(cap)
    this.order = new Int32Array(cap)
  }

  private topologyChanged(): void {
    this.version++
    this.everVersion++
    this.accCache.clear()
    this.residencyCache.clear()
    this.localityCache.clear()
    this.staticCache.clear()
    this.orderCache.clear()
    for (const g of this.classes) g.clusters.length = 0
    for (const cl of this.clusters) {
      if (!cl.active) continue
      for (const s of cl.slots) {
        const list = this.classes[s.cls]?.clusters
        if (list && list[list.length - 1] !== cl.index) list.push(cl.index)
      }
    }
  }

  /**
   * A new report for a cluster (or a new cluster; `null` removes it). Reservations stay deducted: uncommitted ones
   * are placed again on the new node figures; one that no longer fits is released and its workload queued again
   * (event `displaced`). With `absorbsCommitted`, the report already counts the pods of committed reservations, so
   * those stop being deducted (they keep counting against quota until released). Call `retryPending()` afterwards.
   */
  updateCapacity(clusterId: string, capacity: ClusterCapacity | null, opts: { absorbsCommitted?: boolean } = {}): void {
    const now = this.clock()
    const old = this.byId.get(clusterId)
    if (capacity && capacity.id !== clusterId) throw new Error(`capacity for ${capacity.id} given as ${clusterId}`)
    if (!old) {
      if (capacity) this.addCluster(capacity)
      return
    }
    const parts = [...old.parts].sort((a, b) => a.reservation.createdAt - b.reservation.createdAt)
    // Take the parts off the old state (the old state is dropped).
    for (const p of parts) this.unapply(p)
    this.account(old, -1)
    old.active = false
    if (!capacity) {
      this.byId.delete(clusterId)
      this.topologyChanged()
      for (const p of parts) this.displace(p, now)
      return
    }
    const cl = new ClusterState(old.index, capacity, this.hot, this.slotArrays, this.regions, this.classOf, this.carbonRef, {
      start: this.hot.slotStart[old.index] as number,
      n: old.slots.length,
    })
    this.clusters[old.index] = cl
    this.byId.set(clusterId, cl)
    this.account(cl, 1)
    // Indexes and caches only change when where the cluster is or which classes it has changes.
    const sameShape =
      cl.cap.province === old.cap.province &&
      cl.cap.hub === old.cap.hub &&
      cl.slots.length === old.slots.length &&
      cl.slots.every((s, i) => s.cls === old.slots[i]?.cls)
    if (!sameShape) this.topologyChanged()
    else {
      this.everVersion++
      for (const e of this.staticCache.values()) e.arr[cl.index] = this.staticScore(e.c, cl)
      // static orders stay exact (evaluate relies on them being sorted) only while the site figures do
      if (cl.sGreen !== old.sGreen || cl.sCarbon !== old.sCarbon || cl.sPue !== old.sPue || cl.sDomCpu !== old.sDomCpu)
        this.orderCache.clear()
    }
    for (const p of parts) {
      p.cluster = cl
      if (p.absorbed || (p.committed && opts.absorbsCommitted)) {
        p.absorbed = true
        p.slot = p.slot ? (cl.slots.find((s) => s.key === p.slot?.key) ?? null) : null
        p.nodes = []
        cl.parts.add(p)
        continue
      }
      if (!this.reapply(p, cl)) this.displace(p, now)
    }
  }

  /** Put a part back on a (new) cluster state with fresh node choices; false when it does not fit. */
  private reapply(p: Part, cl: ClusterState): boolean {
    let slot: Slot | null = null
    if (p.slot) {
      const key = p.slot.key
      slot = cl.slots.find((s) => s.key === key) ?? null
      if (!slot) return false
    }
    if (cl.cpuFree < p.cpu || cl.memFree < p.mem) return false
    let nodes: number[] = []
    if (slot) {
      const count = p.devices / p.replicas
      const placed = slot.place(p.replicas, count)
      if (!placed) return false
      nodes = placed
    }
    cl.cpuFree -= p.cpu
    cl.memFree -= p.mem
    p.slot = slot
    p.nodes = nodes
    cl.parts.add(p)
    return true
  }

  /** A part lost its capacity (cluster gone or shrunk): release an uncommitted reservation and queue it again. */
  private displace(p: Part, now: number): void {
    const r = p.reservation
    p.released = true
    p.cluster.parts.delete(p)
    const committed = p.committed
    let requeued = false
    if (!committed && !r.released) {
      this.releaseReservation(r)
      requeued = this.requeue(r.compiled, now)
    }
    this.counters.displaced++
    this.emit({ type: 'displaced', reservationId: r.id, workloadId: r.workloadId, clusterId: p.cluster.id, committed, requeued })
  }

  // ------------------------------------------------------------ compile

  private compile(spec: SchedulingRequest, id: string, seq: number): Compiled | string {
    const placement = spec.placement
    const mode = placement.mode === 'gang' ? GANG : placement.mode === 'divisible' ? DIVISIBLE : DUPLICATED
    const replicas = Math.floor(spec.replicas)
    if (!(replicas >= 1)) return 'replicas must be at least 1'
    const minPer = placement.mode === 'divisible' ? Math.max(1, Math.floor(placement.minPerCluster ?? 1)) : replicas
    if (mode === DIVISIBLE && minPer > replicas) return `minPerCluster ${minPer} is more than the ${replicas} replicas`
    const dupN = placement.mode === 'duplicated' ? Math.floor(placement.clusters) : 1
    if (!(dupN >= 1)) return 'duplicated needs at least 1 cluster'
    const r = spec.resources
    if (r.cpuMillis < 0 || r.memoryBytes < 0) return 'resources must not be negative'
    const a = r.accelerators
    if (a && !(a.count >= 1)) return 'accelerators.count must be at least 1'
    if (a && kindIndex(a.kind) < 0) return `accelerator kind ${a.kind} is not schedulable`
    let residency: Compiled['residency'] = null
    if (spec.residency) {
      const res = this.residencyOf(spec.residency)
      if (typeof res === 'string') return res
      residency = res
    }
    const dl = spec.dataLocation
    const wb = this.weightBlock(spec.preferences, a !== undefined, dl !== undefined && dl.transferPenalty > 0)
    const startAfter = spec.startAfter ? Date.parse(spec.startAfter) : Number.NEGATIVE_INFINITY
    const deadline = spec.deadline ? Date.parse(spec.deadline) : INF
    if (Number.isNaN(startAfter) || Number.isNaN(deadline)) return 'startAfter and deadline must be ISO 8601 times'
    return {
      id,
      spec,
      department: spec.owner.department,
      priority: spec.priority,
      seq,
      replicas,
      mode,
      minPer,
      dupN,
      cpu: r.cpuMillis,
      mem: r.memoryBytes,
      acc: a ? this.accNeed(a) : null,
      accSpec: a ?? null,
      residency,
      tiers: dl && dl.transferPenalty > 0 ? this.tiersOf(dl.province) : null,
      penalty: dl ? dl.transferPenalty : 0,
      w: wb.w,
      invW: wb.invW,
      skey: wb.skey,
      weights: wb.weights,
      notBefore: startAfter,
      deadline,
      version: this.version,
      everChecked: -1,
      shape: null,
    }
  }

  /**
   * Effective weights: the engine's × the owner's preferences (green → green and carbon, cost → PUE, latency →
   * locality, domestic → domestic); locality counts only with a data location and a penalty. Cached per
   * combination (requests rarely carry preferences).
   */
  private weightBlock(prefs: SchedulingRequest['preferences'], acc: boolean, locality: boolean): WeightBlock {
    const key = prefs
      ? `${acc ? 1 : 0}${locality ? 1 : 0}|${prefs.green ?? ''}|${prefs.cost ?? ''}|${prefs.latency ?? ''}|${prefs.domestic ?? ''}`
      : acc
        ? locality
          ? 'a1'
          : 'a0'
        : locality
          ? 'c1'
          : 'c0'
    let wb = this.weightBlocks.get(key)
    if (wb) return wb
    const p = prefs ?? {}
    const mult: PluginScores = {
      green: p.green ?? 1,
      carbon: p.green ?? 1,
      pue: p.cost ?? 1,
      balance: 1,
      headroom: 1,
      locality: locality ? (p.latency ?? 1) : 0,
      domestic: p.domestic ?? 1,
    }
    const w = new Float64Array(NP)
    const weights = {} as PluginScores
    let sum = 0
    for (let i = 0; i < NP; i++) {
      const name = PLUGINS[i] as (typeof PLUGINS)[number]
      const v = Math.max(0, this.weights[name] * mult[name])
      w[i] = v
      weights[name] = v
      sum += v
    }
    wb = {
      w,
      weights: Object.freeze(weights),
      invW: sum > 0 ? 1 / sum : 0,
      skey: `${w[P_GREEN]},${w[P_CARBON]},${w[P_PUE]},${acc ? 0 : w[P_DOMESTIC]}`,
    }
    if (this.weightBlocks.size >= 1024) this.weightBlocks.clear()
    this.weightBlocks.set(key, wb)
    return wb
  }

  private recompile(c: Compiled): Compiled {
    if (c.version === this.version) return c
    const fresh = this.compile(c.spec, c.id, c.seq)
    if (typeof fresh === 'string') return c
    return fresh
  }

  private accNeed(a: NonNullable<SchedulingRequest['resources']['accelerators']>): AccNeed {
    const key = `${a.kind}|${a.model ?? ''}|${a.minFp16Tflops ?? ''}|${a.minFp32Tflops ?? ''}|${a.count}`
    const hit = this.accCache.get(key)
    if (hit) return hit
    const match = new Uint8Array(this.classes.length)
    const classes: number[] = []
    const seen = new Uint8Array(this.clusters.length)
    const cands: number[] = []
    for (let g = 0; g < this.classes.length; g++) {
      const c = this.classes[g] as GlobalClass
      if (c.kind !== a.kind) continue
      if (a.model !== undefined && c.model !== a.model) continue
      if (a.minFp16Tflops !== undefined && !(c.fp16 >= a.minFp16Tflops)) continue
      if (a.minFp32Tflops !== undefined && !(c.fp32 >= a.minFp32Tflops)) continue
      match[g] = 1
      classes.push(g)
      for (const i of c.clusters) {
        if (seen[i]) continue
        seen[i] = 1
        cands.push(i)
      }
    }
    cands.sort((x, y) => x - y)
    const need: AccNeed = { key, kind: kindIndex(a.kind), count: a.count, match, classes, candidates: Int32Array.from(cands) }
    this.accCache.set(key, need)
    return need
  }

  private residencyOf(res: NonNullable<SchedulingRequest['residency']>): { list: Int32Array; mask: Uint8Array } | string {
    const provinces = res.provinces ?? []
    const hubs = res.hubs ?? []
    if (provinces.length === 0 && hubs.length === 0) return 'residency lists no province and no hub: omit it to allow anywhere'
    const key = `${[...provinces].sort().join(',')}|${[...hubs].sort().join(',')}`
    const hit = this.residencyCache.get(key)
    if (hit) return hit
    for (const h of hubs) {
      if (!this.regions.isKnownHub(h)) {
        const msg = `residency names unknown hub "${h}" (a hub id of data/hubs.csv such as jjj, or a hub cluster such as zhangjiakou)`
        this.residencyCache.set(key, msg)
        return msg
      }
    }
    const allowedProvinces = new Set(provinces)
    const hubGroups = new Set<string>()
    const hubSites = new Set<string>()
    for (const h of hubs) {
      const provs = this.regions.provincesOfHub.get(h)
      if (provs) {
        hubGroups.add(h)
        for (const p of provs) allowedProvinces.add(p)
      } else hubSites.add(h)
    }
    const mask = new Uint8Array(this.clusters.length)
    const list: number[] = []
    for (const cl of this.clusters) {
      if (!cl.active) continue
      const ok =
        allowedProvinces.has(cl.cap.province) ||
        (cl.cap.hub !== null && hubSites.has(cl.cap.hub)) ||
        (cl.hubGroup !== null && hubGroups.has(cl.hubGroup))
      if (!ok) continue
      mask[cl.index] = 1
      list.push(cl.index)
    }
    const out = { list: Int32Array.from(list), mask }
    this.residencyCache.set(key, out)
    return out
  }

  /** Locality tiers of every cluster for data in `province` (cached per province). */
  private tiersOf(province: string): Float64Array {
    let t = this.localityCache.get(province)
    if (!t) {
      t = new Float64Array(this.clusters.length)
      for (const cl of this.clusters) t[cl.index] = this.regions.tier(province, cl.cap)
      this.localityCache.set(province, t)
    }
    return t
  }

  // ------------------------------------------------------------ filter and score

  /**
   * Accelerators: the replicas that fit on the best qualifying class of `cl` (≥ 0), or
   * F_CAPABILITY (no qualifying class), F_NODEFIT (no node could hold one replica, or free devices are spread too
   * thin), F_CAPACITY (not enough free).
   */
  private accFitOn(acc: AccNeed, cl: ClusterState): number {
    const count = acc.count
    let best = -1
    let any = false
    let nodeFitOnly = false
    const slots = cl.slots
    for (let s = 0; s < slots.length; s++) {
      const slot = slots[s] as Slot
      if (acc.match[slot.cls] !== 1) continue
      any = true
      if (slot.maxPerNode < count) {
        nodeFitOnly = true
        continue
      }
      const f = slot.fit(count)
      if (f > best) {
        best = f
      }
      if (f === 0 && slot.free >= count) nodeFitOnly = true
    }
    if (!any) return F_CAPABILITY
    if (best > 0) return best
    return nodeFitOnly ? F_NODEFIT : F_CAPACITY
  }

  /**
   * Replicas of `c` that fit on `cl` now (≥ 0), or the filter that removed it (< 0).
   * Residency is checked by the caller (it chooses the candidate list).
   */
  private fitOn(c: Compiled, cl: ClusterState, now: number): number {
    let fit = INF
    let reason = 0
    if (c.acc) {
      const f = this.accFitOn(c.acc, cl)
      if (f === F_CAPABILITY) return f
      if (f < 0) reason = f
      else fit = f
    }
    if (this.staleAfter !== INF && now - (this.hot.lastReport[cl.index] as number) > this.staleAfter) return F_HEALTH
    if (reason !== 0) return reason
    if (c.cpu > 0) {
      if (c.cpu > cl.maxNodeCpu) return F_NODEFIT
      fit = Math.min(fit, Math.floor(cl.cpuFree / c.cpu))
    }
    if (c.mem > 0) {
      if (c.mem > cl.maxNodeMem) return F_NODEFIT
      fit = Math.min(fit, Math.floor(cl.memFree / c.mem))
    }
    return fit === INF ? c.replicas : fit
  }

  private exactFit(accFit: number, cpu: number, mem: number, cpuFree: number, memFree: number, replicas: number): number {
    let fit = accFit
    if (cpu > 0) fit = Math.min(fit, Math.floor(cpuFree / cpu))
    if (mem > 0) fit = Math.min(fit, Math.floor(memFree / mem))
    return fit === INF ? replicas : fit
  }

  /** Utilization balance (1 − utilization after placing `take` replicas) of the resource the request binds on. */
  private balanceOf(c: Compiled, cl: ClusterState, slot: Slot | null, take: number): number {
    if (slot) return 1 - Math.min(1, (slot.alloc - slot.free + take * (c.acc?.count ?? 0)) / slot.alloc)
    if (cl.cpuAlloc > 0 && c.cpu > 0) return 1 - Math.min(1, (cl.cpuAlloc - cl.cpuFree + take * c.cpu) / cl.cpuAlloc)
    if (cl.memAlloc > 0) return 1 - Math.min(1, (cl.memAlloc - cl.memFree + take * c.mem) / cl.memAlloc)
    return 0
  }

  /** The engine's score of placing `take` replicas on a cluster (0..1). */
  private scoreOf(c: Compiled, cl: ClusterState, slotIndex: number, take: number, fit: number): number {
    const slot = slotIndex >= 0 ? (cl.slots[slotIndex] as Slot) : null
    const w = c.w
    const raw =
      (this.staticOf(c)[cl.index] as number) +
      (w[P_LOCALITY] as number) * this.localityScore(c, cl.index) +
      (w[P_BALANCE] as number) * this.balanceOf(c, cl, slot, take) +
      (w[P_HEADROOM] as number) * headroomOf(fit, take) +
      (c.acc && slot?.domestic ? (w[P_DOMESTIC] as number) : 0)
    return raw * c.invW
  }

  private localityScore(c: Compiled, index: number): number {
    return c.tiers ? 1 - c.penalty * (c.tiers[index] as number) : 1
  }

  private pluginsOf(c: Compiled, cl: ClusterState, slotIndex: number, take: number, fit: number): PluginScores {
    const slot = slotIndex >= 0 ? (cl.slots[slotIndex] as Slot) : null
    return {
      green: round4(cl.sGreen),
      carbon: round4(cl.sCarbon),
      pue: round4(cl.sPue),
      balance: round4(this.balanceOf(c, cl, slot, take)),
      headroom: round4(headroomOf(fit, take)),
      locality: round4(this.localityScore(c, cl.index)),
      domestic: round4(slot ? (slot.domestic ? 1 : 0) : cl.sDomCpu),
    }
  }

  /**
   * The part of the engine's score that depends only on the site and the weights, per cluster, unnormalized:
   * green, carbon, PUE, and domestic CPUs for CPU-only work; cached per weight vector.
   */
  private staticOf(c: Compiled): Float64Array {
    let hit = this.staticCache.get(c.skey)
    if (!hit) {
      if (this.staticCache.size >= 256) this.staticCache.clear()
      hit = { arr: new Float64Array(this.clusters.length), c }
      for (const cl of this.clusters) hit.arr[cl.index] = this.staticScore(c, cl)
      this.staticCache.set(c.skey, hit)
    }
    return hit.arr
  }

  private staticScore(c: Compiled, cl: ClusterState): number {
    const w = c.w
    return (
      (w[P_GREEN] as number) * cl.sGreen +
      (w[P_CARBON] as number) * cl.sCarbon +
      (w[P_PUE] as number) * cl.sPue +
      (c.acc ? 0 : (w[P_DOMESTIC] as number) * cl.sDomCpu)
    )
  }

  /** How many ranked candidates a request needs kept (the rest are only counted). */
  private keepFor(c: Compiled): number {
    if (c.mode === GANG) return this.explainTop
    if (c.mode === DUPLICATED) return Math.max(this.explainTop, c.dupN)
    if (this.policy.division === 'proportional') return INF
    return this.explainTop + Math.ceil(c.replicas / c.minPer) + 2
  }

  /**
   * Filter every candidate, count the filtered by reason, and keep the best `keep` feasible ones sorted in the
   * buffers (all of them, unsorted, when `keep` ≥ the fleet). A candidate whose static score plus the most the
   * dynamic plugins could add cannot enter the kept set is counted but not scored. Returns the feasible count.
   */
  private evaluate(c: Compiled, now: number, keep: number): number {
    const counts = this.counts
    counts.fill(0)
    const need = c.mode === DIVISIBLE ? c.minPer : c.replicas
    let list: Int32Array | null = null
    if (c.residency) {
      list = c.residency.list
      counts[R_RESIDENCY] = this.activeCount - list.length
    } else if (c.acc) {
      list = c.acc.candidates
      counts[R_CAPABILITY] = this.activeCount - list.length
    }
    const n = list ? list.length : this.clusters.length
    const first = this.policy.selection === 'first'
    const policyScore = this.policy.score
    const enough = c.mode === GANG ? 1 : c.mode === DUPLICATED ? c.dupN : INF
    const all = keep >= this.activeCount
    const stat = first || policyScore ? null : this.staticOf(c)
    // Visit the best sites first: the kept set fills with strong candidates at once and most others are only counted.
    const ordered = stat !== null && !all && !c.residency
    if (ordered && stat) list = this.byStatic(c, list, stat)
    const invW = c.invW
    const bW = (c.w[P_BALANCE] as number) * invW
    const dW = c.acc ? (c.w[P_DOMESTIC] as number) * invW : 0
    const hW = (c.w[P_HEADROOM] as number) * invW
    const headroom = bW + dW + hW
    const lW = c.w[P_LOCALITY] as number
    const lP = lW * c.penalty
    const tiers = c.tiers
    const fIdx = this.fIdx
    const fSlot = this.fSlot
    const fFit = this.fFit
    const fScore = this.fScore
    const hot = this.hot
    const active = hot.active
    const cpuFree = hot.cpuFree
    const memFree = hot.memFree
    const maxCpu = hot.maxCpu
    const maxMem = hot.maxMem
    const lastReport = hot.lastReport
    const cpuAlloc = hot.cpuAlloc
    const memAlloc = hot.memAlloc
    const acc = c.acc
    const cpu = c.cpu
    const mem = c.mem
    const needCpu = need * cpu
    const needMem = need * mem
    const healthyFrom = this.staleAfter === INF ? Number.NEGATIVE_INFINITY : now - this.staleAfter
    const checkHealth = healthyFrom !== Number.NEGATIVE_INFINITY
    const slotStart = hot.slotStart
    const slotN = hot.slotN
    const sa = this.slotArrays
    const sCls = sa.cls
    const sMaxPer = sa.maxPer
    const sFree = sa.free
    const sFitCount = sa.fitCount
    const sFitVal = sa.fitVal
    const sAlloc = sa.alloc
    const sDom = sa.dom
    const match = acc ? acc.match : EMPTY_MATCH
    const count = acc ? acc.count : 0
    let nf = 0
    let m = 0
    let floor = Number.NEGATIVE_INFINITY
    let evaluated = 0
    // In static order, once even the best locality and dynamic scores cannot lift a cluster into the kept set, no
    // later cluster can: from there on candidates are only filtered and counted.
    let settled = false
    for (let j = 0; j < n; j++) {
      const i = list ? (list[j] as number) : j
      if (active[i] !== 1) continue
      evaluated++
      let accFit = INF
      let slotIndex = -1
      let accReason = 0
      if (acc) {
        // the best qualifying class of this cluster, from the flat slot arrays
        const start = slotStart[i] as number
        const end = start + (slotN[i] as number)
        let best = -1
        let any = false
        let nodeFitOnly = false
        for (let g = start; g < end; g++) {
          if (match[sCls[g] as number] !== 1) continue
          any = true
          if ((sMaxPer[g] as number) < count) {
            nodeFitOnly = true
            continue
          }
          const f = count === 1 ? (sFree[g] as number) : sFitCount[g] === count ? (sFitVal[g] as number) : sa.fitOf(g, count)
          if (f > best) {
            best = f
            slotIndex = g - start
          }
          if (f === 0 && (sFree[g] as number) >= count) nodeFitOnly = true
        }
        if (!any) {
          counts[R_CAPABILITY] = (counts[R_CAPABILITY] as number) + 1
          continue
        }
        if (best <= 0) accReason = nodeFitOnly ? R_NODEFIT : R_CAPACITY
        else if (best < need) accReason = R_CAPACITY
        accFit = best
      }
      let reason = -1
      if (checkHealth && (lastReport[i] as number) < healthyFrom) reason = R_HEALTH
      else if (accReason !== 0) reason = accReason
      else if (cpu > (maxCpu[i] as number) || mem > (maxMem[i] as number)) reason = R_NODEFIT
      else if ((cpuFree[i] as number) < needCpu || (memFree[i] as number) < needMem) reason = R_CAPACITY
      if (reason >= 0) {
        counts[reason] = (counts[reason] as number) + 1
        continue
      }
      nf++
      if (settled) continue
      let s: number
      let fit = -1
      if (stat) {
        if (ordered && m === keep && ((stat[i] as number) + lW) * invW + headroom <= floor) {
          settled = true
          continue
        }
        const st = ((stat[i] as number) + lW - (tiers ? lP * (tiers[i] as number) : 0)) * invW
        if (!all && m === keep && st + headroom <= floor) continue
        fit = this.exactFit(accFit, cpu, mem, cpuFree[i] as number, memFree[i] as number, c.replicas)
        const take = Math.min(fit, c.replicas)
        // balanceOf and the domestic plugin, from the flat arrays (the same arithmetic): no object is touched here.
        let balance = 0
        let domestic = 0
        if (slotIndex >= 0) {
          const g = (slotStart[i] as number) + slotIndex
          const al = sAlloc[g] as number
          balance = 1 - Math.min(1, (al - (sFree[g] as number) + take * count) / al)
          if (sDom[g] === 1) domestic = dW
        } else if ((cpuAlloc[i] as number) > 0 && cpu > 0) {
          const al = cpuAlloc[i] as number
          balance = 1 - Math.min(1, (al - (cpuFree[i] as number) + take * cpu) / al)
        } else if ((memAlloc[i] as number) > 0) {
          const al = memAlloc[i] as number
          balance = 1 - Math.min(1, (al - (memFree[i] as number) + take * mem) / al)
        }
        s = st + bW * balance + hW * headroomOf(fit, take) + domestic
      } else {
        fit = this.exactFit(accFit, cpu, mem, cpuFree[i] as number, memFree[i] as number, c.replicas)
        s = first ? -j : policyScore ? policyScore(fit) : 0
      }
      if (all) {
        fIdx[m] = i
        fSlot[m] = slotIndex
        fFit[m] = fit
        fScore[m] = s
        m++
      } else {
        if (m === keep && s <= floor) continue
        let p = m < keep ? m++ : keep - 1
        while (p > 0 && (fScore[p - 1] as number) < s) {
          fIdx[p] = fIdx[p - 1] as number
          fSlot[p] = fSlot[p - 1] as number
          fFit[p] = fFit[p - 1] as number
          fScore[p] = fScore[p - 1] as number
          p--
        }
        fIdx[p] = i
        fSlot[p] = slotIndex
        fFit[p] = fit
        fScore[p] = s
        if (m === keep) floor = fScore[keep - 1] as number
      }
      if (first && nf >= enough) break
    }
    this.nf = nf
    this.kept = m
    this.keptSorted = !all
    this.ranked = false
    this.evaluated = evaluated
    return nf
  }

  /** Candidates (all clusters, or the accelerator candidates) by descending static site score; cached. */
  private byStatic(c: Compiled, list: Int32Array | null, stat: Float64Array): Int32Array {
    const key = `${c.skey}|${c.acc ? c.acc.key : '-'}`
    let order = this.orderCache.get(key)
    if (!order) {
      order = list ? Int32Array.from(list) : Int32Array.from(this.clusters.keys())
      order.sort((a, b) => (stat[b] as number) - (stat[a] as number) || a - b)
      if (this.orderCache.size >= 256) this.orderCache.clear()
      this.orderCache.set(key, order)
    }
    return order
  }

  /** The kept candidates best first in `order`; returns how many. */
  private rank(): number {
    const m = this.kept
    const order = this.order
    if (this.ranked) return m
    for (let i = 0; i < m; i++) order[i] = i
    if (!this.keptSorted) {
      const score = this.fScore
      order.subarray(0, m).sort((a, b) => (score[b] as number) - (score[a] as number) || a - b)
    }
    this.ranked = true
    return m
  }

  /** Evaluate and divide: keep few candidates, and all of them only when a divisible split needs more. */
  private evaluateAndPlan(c: Compiled, now: number): PlanItem[] | null {
    this.evaluate(c, now, this.keepFor(c))
    const items = this.plan(c)
    if (items || this.kept >= this.nf) return items
    this.evaluate(c, now, INF)
    return this.plan(c)
  }

  /** Divide the replicas over the ranked candidates; null when they do not fit. */
  private plan(c: Compiled): PlanItem[] | null {
    const nf = this.nf
    if (nf === 0) return null
    const m = this.rank()
    const items: PlanItem[] = []
    if (c.mode === GANG) {
      if (m === 0) return null
      items.push(this.planItem(this.order[0] as number, c.replicas))
      return items
    }
    if (c.mode === DUPLICATED) {
      if (nf < c.dupN || m < c.dupN) return null
      for (let i = 0; i < c.dupN; i++) items.push(this.planItem(this.order[i] as number, c.replicas))
      return items
    }
    if (this.policy.division === 'proportional') return this.proportional(c)
    let left = c.replicas
    for (let i = 0; i < m && left > 0; i++) {
      const f = this.order[i] as number
      let take = Math.min(this.fFit[f] as number, left)
      if (left - take > 0 && left - take < c.minPer) take = left - c.minPer
      if (take < c.minPer) continue
      items.push(this.planItem(f, take))
      left -= take
    }
    return left === 0 ? items : null
  }

  /** Karmada's dynamic weights: replicas in proportion to each feasible cluster's available replicas. */
  private planItem(f: number, replicas: number): PlanItem {
    const cl = this.clusters[this.fIdx[f] as number] as ClusterState
    const s = this.fSlot[f] as number
    return { cluster: cl, slot: s >= 0 ? (cl.slots[s] as Slot) : null, replicas }
  }

  private proportional(c: Compiled): PlanItem[] | null {
    const nf = this.kept
    let total = 0
    for (let i = 0; i < nf; i++) total += this.fFit[i] as number
    if (total < c.replicas) return null
    const share = new Float64Array(nf)
    const take = new Int32Array(nf)
    let given = 0
    for (let i = 0; i < nf; i++) {
      const exact = (c.replicas * (this.fFit[i] as number)) / total
      take[i] = Math.floor(exact)
      share[i] = exact - Math.floor(exact)
      given += take[i] as number
    }
    const byRemainder = Array.from({ length: nf }, (_, i) => i).sort((a, b) => (share[b] as number) - (share[a] as number) || a - b)
    for (const i of byRemainder) {
      if (given >= c.replicas) break
      if ((take[i] as number) < (this.fFit[i] as number)) {
        take[i] = (take[i] as number) + 1
        given++
      }
    }
    for (let r = 0; r < nf && given < c.replicas; r++) {
      const i = this.order[r] as number
      const add = Math.min((this.fFit[i] as number) - (take[i] as number), c.replicas - given)
      take[i] = (take[i] as number) + add
      given += add
    }
    // Karmada has no minimum per cluster: when a share falls under it, divide greedily by available replicas instead.
    let small = false
    for (let i = 0; i < nf; i++) if ((take[i] as number) > 0 && (take[i] as number) < c.minPer) small = true
    if (small) {
      let left = c.replicas
      take.fill(0)
      for (let r = 0; r < nf && left > 0; r++) {
        const i = this.order[r] as number
        let t = Math.min(this.fFit[i] as number, left)
        if (left - t > 0 && left - t < c.minPer) t = left - c.minPer
        if (t < c.minPer) continue
        take[i] = t
        left -= t
      }
      if (left > 0) return null
    }
    const items: PlanItem[] = []
    for (let r = 0; r < nf; r++) {
      const i = this.order[r] as number
      if ((take[i] as number) > 0) items.push(this.planItem(i, take[i] as number))
    }
    return items
  }

  private demandOf(c: Compiled, items: PlanItem[]): QuotaDemand | null {
    if (!c.acc) return null
    let devices = 0
    let fp16 = 0
    for (const it of items) {
      const d = it.replicas * c.acc.count
      devices += d
      const f = it.slot?.fp16 ?? Number.NaN
      if (f > 0) fp16 += d * f
    }
    return { kind: c.acc.kind, devices, fp16 }
  }

  // ------------------------------------------------------------ decide

  /**
   * Place a workload: filter → score → divide → reserve. Returns `placed` with a reservation, `pending` (queued:
   * it could fit, not now), or `rejected` (invalid, could never fit on the fleet's allocatable capacity, past its
   * deadline, or beyond any quota it could ever get). The workload id must not be active already.
   */
  decide(spec: SchedulingRequest, opts: { workloadId?: string } = {}): Decision {
    const now = this.clock()
    this.tick(now)
    const id = opts.workloadId ?? `w-${++this.wseq}`
    if (this.workloads.has(id)) throw new Error(`workload ${id} is already pending or placed`)
    const compiled = this.compile(spec, id, ++this.subSeq)
    if (typeof compiled === 'string') return this.rejection(id, 'invalid', compiled, emptyExplanation(this), now)
    const record: WorkloadRecord = { compiled, state: 'pending', reservation: null, decision: PLACEHOLDER, reason: null }
    this.counters.decisions++
    const d = this.attempt(record, now, true)
    this.counters[d.status]++
    if (d.status !== 'rejected') this.workloads.set(id, record)
    if (d.status === 'pending') this.enqueue(record)
    return d
  }

  /** One placement attempt for a (new or pending) workload. Does not enqueue. */
  private attempt(record: WorkloadRecord, now: number, fresh: boolean): Decision {
    const c = this.recompile(record.compiled)
    record.compiled = c
    if (c.deadline <= now) return this.finishRejected(record, 'deadline', 'deadline passed before the workload could be placed', now)
    if (c.notBefore > now) return this.finishPending(record, 'not-before', `waits until ${new Date(c.notBefore).toISOString()}`, now, fresh)
    let items = this.evaluateAndPlan(c, now)
    let demand = items ? this.demandOf(c, items) : null
    let quotaOk = items ? this.quotas.admits(c.department, demand) : true
    let preempted: string[] = []
    if ((!items || !quotaOk) && this.preempt.enabled) {
      const got = this.tryPreemption(c, now, !items ? 'capacity' : 'quota')
      if (got) {
        items = got.items
        demand = got.demand
        quotaOk = true
        preempted = got.victims
      }
    }
    if (items && quotaOk) {
      const explanation = this.explain(c, items)
      const reservation = this.reserve(c, items, demand, now)
      record.state = 'reserved'
      record.reservation = reservation
      record.reason = null
      const decision: Decision = {
        workloadId: c.id,
        status: 'placed',
        reservationId: reservation.id,
        placements: reservation.parts.map(placementOf),
        reason: null,
        message: null,
        explanation,
        decidedAt: now,
        preempted,
      }
      record.decision = decision
      return decision
    }
    // Not now: never, or later?
    if (c.everChecked !== this.everVersion) {
      if (this.neverVersion !== this.everVersion) {
        this.neverCache.clear()
        this.neverVersion = this.everVersion
      }
      const key = `${shapeOf(c)}|${c.department}`
      let never = this.neverCache.get(key)
      if (never === undefined) {
        never = this.neverFits(c)
        if (this.neverCache.size >= 4096) this.neverCache.clear()
        this.neverCache.set(key, never)
      }
      if (never) return this.finishRejected(record, never.reason, never.message, now)
      c.everChecked = this.everVersion
    }
    const reason: PendingReason = items ? 'quota' : this.counts[R_HEALTH] && !this.counts[R_CAPACITY] ? 'health' : 'capacity'
    const message =
      reason === 'quota'
        ? `department ${c.department} has no quota left for ${c.accSpec?.kind} (own and borrowable)`
        : reason === 'health'
          ? 'every cluster that could take it is stale'
          : 'no cluster has the free capacity now'
    return this.finishPending(record, reason, message, now, fresh)
  }

  private finishPending(record: WorkloadRecord, reason: PendingReason, message: string, now: number, fresh: boolean): Decision {
    record.state = 'pending'
    if (!fresh && record.reason === reason) return record.decision
    record.reason = reason
    const decision: Decision = {
      workloadId: record.compiled.id,
      status: 'pending',
      reservationId: null,
      placements: [],
      reason,
      message,
      explanation: reason === 'not-before' ? emptyExplanation(this) : this.explain(record.compiled, null),
      decidedAt: now,
      preempted: [],
    }
    record.decision = decision
    return decision
  }

  private finishRejected(record: WorkloadRecord, reason: RejectReason, message: string, now: number): Decision {
    const explanation = reason === 'deadline' ? emptyExplanation(this) : this.explain(record.compiled, null)
    const d = this.rejection(record.compiled.id, reason, message, explanation, now)
    record.decision = d
    return d
  }

  private rejection(id: string, reason: RejectReason, message: string, explanation: Explanation, now: number): Decision {
    return {
      workloadId: id,
      status: 'rejected',
      reservationId: null,
      placements: [],
      reason,
      message,
      explanation,
      decidedAt: now,
      preempted: [],
    }
  }

  /** Why a request could never be placed (on allocatable capacity, within residency; within the quota it could ever get). */
  private neverFits(c: Compiled): { reason: RejectReason; message: string } | null {
    if (c.acc) {
      const max = this.quotas.maxAdmissible(c.department, c.acc.kind)
      const devices = c.replicas * c.acc.count * (c.mode === DUPLICATED ? c.dupN : 1)
      if (devices > max.devices)
        return {
          reason: 'exceeds-quota',
          message: `needs ${devices} ${c.accSpec?.kind} devices; department ${c.department} can hold at most ${max.devices} (own quota plus borrowing)`,
        }
      let minFp16 = INF
      for (const g of c.acc.classes) {
        const f = (this.classes[g] as GlobalClass).fp16
        minFp16 = Math.min(minFp16, Math.max(f, 0))
      }
      if (minFp16 !== INF && devices * minFp16 > max.fp16 + 1e-9)
        return {
          reason: 'exceeds-quota',
          message: `needs at least ${Math.round(devices * minFp16)} FP16 TFLOPS; department ${c.department} can hold at most ${max.fp16}`,
        }
    }
    const list = c.residency ? c.residency.list : c.acc ? c.acc.candidates : null
    const n = list ? list.length : this.clusters.length
    let clustersOk = 0
    let sum = 0
    let best = 0
    for (let j = 0; j < n; j++) {
      const cl = this.clusters[list ? (list[j] as number) : j] as ClusterState
      if (!cl.active) continue
      let e = INF
      if (c.acc) {
        let b = 0
        for (const s of cl.slots) if (c.acc.match[s.cls] === 1) b = Math.max(b, s.everFit(c.acc.count))
        e = b
      }
      if (c.cpu > 0) e = Math.min(e, c.cpu > cl.maxNodeCpu ? 0 : Math.floor(cl.cpuAlloc / c.cpu))
      if (c.mem > 0) e = Math.min(e, c.mem > cl.maxNodeMem ? 0 : Math.floor(cl.memAlloc / c.mem))
      if (e === INF) e = c.replicas
      best = Math.max(best, e)
      if (e >= (c.mode === DIVISIBLE ? c.minPer : c.replicas)) {
        clustersOk++
        sum += e
      }
    }
    const where = c.residency ? ' within its residency' : ''
    const what = c.acc
      ? `${c.acc.count} × ${c.accSpec?.model ?? c.accSpec?.kind}${c.accSpec?.minFp16Tflops ? ` (≥ ${c.accSpec.minFp16Tflops} FP16 TFLOPS)` : ''} per replica`
      : `${c.cpu} mCPU, ${Math.round(c.mem / 2 ** 20)} MiB per replica`
    if (c.mode === GANG && clustersOk === 0)
      return { reason: 'never-fits', message: `no cluster${where} could ever hold all ${c.replicas} replicas of ${what} (at most ${best})` }
    if (c.mode === DUPLICATED && clustersOk < c.dupN)
      return {
        reason: 'never-fits',
        message: `only ${clustersOk} clusters${where} could ever hold the ${c.replicas} replicas of ${what}; ${c.dupN} asked`,
      }
    if (c.mode === DIVISIBLE && sum < c.replicas)
      return {
        reason: 'never-fits',
        message: `the clusters${where} could ever hold ${sum} of the ${c.replicas} replicas of ${what} (at least ${c.minPer} per cluster)`,
      }
    return null
  }

  private explain(c: Compiled, items: PlanItem[] | null): Explanation {
    const filtered = {} as Record<FilterReason, number>
    for (let r = 0; r < FILTER_REASONS.length; r++) filtered[FILTER_REASONS[r] as FilterReason] = this.counts[r] as number
    const m = Math.min(this.rank(), this.explainTop)
    const top: CandidateExplanation[] = []
    const scored = !this.policy.score && this.policy.selection === 'score'
    for (let r = 0; r < m; r++) {
      const f = this.order[r] as number
      const cl = this.clusters[this.fIdx[f] as number] as ClusterState
      top.push(this.candidate(c, cl, this.fSlot[f] as number, this.fFit[f] as number, this.fScore[f] as number, items, scored))
    }
    // Chosen clusters beyond the top (divisible and duplicated work), at most 20 more.
    let extra = 0
    for (const it of items ?? []) {
      if (extra >= 20 || top.some((t) => t.clusterId === it.cluster.id)) continue
      const slotIndex = it.slot ? it.cluster.slots.indexOf(it.slot) : -1
      const fit = this.fitOn(c, it.cluster, this.clock())
      const score = scored ? this.scoreOf(c, it.cluster, slotIndex, it.replicas, fit) : 0
      top.push(this.candidate(c, it.cluster, slotIndex, fit, score, items, scored))
      extra++
    }
    return {
      policy: this.policy.name,
      weights: scored ? c.weights : null,
      clusters: this.activeCount,
      evaluated: this.evaluated,
      feasible: this.nf,
      filtered,
      top,
    }
  }

  private candidate(
    c: Compiled,
    cl: ClusterState,
    slotIndex: number,
    fit: number,
    score: number,
    items: PlanItem[] | null,
    scored: boolean,
  ): CandidateExplanation {
    const slot = slotIndex >= 0 ? (cl.slots[slotIndex] as Slot) : null
    let placed: number | undefined
    if (items) for (const it of items) if (it.cluster === cl) placed = it.replicas
    return {
      clusterId: cl.id,
      classKey: slot?.key ?? null,
      score: round4(score),
      plugins: scored ? this.pluginsOf(c, cl, slotIndex, placed ?? Math.min(fit, c.replicas), fit) : null,
      fit,
      placed: placed ?? 0,
    }
  }

  // ------------------------------------------------------------ reserve, commit, release

  private addUncommitted(r: Reservation): void {
    this.uncommitted.add(r)
    let list = this.uncommittedByPriority.get(r.priority)
    if (!list) {
      list = { newest: null, oldest: null, size: 0, monotonic: true }
      this.uncommittedByPriority.set(r.priority, list)
    }
    const last = list.newest
    r.older = last
    r.newer = null
    if (last) {
      last.newer = r
      if (r.createdAt < last.createdAt) list.monotonic = false
    } else list.oldest = r
    list.newest = r
    list.size++
  }

  private deleteUncommitted(r: Reservation): void {
    if (!this.uncommitted.delete(r)) return
    const list = this.uncommittedByPriority.get(r.priority)
    if (!list) return
    if (r.older) r.older.newer = r.newer
    else list.oldest = r.newer
    if (r.newer) r.newer.older = r.older
    else list.newest = r.older
    r.older = null
    r.newer = null
    if (--list.size === 0) this.uncommittedByPriority.delete(r.priority)
  }

  private newReservation(c: Compiled, demand: QuotaDemand | null, now: number): Reservation {
    const seq = ++this.rseq
    return {
      id: `r-${seq}`,
      seq,
      older: null,
      newer: null,
      workloadId: c.id,
      department: c.department,
      priority: c.priority,
      createdAt: now,
      expiresAt: now + this.ttl,
      parts: [],
      demand,
      cpu: 0,
      mem: 0,
      released: false,
      compiled: c,
    }
  }

  private reserve(c: Compiled, items: PlanItem[], demand: QuotaDemand | null, now: number): Reservation {
    const r = this.newReservation(c, demand, now)
    for (const it of items) {
      const cl = it.cluster
      let nodes: number[] = []
      const count = c.acc?.count ?? 0
      if (it.slot) {
        const placed = it.slot.place(it.replicas, count)
        if (!placed) throw new Error(`internal: plan for ${c.id} does not fit ${cl.id}`)
        nodes = placed
      }
      const cpu = it.replicas * c.cpu
      const mem = it.replicas * c.mem
      if (cl.cpuFree < cpu || cl.memFree < mem) throw new Error(`internal: plan for ${c.id} overcommits ${cl.id}`)
      cl.cpuFree -= cpu
      cl.memFree -= mem
      const devices = it.replicas * count
      const fp16 = it.slot && it.slot.fp16 > 0 ? devices * it.slot.fp16 : 0
      const part: Part = {
        reservation: r,
        cluster: cl,
        slot: it.slot,
        replicas: it.replicas,
        cpu,
        mem,
        devices,
        fp16,
        nodes,
        committed: false,
        absorbed: false,
        released: false,
      }
      cl.parts.add(part)
      r.parts.push(part)
      r.cpu += cpu
      r.mem += mem
    }
    this.quotas.add(c.department, demand, r.cpu, r.mem, 1)
    this.reservations.set(r.id, r)
    this.addUncommitted(r)
    this.expiry.push(r.expiresAt, r)
    return r
  }

  /** Give a part's capacity back to its cluster. */
  private unapply(p: Part): void {
    if (p.absorbed) {
      p.cluster.parts.delete(p)
      return
    }
    const slot = p.slot
    if (slot) for (let i = 0; i < p.nodes.length; i += 2) slot.give(p.nodes[i] as number, p.nodes[i + 1] as number)
    p.cluster.cpuFree += p.cpu
    p.cluster.memFree += p.mem
    p.cluster.parts.delete(p)
  }

  /** Put a released part back exactly as it was (undoing a failed preemption). */
  private reapplyExact(p: Part): void {
    const slot = p.slot
    if (slot) for (let i = 0; i < p.nodes.length; i += 2) slot.take(p.nodes[i] as number, p.nodes[i + 1] as number)
    p.cluster.cpuFree -= p.cpu
    p.cluster.memFree -= p.mem
    p.cluster.parts.add(p)
  }

  private releaseReservation(r: Reservation): void {
    if (r.released) return
    for (const p of r.parts) {
      if (p.released) continue
      this.unapply(p)
      p.released = true
    }
    r.released = true
    this.quotas.add(r.department, r.demand, r.cpu, r.mem, -1)
    this.reservations.delete(r.id)
    this.deleteUncommitted(r)
  }

  /**
   * Release a reservation (the work finished or failed, or the owner withdrew it): its capacity and quota are
   * freed at once and the workload is forgotten. Call `retryPending()` afterwards to use the capacity.
   */
  release(reservationId: string): boolean {
    const r = this.reservations.get(reservationId)
    if (!r) return false
    this.releaseReservation(r)
    const rec = this.workloads.get(r.workloadId)
    if (rec && rec.reservation === r) this.workloads.delete(r.workloadId)
    return true
  }

  /** The agent confirmed (all parts, or the part on `clusterId`): no expiry for what is committed. */
  commit(reservationId: string, clusterId?: string): boolean {
    const r = this.reservations.get(reservationId)
    if (!r) return false
    let any = false
    for (const p of r.parts) {
      if (p.released || (clusterId !== undefined && p.cluster.id !== clusterId)) continue
      p.committed = true
      any = true
    }
    if (r.parts.every((p) => p.committed || p.released)) this.deleteUncommitted(r)
    return any
  }

  /** Withdraw a workload: pending → dropped; placed → its reservation released. */
  cancel(workloadId: string): boolean {
    const rec = this.workloads.get(workloadId)
    if (!rec) return false
    if (rec.reservation && !rec.reservation.released) this.releaseReservation(rec.reservation)
    this.pendingSet.delete(rec)
    this.workloads.delete(workloadId)
    return true
  }

  /**
   * Take back running work after a restart: a committed reservation for `workloadId` with the given parts, whose
   * pods the clusters' reports already count (parts are absorbed: nothing is deducted, quota is). Parts on clusters
   * the engine does not know, or without their device class, are left out and returned in `missing`: the caller
   * reschedules those replicas. Returns null when no part could be adopted.
   */
  adopt(
    spec: SchedulingRequest,
    workloadId: string,
    parts: readonly { clusterId: string; classKey: string | null; replicas: number }[],
  ): { reservationId: string; missing: string[] } | null {
    const now = this.clock()
    if (this.workloads.has(workloadId)) throw new Error(`workload ${workloadId} is already pending or placed`)
    const c = this.compile(spec, workloadId, ++this.subSeq)
    if (typeof c === 'string') throw new Error(`cannot adopt ${workloadId}: ${c}`)
    const items: PlanItem[] = []
    const missing: string[] = []
    for (const p of parts) {
      const cl = this.byId.get(p.clusterId)
      const slot = p.classKey && cl ? (cl.slots.find((s) => s.key === p.classKey) ?? null) : null
      if (!cl?.active || (p.classKey !== null && !slot) || p.replicas <= 0) {
        missing.push(p.clusterId)
        continue
      }
      items.push({ cluster: cl, slot, replicas: p.replicas })
    }
    if (items.length === 0) return null
    const demand = this.demandOf(c, items)
    const r = this.newReservation(c, demand, now)
    for (const it of items) {
      const count = c.acc?.count ?? 0
      const devices = it.replicas * count
      const part: Part = {
        reservation: r,
        cluster: it.cluster,
        slot: it.slot,
        replicas: it.replicas,
        cpu: it.replicas * c.cpu,
        mem: it.replicas * c.mem,
        devices,
        fp16: it.slot && it.slot.fp16 > 0 ? devices * it.slot.fp16 : 0,
        nodes: [],
        committed: true,
        absorbed: true,
        released: false,
      }
      it.cluster.parts.add(part)
      r.parts.push(part)
      r.cpu += part.cpu
      r.mem += part.mem
    }
    this.quotas.add(c.department, demand, r.cpu, r.mem, 1)
    this.reservations.set(r.id, r)
    const record: WorkloadRecord = { compiled: c, state: 'reserved', reservation: r, decision: PLACEHOLDER, reason: null }
    record.decision = {
      workloadId,
      status: 'placed',
      reservationId: r.id,
      placements: r.parts.map((p) => ({
        clusterId: p.cluster.id,
        classKey: p.slot?.key ?? null,
        model: p.slot?.model ?? null,
        replicas: p.replicas,
        devices: p.devices,
        fp16Tflops: p.fp16,
      })),
      reason: null,
      message: 'adopted after a restart',
      explanation: emptyExplanation(this),
      decidedAt: now,
      preempted: [],
    }
    this.workloads.set(workloadId, record)
    return { reservationId: r.id, missing }
  }

  // ------------------------------------------------------------ time: expiry and deadlines

  /** Expire reservations past their TTL and pending workloads past their deadline. Called by every operation. */
  tick(now: number = this.clock()): void {
    while (this.expiry.peekKey() <= now) {
      const r = this.expiry.pop()
      if (!r || r.released) continue
      const open = r.parts.filter((p) => !p.committed && !p.released)
      if (open.length === 0) continue
      const all = open.length === r.parts.filter((p) => !p.released).length
      const clusters = open.map((p) => p.cluster.id)
      let requeued = false
      if (all) {
        this.releaseReservation(r)
        requeued = this.requeue(r.compiled, now)
      } else {
        // Some parts are running: release only the unconfirmed ones; the owner reschedules those replicas.
        for (const p of open) {
          this.unapply(p)
          p.released = true
          r.cpu -= p.cpu
          r.mem -= p.mem
          this.quotas.add(r.department, r.demand ? { kind: r.demand.kind, devices: p.devices, fp16: p.fp16 } : null, p.cpu, p.mem, -1)
          if (r.demand) r.demand = { kind: r.demand.kind, devices: r.demand.devices - p.devices, fp16: r.demand.fp16 - p.fp16 }
        }
        this.deleteUncommitted(r)
      }
      this.counters.expired++
      this.emit({ type: 'expired', reservationId: r.id, workloadId: r.workloadId, clusters, requeued })
    }
    while (this.deadlines.peekKey() <= now) {
      const rec = this.deadlines.pop()
      if (!rec || !this.pendingSet.has(rec) || rec.compiled.deadline > now) continue
      this.pendingSet.delete(rec)
      this.workloads.delete(rec.compiled.id)
      const d = this.finishRejected(rec, 'deadline', 'deadline passed before the workload could be placed', now)
      this.emit({ type: 'rejected', decision: d })
    }
  }

  private enqueue(rec: WorkloadRecord): void {
    this.pendingSet.add(rec)
    if (rec.compiled.deadline !== INF) this.deadlines.push(rec.compiled.deadline, rec)
  }

  /** Queue a workload again after its reservation was lost (expiry, preemption, displacement), keeping its place. */
  private requeue(c: Compiled, now: number): boolean {
    const rec = this.workloads.get(c.id)
    if (!rec) return false
    rec.reservation = null
    rec.state = 'pending'
    if (c.deadline <= now) {
      this.workloads.delete(c.id)
      const d = this.finishRejected(rec, 'deadline', 'deadline passed before the workload could be placed again', now)
      this.emit({ type: 'rejected', decision: d })
      return false
    }
    rec.reason = null
    this.enqueue(rec)
    return true
  }

  // ------------------------------------------------------------ preemption

  /** Whether a cluster passes the request's residency and capability filters (the ones capacity cannot change). */
  private eligible(c: Compiled, cl: ClusterState): boolean {
    if (!cl.active) return false
    if (c.residency && c.residency.mask[cl.index] !== 1) return false
    if (!c.acc) return true
    for (const s of cl.slots) if (c.acc.match[s.cls] === 1) return true
    return false
  }

  /**
   * Make room by releasing lower-priority reservations that are not committed (committed ones too when configured),
   * and — for a department within its own quota — what cohort members borrowed. Victims are released one at a time,
   * lowest priority and newest first, until the request fits; if it never does, every victim is put back exactly.
   */
  private tryPreemption(
    c: Compiled,
    now: number,
    failure: 'capacity' | 'quota',
  ): { items: PlanItem[]; demand: QuotaDemand | null; victims: string[] } | null {
    if (this.reservations.size === 0) return null
    const kind = c.acc?.kind ?? -1
    const cohort = this.quotas.cohortOf(c.department)
    const ownDemand = c.acc ? { kind, devices: c.replicas * c.acc.count * (c.mode === DUPLICATED ? c.dupN : 1), fp16: 0 } : null
    const mayReclaim = failure === 'quota' && cohort !== null && this.quotas.withinOwn(c.department, ownDemand)
    // The victims: the first maxVictims by priority (lowest first), then newest first, then creation order — the same
    // ones, in the same order, as a stable sort of every candidate gave, without visiting thousands of them: only
    // priorities below the request's own (unless it may reclaim borrowed quota), lowest first, each newest first, and
    // no further once nothing left can come before the ones found.
    const max = this.preempt.maxVictims
    const victims: Reservation[] = []
    const before = (a: Reservation, b: Reservation) =>
      a.priority !== b.priority ? a.priority < b.priority : a.createdAt !== b.createdAt ? a.createdAt > b.createdAt : a.seq < b.seq
    // Whether a cluster passes the request's residency and capability filters, once per cluster (0: not known yet).
    const eligibleOf = new Int8Array(this.clusters.length)
    const consider = (r: Reservation): void => {
      if (r.released) return
      const lower = r.priority < c.priority
      let reclaim = false
      if (!lower) {
        if (!mayReclaim || r.department === c.department || this.quotas.cohortOf(r.department) !== cohort) return
        if (!r.demand || r.demand.kind !== kind || !this.quotas.borrowing(r.department, kind)) return
        reclaim = true
      }
      let usable = true
      let relevant = false
      for (const p of r.parts) {
        if (p.released) continue
        if (p.committed && !this.preempt.running) usable = false
        if (failure === 'capacity' && !relevant) {
          const i = p.cluster.index
          let e = eligibleOf[i] as number
          if (e === 0) {
            e = this.eligible(c, p.cluster) ? 1 : -1
            eligibleOf[i] = e
          }
          if (e === 1) relevant = true
        }
      }
      if (!usable) return
      if (failure === 'quota') {
        const sameBook = r.department === c.department || (cohort !== null && this.quotas.cohortOf(r.department) === cohort)
        relevant = reclaim || (sameBook && r.demand !== null && r.demand.kind === kind)
      }
      if (!relevant) return
      if (victims.length === max && !before(r, victims[max - 1] as Reservation)) return
      let lo = 0
      let hi = victims.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (before(r, victims[mid] as Reservation)) hi = mid
        else lo = mid + 1
      }
      victims.splice(lo, 0, r)
      if (victims.length > max) victims.pop()
    }
    if (this.preempt.running) {
      // Committed reservations count too: every reservation is a candidate.
      for (const r of this.reservations.values()) consider(r)
    } else {
      const priorities = [...this.uncommittedByPriority.keys()].filter((p) => mayReclaim || p < c.priority).sort((a, b) => a - b)
      for (const priority of priorities) {
        const list = this.uncommittedByPriority.get(priority) as UncommittedList
        const last = victims[max - 1]
        // Full of victims of a lower priority: none of this priority (or above) comes before them.
        if (victims.length === max && last && last.priority < priority) break
        for (let r = list.newest; r; r = r.older) {
          // Newest first: once full and the rest are older than the last victim, none of them comes before it.
          const worst = victims.length === max ? (victims[max - 1] as Reservation) : null
          if (worst && list.monotonic && worst.priority <= priority && r.createdAt < worst.createdAt) break
          consider(r)
        }
      }
    }
    if (victims.length === 0) return null
    const released: Reservation[] = []
    for (const v of victims) {
      for (const p of v.parts) if (!p.released) this.unapply(p)
      this.quotas.add(v.department, v.demand, v.cpu, v.mem, -1)
      released.push(v)
      // Only a cluster the victim freed can have become feasible: skip the full evaluation otherwise.
      if (failure === 'capacity' && c.mode !== DIVISIBLE) {
        let hope = false
        for (const p of v.parts) {
          if (p.released || !this.eligible(c, p.cluster)) continue
          if (this.fitOn(c, p.cluster, now) >= c.replicas) hope = true
        }
        if (!hope) continue
      }
      const items = this.evaluateAndPlan(c, now)
      if (!items) continue
      const demand = this.demandOf(c, items)
      if (!this.quotas.admits(c.department, demand)) continue
      // Success. Victims that freed nothing the plan uses (clusters, quota) are put back as they were.
      const used = new Set(items.map((it) => it.cluster))
      const preempted: Reservation[] = []
      for (const x of released) {
        if (x.parts.some((p) => !p.released && used.has(p.cluster))) {
          preempted.push(x)
          continue
        }
        this.quotas.add(x.department, x.demand, x.cpu, x.mem, 1)
        if (!this.quotas.admits(c.department, demand)) {
          this.quotas.add(x.department, x.demand, x.cpu, x.mem, -1)
          preempted.push(x)
          continue
        }
        for (const p of x.parts) if (!p.released) this.reapplyExact(p)
      }
      // The rest go back to the queue.
      for (const x of preempted) {
        for (const p of x.parts) p.released = true
        x.released = true
        this.reservations.delete(x.id)
        this.deleteUncommitted(x)
        this.requeue(x.compiled, now)
        this.counters.preemptions++
        this.emit({ type: 'preempted', reservationId: x.id, workloadId: x.workloadId, by: c.id })
      }
      return { items, demand, victims: preempted.map((x) => x.id) }
    }
    // Failure: put everything back as it was.
    for (let i = released.length - 1; i >= 0; i--) {
      const v = released[i] as Reservation
      for (const p of v.parts) if (!p.released) this.reapplyExact(p)
      this.quotas.add(v.department, v.demand, v.cpu, v.mem, 1)
    }
    this.evaluate(c, now, this.keepFor(c))
    return null
  }

  // ------------------------------------------------------------ the pending queue

  /**
   * Try the pending workloads again (after a release, a capacity update, or as time passes). Order: priority, then
   * the department with the smallest dominant-resource share (DRF), then submission order. Returns the decisions that
   * changed the workload's state (placed or rejected); the same go to `onEvent`.
   */
  retryPending(opts: { maxAttempts?: number } = {}): Decision[] {
    const now = this.clock()
    this.tick(now)
    if (this.pendingSet.size === 0) return []
    const maxAttempts = opts.maxAttempts ?? INF
    // Upper bounds of what any cluster has free, to skip hopeless retries cheaply.
    this.passFit.clear()
    const maxFree = new Float64Array(this.classes.length)
    let maxCpu = 0
    let maxMem = 0
    {
      const hot = this.hot
      const sa = this.slotArrays
      const n = this.clusters.length
      for (let i = 0; i < n; i++) {
        if (hot.active[i] !== 1) continue
        if ((hot.cpuFree[i] as number) > maxCpu) maxCpu = hot.cpuFree[i] as number
        if ((hot.memFree[i] as number) > maxMem) maxMem = hot.memFree[i] as number
        const start = hot.slotStart[i] as number
        const end = start + (hot.slotN[i] as number)
        for (let g = start; g < end; g++) {
          const k = sa.cls[g] as number
          if ((sa.free[g] as number) > (maxFree[k] as number)) maxFree[k] = sa.free[g] as number
        }
      }
    }
    const heap = new MinHeap<{ rec: WorkloadRecord; share: number }>()
    const keyOf = (priority: number, share: number) => (1000 - priority) * 16 + Math.min(share, 15)
    const ordered = [...this.pendingSet].sort((a, b) => a.compiled.seq - b.compiled.seq)
    for (const rec of ordered) {
      const share = this.quotas.dominantShare(rec.compiled.department, this.totals)
      heap.push(keyOf(rec.compiled.priority, share), { rec, share })
    }
    const out: Decision[] = []
    const failedShapes = new Set<string>()
    let preemptions = this.counters.preemptions
    let attempts = 0
    while (heap.size > 0 && attempts < maxAttempts) {
      const e = heap.pop()
      if (!e || !this.pendingSet.has(e.rec)) continue
      const share = this.quotas.dominantShare(e.rec.compiled.department, this.totals)
      if (share > e.share + 1e-12) {
        heap.push(keyOf(e.rec.compiled.priority, share), { rec: e.rec, share })
        continue
      }
      const c = this.recompile(e.rec.compiled)
      e.rec.compiled = c
      if (c.notBefore > now) continue
      if (c.deadline > now && !this.mayFit(c, maxFree, maxCpu, maxMem)) continue
      // The same shape (resources, division, residency, priority) already failed for capacity in this pass, and
      // nothing was released since: it fails again.
      const shape = c.deadline > now ? shapeOf(c) : ''
      if (shape && failedShapes.has(shape) && this.counters.preemptions === preemptions) continue
      attempts++
      this.counters.retryAttempts++
      const d = this.attempt(e.rec, now, false)
      if (this.counters.preemptions !== preemptions) {
        failedShapes.clear()
        preemptions = this.counters.preemptions
      }
      if (d.status === 'pending') {
        if (d.reason === 'capacity' || d.reason === 'health') failedShapes.add(shape)
        continue
      }
      this.counters[d.status]++
      this.pendingSet.delete(e.rec)
      if (d.status === 'rejected') this.workloads.delete(c.id)
      out.push(d)
      this.emit({ type: d.status === 'placed' ? 'placed' : 'rejected', decision: d })
    }
    return out
  }

  /** A necessary condition for a pending workload to fit somewhere now. */
  private mayFit(c: Compiled, maxFree: Float64Array, maxCpu: number, maxMem: number): boolean {
    const per = c.mode === DIVISIBLE ? c.minPer : c.replicas
    if (c.cpu * per > maxCpu || c.mem * per > maxMem) return false
    if (!c.acc) return true
    const need = per * c.acc.count
    let free = false
    for (const g of c.acc.classes) if ((maxFree[g] ?? 0) >= need) free = true
    if (!free || c.acc.count === 1) return free
    // enough free devices somewhere: are they on nodes that hold whole replicas? (max over the class's clusters)
    for (const g of c.acc.classes) if (this.maxFitOf(g, c.acc.count) >= per) return true
    return false
  }

  /** The most replicas of `count` devices any one cluster's slot of class g holds now (cached for one retry pass). */
  private maxFitOf(g: number, count: number): number {
    const key = g * 1024 + count
    let v = this.passFit.get(key)
    if (v === undefined) {
      v = 0
      const hot = this.hot
      const sa = this.slotArrays
      for (const i of (this.classes[g] as GlobalClass).clusters) {
        if (hot.active[i] !== 1) continue
        const start = hot.slotStart[i] as number
        const end = start + (hot.slotN[i] as number)
        for (let s = start; s < end; s++) {
          if (sa.cls[s] !== g || (sa.maxPer[s] as number) < count) continue
          const f = count === 1 ? (sa.free[s] as number) : sa.fitCount[s] === count ? (sa.fitVal[s] as number) : sa.fitOf(s, count)
          if (f > v) v = f
        }
      }
      this.passFit.set(key, v)
    }
    return v
  }

  // ------------------------------------------------------------ reading

  /** The last decision about a workload the engine still holds (pending or placed). */
  decisionOf(workloadId: string): Decision | undefined {
    return this.workloads.get(workloadId)?.decision
  }

  reservation(id: string): ReservationView | undefined {
    const r = this.reservations.get(id)
    if (!r) return undefined
    const live = r.parts.filter((p) => !p.released)
    return {
      id: r.id,
      workloadId: r.workloadId,
      department: r.department,
      priority: r.priority,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      state: r.released ? 'released' : live.every((p) => p.committed) ? 'committed' : 'reserved',
      placements: live.map(placementOf),
      committedClusters: live.filter((p) => p.committed).map((p) => p.cluster.id),
    }
  }

  /** Pending workloads in queue order (priority, DRF share, submission). */
  pending(): { workloadId: string; department: string; priority: number; reason: PendingReason | null; submittedSeq: number }[] {
    const share = (d: string) => this.quotas.dominantShare(d, this.totals)
    return [...this.pendingSet]
      .map((r) => ({
        workloadId: r.compiled.id,
        department: r.compiled.department,
        priority: r.compiled.priority,
        reason: r.reason,
        submittedSeq: r.compiled.seq,
        share: share(r.compiled.department),
      }))
      .sort((a, b) => b.priority - a.priority || a.share - b.share || a.submittedSeq - b.submittedSeq)
      .map(({ share: _s, ...rest }) => rest)
  }

  get pendingCount(): number {
    return this.pendingSet.size
  }

  get reservationCount(): number {
    return this.reservations.size
  }

  /** Live figures of every cluster (free after reservations). */
  clusterViews(): ClusterView[] {
    const out: ClusterView[] = []
    for (const cl of this.clusters) {
      if (!cl.active) continue
      out.push({
        id: cl.id,
        province: cl.cap.province,
        hub: cl.cap.hub,
        greenShare: cl.cap.energy.greenShare,
        cpu: { allocatableMillis: cl.cpuAlloc, freeMillis: cl.cpuFree },
        memory: { allocatableBytes: cl.memAlloc, freeBytes: cl.memFree },
        accelerators: cl.slots.map((s) => ({ key: s.key, kind: s.kind, model: s.model, allocatable: s.alloc, free: s.free })),
        reservations: cl.parts.size,
      })
    }
    return out
  }

  /**
   * Check the invariants from scratch: per cluster and class, reported free − what active reservations hold equals
   * the free figure, node by node, and is never negative (no overcommit); CPU and memory likewise; quotas hold.
   */
  audit(): AuditReport {
    const v: string[] = []
    for (const cl of this.clusters) {
      if (!cl.active) continue
      let cpu = cl.cpuBase
      let mem = cl.memBase
      const held = new Map<Slot, Int32Array>()
      for (const p of cl.parts) {
        if (p.absorbed) continue
        if (p.released) v.push(`${cl.id}: released part of ${p.reservation.id} still listed`)
        cpu -= p.cpu
        mem -= p.mem
        if (p.slot) {
          let h = held.get(p.slot)
          if (!h) {
            h = new Int32Array(p.slot.nodeBase.length)
            held.set(p.slot, h)
          }
          for (let i = 0; i < p.nodes.length; i += 2)
            h[p.nodes[i] as number] = (h[p.nodes[i] as number] as number) + (p.nodes[i + 1] as number)
        }
      }
      if (Math.abs(cpu - cl.cpuFree) > 1e-6) v.push(`${cl.id}: CPU free ${cl.cpuFree} ≠ reported − reserved ${cpu}`)
      if (Math.abs(mem - cl.memFree) > 1e-3) v.push(`${cl.id}: memory free ${cl.memFree} ≠ reported − reserved ${mem}`)
      if (cpu < -1e-6) v.push(`${cl.id}: CPU overcommitted by ${-cpu} m`)
      if (mem < -1e-3) v.push(`${cl.id}: memory overcommitted by ${-mem} B`)
      for (const s of cl.slots) {
        const h = held.get(s)
        let free = 0
        const hist = new Int32Array(s.maxPerNode + 1)
        for (let n = 0; n < s.nodeBase.length; n++) {
          const f = (s.nodeBase[n] as number) - (h ? (h[n] as number) : 0)
          if (f < 0) v.push(`${cl.id} ${s.key} node ${n}: overcommitted by ${-f}`)
          if (f !== s.nodeFree[n]) v.push(`${cl.id} ${s.key} node ${n}: free ${s.nodeFree[n]} ≠ reported − reserved ${f}`)
          free += f
          if (f >= 0 && f <= s.maxPerNode) hist[f] = (hist[f] as number) + 1
        }
        if (free !== s.free) v.push(`${cl.id} ${s.key}: free ${s.free} ≠ reported − reserved ${free}`)
        for (let k = 0; k <= s.maxPerNode; k++) if (hist[k] !== s.hist(k)) v.push(`${cl.id} ${s.key}: histogram out of step at ${k}`)
      }
    }
    v.push(...this.quotas.check())
    return { ok: v.length === 0, violations: v }
  }

  private emit(e: SchedulerEvent): void {
    this.onEvent?.(e)
  }
}

// ---------------------------------------------------------------- helpers

const EMPTY_MATCH = new Uint8Array(0)

/**
 * Headroom (Karmada's "available replicas" made a bounded score): (fit − take) ÷ (fit + take), where fit is how many
 * replicas of this shape the cluster holds now and take how many this request puts there. 0 when it takes all that
 * fits, → 1 when it is small against what is left: small work is indifferent (and goes green), big gangs go where
 * many more of their shape still fit, which leaves the small pockets to work that residency confines to them.
 */
function headroomOf(fit: number, take: number): number {
  return fit > take ? (fit - take) / (fit + take) : 0
}

/** What decides whether a request fits now, as a string (department aside: it only matters for quota). */
function shapeOf(c: Compiled): string {
  if (c.shape !== null) return c.shape
  const r = c.spec.residency
  const where = r ? `${(r.provinces ?? []).join(',')}/${(r.hubs ?? []).join(',')}` : '*'
  c.shape = `${c.acc?.key ?? '-'}|${c.cpu}|${c.mem}|${c.replicas}|${c.mode}|${c.minPer}|${c.dupN}|${c.priority}|${where}`
  return c.shape
}

function clamp01(x: number): number {
  return x < 0 ? 0 : Math.min(x, 1)
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000
}

function placementOf(p: Part): Placement {
  return {
    clusterId: p.cluster.id,
    classKey: p.slot?.key ?? null,
    model: p.slot?.model ?? null,
    replicas: p.replicas,
    devices: p.devices,
    fp16Tflops: Math.round(p.fp16 * 100) / 100,
  }
}

function emptyExplanation(s: { policyName: string }): Explanation {
  const filtered = {} as Record<FilterReason, number>
  for (const r of FILTER_REASONS) filtered[r] = 0
  return { policy: s.policyName, weights: null, clusters: 0, evaluated: 0, feasible: 0, filtered, top: [] }
}

/** A record's decision before its first attempt returns (never handed out). */
const PLACEHOLDER: Decision = Object.freeze({
  workloadId: '',
  status: 'pending',
  reservationId: null,
  placements: [],
  reason: null,
  message: null,
  explanation: {
    policy: '',
    weights: null,
    clusters: 0,
    evaluated: 0,
    feasible: 0,
    filtered: { residency: 0, capability: 0, health: 0, capacity: 0, nodeFit: 0 },
    top: [],
  },
  decidedAt: 0,
  preempted: [],
}) as Decision
