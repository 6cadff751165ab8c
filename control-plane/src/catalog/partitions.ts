/**
 * How a resource relates to a physical device resource. Partitions are fractions of one device and
 * never extra devices; companions are quantities of a device (memory, core percentages), not devices.
 */
export type ResourceRole =
  | { role: 'whole' }
  /** NVIDIA MIG slice in the mixed strategy: `nvidia.com/mig-<g>g.<mem>gb`, `g` compute slices of the GPU. */
  | { role: 'mig'; parent: string; slices: number }
  /** NVIDIA time-slicing or MPS with `renameByDefault`: replicas of the GPU under `nvidia.com/gpu.shared`. */
  | { role: 'shared'; parent: string }
  /** Ascend static vNPU: `huawei.com/Ascend910-4c` (4 AI cores), optionally `.3cpu.32g`-style suffixes. */
  | { role: 'vnpu'; parent: string; cores: number }
  /** Memory or core quantity of a device shared by HAMi, volcano and the like; `parents` are the device resources. */
  | { role: 'companion'; parents: readonly string[]; known: boolean }

const MIG = /^nvidia\.com\/mig-(\d+)g\.\d+gb/
const VNPU = /^(huawei\.com\/Ascend[A-Za-z0-9]*?)-(\d+)c(?:\..*)?$/

/** Non-device resources of sharing schedulers, with the device resources they qualify. */
const KNOWN_COMPANIONS: ReadonlyMap<string, readonly string[]> = new Map([
  // HAMi
  ['nvidia.com/gpumem', ['nvidia.com/gpu']],
  ['nvidia.com/gpumem-percentage', ['nvidia.com/gpu']],
  ['nvidia.com/gpucores', ['nvidia.com/gpu']],
  ['hygon.com/dcumem', ['hygon.com/dcunum', 'hygon.com/dcu']],
  ['hygon.com/dcucores', ['hygon.com/dcunum', 'hygon.com/dcu']],
  ['cambricon.com/mlu.smlu.vmemory', ['cambricon.com/mlu', 'cambricon.com/vmlu']],
  ['cambricon.com/mlu.smlu.vcore', ['cambricon.com/mlu', 'cambricon.com/vmlu']],
  ['iluvatar.ai/vcuda-core', ['iluvatar.ai/vgpu']],
  ['iluvatar.ai/vcuda-memory', ['iluvatar.ai/vgpu']],
  ['metax-tech.com/vcore', ['metax-tech.com/sgpu']],
  ['metax-tech.com/vmemory', ['metax-tech.com/sgpu']],
  ['mthreads.com/sgpu-memory', ['mthreads.com/vgpu']],
  ['mthreads.com/sgpu-core', ['mthreads.com/vgpu']],
  // volcano vgpu and gpu-share, Alibaba gpushare
  ['volcano.sh/vgpu-memory', ['volcano.sh/vgpu-number']],
  ['volcano.sh/vgpu-cores', ['volcano.sh/vgpu-number']],
  ['volcano.sh/gpu-memory', ['volcano.sh/gpu-number']],
  ['aliyun.com/gpu-mem', ['aliyun.com/gpu-count']],
])

// `<device>-memory`, `<device>-core(s)`, `<device>.vmemory`: a companion only when `<device>` is on the node.
const GENERIC_COMPANION = /^(.+?)(?:-(?:memory|mem|cores?|percentage)|\.(?:vmemory|vcore))$/

/** The role of a resource on a node that advertises `present` (all its resource names). */
export function resourceRole(resource: string, present: ReadonlySet<string>): ResourceRole {
  const known = KNOWN_COMPANIONS.get(resource)
  if (known) return { role: 'companion', parents: known, known: true }
  const mig = MIG.exec(resource)
  if (mig) return { role: 'mig', parent: 'nvidia.com/gpu', slices: Number(mig[1]) }
  if (resource === 'nvidia.com/gpu.shared') return { role: 'shared', parent: 'nvidia.com/gpu' }
  const vnpu = VNPU.exec(resource)
  if (vnpu?.[1] && vnpu[2]) return { role: 'vnpu', parent: vnpu[1], cores: Number(vnpu[2]) }
  const generic = GENERIC_COMPANION.exec(resource)
  if (generic?.[1] && present.has(generic[1])) return { role: 'companion', parents: [generic[1]], known: false }
  return { role: 'whole' }
}
