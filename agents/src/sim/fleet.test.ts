import { ClusterIdentitySchema } from '@suanpan/control-plane/schemas'
import fc from 'fast-check'
import { Compile } from 'typebox/compile'
import { describe, expect, it } from 'vitest'
import type { SimCluster } from './cluster-types'
import { apportion, createFleet } from './fleet'
import { ACCELERATOR_PROFILES } from './profiles'
import { referenceData } from './reference-data'

const checkIdentity = Compile(ClusterIdentitySchema)
const fleet300 = createFleet({ clusters: 300, seed: 2026 })

function acceleratorDevices(fleet: SimCluster[]): { domestic: number; total: number; vgpuNodes: number; unknownNodes: number } {
  const out = { domestic: 0, total: 0, vgpuNodes: 0, unknownNodes: 0 }
  for (const c of fleet) {
    for (const node of c.nodes) {
      const acc = c.pools[node.pool]?.accelerator
      if (!acc) continue
      if (!acc.catalogModel) {
        out.unknownNodes++
        continue
      }
      const fraction = ACCELERATOR_PROFILES[c.pools[node.pool]?.id ?? '']?.fraction ?? 1
      if (fraction < 1) out.vgpuNodes++
      out.total += acc.count * fraction
      if (acc.domestic) out.domestic += acc.count * fraction
    }
  }
  return out
}

