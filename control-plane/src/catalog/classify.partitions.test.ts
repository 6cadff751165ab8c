import { describe, expect, it } from 'vitest'
import type { Node } from '../schemas'
import { gfdA100Labels, readFixtureNode, toContractNode } from './fixture-nodes'
import { loadCatalog } from './load'

const catalog = loadCatalog()
const dgx = readFixtureNode('kwok-virtual-dgx-a100-8gpu-node.yaml')
const ascend = readFixtureNode('ascend-910-8npu-node.rendered.yaml')

/** A fixture node with the given device resources in place of its own. */
function withDevices(node: Node, devices: Record<string, number>, inUse: Record<string, number> = {}): Node {
  return {
    ...node,
    accelerators: Object.entries(devices).map(([resource, count]) => ({
      resource,
      count,
      allocatable: count,
      ...(inUse[resource] === undefined ? {} : { inUse: inUse[resource] }),
    })),
  }
}

/**
 * The KWOK DGX node labelled by GFD (the README excerpt, with gpu.count 8 as on an 8-GPU node) instead of
 * by NGC's nodeInstance, with the given device resources in place of its `nvidia.com/gpu: 8`.
 */
function dgxWith(labels: Record<string, string>, devices: Record<string, number>, inUse: Record<string, number> = {}): Node {
  const node = toContractNode(dgx, { labels: { ...gfdA100Labels(), 'nvidia.com/gpu.count': '8', ...labels } })
  const { nodeInstance: _, ...gfdOnly } = node.labels
  return withDevices({ ...node, labels: gfdOnly }, devices, inUse)
}

function summary(node: Node): [string, string, number, number, number | null][] {
  return catalog.classifyNode(node).accelerators.map((a) => [a.resource, a.model, a.devices, a.allocatable, a.inUse])
}

