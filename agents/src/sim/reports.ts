import { type FullReport, type Node, type NodeUsage, REPORT_SCHEMA_VERSION, type UsageReport } from '@suanpan/control-plane/schemas'
import type { SimCluster } from './cluster-types'
import { checkSequence, SIM_AGENT_VERSION } from './report-header'
import { emptySample, frameAt, pueAt, roundKw, sampleNode, storageUsedBytes } from './sample'

export { SIM_AGENT_VERSION } from './report-header'
export { fullReportJson, usageReportJson } from './report-json'

/** Inventory, usage and site energy of a simulated cluster at time `t` (ms since the epoch). */
export function fullReport(c: SimCluster, seq: number, t: number): FullReport {
  checkSequence(seq)
  const f = frameAt(c, t)
  const s = emptySample()
  let kw = 0
  const nodes: Node[] = new Array(c.nodes.length)
  for (let i = 0; i < c.nodes.length; i++) {
    const node = c.nodes[i]
    const pool = node && c.pools[node.pool]
    if (!node || !pool) continue
    sampleNode(c, f, i, s)
    kw += s.powerKw
    const acc = pool.accelerator
    nodes[i] = {
      name: node.name,
      arch: pool.arch,
      ready: node.ready,
      cpu: pool.cpu,
      memoryBytes: pool.memoryBytes,
      labels: pool.labels,
      allocatable: pool.allocatable,
      requested: { cpuMillis: s.requestedCpu, memoryBytes: s.requestedMemory },
      used: { cpuMillis: s.usedCpu, memoryBytes: s.usedMemory },
      accelerators: acc ? [{ resource: acc.resource, count: acc.count, allocatable: acc.count - node.unhealthy, inUse: s.inUse }] : [],
    }
  }
  const e = c.energy
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    sequence: seq,
    timestamp: new Date(t).toISOString(),
    agentVersion: SIM_AGENT_VERSION,
    kind: 'full',
    cluster: { ...c.identity },
    nodes,
    storage: c.storage.map((st, k) => ({
      class: st.class,
      provisioner: st.provisioner,
      capacityBytes: st.capacityBytes,
      usedBytes: storageUsedBytes(c, k, f),
    })),
    energy: {
      itPowerKw: roundKw(kw),
      pue: pueAt(c, f),
      mix: e.mix,
      greenShare: e.greenShare,
      carbonIntensityKgPerKwh: e.carbonIntensityKgPerKwh,
      source: e.source,
    },
  }
}

/** Usage of the nodes of the cluster's full report at time `t`. */
export function usageReport(c: SimCluster, seq: number, t: number): UsageReport {
  checkSequence(seq)
  const f = frameAt(c, t)
  const s = emptySample()
  let kw = 0
  const nodes: NodeUsage[] = new Array(c.nodes.length)
  for (let i = 0; i < c.nodes.length; i++) {
    const node = c.nodes[i]
    const pool = node && c.pools[node.pool]
    if (!node || !pool) continue
    sampleNode(c, f, i, s)
    kw += s.powerKw
    const usage: NodeUsage = {
      name: node.name,
      requested: { cpuMillis: s.requestedCpu, memoryBytes: s.requestedMemory },
      used: { cpuMillis: s.usedCpu, memoryBytes: s.usedMemory },
    }
    if (pool.accelerator) usage.accelerators = [{ resource: pool.accelerator.resource, inUse: s.inUse }]
    nodes[i] = usage
  }
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    sequence: seq,
    timestamp: new Date(t).toISOString(),
    agentVersion: SIM_AGENT_VERSION,
    kind: 'usage',
    cluster: { clusterId: c.identity.clusterId },
    nodes,
    storage: c.storage.map((st, k) => ({ class: st.class, usedBytes: storageUsedBytes(c, k, f) })),
    energy: { itPowerKw: roundKw(kw), pue: pueAt(c, f), greenShare: c.energy.greenShare },
  }
}
