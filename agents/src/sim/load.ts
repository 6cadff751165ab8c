import { hashUnit } from './prng'

const HOUR_MS = 3_600_000
const BEIJING_OFFSET_H = 8

/** How busy a cluster is over time; fixed per cluster by the seed. */
export interface LoadProfile {
  /** CPU utilization at the working-day peak, 0..1. */
  peak: number
  /** Night level as a fraction of the peak. */
  trough: number
  /** Hours the local working day runs behind Beijing time (far west, plus per-cluster habit). */
  lagHours: number
  /** Memory in use regardless of load, share of allocatable. */
  memoryFloor: number
  /** Requests over use: how generously pods ask (≥ 1). */
  requestOverUse: number
  /** Accelerator busy share at the peak, 0..1. */
  acceleratorPeak: number
  /** Relative amplitude of the slow random wander of the load. */
  wander: number
  noiseSeed: number
}

function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)))
  return t * t * (3 - 2 * t)
}

/** Hour of the day (0..24) in Beijing time. */
export function beijingHour(t: number): number {
  const h = (t / HOUR_MS + BEIJING_OFFSET_H) % 24
  return h < 0 ? h + 24 : h
}

/** Working-day shape, 0 at night and 1 from about 09:30 to 18:00 local time. */
export function workdayShape(localHour: number): number {
  const h = ((localHour % 24) + 24) % 24
  return smoothstep(7, 9.5, h) * (1 - smoothstep(18, 21.5, h))
}

function isWeekend(t: number, lagHours: number): boolean {
  const localDays = Math.floor((t / HOUR_MS + BEIJING_OFFSET_H - lagHours) / 24)
  // 1970-01-01 was a Thursday.
  const dow = (((localDays + 4) % 7) + 7) % 7
  return dow === 0 || dow === 6
}

/** Slow noise in [-1, 1]: random values every 10 minutes, smoothly joined. */
export function wanderNoise(seed: number, t: number): number {
  const knot = 600_000
  const k = Math.floor(t / knot)
  const f = t / knot - k
  const a = hashUnit(seed, k) * 2 - 1
  const b = hashUnit(seed, k + 1) * 2 - 1
  const s = f * f * (3 - 2 * f)
  return a + (b - a) * s
}

/** The day component at `t` for this cluster: 0 at night, 1 at a working-day peak, damped at weekends. */
export function dayFactor(p: LoadProfile, t: number): number {
  const d = workdayShape(beijingHour(t) - p.lagHours)
  return isWeekend(t, p.lagHours) ? d * 0.45 : d
}

/** Cluster-wide CPU utilization at `t`, 0..0.95. */
export function cpuLevel(p: LoadProfile, t: number, day = dayFactor(p, t)): number {
  const level = p.peak * (p.trough + (1 - p.trough) * day) * (1 + p.wander * wanderNoise(p.noiseSeed, t))
  return Math.min(0.95, Math.max(0, level))
}

/** Accelerator busy share for a workload type at `t`, 0..1. */
export function acceleratorLevel(p: LoadProfile, workload: string, day: number): number {
  let shape: number
  switch (workload) {
    case 'training':
      shape = 0.85 + 0.15 * day
      break
    case 'inference':
      shape = 0.3 + 0.7 * day
      break
    case 'desktop':
      shape = 0.05 + 0.95 * day
      break
    default:
      shape = 0.6 + 0.4 * day
  }
  return Math.min(1, p.acceleratorPeak * shape)
}
