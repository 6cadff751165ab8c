/**
 * Node label keys the device catalog reads, as key prefixes; Node.labels carries only these, so a
 * report does not ship every cloud, topology and role label of every node. Each entry is a prefix
 * of the key (case-sensitive), so `kubernetes.io/arch` keeps exactly that key and `nvidia.com/`
 * keeps every label NVIDIA GPU feature discovery writes.
 */
export const CATALOG_LABEL_PREFIXES: readonly string[] = Object.freeze([
  'nvidia.com/', // GPU feature discovery: gpu.product, gpu.memory, gpu.count, mig.*, vgpu.*, sharing-strategy
  'feature.node.kubernetes.io/cpu-', // node feature discovery: cpu-model.vendor_id, cpu-model.family, cpu-model.id, cpuid flags
  'node.kubernetes.io/npu', // Ascend device plugin: node.kubernetes.io/npu.chip.name
  'accelerator', // Ascend: accelerator=huawei-Ascend910 (and accelerator-type, matched by this prefix too)
  'accelerator-type', // Ascend: module, card, module-910b-8, module-a3-8-super-pod …
  'huawei.com/', // Ascend device plugin labels
  'Model', // Cambricon device plugin --node-label: Model=MLU370-X8 (no prefix of its own)
  'kubernetes.io/arch', // amd64, arm64 …
  'node.kubernetes.io/instance-type', // cloud VM size, e.g. Standard_D2s_v3
  'cambricon.com/', // Cambricon MLU
  'hygon.com/', // Hygon DCU
  'kunlunxin.com/', // Kunlunxin XPU
  'host-arch', // MindCluster: huawei-arm marks a Kunpeng host
  'nodeInstance', // NGC / DGX: dgxa100.40g etc.
  'feature.node.kubernetes.io/pci-', // node feature discovery PCI ids (Hygon DCU 1d94:…)
  'suanpan.io/', // operator-set overrides, e.g. suanpan.io/device-model
])

/** True when the device catalog reads a label with this key. */
export function isCatalogLabel(key: string, prefixes: readonly string[] = CATALOG_LABEL_PREFIXES): boolean {
  return prefixes.some((prefix) => key.startsWith(prefix))
}

/** The labels the device catalog reads, in key order. */
export function catalogLabels(
  labels: Readonly<Record<string, string>> | undefined,
  prefixes: readonly string[] = CATALOG_LABEL_PREFIXES,
): Record<string, string> {
  const kept: Record<string, string> = {}
  for (const key of Object.keys(labels ?? {}).sort()) {
    const value = labels?.[key]
    if (value !== undefined && isCatalogLabel(key, prefixes)) kept[key] = String(value)
  }
  return kept
}
