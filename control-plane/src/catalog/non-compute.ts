/**
 * Node resources that are not compute devices: they never enter the ledger. Agents may send every
 * extended resource they see, so the catalog, not the agent, decides what counts.
 */
export const NON_COMPUTE_RESOURCES: readonly { pattern: RegExp; why: string }[] = [
  { pattern: /^(cpu|memory|pods|storage|ephemeral-storage)$/, why: 'core Kubernetes resources, reported elsewhere in the node' },
  { pattern: /^hugepages-/, why: 'huge pages are memory' },
  { pattern: /^attachable-volumes-/, why: 'volume attach limits of cloud disks' },
  { pattern: /^rdma\//, why: 'RDMA shared device plugin (network)' },
  { pattern: /sriov/i, why: 'SR-IOV network virtual functions (e.g. intel.com/mlnx_sriov_rdma1)' },
  { pattern: /^(openshift\.io|mellanox\.com)\//, why: 'default prefixes of the SR-IOV network operator and Mellanox NIC plugins' },
  { pattern: /^devices\.kubevirt\.io\//, why: 'KubeVirt host devices (kvm, tun, vhost-net)' },
  { pattern: /^smarter-devices\//, why: 'smarter-device-manager host devices (serial, video, fuse)' },
  { pattern: /^squat\.ai\//, why: 'generic-device-plugin host devices' },
  {
    pattern: /^(sgx|qat|dlb|dsa|iaa)\.intel\.com\//,
    why: 'Intel enclave memory and offload engines (crypto, compression, load balancing)',
  },
  { pattern: /^kubernetes\.io\/(batch|mid)-(cpu|memory)$/, why: 'Koordinator colocation resources (reclaimed CPU and memory)' },
]

/** Whether a resource is known not to be a compute device. */
export function isNonCompute(resource: string): boolean {
  for (const { pattern } of NON_COMPUTE_RESOURCES) if (pattern.test(resource)) return true
  return false
}
