import type { DeviceKind, Node } from '../schemas'

/** TFLOPS (TOPS for INT8) per ONE physical device, or per node for CPUs; null = unknown, never guessed. Sparse figures are never used. */
export interface DeviceFigures {
  fp64: number | null
  fp32: number | null
  fp16Dense: number | null
  int8Dense: number | null
}

export type AcceleratorKind = Exclude<DeviceKind, 'CPU'>

/** The node's CPUs: figures are for the WHOLE node (cores x GHz x FLOP/cycle), in TFLOPS. */
export interface CpuClass {
  vendor: string
  /** Microarchitecture, or `<arch> (unidentified)`. */
  model: string
  domestic: boolean
  figures: DeviceFigures
  /** The clock is the catalog's assumed one because the report gave no `cpu.ghz`. */
  ghzAssumed: boolean
  confidence: string
}

/** One extended resource of a node, in physical-device equivalents (a partition counts its fraction). */
export interface AcceleratorClass {
  /** The raw Kubernetes resource name. */
  resource: string
  kind: AcceleratorKind
  vendor: string
  /** Catalog model; the raw resource name when unclassified. */
  model: string
  domestic: boolean
  /** Physical-device equivalents of the resource's capacity. */
  devices: number
  /** Allocatable, in the same physical-device equivalents as `devices`. */
  allocatable: number
  /** In use, in the same physical-device equivalents; null when the report does not say. */
  inUse: number | null
  /** A virtual GPU of a VM-based cluster (NVIDIA vGPU). */
  virtual: boolean
  /** Per physical device. */
  figures: DeviceFigures
  memoryGb: number | null
  tdpW: number | null
  confidence: string
}

export interface NodeClassification {
  cpu: CpuClass
  accelerators: AcceleratorClass[]
}

/** One accelerator row of the catalog (shipped or user), in match order. */
export interface DeviceEntry {
  vendor: string
  model: string
  kind: Exclude<AcceleratorKind, 'unclassified'>
  domestic: boolean
  /** Kubernetes extended resource names this row applies to. */
  resources: readonly string[]
  /** Label keys whose values are tested against `pattern`; a missing label reads as ''. */
  labelKeys: readonly string[]
  /** Case-insensitive; matches when any of `labelKeys` matches. Null: the resource alone decides. */
  pattern: RegExp | null
  /** The row applies only when the node has at least this many devices of the resource. */
  minDevices: number | null
  /** Compute slices of one device (MIG slices, Ascend AI cores) that partitions are fractions of. */
  partitionUnits: number | null
  figures: DeviceFigures
  memoryGb: number | null
  memoryBwGbs: number | null
  tdpW: number | null
  confidence: string
  source: string
  /** What Suanpan changed or added relative to the source. */
  note: string
  /** How a person tells the model, as the reference data says. */
  matchHint: string
  /** `file:line` the row was read from, for messages. */
  origin: string
}

/** One CPU microarchitecture row; every non-null condition must hold. */
export interface CpuEntry {
  microarchitecture: string
  vendor: string
  domestic: boolean
  arch: RegExp | null
  /** On NFD `cpu-model.vendor_id`, or the report's `cpu.vendor` when the label is absent. */
  vendorId: RegExp | null
  family: RegExp | null
  modelId: RegExp | null
  /** NFD cpuid flags that must be `true` (`want`) or must not be (`!FLAG`). */
  cpuid: readonly { flag: string; want: boolean }[]
  /** On the report's `cpu.model`. */
  modelName: RegExp | null
  /** As for devices: `pattern` must match one of these labels (a missing label reads as ''). */
  labelKeys: readonly string[]
  pattern: RegExp | null
  fp64FlopPerCycle: number
  fp32FlopPerCycle: number
  /** Used only when the report gives no `cpu.ghz`. */
  assumedGhz: number
  confidence: string
  source: string
  note: string
  matchHint: string
  origin: string
}

/** The device catalog: data in, pure classification out. */
export interface Catalog {
  /** Classifies a node. Treat the result as read-only: parts of it (all of it for a node without devices) are shared between nodes of the same shape. */
  classifyNode(node: Node): NodeClassification
  /** Accelerator rows in match order (user rows first). */
  readonly devices: readonly DeviceEntry[]
  /** CPU rows in match order (user rows first). */
  readonly cpus: readonly CpuEntry[]
  /** Every fixed label key the catalog reads (an agent may send only these). */
  readonly labelKeys: readonly string[]
  /** Whether the catalog reads a label: `labelKeys` plus per-profile MIG keys such as `nvidia.com/mig-1g.5gb.replicas`. */
  wantsLabel(key: string): boolean
}