describe('createFleet', () => {
  it('is deterministic: the same seed gives the same fleet', () => {
    expect(JSON.stringify(createFleet({ clusters: 120, seed: 9 }))).toBe(JSON.stringify(createFleet({ clusters: 120, seed: 9 })))
    expect(JSON.stringify(createFleet({ clusters: 120, seed: 9 }))).not.toBe(JSON.stringify(createFleet({ clusters: 120, seed: 10 })))
  })

  it('covers all 32 provincial divisions with 300 clusters, weighted to the populous east', () => {
    const provinces = referenceData().provinces.map((p) => p.code)
    expect(provinces).toHaveLength(32)
    const count = new Map<string, number>()
    for (const c of fleet300) count.set(c.identity.province, (count.get(c.identity.province) ?? 0) + 1)
    expect([...count.keys()].sort()).toEqual([...provinces].sort())
    expect(count.get('440000') ?? 0).toBeGreaterThan(count.get('630000') ?? 0)
    expect(count.get('320000') ?? 0).toBeGreaterThan(count.get('540000') ?? 0)
  })

  it('gives valid, unique identities with the platform conventions', () => {
    const ids = new Set(fleet300.map((c) => c.identity.clusterId))
    expect(ids.size).toBe(300)
    for (const c of fleet300) {
      const id = c.identity
      expect(checkIdentity.Check(id), JSON.stringify([...checkIdentity.Errors(id)])).toBe(true)
      expect(id.clusterId.startsWith(`${id.province}-`)).toBe(true)
      if (id.level === 'provincial') expect(id.platform).toBe(`cn-${id.province}`)
      if (id.level === 'national') expect(id.platform).toBe('cn')
      if (id.level !== 'provincial') expect(id.province).toBe('110000')
      if (id.level === 'ministry') expect(id.ministry).toBeTruthy()
    }
    const levels = fleet300.map((c) => c.identity.level)
    expect(levels.filter((l) => l === 'national').length).toBeGreaterThanOrEqual(1)
    expect(levels.filter((l) => l === 'ministry').length).toBeGreaterThanOrEqual(1)
    expect(levels.filter((l) => l === 'provincial').length).toBeGreaterThan(270)
  })

  it('places clusters at every 东数西算 hub, named by the hubs.csv cluster id', () => {
    const hubIds = new Set(referenceData().hubs.map((h) => h.clusterId))
    const used = new Set(fleet300.flatMap((c) => (c.identity.hub ? [c.identity.hub] : [])))
    for (const hub of used) expect(hubIds.has(hub)).toBe(true)
    expect([...used].sort()).toEqual([...hubIds].sort())
  })

  it('keeps every site in one place with one energy profile', () => {
    const sites = new Map<string, SimCluster>()
    for (const c of createFleet({ clusters: 2000, seed: 5, nodesPerCluster: 2 })) {
      const first = sites.get(c.identity.site)
      if (!first) {
        sites.set(c.identity.site, c)
        continue
      }
      expect([c.identity.province, c.identity.city, c.identity.hub, c.identity.siteName]).toEqual([
        first.identity.province,
        first.identity.city,
        first.identity.hub,
        first.identity.siteName,
      ])
      expect(c.energy).toBe(first.energy)
    }
  })

  it('scales to 2,000 clusters with unique ids', () => {
    const fleet = createFleet({ clusters: 2000, seed: 1, nodesPerCluster: [5, 20] })
    expect(fleet).toHaveLength(2000)
    expect(new Set(fleet.map((c) => c.identity.clusterId)).size).toBe(2000)
    for (const c of fleet) {
      expect(c.nodes.length).toBeGreaterThanOrEqual(5)
      expect(c.nodes.length).toBeLessThanOrEqual(20)
      expect(new Set(c.nodes.map((n) => n.name)).size).toBe(c.nodes.length)
    }
  })

  it('handles small fleets and fixed node counts', () => {
    expect(createFleet({ clusters: 0, seed: 1 })).toEqual([])
    const five = createFleet({ clusters: 5, seed: 1, nodesPerCluster: 7 })
    expect(five).toHaveLength(5)
    expect(five.every((c) => c.nodes.length === 7 && c.identity.level === 'provincial')).toBe(true)
    expect(createFleet({ clusters: 1, seed: 1, nodesPerCluster: 1 })[0]?.nodes).toHaveLength(1)
    expect(() => createFleet({ clusters: -1, seed: 1 })).toThrow(RangeError)
  })

  it('keeps domestic accelerators between 40 and 60 % of devices', () => {
    for (const fleet of [
      fleet300,
      createFleet({ clusters: 300, seed: 1 }),
      createFleet({ clusters: 2000, seed: 3, nodesPerCluster: [10, 60] }),
    ]) {
      const { domestic, total } = acceleratorDevices(fleet)
      expect(total).toBeGreaterThan(0)
      expect(domestic / total).toBeGreaterThanOrEqual(0.4)
      expect(domestic / total).toBeLessThanOrEqual(0.6)
    }
  })

  it('includes vGPU nodes, unknown devices and chronically idle clusters', () => {
    const devices = acceleratorDevices(fleet300)
    expect(devices.vgpuNodes).toBeGreaterThan(0)
    expect(devices.unknownNodes).toBeGreaterThan(0)
    expect(fleet300.some((c) => c.idle)).toBe(true)
    const small = createFleet({ clusters: 10, seed: 3 })
    expect(small.some((c) => c.role === 'vdi')).toBe(true)
    expect(small.some((c) => c.pools.some((p) => p.accelerator && !p.accelerator.catalogModel))).toBe(true)
    expect(small.some((c) => c.idle)).toBe(true)
  })

  it('uses only accelerator models and resources the device catalog knows (and example.com/fpga)', () => {
    const data = referenceData()
    for (const p of Object.values(ACCELERATOR_PROFILES)) {
      if (p.catalogModel) expect(data.catalogModels.has(p.catalogModel), p.catalogModel).toBe(true)
      if (p.resource !== 'example.com/fpga') expect(data.catalogResources.has(p.resource), p.resource).toBe(true)
    }
  })

  it('mixes CPU vendors with their NFD labels', () => {
    const vendors = new Set<string>()
    for (const c of fleet300) {
      for (const p of c.pools) {
        const vendor = p.labels['feature.node.kubernetes.io/cpu-model.vendor_id']
        expect(vendor).toBeTruthy()
        expect(p.labels['kubernetes.io/arch']).toBe(p.arch)
        vendors.add(vendor ?? '')
        if (vendor === 'HiSilicon') expect(p.arch).toBe('arm64')
      }
    }
    expect([...vendors].sort()).toEqual(['AMD', 'HiSilicon', 'Hygon', 'Intel'])
  })

  it('gives sites a plausible PUE and a greener supply at western hubs', () => {
    const green = (pred: (c: SimCluster) => boolean) => {
      const xs = fleet300.filter(pred).map((c) => c.energy.greenShare)
      return xs.reduce((a, b) => a + b, 0) / xs.length
    }
    const westHubs = new Set(
      referenceData()
        .hubs.filter((h) => h.hubType === 'west_renewable')
        .map((h) => h.clusterId),
    )
    for (const c of fleet300) {
      expect(c.energy.pue).toBeGreaterThanOrEqual(1.15)
      expect(c.energy.pue).toBeLessThanOrEqual(1.6)
      const sum = Object.values(c.energy.mix).reduce((a, b) => a + (b ?? 0), 0)
      expect(sum).toBeCloseTo(1, 6)
      expect(c.energy.carbonIntensityKgPerKwh).toBeGreaterThan(0)
      if (c.identity.hub && westHubs.has(c.identity.hub)) expect(c.energy.pue).toBeLessThanOrEqual(1.22)
    }
    expect(green((c) => westHubs.has(c.identity.hub ?? ''))).toBeGreaterThan(
      green((c) => !c.identity.hub && ['130000', '370000', '140000'].includes(c.identity.province)),
    )
  })
})

describe('apportion', () => {
  it('hands out exactly the total, at least the floor each', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.nat(3000),
        fc.nat(2),
        (weights, extra, floor) => {
          const total = extra + floor * weights.length
          const out = apportion(total, weights, floor)
          expect(out.reduce((a, b) => a + b, 0)).toBe(total)
          expect(out.every((x) => x >= floor)).toBe(true)
        },
      ),
    )
  })
})