describe('catalog.classifyNode: partitions are fractions of one device', () => {
  it('MIG mixed: 56 1g.5gb slices on 8 A100 are 8 GPUs, in use in GPU equivalents', () => {
    const node = dgxWith(
      { 'nvidia.com/gpu.count': '8', 'nvidia.com/mig.strategy': 'mixed' },
      { 'nvidia.com/mig-1g.5gb': 56 },
      { 'nvidia.com/mig-1g.5gb': 14 },
    )
    expect(summary(node)).toEqual([['nvidia.com/mig-1g.5gb', 'A100-SXM4-40GB', 8, 8, 2]])
  })

  it('MIG mixed: slices that strand part of a GPU roll up to the GPUs gpu.count names', () => {
    const profiles = { 'nvidia.com/mig-3g.20gb': 16 } // two 3g slices per GPU leave a seventh slice unusable
    expect(summary(dgxWith({ 'nvidia.com/gpu.count': '8', 'nvidia.com/mig.strategy': 'mixed' }, profiles))).toEqual([
      ['nvidia.com/mig-3g.20gb', 'A100-SXM4-40GB', 8, 8, null],
    ])
    // without gpu.count the slices count only their own share: 16 x 3/7
    const bare = catalog.classifyNode(dgxWith({ 'nvidia.com/mig.strategy': 'mixed', 'nvidia.com/gpu.count': '' }, profiles))
    expect(bare.accelerators[0]?.devices).toBeCloseTo((16 * 3) / 7, 9)
  })

  it('MIG mixed: whole GPUs and MIG GPUs side by side add up to gpu.count', () => {
    const node = dgxWith(
      { 'nvidia.com/gpu.count': '8', 'nvidia.com/mig.strategy': 'mixed' },
      // 4 MIG GPUs: two as 7x1g, one as 3x2g (a slice stranded), one as 4g+3g
      {
        'nvidia.com/gpu': 4,
        'nvidia.com/mig-1g.5gb': 14,
        'nvidia.com/mig-2g.10gb': 3,
        'nvidia.com/mig-4g.20gb': 1,
        'nvidia.com/mig-3g.20gb': 1,
      },
    )
    const accelerators = catalog.classifyNode(node).accelerators
    expect(accelerators.map((a) => a.model)).toEqual(Array(5).fill('A100-SXM4-40GB'))
    expect(accelerators[0]?.devices).toBe(4)
    expect(accelerators.reduce((sum, a) => sum + a.devices, 0)).toBeCloseTo(8, 9)
  })

  it('MIG mixed: time-sliced MIG profiles divide by their own replicas label', () => {
    const node = dgxWith(
      { 'nvidia.com/mig.strategy': 'mixed', 'nvidia.com/gpu.count': '', 'nvidia.com/mig-1g.5gb.replicas': '2' },
      { 'nvidia.com/mig-1g.5gb': 28 },
    )
    expect(catalog.classifyNode(node).accelerators[0]?.devices).toBeCloseTo(2, 9)
  })

  it('MIG single: nvidia.com/gpu counts slices of gpu.slices.gi, so 56 1g devices are 8 GPUs', () => {
    const labels = {
      'nvidia.com/mig.strategy': 'single',
      'nvidia.com/gpu.product': 'A100-SXM4-40GB-MIG-1g.5gb',
      'nvidia.com/gpu.count': '56',
      'nvidia.com/gpu.slices.gi': '1',
      'nvidia.com/gpu.memory': '4864',
    }
    expect(summary(dgxWith(labels, { 'nvidia.com/gpu': 56 }))).toEqual([['nvidia.com/gpu', 'A100-SXM4-40GB', 8, 8, null]])
    // without the slices label the product name says 1g
    const { 'nvidia.com/gpu.slices.gi': _, ...fromProduct } = labels
    const node = dgxWith(fromProduct, { 'nvidia.com/gpu': 56 })
    expect(catalog.classifyNode({ ...node, labels: fromProduct }).accelerators[0]?.devices).toBe(8)
  })

  it('time-slicing: gpu.replicas=4 on 8 T4 advertised as 32 is 8 GPUs', () => {
    const labels = { 'nvidia.com/gpu.product': 'Tesla-T4-SHARED', 'nvidia.com/gpu.replicas': '4', 'nvidia.com/gpu.count': '8' }
    expect(summary(dgxWith(labels, { 'nvidia.com/gpu': 32 }, { 'nvidia.com/gpu': 6 }))).toEqual([['nvidia.com/gpu', 'T4-16GB', 8, 8, 1.5]])
  })

  it('time-slicing with renameByDefault: nvidia.com/gpu.shared is replicas of nvidia.com/gpu', () => {
    const labels = { 'nvidia.com/gpu.product': 'Tesla-T4-SHARED', 'nvidia.com/gpu.replicas': '4', 'nvidia.com/gpu.count': '8' }
    expect(summary(dgxWith(labels, { 'nvidia.com/gpu.shared': 32 }))).toEqual([['nvidia.com/gpu.shared', 'T4-16GB', 8, 8, null]])
    // a shared resource whose replicas no label gives is listed, never over-counted
    const unknown = catalog.classifyNode(
      dgxWith({ 'nvidia.com/gpu.count': '', 'nvidia.com/gpu.replicas': '' }, { 'nvidia.com/gpu.shared': 32 }),
    )
    expect(unknown.accelerators).toMatchObject([{ resource: 'nvidia.com/gpu.shared', kind: 'unclassified', devices: 0 }])
  })

  it('HAMi: 10 split vGPUs of one GPU are one GPU when GFD counts 1; gpumem and gpucores are not devices', () => {
    const labels = { 'nvidia.com/gpu.product': 'NVIDIA-A10', 'nvidia.com/gpu.count': '1' }
    const node = dgxWith(labels, { 'nvidia.com/gpu': 10, 'nvidia.com/gpumem': 24576, 'nvidia.com/gpucores': 100 }, { 'nvidia.com/gpu': 3 })
    expect(summary(node)).toEqual([['nvidia.com/gpu', 'A10-24GB', 1, 1, 0.3]])
  })

  it('companions: skipped next to their device, listed with 0 devices alone, generic -memory/-core names too', () => {
    const alone = catalog.classifyNode(dgxWith({}, { 'nvidia.com/gpumem': 24576 }))
    expect(alone.accelerators).toMatchObject([{ resource: 'nvidia.com/gpumem', kind: 'unclassified', vendor: 'NVIDIA', devices: 0 }])
    const node = dgxWith(
      {},
      { 'huawei.com/Ascend910B3': 8, 'huawei.com/Ascend910B3-memory': 65536, 'volcano.sh/vgpu-number': 40, 'volcano.sh/vgpu-memory': 1 },
    )
    expect(catalog.classifyNode(node).accelerators.map((a) => a.resource)).toEqual(['huawei.com/Ascend910B3', 'volcano.sh/vgpu-number'])
  })

  it('vNPU: 16 Ascend910-4c slices of 32-core 910A are 2 NPUs beside 6 whole ones', () => {
    const node = withDevices(toContractNode(ascend), { 'huawei.com/Ascend910': 6, 'huawei.com/Ascend910-4c': 16 })
    expect(summary(node)).toEqual([
      ['huawei.com/Ascend910', 'Ascend-910A', 6, 6, null],
      ['huawei.com/Ascend910-4c', 'Ascend-910A', 2, 2, null],
    ])
  })

  it('vNPU: 310P templates with cpu/dvpp suffixes are fractions of its 8 AI cores', () => {
    const node = withDevices(toContractNode(ascend), {
      'huawei.com/Ascend310P': 1,
      'huawei.com/Ascend310P-2c.1cpu': 2,
      'huawei.com/Ascend310P-4c.3cpu.ndvpp': 1,
    })
    expect(summary(node).map(([r, m, d]) => [r, m, d])).toEqual([
      ['huawei.com/Ascend310P', 'Ascend-310P', 1],
      ['huawei.com/Ascend310P-2c.1cpu', 'Ascend-310P', 0.5],
      ['huawei.com/Ascend310P-4c.3cpu.ndvpp', 'Ascend-310P', 0.5],
    ])
  })

  it('vNPU of a model whose AI cores the catalog does not know is listed with 0 devices, not guessed', () => {
    const node = withDevices(toContractNode(ascend, { labels: { 'accelerator-type': 'module-910b-8' } }), {
      'huawei.com/Ascend910': 7,
      'huawei.com/Ascend910-10c': 2,
    })
    expect(catalog.classifyNode(node).accelerators.map((a) => [a.model, a.kind, a.devices])).toEqual([
      ['Ascend-910B', 'NPU', 7],
      ['huawei.com/Ascend910-10c', 'unclassified', 0],
    ])
  })

  it('vGPU: an A16-1B profile is 1/16 and the gpu.memory label stands in when the product has no profile', () => {
    const a16 = { 'nvidia.com/vgpu.present': 'true', 'nvidia.com/gpu.count': '1' }
    const b = catalog.classifyNode(dgxWith({ ...a16, 'nvidia.com/gpu.product': 'NVIDIA-A16-1B' }, { 'nvidia.com/gpu': 1 }))
    expect(b.accelerators).toMatchObject([{ devices: 1 / 16, virtual: true }])
    const byMemory = catalog.classifyNode(
      dgxWith({ ...a16, 'nvidia.com/gpu.product': 'NVIDIA-A16', 'nvidia.com/gpu.memory': '8192' }, { 'nvidia.com/gpu': 1 }),
    )
    expect(byMemory.accelerators).toMatchObject([{ model: 'A16-16GB (one of four GPUs on an A16 board)', devices: 0.5, virtual: true }])
  })
})

