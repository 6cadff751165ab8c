import { SCHEDULABLE_KINDS, type SchedulableKind } from './types'

/** Limits for one accelerator kind; an absent measure is unlimited. */
export interface KindLimit {
  devices?: number
  fp16Tflops?: number
}

export interface DepartmentQuota {
  /** Departments of one cohort lend each other their idle quota. */
  cohort?: string
  /** Nominal quota by kind. A kind not listed has 0 of its own (it can still borrow within the cohort). */
  limits: Partial<Record<SchedulableKind, KindLimit>>
  /** How far above its own quota the department may borrow, by kind (absent: up to the cohort's idle quota). */
  borrowingLimit?: Partial<Record<SchedulableKind, KindLimit>>
}

export interface QuotaConfig {
  departments?: Record<string, DepartmentQuota>
  /** Departments without an entry: `unlimited` (default) or `deny` (no accelerators at all). */
  unlisted?: 'unlimited' | 'deny'
}

/** One request's accelerator demand against quota: devices and FP16 TFLOPS of one kind. */
export interface QuotaDemand {
  kind: number
  devices: number
  fp16: number
}

const KIND_INDEX = new Map<string, number>(SCHEDULABLE_KINDS.map((k, i) => [k, i]))
export const kindIndex = (kind: string): number => KIND_INDEX.get(kind) ?? -1
const NK = SCHEDULABLE_KINDS.length
const INF = Number.POSITIVE_INFINITY

/** Usage of one department: accelerators (devices, FP16) by kind, CPU and memory for fair sharing. */
export interface DepartmentUsage {
  devices: Float64Array
  fp16: Float64Array
  cpuMillis: number
  memoryBytes: number
}

interface Dept {
  name: string
  cohort: Cohort | null
  /** [kind * 2 + measure]: own limit; measure 0 = devices, 1 = fp16 */
  own: Float64Array
  /** own + borrowing limit */
  ceiling: Float64Array
  usage: DepartmentUsage
}

interface Cohort {
  name: string
  limit: Float64Array
  usage: Float64Array
  members: Dept[]
}

/**
 * Quotas (Kueue-like): a department is admitted when its usage stays within its own quota plus its borrowing limit,
 * and — within a cohort — the cohort's usage stays within the sum of its members' quotas (borrowing only takes
 * idle quota); outside a cohort, within its own quota. So a department exceeds its own quota only by borrowing
 * within its cohort. Usage counts every active reservation (reserved or committed).
 */
export class QuotaBook {
  private readonly depts = new Map<string, Dept>()
  private readonly cohorts = new Map<string, Cohort>()
  private readonly unlisted: 'unlimited' | 'deny'

  constructor(config: QuotaConfig = {}) {
    this.unlisted = config.unlisted ?? 'unlimited'
    for (const [name, q] of Object.entries(config.departments ?? {})) {
      const own = new Float64Array(NK * 2)
      const ceiling = new Float64Array(NK * 2)
      for (let k = 0; k < NK; k++) {
        const kind = SCHEDULABLE_KINDS[k] as SchedulableKind
        const l = q.limits[kind]
        const b = q.borrowingLimit?.[kind]
        own[k * 2] = l ? (l.devices ?? INF) : 0
        own[k * 2 + 1] = l ? (l.fp16Tflops ?? INF) : 0
        ceiling[k * 2] = q.cohort ? (own[k * 2] as number) + (b ? (b.devices ?? INF) : INF) : (own[k * 2] as number)
        ceiling[k * 2 + 1] = q.cohort ? (own[k * 2 + 1] as number) + (b ? (b.fp16Tflops ?? INF) : INF) : (own[k * 2 + 1] as number)
      }
      let cohort: Cohort | null = null
      if (q.cohort) {
        cohort = this.cohorts.get(q.cohort) ?? null
        if (!cohort) {
          cohort = { name: q.cohort, limit: new Float64Array(NK * 2), usage: new Float64Array(NK * 2), members: [] }
          this.cohorts.set(q.cohort, cohort)
        }
        for (let i = 0; i < NK * 2; i++) cohort.limit[i] = (cohort.limit[i] as number) + (own[i] as number)
      }
      const dept: Dept = { name, cohort, own, ceiling, usage: emptyUsage() }
      cohort?.members.push(dept)
      this.depts.set(name, dept)
    }
  }

  private dept(name: string): Dept {
    let d = this.depts.get(name)
    if (!d) {
      const fill = this.unlisted === 'unlimited' ? INF : 0
      d = {
        name,
        cohort: null,
        own: new Float64Array(NK * 2).fill(fill),
        ceiling: new Float64Array(NK * 2).fill(fill),
        usage: emptyUsage(),
      }
      this.depts.set(name, d)
    }
    return d
  }

  /** Whether adding `demand` keeps the department within quota (own, or borrowed within its cohort). */
  admits(department: string, demand: QuotaDemand | null): boolean {
    if (!demand || demand.kind < 0) return true
    const d = this.dept(department)
    const i = demand.kind * 2
    return this.fits(d, i, demand.devices) && this.fits(d, i + 1, demand.fp16)
  }

  private fits(d: Dept, i: number, x: number): boolean {
    if (x <= 0) return true
    const u = this.usageAt(d, i)
    if (u + x > (d.ceiling[i] as number) + 1e-9) return false
    if (d.cohort) return (d.cohort.usage[i] as number) + x <= (d.cohort.limit[i] as number) + 1e-9
    return u + x <= (d.own[i] as number) + 1e-9
  }

