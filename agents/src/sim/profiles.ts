/** What a node's workload looks like over the day; drives accelerator utilization. */
export type Workload = 'service' | 'training' | 'inference' | 'desktop'

export interface CpuProfile {
  id: string
  arch: 'amd64' | 'arm64'
  /** Logical CPUs as the kubelet reports them (threads on SMT parts). */
  cores: number
  vendor: string
  model: string
  ghz: number
  memoryGiB: number
  domestic: boolean
  /** Node Feature Discovery labels as NFD writes them (only the keys the device catalog reads, as agents send). */
  labels: Readonly<Record<string, string>>
  /** Whole-server power at idle and at full CPU load, kW. */
  idleKw: number
  peakKw: number
}

export interface AcceleratorProfile {
  id: string
  /** The extended resource the device plugin advertises. */
  resource: string
  /** Devices per node, as the plugin counts them. */
  count: number
  /** The `model` column of data/device_catalog.csv this node should map to; undefined for unknown devices. */
  catalogModel?: string
  /** Watts per advertised device when the catalog has no TDP. */
  tdpFallbackW: number
  /** Fraction of the physical device each advertised unit is (a vGPU profile); 1 for whole devices. */
  fraction: number
  domestic: boolean
  workload: Workload
  host: string
  /** Host overrides for servers whose shape is fixed by the accelerator platform (DGX, Atlas 800, a VDI VM). */
  hostCores?: number
  hostMemoryGiB?: number
  hostIdleKw?: number
  hostPeakKw?: number
  labels: Readonly<Record<string, string>>
}

const NFD = 'feature.node.kubernetes.io/'

function x86Labels(vendor: string, family: number, id: number, avx512: boolean): Record<string, string> {
  return {
    'kubernetes.io/arch': 'amd64',
    [`${NFD}cpu-model.vendor_id`]: vendor,
    [`${NFD}cpu-model.family`]: String(family),
    [`${NFD}cpu-model.id`]: String(id),
    [`${NFD}cpu-cpuid.AVX2`]: 'true',
    // x86 servers in government clouds run with SMT on: the kubelet counts hyper-threads as CPUs.
    [`${NFD}cpu-hardware_multithreading`]: 'true',
    ...(avx512 ? { [`${NFD}cpu-cpuid.AVX512F`]: 'true' } : {}),
  }
}

/** CPU server types in government clouds: Intel and AMD, and the domestic Kunpeng (arm64) and Hygon (x86). */
export const CPU_PROFILES: Readonly<Record<string, CpuProfile>> = {
  icx: {
    id: 'icx',
    arch: 'amd64',
    cores: 128,
    vendor: 'Intel',
    model: 'Intel(R) Xeon(R) Platinum 8358 CPU @ 2.60GHz',
    ghz: 2.6,
    memoryGiB: 512,
    domestic: false,
    labels: x86Labels('Intel', 6, 106, true),
    idleKw: 0.3,
    peakKw: 0.7,
  },
  spr: {
    id: 'spr',
    arch: 'amd64',
    cores: 128,
    vendor: 'Intel',
    model: 'Intel(R) Xeon(R) Gold 6448Y',
    ghz: 2.1,
    memoryGiB: 1024,
    domestic: false,
    labels: x86Labels('Intel', 6, 143, true),
    idleKw: 0.35,
    peakKw: 0.8,
  },
  clx: {
    id: 'clx',
    arch: 'amd64',
    cores: 96,
    vendor: 'Intel',
    model: 'Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz',
    ghz: 3.0,
    memoryGiB: 384,
    domestic: false,
    labels: x86Labels('Intel', 6, 85, true),
    idleKw: 0.28,
    peakKw: 0.65,
  },
  milan: {
    id: 'milan',
    arch: 'amd64',
    cores: 256,
    vendor: 'AMD',
    model: 'AMD EPYC 7763 64-Core Processor',
    ghz: 2.45,
    memoryGiB: 1024,
    domestic: false,
    labels: x86Labels('AMD', 25, 1, false),
    idleKw: 0.35,
    peakKw: 0.8,
  },
  genoa: {
    id: 'genoa',
    arch: 'amd64',
    cores: 256,
    vendor: 'AMD',
    model: 'AMD EPYC 9554 64-Core Processor',
    ghz: 3.1,
    memoryGiB: 1536,
    domestic: false,
    labels: x86Labels('AMD', 25, 17, true),
    idleKw: 0.4,
    peakKw: 0.8,
  },
  kp920: {
    id: 'kp920',
    arch: 'arm64',
    cores: 128,
    vendor: 'HiSilicon',
    model: 'Kunpeng 920 6426',
    ghz: 2.6,
    memoryGiB: 512,
    domestic: true,
    labels: {
      'kubernetes.io/arch': 'arm64',
      [`${NFD}cpu-model.vendor_id`]: 'HiSilicon',
      [`${NFD}cpu-model.family`]: '8',
      [`${NFD}cpu-model.id`]: '3329',
    },
    idleKw: 0.25,
    peakKw: 0.55,
  },
  hygon: {
    id: 'hygon',
    arch: 'amd64',
    cores: 128,
    vendor: 'Hygon',
    model: 'Hygon C86 7285 32-core Processor',
    ghz: 2.0,
    memoryGiB: 512,
    domestic: true,
    labels: x86Labels('Hygon', 24, 1, false),
    idleKw: 0.3,
    peakKw: 0.65,
  },
}

