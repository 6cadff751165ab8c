import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Node } from '../schemas'
import { createCatalog } from './classify'
import { loadCatalog } from './load'
import { isNonCompute } from './non-compute'
import { resourceRole } from './partitions'

const catalog = loadCatalog()

const SHARING_LABELS = [
  'nvidia.com/gpu.replicas',
  'nvidia.com/gpu.count',
  'nvidia.com/mig.strategy',
  'nvidia.com/gpu.slices.gi',
  'nvidia.com/vgpu.present',
]
const LABEL_KEYS = [
  ...SHARING_LABELS,
  'nvidia.com/gpu.product',
  'nvidia.com/gpu.memory',
  'nvidia.com/mig-1g.5gb.replicas',
  'accelerator-type',
  'node.kubernetes.io/npu.chip.name',
  'Model',
  'nodeInstance',
  'host-arch',
  'feature.node.kubernetes.io/cpu-model.vendor_id',
  'feature.node.kubernetes.io/cpu-model.family',
  'feature.node.kubernetes.io/cpu-model.id',
  'feature.node.kubernetes.io/cpu-cpuid.AVX512F',
  'feature.node.kubernetes.io/cpu-cpuid.AVX2',
  'kubernetes.io/arch',
  'kubernetes.io/hostname',
]
const LABEL_VALUES = fc.oneof(
  fc.constantFrom('', '0', '1', '2', '4', '7', '8', '16', '-1', '1.5', 'true', 'false', 'single', 'mixed', 'none'),
  fc.constantFrom('A100-SXM4-40GB', 'NVIDIA-A16-4Q', 'A100-SXM4-40GB-MIG-3g.20gb', 'Tesla-T4-SHARED', 'NVIDIA-H200', 'MLU370-X8', 'Z100'),
  fc.constantFrom('module', 'module-a3-16-super-pod', 'module-910b-8', '910B3', '910C', 'huawei-arm', 'dgxa100.40g.8.norm'),
  fc.constantFrom('Intel', 'AMD', 'HygonGenuine', 'HiSilicon', '0x48', '6', '23', '25', '26', '61', 'amd64', 'arm64'),
  fc.string({ maxLength: 12 }),
  // any code points, including the memo key's own separators and codes
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('\u0100', '1:\u0101x', '|1:a', '='),
)
const RESOURCES = fc.oneof(
  fc.constantFrom('nvidia.com/gpu', 'nvidia.com/gpu.shared', 'nvidia.com/mig-1g.5gb', 'nvidia.com/mig-3g.20gb', 'nvidia.com/mig-7g.40gb'),
  fc.constantFrom('nvidia.com/gpumem', 'nvidia.com/gpucores', 'volcano.sh/vgpu-number', 'volcano.sh/vgpu-memory'),
  fc.constantFrom(
    'huawei.com/Ascend910',
    'huawei.com/Ascend910-4c',
    'huawei.com/Ascend910-16c',
    'huawei.com/Ascend310P',
    'huawei.com/Ascend310P-2c.1cpu',
  ),
  fc.constantFrom(
    'huawei.com/Ascend910B3',
    'huawei.com/Ascend910B3-memory',
    'cambricon.com/mlu',
    'cambricon.com/mlu370',
    'hygon.com/dcu',
    'kunlunxin.com/xpu',
  ),
  fc.constantFrom('pods', 'ephemeral-storage', 'hugepages-2Mi', 'rdma/ib', 'intel.com/sriov_netdevice', 'devices.kubevirt.io/kvm'),
  fc.stringMatching(/^[a-z]{1,6}\.(com|io)\/[a-z0-9-]{1,10}$/),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }),
)
const COUNT = fc.oneof(
  fc.nat({ max: 128 }),
  fc.double({ min: 0, max: 1e6, noNaN: true }),
  fc.double({ min: 0, max: Number.MAX_VALUE, noNaN: true }),
)

const NODE: fc.Arbitrary<Node> = fc.record({
  name: fc.constant('n'),
  arch: fc.constantFrom('amd64', 'arm64', 'x86_64', 'riscv64', 's390x'),
  cpu: fc.record(
    {
      cores: fc.oneof(fc.nat({ max: 512 }), fc.double({ min: 0, max: 1024, noNaN: true })),
      ghz: fc.double({ min: 0.1, max: 10, noNaN: true }),
      vendor: fc.constantFrom('GenuineIntel', 'AuthenticAMD', 'HygonGenuine', 'weird'),
      model: fc.constantFrom('Kunpeng-920', 'Intel Xeon', ''),
    },
    { requiredKeys: ['cores'] },
  ),
  memoryBytes: fc.nat(),
  labels: fc.dictionary(fc.constantFrom(...LABEL_KEYS), LABEL_VALUES, { maxKeys: 12 }),
  allocatable: fc.record({ cpuMillis: fc.nat(), memoryBytes: fc.nat() }),
  requested: fc.record({ cpuMillis: fc.nat(), memoryBytes: fc.nat() }),
  accelerators: fc.array(
    fc.record(
      { resource: RESOURCES, count: COUNT, allocatable: COUNT, inUse: COUNT },
      { requiredKeys: ['resource', 'count', 'allocatable'] },
    ),
    { maxLength: 8 },
  ),
})

