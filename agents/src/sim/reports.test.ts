import { FullReportSchema, UsageReportSchema } from '@suanpan/control-plane/schemas'
import fc from 'fast-check'
import { Compile } from 'typebox/compile'
import { describe, expect, it } from 'vitest'
import type { SimCluster } from './cluster-types'
import { createFleet } from './fleet'
import { asciiJson } from './report-json'
import { fullReport, fullReportJson, usageReport, usageReportJson } from './reports'

const checkFull = Compile(FullReportSchema)
const checkUsage = Compile(UsageReportSchema)
const HOUR = 3_600_000
/** Wednesday 2026-03-04 00:00 Beijing time. */
const WEDNESDAY = Date.UTC(2026, 2, 3, 16)
const fleet = createFleet({ clusters: 300, seed: 2026 })
const small = createFleet({ clusters: 40, seed: 11, nodesPerCluster: [3, 30] })

function errors(check: typeof checkFull | typeof checkUsage, value: unknown): string {
  return JSON.stringify([...check.Errors(value)].slice(0, 3))
}

function cpuUsedShare(c: SimCluster, t: number): number {
  let used = 0
  let alloc = 0
  for (const n of fullReport(c, 1, t).nodes) {
    used += n.used?.cpuMillis ?? 0
    alloc += n.allocatable.cpuMillis
  }
  return used / alloc
}

describe('fullReport and usageReport', () => {
  it('validate against the contract for the whole fleet', () => {
    for (const t of [WEDNESDAY + 3 * HOUR, WEDNESDAY + 14 * HOUR]) {
      for (const c of fleet) {
        const full = fullReport(c, 10, t)
        expect(checkFull.Check(full), errors(checkFull, full)).toBe(true)
        const usage = usageReport(c, 11, t)
        expect(checkUsage.Check(usage), errors(checkUsage, usage)).toBe(true)
        expect(usage.nodes.map((n) => n.name)).toEqual(full.nodes.map((n) => n.name))
      }
    }
  })

  it('are deterministic: the same cluster, sequence and time give the same report', () => {
    const t = WEDNESDAY + 10 * HOUR + 123
    const again = createFleet({ clusters: 300, seed: 2026 })
    for (const i of [0, 5, 150, 299]) {
      const [a, b] = [fleet[i], again[i]]
      if (!a || !b) throw new Error('missing cluster')
      expect(fullReport(a, 3, t)).toEqual(fullReport(b, 3, t))
      expect(usageReport(a, 4, t)).toEqual(usageReport(b, 4, t))
    }
  })

  it('keep used ≤ requested ≤ allocatable and devices in use ≤ allocatable', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) }),
        fc.nat(39),
        (seed, t, i) => {
          const c = (seed % 3 === 0 ? small : createFleet({ clusters: 40, seed, nodesPerCluster: [3, 30] }))[i]
          if (!c) return
          const r = fullReport(c, 1, t)
          for (const n of r.nodes) {
            const used = n.used ?? { cpuMillis: 0, memoryBytes: 0 }
            expect(used.cpuMillis).toBeLessThanOrEqual(n.requested.cpuMillis)
            expect(n.requested.cpuMillis).toBeLessThanOrEqual(n.allocatable.cpuMillis)
            expect(used.memoryBytes).toBeLessThanOrEqual(n.requested.memoryBytes)
            expect(n.requested.memoryBytes).toBeLessThanOrEqual(n.allocatable.memoryBytes)
            expect(n.allocatable.cpuMillis).toBeLessThanOrEqual(n.cpu.cores * 1000)
            expect(n.allocatable.memoryBytes).toBeLessThanOrEqual(n.memoryBytes)
            for (const a of n.accelerators) {
              expect(a.allocatable).toBeLessThanOrEqual(a.count)
              expect(a.inUse ?? 0).toBeLessThanOrEqual(a.allocatable)
              expect(Number.isInteger(a.inUse)).toBe(true)
            }
          }
          for (const s of r.storage) expect(s.usedBytes ?? 0).toBeLessThanOrEqual(s.capacityBytes)
          expect(r.energy?.itPowerKw ?? 0).toBeGreaterThan(0)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('peak in working hours and dip at night, on average', () => {
    let day = 0
    let night = 0
    for (const c of fleet) {
      day += cpuUsedShare(c, WEDNESDAY + 14 * HOUR)
      night += cpuUsedShare(c, WEDNESDAY + 3 * HOUR)
    }
    expect(day / fleet.length).toBeGreaterThan((night / fleet.length) * 1.5)
  })

  it('keep chronically idle clusters under 15 % CPU all day', () => {
    const idle = fleet.filter((c) => c.idle)
    expect(idle.length).toBeGreaterThan(10)
    for (const c of idle) for (let h = 0; h < 24; h += 3) expect(cpuUsedShare(c, WEDNESDAY + h * HOUR)).toBeLessThan(0.15)
  })

  it('report IT power between the idle and the full draw of the nodes', () => {
    for (const c of fleet.slice(0, 60)) {
      const r = fullReport(c, 1, WEDNESDAY + 11 * HOUR)
      const nodes = r.nodes.length
      const devices = r.nodes.reduce((a, n) => a + n.accelerators.reduce((b, x) => b + x.count, 0), 0)
      expect(r.energy?.itPowerKw).toBeGreaterThanOrEqual(nodes * 0.04)
      expect(r.energy?.itPowerKw).toBeLessThanOrEqual(nodes * 2 + devices * 0.7)
    }
  })

  it('reject a sequence that is not a non-negative safe integer', () => {
    const c = small[0]
    if (!c) throw new Error('no cluster')
    expect(() => fullReport(c, -1, 0)).toThrow(RangeError)
    expect(() => usageReportJson(c, 1.5, 0)).toThrow(RangeError)
  })
})