describe('catalog.classifyNode: unknown and non-compute resources', () => {
  it('counts a resource the catalog does not know as unclassified, devices = capacity, never dropped', () => {
    const c = catalog.classifyNode(dgxWith({}, { 'example.com/tpu': 4, 'nvidia.com/gpu': 8 }))
    expect(c.accelerators[0]).toEqual({
      resource: 'example.com/tpu',
      kind: 'unclassified',
      vendor: 'unknown',
      model: 'example.com/tpu',
      domestic: false,
      devices: 4,
      allocatable: 4,
      inUse: null,
      virtual: false,
      figures: { fp64: null, fp32: null, fp16Dense: null, int8Dense: null },
      memoryGb: null,
      tdpW: null,
      confidence: 'unknown',
    })
    expect(c.accelerators[1]).toMatchObject({ model: 'A100-SXM4-40GB', devices: 8 })
  })

  it('counts a known resource whose labels match no model as unclassified, keeping its vendor', () => {
    const c = catalog.classifyNode(
      dgxWith({ 'nvidia.com/gpu.product': 'NVIDIA-H200', 'nvidia.com/gpu.count': '8' }, { 'nvidia.com/gpu': 8 }),
    )
    expect(c.accelerators).toMatchObject([{ kind: 'unclassified', vendor: 'NVIDIA', model: 'nvidia.com/gpu', devices: 8 }])
    expect(c.accelerators[0]?.figures.fp16Dense).toBeNull()
  })

  it.each([
    'rdma/hca_shared_devices_a',
    'devices.kubevirt.io/kvm',
    'smarter-devices/fuse',
    'intel.com/mlnx_sriov_rdma1',
    'openshift.io/mlxnics',
    'hugepages-1Gi',
    'ephemeral-storage',
    'pods',
    'attachable-volumes-azure-disk',
  ])('ignores %s', (resource) => {
    expect(catalog.classifyNode(dgxWith({}, { [resource]: 3 })).accelerators).toEqual([])
  })
})

describe('CPU peak with SMT', () => {
  it('counts two hyper-threads as one core when node feature discovery says SMT is on', () => {
    const catalog = loadCatalog()
    const labels = {
      'kubernetes.io/arch': 'amd64',
      'feature.node.kubernetes.io/cpu-model.vendor_id': 'Intel',
      'feature.node.kubernetes.io/cpu-cpuid.AVX512F': 'true',
    }
    const node = (extra: Record<string, string>) => ({
      name: 'n',
      arch: 'amd64',
      cpu: { cores: 64, ghz: 2 },
      memoryBytes: 1,
      labels: { ...labels, ...extra },
      allocatable: { cpuMillis: 1, memoryBytes: 1 },
      requested: { cpuMillis: 0, memoryBytes: 0 },
      accelerators: [],
    })
    const plain = catalog.classifyNode(node({})).cpu.figures.fp32
    const smt = catalog.classifyNode(node({ 'feature.node.kubernetes.io/cpu-hardware_multithreading': 'true' })).cpu.figures.fp32
    expect(plain).toBeCloseTo((64 * 2 * 64) / 1000, 9)
    expect(smt).toBeCloseTo((32 * 2 * 64) / 1000, 9)
  })
})
