import type { DeviceEntry } from './types'

/** GPU feature discovery labels the catalog reads. */
export const NVIDIA_LABELS = {
  product: 'nvidia.com/gpu.product',
  count: 'nvidia.com/gpu.count',
  memory: 'nvidia.com/gpu.memory',
  replicas: 'nvidia.com/gpu.replicas',
  migStrategy: 'nvidia.com/mig.strategy',
  slicesGi: 'nvidia.com/gpu.slices.gi',
  vgpuPresent: 'nvidia.com/vgpu.present',
} as const

/** Every MIG-capable GPU but the A30 has 7 compute slices; a catalog row may say otherwise. */
export const DEFAULT_MIG_SLICES = 7

const MIG_PRODUCT = /-MIG-(\d+)g\./i
// vGPU profiles end in `-<framebuffer GB><series>`: A16-4Q, A100-40C, A16-1B.
const VGPU_PROFILE = /-(\d+)[ABCQ]$/i

export function positiveInt(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null
  const n = Number(value)
  return n > 0 ? n : null
}

/** Fraction of one GPU a vGPU gets: the profile's framebuffer (or GFD's gpu.memory in MiB) over the board GPU's memory. */
function vgpuFraction(labels: Readonly<Record<string, string>>, row: DeviceEntry | null): number | null {
  const boardGb = row?.memoryGb ?? null
  if (boardGb === null) return null
  const profile = VGPU_PROFILE.exec(labels[NVIDIA_LABELS.product] ?? '')
  const gb = profile ? Number(profile[1]) : (positiveInt(labels[NVIDIA_LABELS.memory]) ?? 0) / 1024
  return gb > 0 ? Math.min(1, gb / boardGb) : null
}

/**
 * Physical GPUs per unit of `nvidia.com/gpu` (or `nvidia.com/gpu.shared` when `shared`), from GFD labels;
 * null when a sharing scheme is visible but its fraction is not.
 * - MIG single strategy: each unit is a MIG device of `gpu.slices.gi` (or the product's `-MIG-<g>g.`) slices.
 * - time-slicing / MPS: `gpu.replicas` units per GPU.
 * - otherwise, more units than GFD's `gpu.count` means a splitting scheduler (HAMi's deviceSplitCount):
 *   the labels name the physical count.
 * - vGPU (`vgpu.present=true`): a unit is the profile's share of the GPU, and virtual.
 */
export function nvidiaScale(
  capacity: number,
  labels: Readonly<Record<string, string>>,
  row: DeviceEntry | null,
  shared: boolean,
): number | null {
  let scale = 1
  let known = !shared
  const product = labels[NVIDIA_LABELS.product] ?? ''
  const migSingle =
    labels[NVIDIA_LABELS.migStrategy] === 'single' && (MIG_PRODUCT.test(product) || labels[NVIDIA_LABELS.slicesGi] !== undefined)
  if (migSingle) {
    const gi = positiveInt(labels[NVIDIA_LABELS.slicesGi]) ?? positiveInt(MIG_PRODUCT.exec(product)?.[1])
    if (gi === null) return null
    scale = Math.min(1, gi / (row?.partitionUnits ?? DEFAULT_MIG_SLICES))
  }
  const replicas = positiveInt(labels[NVIDIA_LABELS.replicas])
  if (replicas !== null && replicas > 1) {
    scale /= replicas
    known = true
  } else if (!migSingle) {
    const count = positiveInt(labels[NVIDIA_LABELS.count])
    if (count !== null && capacity > count) {
      scale = count / capacity
      known = true
    }
  }
  if (!known) return null
  if (labels[NVIDIA_LABELS.vgpuPresent] === 'true') {
    const fraction = vgpuFraction(labels, row)
    if (fraction === null) return null
    scale *= fraction
  }
  return scale
}

/** Time-slicing replicas of one MIG profile (`nvidia.com/mig-1g.5gb.replicas`). */
export function migReplicas(resource: string, labels: Readonly<Record<string, string>>): number {
  const replicas = positiveInt(labels[`${resource}.replicas`])
  return replicas !== null && replicas > 1 ? replicas : 1
}

export function isVirtual(labels: Readonly<Record<string, string>>): boolean {
  return labels[NVIDIA_LABELS.vgpuPresent] === 'true'
}