const finiteNonNegative = (x: number) => Number.isFinite(x) && x >= 0

/** The input resources the classification must list, in order: all but non-compute ones and companions of a device present. */
function kept(node: Node): Node['accelerators'] {
  const present = new Set(node.accelerators.map((a) => a.resource))
  return node.accelerators.filter((a) => {
    if (isNonCompute(a.resource)) return false
    const role = resourceRole(a.resource, present)
    return !(role.role === 'companion' && role.parents.some((p) => present.has(p)))
  })
}

describe('catalog.classifyNode (properties)', () => {
  it('never throws and never returns a negative, NaN or infinite number', () => {
    fc.assert(
      fc.property(NODE, (node) => {
        const c = catalog.classifyNode(node)
        for (const a of c.accelerators) {
          expect(finiteNonNegative(a.devices) && finiteNonNegative(a.allocatable), a.resource).toBe(true)
          if (a.inUse !== null) expect(finiteNonNegative(a.inUse)).toBe(true)
        }
        for (const f of Object.values(c.cpu.figures)) if (f !== null) expect(finiteNonNegative(f)).toBe(true)
      }),
      { numRuns: 2000 },
    )
  })

  it('drops nothing but non-compute resources and companions of a device present, and never adds any', () => {
    fc.assert(
      fc.property(NODE, (node) => {
        expect(catalog.classifyNode(node).accelerators.map((a) => a.resource)).toEqual(kept(node).map((a) => a.resource))
      }),
      { numRuns: 2000 },
    )
  })

  /**
   * The invariant: a partition or shared unit is at most one device, and whole-device resources count
   * their capacity, so their sum equals the input capacities. `nvidia.com/gpu` is whole only when no GFD
   * sharing label (replicas, count, MIG strategy and slices, vGPU) says otherwise.
   */
  it('counts whole devices at their capacity and any unit as at most one device', () => {
    fc.assert(
      fc.property(NODE, (node) => {
        const present = new Set(node.accelerators.map((a) => a.resource))
        const noSharingLabels = SHARING_LABELS.every((key) => node.labels[key] === undefined)
        const inputs = kept(node)
        let capacity = 0
        let devices = 0
        catalog.classifyNode(node).accelerators.forEach((a, i) => {
          const input = inputs[i]
          if (!input) throw new Error('outputs and inputs are aligned')
          expect(a.devices).toBeLessThanOrEqual(input.count + 1e-9)
          const whole = resourceRole(input.resource, present).role === 'whole' && (input.resource !== 'nvidia.com/gpu' || noSharingLabels)
          if (whole) {
            expect(a.devices).toBeCloseTo(input.count, 6)
            capacity += input.count
            devices += a.devices
          }
        })
        expect(devices).toBeCloseTo(capacity, 6)
      }),
      { numRuns: 2000 },
    )
  })

  it('gives unclassified devices no figures, and unidentified CPUs no figures', () => {
    fc.assert(
      fc.property(NODE, (node) => {
        const c = catalog.classifyNode(node)
        for (const a of c.accelerators) {
          if (a.kind === 'unclassified') expect(a.figures).toEqual({ fp64: null, fp32: null, fp16Dense: null, int8Dense: null })
        }
        if (c.cpu.model.endsWith('(unidentified)')) expect(c.cpu.figures.fp32).toBeNull()
      }),
      { numRuns: 1000 },
    )
  })

  it('memoizes without mixing shapes up: a warm catalog answers like a fresh one', () => {
    const warm = createCatalog(catalog.devices, catalog.cpus)
    fc.assert(
      fc.property(fc.array(NODE, { minLength: 1, maxLength: 20 }), (nodes) => {
        for (const node of nodes) warm.classifyNode(node)
        for (const node of nodes) expect(warm.classifyNode(node)).toEqual(createCatalog(catalog.devices, catalog.cpus).classifyNode(node))
      }),
      { numRuns: 200 },
    )
  })

  it('does not let a label value forge another shape: a product naming the count label is not a count', () => {
    const fresh = createCatalog(catalog.devices, catalog.cpus)
    const base: Node = {
      name: 'n',
      arch: 'amd64',
      cpu: { cores: 1 },
      memoryBytes: 0,
      labels: {},
      allocatable: { cpuMillis: 0, memoryBytes: 0 },
      requested: { cpuMillis: 0, memoryBytes: 0 },
      accelerators: [{ resource: 'nvidia.com/gpu', count: 8, allocatable: 8 }],
    }
    // the memo encodes each label key as one character from U+0100; a value carrying that character must not pass for the label
    const countCode = String.fromCharCode(0x100 + catalog.labelKeys.indexOf('nvidia.com/gpu.count'))
    const real = fresh.classifyNode({ ...base, labels: { 'nvidia.com/gpu.product': 'A100', 'nvidia.com/gpu.count': '1' } })
    const forged = fresh.classifyNode({ ...base, labels: { 'nvidia.com/gpu.product': `A100${countCode}1` } })
    expect(real.accelerators[0]?.devices).toBe(1)
    expect(forged.accelerators[0]?.devices).toBe(8)
  })
})
