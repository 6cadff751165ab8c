import { describe, expect, it } from 'vitest'
import {
  ascendDescribedNodes,
  describedToContractNode,
  gfdA100Labels,
  readFixtureNode,
  readFixtureNodes,
  toContractNode,
} from './fixture-nodes'
import { loadCatalog } from './load'
import type { AcceleratorClass, NodeClassification } from './types'

const catalog = loadCatalog()

function only(c: NodeClassification): AcceleratorClass {
  expect(c.accelerators).toHaveLength(1)
  return c.accelerators[0] as AcceleratorClass
}

describe('catalog.classifyNode on real fixture nodes', () => {
  it('counts the RKE2 A16-4Q vGPU as a quarter of one A16 GPU, virtual', () => {
    const [kube] = readFixtureNodes('rke2-nvidia-a16-vgpu-gfd-nodelist.json')
    if (!kube) throw new Error('no node')
    const c = catalog.classifyNode(toContractNode(kube))
    // ephemeral-storage, hugepages-2Mi and pods are in the capacity too, and are not devices
    expect(only(c)).toMatchObject({
      resource: 'nvidia.com/gpu',
      kind: 'GPU',
      vendor: 'NVIDIA',
      model: 'A16-16GB (one of four GPUs on an A16 board)',
      domestic: false,
      devices: 0.25,
      allocatable: 0.25,
      inUse: null,
      virtual: true,
      memoryGb: 16,
    })
    expect(only(c).figures.fp16Dense).toBe(17.9)
    // NFD: Intel, family 6 model 61 (Broadwell), AVX2 without AVX512F, SMT on: 2 vCPU = 1 core at the
    // assumed 2.5 GHz x 32 FP32 FLOP/cycle
    expect(c.cpu).toMatchObject({ vendor: 'Intel', model: 'Haswell/Broadwell (2x 256-bit FMA)', domestic: false, ghzAssumed: true })
    expect(c.cpu.figures.fp32).toBeCloseTo(0.08, 12)
    expect(c.cpu.figures.fp64).toBeCloseTo(0.04, 12)
    expect(c.cpu.figures.fp16Dense).toBeNull()
  })

  it('uses the report clock over the assumed one', () => {
    const [kube] = readFixtureNodes('rke2-nvidia-a16-vgpu-gfd-nodelist.json')
    if (!kube) throw new Error('no node')
    const node = toContractNode(kube)
    const c = catalog.classifyNode({ ...node, cpu: { ...node.cpu, ghz: 3.5 } })
    expect(c.cpu.ghzAssumed).toBe(false)
    expect(c.cpu.figures.fp32).toBeCloseTo(1 * 3.5 * 32e-3, 12)
  })

  it('counts the KWOK DGX A100 as 8 A100-SXM4-40GB from its NGC nodeInstance label, ignoring the 8 SR-IOV RDMA NICs', () => {
    const c = catalog.classifyNode(toContractNode(readFixtureNode('kwok-virtual-dgx-a100-8gpu-node.yaml')))
    expect(only(c)).toMatchObject({
      resource: 'nvidia.com/gpu',
      kind: 'GPU',
      model: 'A100-SXM4-40GB',
      devices: 8,
      allocatable: 8,
      memoryGb: 40,
    })
    expect(only(c).figures).toEqual({ fp64: 9.7, fp32: 19.5, fp16Dense: 312, int8Dense: 624 })
    // no NFD labels: 256 cores are counted (by the ledger) but their FLOPS are not guessed
    expect(c.cpu).toEqual({
      vendor: 'unknown',
      model: 'x86_64 (unidentified)',
      domestic: false,
      figures: expect.any(Object),
      ghzAssumed: false,
      confidence: 'unknown',
    })
    expect(c.cpu.figures).toEqual({ fp64: null, fp32: null, fp16Dense: null, int8Dense: null })
  })

  it('prefers the GFD product label: the DGX node with the GFD README labels is 8 A100-SXM4-40GB', () => {
    // The README excerpt shows gpu.count "1" (a one-GPU view of the DGX-2H); GFD on an 8-GPU node says 8.
    const labels = { ...gfdA100Labels(), 'nvidia.com/gpu.count': '8', nodeInstance: 'dgxa100.80g.8.norm' }
    const c = catalog.classifyNode(toContractNode(readFixtureNode('kwok-virtual-dgx-a100-8gpu-node.yaml'), { labels }))
    expect(only(c)).toMatchObject({ model: 'A100-SXM4-40GB', devices: 8 })
  })

  it('counts the GFD README node as it is labelled: one A100-SXM4-40GB', () => {
    const kube = { metadata: { name: 'dgx2h', labels: gfdA100Labels() }, status: { capacity: { cpu: 96, 'nvidia.com/gpu': 1 } } }
    expect(only(catalog.classifyNode(toContractNode(kube)))).toMatchObject({ model: 'A100-SXM4-40GB', devices: 1 })
  })

  it('counts the MindCluster 910 x8 node as 8 Ascend-910A (accelerator-type=module) on a Kunpeng host', () => {
    const c = catalog.classifyNode(toContractNode(readFixtureNode('ascend-910-8npu-node.rendered.yaml')))
    expect(only(c)).toMatchObject({
      resource: 'huawei.com/Ascend910',
      kind: 'NPU',
      vendor: 'Huawei',
      model: 'Ascend-910A',
      domestic: true,
      devices: 8,
    })
    // host-arch=huawei-arm on arm64: Kunpeng 920, 96 cores x 2.6 GHz (assumed) x 16 FP32 FLOP/cycle
    expect(c.cpu).toMatchObject({ vendor: 'Huawei', model: 'Kunpeng 920 (TaiShan v110)', domestic: true, ghzAssumed: true })
    expect(c.cpu.figures.fp32).toBeCloseTo((96 * 2.6 * 16) / 1000, 12)
  })

  it('recognises the 910C super-pod node from its real labels: 16 Ascend910 and no accelerator-type', () => {
    const c = catalog.classifyNode(toContractNode(readFixtureNode('ascend-910c-superpod-16npu-node.rendered.yaml')))
    expect(only(c)).toMatchObject({
      model: 'Ascend-910C (one of two dies)',
      kind: 'NPU',
      domestic: true,
      devices: 16,
      confidence: 'uncertain',
    })
    // per die: half of the package's 780 FP16 TFLOPS, so the node is 8 packages' worth
    expect(only(c).figures.fp16Dense).toBe(390)
  })

  it('recognises 910C from the accelerator-type MindCluster sets on super-pod nodes, at any count', () => {
    const kube = readFixtureNode('ascend-910c-superpod-16npu-node.rendered.yaml')
    for (const type of ['module-a3-16-super-pod', 'module-a3-8-super-pod', 'module-a3-16']) {
      const c = catalog.classifyNode(
        toContractNode(kube, { labels: { 'accelerator-type': type }, capacity: { 'huawei.com/Ascend910': 8 } }),
      )
      expect(only(c).model).toBe('Ascend-910C (one of two dies)')
    }
  })

  it('lets a label outrank the 16-NPU inference: module-910b-16 is 910B, module with 16 is not 910C', () => {
    const kube = readFixtureNode('ascend-910c-superpod-16npu-node.rendered.yaml')
    const b = catalog.classifyNode(toContractNode(kube, { labels: { 'accelerator-type': 'module-910b-16' } }))
    expect(only(b)).toMatchObject({ model: 'Ascend-910B', devices: 16 })
    const chip = catalog.classifyNode(toContractNode(kube, { labels: { 'node.kubernetes.io/npu.chip.name': '910B3' } }))
    expect(only(chip).model).toBe('Ascend-910B')
    const a = catalog.classifyNode(toContractNode(kube, { labels: { 'accelerator-type': 'module' } }))
    expect(only(a).model).toBe('Ascend-910A')
  })

  it('reads the MindCluster describe-node excerpts: Atlas 800, 300I, 300I Pro and mixed insertion', () => {
    const [atlas800, atlas300i, atlas300iPro, mixed] = ascendDescribedNodes().map((d, i) =>
      catalog.classifyNode(describedToContractNode(d, `n${i}`)),
    )
    if (!atlas800 || !atlas300i || !atlas300iPro || !mixed) throw new Error('expected four excerpts')
    // Atlas 800 training server, no accelerator-type label, 8 NPUs: first-generation 910
    expect(only(atlas800)).toMatchObject({ model: 'Ascend-910A', devices: 8 })
    // Ascend 310 is not in the catalog: counted as unclassified, vendor from the huawei.com rows
    expect(only(atlas300i)).toMatchObject({
      kind: 'unclassified',
      model: 'huawei.com/Ascend310',
      vendor: 'Huawei',
      domestic: true,
      devices: 4,
    })
    expect(only(atlas300i).figures).toEqual({ fp64: null, fp32: null, fp16Dense: null, int8Dense: null })
    expect(only(atlas300iPro)).toMatchObject({ model: 'Ascend-310P', devices: 3 })
    expect(mixed.accelerators.map((a) => [a.resource, a.model, a.devices])).toEqual([
      ['huawei.com/Ascend310P-IPro', 'Ascend-310P', 1],
      ['huawei.com/Ascend310P-V', 'Ascend-310P', 1],
      ['huawei.com/Ascend310P-VPro', 'Ascend-310P', 1],
    ])
  })

  it('counts the Cambricon node as 8 MLU370-X8 by its Model label, and by the device-type resource name', () => {
    const kube = readFixtureNode('cambricon-mlu370-node.SYNTHESIZED.yaml')
    const c = catalog.classifyNode(toContractNode(kube))
    expect(only(c)).toMatchObject({
      resource: 'cambricon.com/mlu',
      kind: 'NPU',
      vendor: 'Cambricon',
      model: 'MLU370-X8',
      domestic: true,
      devices: 8,
    })
    const byResource = catalog.classifyNode(
      toContractNode({ ...kube, metadata: { name: 'x', labels: {} }, status: { capacity: { 'cambricon.com/mlu370': 4 } } }),
    )
    expect(only(byResource)).toMatchObject({ model: 'MLU370-X8', devices: 4 })
    const unlabelled = catalog.classifyNode(toContractNode({ metadata: { name: 'y' }, status: { capacity: { 'cambricon.com/mlu': 2 } } }))
    expect(only(unlabelled)).toMatchObject({ kind: 'unclassified', model: 'cambricon.com/mlu', vendor: 'Cambricon', devices: 2 })
  })

  it('gives plain CPU nodes no accelerators and an honest unidentified CPU', () => {
    for (const kube of [readFixtureNode('kwok-plain-cpu-node.yaml'), ...readFixtureNodes('aks-standard-d2s-v3-cpu-nodelist.json')]) {
      const c = catalog.classifyNode(toContractNode(kube))
      expect(c.accelerators).toEqual([])
      expect(c.cpu).toMatchObject({ vendor: 'unknown', model: 'x86_64 (unidentified)', confidence: 'unknown' })
      expect(c.cpu.figures.fp32).toBeNull()
    }
  })

  it('returns one shared answer for the three AKS nodes, whose hostnames and zones differ', () => {
    const fresh = loadCatalog()
    const [a, b, c] = readFixtureNodes('aks-standard-d2s-v3-cpu-nodelist.json').map((k) => fresh.classifyNode(toContractNode(k)))
    expect(a).toBe(b)
    expect(b).toBe(c)
    expect(Object.isFrozen(a)).toBe(true)
  })

  it('classifies the same when the agent sends only the labels the catalog wants', () => {
    const files = [
      'rke2-nvidia-a16-vgpu-gfd-nodelist.json',
      'kwok-virtual-dgx-a100-8gpu-node.yaml',
      'ascend-910-8npu-node.rendered.yaml',
      'ascend-910c-superpod-16npu-node.rendered.yaml',
      'cambricon-mlu370-node.SYNTHESIZED.yaml',
    ]
    for (const file of files) {
      const node = toContractNode(readFixtureNode(file))
      const wanted = Object.fromEntries(Object.entries(node.labels).filter(([key]) => catalog.wantsLabel(key)))
      expect(Object.keys(wanted).length).toBeLessThan(Object.keys(node.labels).length)
      expect(loadCatalog().classifyNode({ ...node, labels: wanted })).toEqual(catalog.classifyNode(node))
    }
  })
})
