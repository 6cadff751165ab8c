// Micro-benchmark (not a test): npx tsx control-plane/src/catalog/classify.bench.ts
// Classifies 500,000 nodes of a mixed fleet (as parsed from report JSON) and prints nodes/s.
import type { Node } from '../schemas'
import { loadCatalog } from './load'

const TOTAL = 500_000
const DISTINCT = 100_000

const NFD = 'feature.node.kubernetes.io/'
const cpus: Record<string, string>[] = [
  {
    [`${NFD}cpu-model.vendor_id`]: 'Intel',
    [`${NFD}cpu-model.family`]: '6',
    [`${NFD}cpu-model.id`]: '106',
    [`${NFD}cpu-cpuid.AVX512F`]: 'true',
    [`${NFD}cpu-cpuid.AVX2`]: 'true',
  },
  { [`${NFD}cpu-model.vendor_id`]: 'AMD', [`${NFD}cpu-model.family`]: '25', [`${NFD}cpu-model.id`]: '1', [`${NFD}cpu-cpuid.AVX2`]: 'true' },
  { [`${NFD}cpu-model.vendor_id`]: 'Hygon', [`${NFD}cpu-model.family`]: '24', [`${NFD}cpu-cpuid.AVX2`]: 'true' },
  { 'host-arch': 'huawei-arm' },
  {},
]
type Shape = { arch: string; cores: number; labels: Record<string, string>; devices: [string, number][] }
const shapes: Shape[] = [
  { arch: 'amd64', cores: 64, labels: {}, devices: [] },
  { arch: 'amd64', cores: 96, labels: {}, devices: [] },
  {
    arch: 'amd64',
    cores: 128,
    labels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB', 'nvidia.com/gpu.count': '8' },
    devices: [['nvidia.com/gpu', 8]],
  },
  {
    arch: 'amd64',
    cores: 192,
    labels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3', 'nvidia.com/gpu.count': '8' },
    devices: [['nvidia.com/gpu', 8]],
  },
  {
    arch: 'amd64',
    cores: 32,
    labels: { 'nvidia.com/gpu.product': 'Tesla-T4-SHARED', 'nvidia.com/gpu.replicas': '4', 'nvidia.com/gpu.count': '4' },
    devices: [['nvidia.com/gpu', 16]],
  },
  {
    arch: 'amd64',
    cores: 8,
    labels: { 'nvidia.com/gpu.product': 'NVIDIA-A16-4Q', 'nvidia.com/vgpu.present': 'true', 'nvidia.com/gpu.count': '1' },
    devices: [['nvidia.com/gpu', 1]],
  },
  {
    arch: 'amd64',
    cores: 128,
    labels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB', 'nvidia.com/gpu.count': '8', 'nvidia.com/mig.strategy': 'mixed' },
    devices: [
      ['nvidia.com/mig-1g.5gb', 28],
      ['nvidia.com/mig-3g.20gb', 8],
      ['nvidia.com/gpu', 0],
    ],
  },
  {
    arch: 'arm64',
    cores: 192,
    labels: { accelerator: 'huawei-Ascend910', 'accelerator-type': 'module-910b-8' },
    devices: [['huawei.com/Ascend910', 8]],
  },
  {
    arch: 'arm64',
    cores: 320,
    labels: { accelerator: 'huawei-Ascend910', 'accelerator-type': 'module-a3-16-super-pod' },
    devices: [['huawei.com/Ascend910', 16]],
  },
  { arch: 'amd64', cores: 64, labels: { Model: 'MLU370-X8' }, devices: [['cambricon.com/mlu', 8]] },
  {
    arch: 'amd64',
    cores: 64,
    labels: {},
    devices: [
      ['example.com/fpga', 2],
      ['rdma/ib', 1],
    ],
  },
]

function makeNode(i: number): Node {
  const shape = shapes[i % shapes.length] as Shape
  const cpu = shape.arch === 'arm64' ? (cpus[3] as Record<string, string>) : (cpus[i % 3] as Record<string, string>)
  const labels: Record<string, string> = {
    'kubernetes.io/arch': shape.arch,
    'kubernetes.io/hostname': `node-${i}`,
    'kubernetes.io/os': 'linux',
    'topology.kubernetes.io/zone': `zone-${i % 3}`,
    'nvidia.com/gfd.timestamp': String(1_700_000_000 + i),
    ...cpu,
    ...shape.labels,
  }
  return {
    name: `node-${i}`,
    arch: shape.arch,
    cpu: { cores: shape.cores },
    memoryBytes: 512 * 2 ** 30,
    labels,
    allocatable: { cpuMillis: shape.cores * 1000, memoryBytes: 500 * 2 ** 30 },
    requested: { cpuMillis: (i * 7919) % (shape.cores * 1000), memoryBytes: 0 },
    accelerators: shape.devices.map(([resource, count]) => ({
      resource,
      count,
      allocatable: count,
      inUse: count === 0 ? 0 : i % (count + 1),
    })),
  }
}

// As the ingest path sees them: fresh objects parsed from JSON, not shared templates.
const nodes: Node[] = JSON.parse(JSON.stringify(Array.from({ length: DISTINCT }, (_, i) => makeNode(i))))

const catalog = loadCatalog()
let sink = 0
const started = performance.now()
for (let i = 0; i < TOTAL; i++) {
  const c = catalog.classifyNode(nodes[i % DISTINCT] as Node)
  sink += c.accelerators.length
}
const seconds = (performance.now() - started) / 1000
const perSecond = Math.round(TOTAL / seconds)
console.log(
  `classified ${TOTAL.toLocaleString('en')} nodes (${DISTINCT.toLocaleString('en')} distinct objects, ${shapes.length} shapes x CPU kinds)`,
)
console.log(
  `${seconds.toFixed(3)} s: ${perSecond.toLocaleString('en')} nodes/s (${(perSecond * 60).toLocaleString('en')} nodes/min; target 500,000/min)`,
)
if (sink < 0) console.log(sink)