/** GPU feature discovery labels (the ones the catalog reads: product, count, memory in MiB). */
function gfd(product: string, count: number, memoryMiB: number): Record<string, string> {
  return {
    'nvidia.com/gpu.product': product,
    'nvidia.com/gpu.count': String(count),
    'nvidia.com/gpu.memory': String(memoryMiB),
  }
}

/** Accelerator server types, with the labels their device plugins and feature discovery really write. */
export const ACCELERATOR_PROFILES: Readonly<Record<string, AcceleratorProfile>> = {
  a100: {
    id: 'a100',
    resource: 'nvidia.com/gpu',
    count: 8,
    catalogModel: 'A100-SXM4-80GB',
    tdpFallbackW: 400,
    fraction: 1,
    domestic: false,
    workload: 'training',
    host: 'milan',
    hostMemoryGiB: 2048,
    hostIdleKw: 0.9,
    hostPeakKw: 1.8,
    labels: gfd('NVIDIA-A100-SXM4-80GB', 8, 81920),
  },
  h800: {
    id: 'h800',
    resource: 'nvidia.com/gpu',
    count: 8,
    catalogModel: 'H800-SXM-80GB',
    tdpFallbackW: 700,
    fraction: 1,
    domestic: false,
    workload: 'training',
    host: 'spr',
    hostMemoryGiB: 2048,
    hostIdleKw: 1.0,
    hostPeakKw: 2.0,
    labels: gfd('NVIDIA-H800', 8, 81559),
  },
  h20: {
    id: 'h20',
    resource: 'nvidia.com/gpu',
    count: 8,
    catalogModel: 'H20-96GB',
    tdpFallbackW: 400,
    fraction: 1,
    domestic: false,
    workload: 'inference',
    host: 'spr',
    hostMemoryGiB: 2048,
    hostIdleKw: 0.9,
    hostPeakKw: 1.8,
    labels: gfd('NVIDIA-H20', 8, 97871),
  },
  l40s: {
    id: 'l40s',
    resource: 'nvidia.com/gpu',
    count: 8,
    catalogModel: 'L40S-48GB',
    tdpFallbackW: 350,
    fraction: 1,
    domestic: false,
    workload: 'inference',
    host: 'icx',
    hostMemoryGiB: 1024,
    labels: gfd('NVIDIA-L40S', 8, 46068),
  },
  a10: {
    id: 'a10',
    resource: 'nvidia.com/gpu',
    count: 4,
    catalogModel: 'A10-24GB',
    tdpFallbackW: 150,
    fraction: 1,
    domestic: false,
    workload: 'inference',
    host: 'icx',
    labels: gfd('NVIDIA-A10', 4, 23028),
  },
  t4: {
    id: 't4',
    resource: 'nvidia.com/gpu',
    count: 4,
    catalogModel: 'T4-16GB',
    tdpFallbackW: 70,
    fraction: 1,
    domestic: false,
    workload: 'inference',
    host: 'clx',
    labels: gfd('Tesla-T4', 4, 15360),
  },
  v100: {
    id: 'v100',
    resource: 'nvidia.com/gpu',
    count: 8,
    catalogModel: 'V100-SXM2-32GB',
    tdpFallbackW: 300,
    fraction: 1,
    domestic: false,
    workload: 'training',
    host: 'clx',
    hostMemoryGiB: 768,
    hostIdleKw: 0.6,
    hostPeakKw: 1.2,
    labels: gfd('Tesla-V100-SXM2-32GB', 8, 32768),
  },
  a16vgpu: {
    id: 'a16vgpu',
    resource: 'nvidia.com/gpu',
    count: 1,
    catalogModel: 'A16-16GB (one of four GPUs on an A16 board)',
    tdpFallbackW: 62.5,
    fraction: 0.25,
    domestic: false,
    workload: 'desktop',
    host: 'icx',
    // A VM on an A16 host (VM-based cluster): small vCPU/memory share, GFD labels from inside the guest.
    hostCores: 8,
    hostMemoryGiB: 32,
    hostIdleKw: 0.04,
    hostPeakKw: 0.09,
    labels: {
      ...gfd('NVIDIA-A16-4Q', 1, 4096),
      'nvidia.com/vgpu.present': 'true',
    },
  },
  ascend910b: {
    id: 'ascend910b',
    resource: 'huawei.com/Ascend910',
    count: 8,
    catalogModel: 'Ascend-910B',
    tdpFallbackW: 400,
    fraction: 1,
    domestic: true,
    workload: 'training',
    host: 'kp920',
    // Atlas 800T A2: four Kunpeng 920 sockets.
    hostCores: 192,
    hostMemoryGiB: 1536,
    hostIdleKw: 0.8,
    hostPeakKw: 1.6,
    labels: {
      'accelerator-type': 'module-910b-8',
      'node.kubernetes.io/npu.chip.name': '910B3',
      'host-arch': 'huawei-arm',
    },
  },
  ascend910a: {
    id: 'ascend910a',
    resource: 'huawei.com/Ascend910',
    count: 8,
    catalogModel: 'Ascend-910A',
    tdpFallbackW: 310,
    fraction: 1,
    domestic: true,
    workload: 'training',
    host: 'kp920',
    hostCores: 192,
    hostMemoryGiB: 1024,
    hostIdleKw: 0.7,
    hostPeakKw: 1.4,
    labels: { 'accelerator-type': 'module', 'host-arch': 'huawei-arm' },
  },
  ascend910c: {
    id: 'ascend910c',
    resource: 'huawei.com/Ascend910',
    count: 16,
    catalogModel: 'Ascend-910C',
    tdpFallbackW: 400,
    fraction: 1,
    domestic: true,
    workload: 'training',
    host: 'kp920',
    hostCores: 192,
    hostMemoryGiB: 1536,
    hostIdleKw: 1.0,
    hostPeakKw: 2.0,
    labels: { 'accelerator-type': 'module-a3-16-super-pod', 'host-arch': 'huawei-arm' },
  },
  ascend310p: {
    id: 'ascend310p',
    resource: 'huawei.com/Ascend310P',
    count: 8,
    catalogModel: 'Ascend-310P',
    tdpFallbackW: 75,
    fraction: 1,
    domestic: true,
    workload: 'inference',
    host: 'kp920',
    labels: { 'host-arch': 'huawei-arm' },
  },
  mlu370: {
    id: 'mlu370',
    resource: 'cambricon.com/mlu',
    count: 8,
    catalogModel: 'MLU370-X8',
    tdpFallbackW: 250,
    fraction: 1,
    domestic: true,
    workload: 'inference',
    host: 'hygon',
    // Written by the Cambricon device plugin when started with --node-label.
    labels: { Model: 'MLU370-X8' },
  },
  dcu: {
    id: 'dcu',
    resource: 'hygon.com/dcu',
    count: 8,
    catalogModel: 'DCU-Z100',
    tdpFallbackW: 300,
    fraction: 1,
    domestic: true,
    workload: 'training',
    host: 'hygon',
    hostMemoryGiB: 1024,
    // No public discovery label names a Z100: the catalog expects the operator's label.
    labels: { 'suanpan.io/device-model': 'Z100' },
  },
  dcuk100: {
    id: 'dcuk100',
    resource: 'hygon.com/dcu',
    count: 8,
    catalogModel: 'DCU-K100-AI',
    tdpFallbackW: 350,
    fraction: 1,
    domestic: true,
    workload: 'training',
    host: 'hygon',
    hostMemoryGiB: 1024,
    // NFD configured with deviceLabelFields [vendor, device]: PCI 1d94:6210.
    labels: { [`${NFD}pci-1d94_6210.present`]: 'true' },
  },
  r200: {
    id: 'r200',
    resource: 'kunlunxin.com/xpu',
    count: 8,
    catalogModel: 'R200',
    tdpFallbackW: 150,
    fraction: 1,
    domestic: true,
    workload: 'inference',
    host: 'icx',
    labels: {},
  },
  fpga: {
    id: 'fpga',
    resource: 'example.com/fpga',
    count: 2,
    tdpFallbackW: 75,
    fraction: 1,
    domestic: false,
    workload: 'service',
    host: 'icx',
    labels: {},
  },
}

/** CPU server mix of a government cloud (信创: Kunpeng and Hygon about half). */
export const CPU_WEIGHTS: readonly (readonly [string, number])[] = [
  ['icx', 18],
  ['spr', 12],
  ['clx', 12],
  ['milan', 6],
  ['genoa', 4],
  ['kp920', 28],
  ['hygon', 20],
]

/** Accelerator pools of intelligent-computing clusters. */
export const AI_WEIGHTS: readonly (readonly [string, number])[] = [
  ['a100', 10],
  ['h800', 5],
  ['h20', 6],
  ['l40s', 6],
  ['a10', 4],
  ['t4', 5],
  ['v100', 3],
  ['ascend910b', 10],
  ['ascend910a', 4],
  ['ascend910c', 1.5],
  ['ascend310p', 6],
  ['mlu370', 5],
  ['dcu', 3],
  ['dcuk100', 2],
  ['r200', 4],
]

/** The few inference cards a general-purpose government cloud carries. */
export const INFERENCE_WEIGHTS: readonly (readonly [string, number])[] = [
  ['t4', 8],
  ['a10', 6],
  ['l40s', 4],
  ['ascend310p', 10],
  ['mlu370', 4],
  ['r200', 3],
  ['dcu', 2],
]