  /** Within its own quota (so it may reclaim what cohort members borrowed). */
  withinOwn(department: string, demand: QuotaDemand | null): boolean {
    if (!demand || demand.kind < 0) return true
    const d = this.dept(department)
    const i = demand.kind * 2
    return (
      this.usageAt(d, i) + demand.devices <= (d.own[i] as number) + 1e-9 &&
      this.usageAt(d, i + 1) + demand.fp16 <= (d.own[i + 1] as number) + 1e-9
    )
  }

  /** Whether the department is above its own quota for this kind (it is borrowing). */
  borrowing(department: string, kind: number): boolean {
    if (kind < 0) return false
    const d = this.dept(department)
    return (
      this.usageAt(d, kind * 2) > (d.own[kind * 2] as number) + 1e-9 ||
      this.usageAt(d, kind * 2 + 1) > (d.own[kind * 2 + 1] as number) + 1e-9
    )
  }

  /** Departments with a quota entry. */
  configured(): string[] {
    return [...this.depts.keys()]
  }

  get unlistedPolicy(): 'unlimited' | 'deny' {
    return this.unlisted
  }

  /** A department's own quota of a kind (Infinity: unlimited). */
  ownLimit(department: string, kind: number): { devices: number; fp16: number } {
    const d = this.depts.get(department)
    if (!d) return this.unlisted === 'unlimited' ? { devices: INF, fp16: INF } : { devices: 0, fp16: 0 }
    return { devices: d.own[kind * 2] as number, fp16: d.own[kind * 2 + 1] as number }
  }

  cohortOf(department: string): string | null {
    return this.dept(department).cohort?.name ?? null
  }

  /** The most the department could ever hold of a kind (own + borrowing, capped by the cohort's total quota). */
  maxAdmissible(department: string, kind: number): { devices: number; fp16: number } {
    if (kind < 0) return { devices: INF, fp16: INF }
    const d = this.dept(department)
    const cap = (i: number) => Math.min(d.ceiling[i] as number, d.cohort ? (d.cohort.limit[i] as number) : (d.own[i] as number))
    return { devices: cap(kind * 2), fp16: cap(kind * 2 + 1) }
  }

  add(department: string, demand: QuotaDemand | null, cpuMillis: number, memoryBytes: number, sign: 1 | -1): void {
    const d = this.dept(department)
    d.usage.cpuMillis += sign * cpuMillis
    d.usage.memoryBytes += sign * memoryBytes
    if (!demand || demand.kind < 0) return
    const k = demand.kind
    d.usage.devices[k] = (d.usage.devices[k] as number) + sign * demand.devices
    d.usage.fp16[k] = (d.usage.fp16[k] as number) + sign * demand.fp16
    if (d.cohort) {
      d.cohort.usage[k * 2] = (d.cohort.usage[k * 2] as number) + sign * demand.devices
      d.cohort.usage[k * 2 + 1] = (d.cohort.usage[k * 2 + 1] as number) + sign * demand.fp16
    }
  }

  private usageAt(d: Dept, i: number): number {
    const k = i >> 1
    return (i & 1 ? d.usage.fp16[k] : d.usage.devices[k]) as number
  }

  usage(department: string): DepartmentUsage {
    return this.dept(department).usage
  }

  /**
   * Dominant-resource share: the largest share of the fleet's CPU, memory or devices of any kind the department
   * holds (Ghodsi et al., DRF). The pending queue serves the department with the smallest share first.
   */
  dominantShare(department: string, totals: { cpuMillis: number; memoryBytes: number; devices: Float64Array }): number {
    const u = this.dept(department).usage
    let s = 0
    if (totals.cpuMillis > 0) s = Math.max(s, u.cpuMillis / totals.cpuMillis)
    if (totals.memoryBytes > 0) s = Math.max(s, u.memoryBytes / totals.memoryBytes)
    for (let k = 0; k < NK; k++) {
      const t = totals.devices[k] as number
      if (t > 0) s = Math.max(s, (u.devices[k] as number) / t)
    }
    return s
  }

  /** Every violation of the quota invariant (for tests and the benchmark's audit). */
  check(): string[] {
    const out: string[] = []
    for (const d of this.depts.values()) {
      for (let i = 0; i < NK * 2; i++) {
        const u = this.usageAt(d, i)
        const what = `${d.name} ${SCHEDULABLE_KINDS[i >> 1]} ${i & 1 ? 'fp16' : 'devices'}`
        if (u > (d.ceiling[i] as number) + 1e-6) out.push(`${what}: usage ${u} above own + borrowing limit ${d.ceiling[i]}`)
        if (!d.cohort && u > (d.own[i] as number) + 1e-6) out.push(`${what}: usage ${u} above quota ${d.own[i]} without a cohort`)
      }
    }
    for (const c of this.cohorts.values()) {
      for (let i = 0; i < NK * 2; i++) {
        let sum = 0
        for (const m of c.members) sum += this.usageAt(m, i)
        if (Math.abs(sum - (c.usage[i] as number)) > 1e-6) out.push(`cohort ${c.name}: usage book ${c.usage[i]} ≠ members' sum ${sum}`)
        if (sum > (c.limit[i] as number) + 1e-6)
          out.push(`cohort ${c.name} ${SCHEDULABLE_KINDS[i >> 1]}: usage ${sum} above the cohort quota ${c.limit[i]}`)
      }
    }
    return out
  }
}

function emptyUsage(): DepartmentUsage {
  return { devices: new Float64Array(NK), fp16: new Float64Array(NK), cpuMillis: 0, memoryBytes: 0 }
}
