import type { ClusterIdentity, FullReport, Node, UsageReport } from '@suanpan/control-plane/schemas'

const GiB = 1024 ** 3

export function identity(clusterId: string, province = '110000', extra: Partial<ClusterIdentity> = {}): ClusterIdentity {
  return { clusterId, site: `${province}-site-a`, province, city: 'Beijing', level: 'provincial', ...extra }
}

/** A CPU node with real node-feature-discovery labels of an AVX-512 Intel server. */
export function cpuNode(name: string, cores = 64, extra: Partial<Node> = {}): Node {
  return {
    name,
    arch: 'amd64',
    cpu: { cores, ghz: 2.5 },
    memoryBytes: 256 * GiB,
    labels: {
      'kubernetes.io/arch': 'amd64',
      'feature.node.kubernetes.io/cpu-model.vendor_id': 'Intel',
      'feature.node.kubernetes.io/cpu-cpuid.AVX512F': 'true',
    },
    allocatable: { cpuMillis: (cores - 2) * 1000, memoryBytes: 250 * GiB },
    requested: { cpuMillis: cores * 250, memoryBytes: 64 * GiB },
    accelerators: [],
    ...extra,
  }
}

/** A GPU node labelled as NVIDIA GPU feature discovery labels an A100 server. */
export function a100Node(name: string, gpus = 8, inUse = 4): Node {
  return cpuNode(name, 128, {
    labels: {
      'kubernetes.io/arch': 'amd64',
      'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB',
      'nvidia.com/gpu.count': String(gpus),
      'nvidia.com/gpu.memory': '81920',
    },
    accelerators: [{ resource: 'nvidia.com/gpu', count: gpus, allocatable: gpus, inUse }],
  })
}

/** An Atlas 800 style node: 8 Ascend 910B NPUs, arm64 Kunpeng host. */
export function ascendNode(name: string, npus = 8, inUse = 2): Node {
  return cpuNode(name, 192, {
    arch: 'arm64',
    labels: { 'kubernetes.io/arch': 'arm64', 'accelerator-type': 'module-910b-8', 'node.kubernetes.io/npu.chip.name': '910B3' },
    accelerators: [{ resource: 'huawei.com/Ascend910', count: npus, allocatable: npus, inUse }],
  })
}

export function fullReport(id: ClusterIdentity, sequence: number, nodes: Node[], extra: Partial<FullReport> = {}): FullReport {
  return {
    schemaVersion: 'suanpan.report/v1',
    kind: 'full',
    cluster: id,
    sequence,
    timestamp: new Date(1_790_000_000_000 + sequence * 1000).toISOString(),
    agentVersion: 'test',
    nodes,
    storage: [{ class: 'ceph-rbd', capacityBytes: 100 * 1024 * GiB, usedBytes: 40 * 1024 * GiB }],
    energy: { itPowerKw: 120, pue: 1.3, greenShare: 0.4, carbonIntensityKgPerKwh: 0.5 },
    ...extra,
  }
}

export function usageReport(clusterId: string, sequence: number, nodes: Node[], cpuFraction: number): UsageReport {
  return {
    schemaVersion: 'suanpan.report/v1',
    kind: 'usage',
    cluster: { clusterId },
    sequence,
    timestamp: new Date(1_790_000_000_000 + sequence * 1000).toISOString(),
    agentVersion: 'test',
    nodes: nodes.map((n) => ({
      name: n.name,
      requested: { cpuMillis: Math.floor(n.allocatable.cpuMillis * cpuFraction), memoryBytes: n.requested.memoryBytes },
      used: { cpuMillis: Math.floor(n.allocatable.cpuMillis * cpuFraction * 0.8), memoryBytes: n.requested.memoryBytes },
      accelerators: n.accelerators.map((a) => ({ resource: a.resource, inUse: a.allocatable })),
    })),
    energy: { itPowerKw: 150 },
  }
}
