import type { Node } from '../schemas'
import type { CpuClass, CpuEntry, DeviceFigures } from './types'

const NFD = 'feature.node.kubernetes.io/'
export const CPU_VENDOR_ID_LABEL = `${NFD}cpu-model.vendor_id`
export const CPU_FAMILY_LABEL = `${NFD}cpu-model.family`
export const CPU_MODEL_ID_LABEL = `${NFD}cpu-model.id`
export const ARCH_LABEL = 'kubernetes.io/arch'
/** Node feature discovery sets this when SMT (hyper-threading) is on. */
export const SMT_LABEL = `${NFD}cpu-hardware_multithreading`

export function cpuidLabel(flag: string): string {
  return `${NFD}cpu-cpuid.${flag}`
}

/** The label keys CPU identification reads, given the catalog's rows (their cpuid flags). */
export function cpuLabelKeys(rows: readonly CpuEntry[]): string[] {
  const keys = new Set([CPU_VENDOR_ID_LABEL, CPU_FAMILY_LABEL, CPU_MODEL_ID_LABEL, ARCH_LABEL, SMT_LABEL])
  for (const row of rows) {
    for (const { flag } of row.cpuid) keys.add(cpuidLabel(flag))
    for (const key of row.labelKeys) keys.add(key)
  }
  return [...keys]
}

/** The CPU microarchitecture row of a node, or null when nothing identifies it (then it is counted, not guessed). */
export function identifyCpu(node: Node, rows: readonly CpuEntry[]): CpuEntry | null {
  const labels = node.labels
  const arch = node.arch || labels[ARCH_LABEL] || ''
  const vendorId = labels[CPU_VENDOR_ID_LABEL] ?? node.cpu.vendor ?? ''
  const family = labels[CPU_FAMILY_LABEL] ?? ''
  const modelId = labels[CPU_MODEL_ID_LABEL] ?? ''
  const modelName = node.cpu.model ?? ''
  for (const row of rows) {
    if (row.arch && !row.arch.test(arch)) continue
    if (row.vendorId && !row.vendorId.test(vendorId)) continue
    if (row.family && !row.family.test(family)) continue
    if (row.modelId && !row.modelId.test(modelId)) continue
    if (row.modelName && !row.modelName.test(modelName)) continue
    if (!row.cpuid.every(({ flag, want }) => (labels[cpuidLabel(flag)] === 'true') === want)) continue
    const pattern = row.pattern
    if (pattern !== null && !row.labelKeys.some((key) => pattern.test(labels[key] ?? ''))) continue
    return row
  }
  return null
}

const VENDOR_NAMES: readonly [RegExp, string][] = [
  [/intel/i, 'Intel'],
  [/amd|advanced micro/i, 'AMD'],
  [/hygon/i, 'Hygon'],
  [/hisilicon|^0x48$|huawei/i, 'Huawei'],
]

function vendorName(node: Node): string {
  const raw = node.labels[CPU_VENDOR_ID_LABEL] ?? node.cpu.vendor ?? ''
  if (raw === '') return 'unknown'
  for (const [pattern, name] of VENDOR_NAMES) if (pattern.test(raw)) return name
  return raw
}

function archName(arch: string): string {
  if (arch === 'amd64' || arch === 'x86_64') return 'x86_64'
  if (arch === 'aarch64') return 'arm64'
  return arch || 'unknown'
}

const NO_FIGURES: DeviceFigures = Object.freeze({ fp64: null, fp32: null, fp16Dense: null, int8Dense: null })

/** Node peak = cores x GHz x FLOP/cycle (TFLOPS); the clock is the report's or the row's assumed one. FP16/INT8 are never guessed for CPUs. */
export function cpuClass(node: Node, row: CpuEntry | null): CpuClass {
  if (row === null) {
    return Object.freeze({
      vendor: vendorName(node),
      model: `${archName(node.arch || node.labels[ARCH_LABEL] || '')} (unidentified)`,
      domestic: false,
      figures: NO_FIGURES,
      // No clock is used when nothing is computed.
      ghzAssumed: false,
      confidence: 'unknown',
    })
  }
  const ghz = node.cpu.ghz ?? row.assumedGhz
  // The kubelet counts logical CPUs; with SMT two hyper-threads share one core's FMA units.
  const physicalCores = node.labels[SMT_LABEL] === 'true' ? node.cpu.cores / 2 : node.cpu.cores
  const perCore = physicalCores * ghz
  return Object.freeze({
    vendor: row.vendor,
    model: row.microarchitecture,
    domestic: row.domestic,
    figures: Object.freeze({
      fp64: (perCore * row.fp64FlopPerCycle) / 1000,
      fp32: (perCore * row.fp32FlopPerCycle) / 1000,
      fp16Dense: null,
      int8Dense: null,
    }),
    ghzAssumed: node.cpu.ghz === undefined,
    confidence: row.confidence,
  })
}