describe('asciiJson', () => {
  it('is JSON.stringify with non-ASCII characters escaped', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = asciiJson(v)
        expect(/^[\x20-\x7e]*$/.test(text)).toBe(true)
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v)))
      }),
    )
    expect(asciiJson({ city: '北京市' })).toBe('{"city":"\\u5317\\u4eac\\u5e02"}')
  })
})

describe('fullReportJson and usageReportJson', () => {
  it('produce the report objects as ASCII-only JSON, byte for byte', () => {
    fc.assert(
      fc.property(fc.nat(39), fc.nat(Number.MAX_SAFE_INTEGER), fc.integer({ min: 0, max: Date.UTC(2030, 0, 1) }), (i, seq, t) => {
        const c = small[i]
        if (!c) return
        const full = fullReport(c, seq, t)
        const json = fullReportJson(c, seq, t)
        expect(json).toBe(asciiJson(full))
        expect(JSON.parse(json)).toEqual(full)
        expect(/^[\x20-\x7e]*$/.test(json)).toBe(true)
        expect(usageReportJson(c, seq, t)).toBe(asciiJson(usageReport(c, seq, t)))
      }),
      { numRuns: 80 },
    )
  })

  it('match for nodes that are not ready or have a failed device', () => {
    const c = fleet.find((x) => x.pools.some((p) => p.accelerator))
    if (!c) throw new Error('no accelerator cluster')
    const odd: SimCluster = {
      ...c,
      nodes: c.nodes.map((n, i) => (i % 3 === 0 ? { ...n, ready: false } : c.pools[n.pool]?.accelerator ? { ...n, unhealthy: 1 } : n)),
    }
    const t = WEDNESDAY + 15 * HOUR
    const full = fullReport(odd, 7, t)
    expect(checkFull.Check(full)).toBe(true)
    expect(full.nodes.some((n) => n.ready === false && n.used?.cpuMillis === 0)).toBe(true)
    expect(full.nodes.some((n) => n.accelerators.some((a) => a.allocatable === a.count - 1))).toBe(true)
    expect(fullReportJson(odd, 7, t)).toBe(asciiJson(full))
    expect(usageReportJson(odd, 8, t)).toBe(asciiJson(usageReport(odd, 8, t)))
  })
})
