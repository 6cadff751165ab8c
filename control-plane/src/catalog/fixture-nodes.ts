// Test helper (not a test): builds contract Nodes by hand from the real Kubernetes objects in
// fixtures/nodes, the way an agent would, without importing the agent.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import type { Node } from '../schemas'

const FIXTURES = new URL('../../../fixtures/nodes/', import.meta.url)

/** The parts of a Kubernetes Node the catalog needs. */
export interface KubeNode {
  metadata: { name: string; labels?: Record<string, unknown> }
  status: {
    capacity?: Record<string, unknown>
    allocatable?: Record<string, unknown>
    nodeInfo?: { architecture?: string }
  }
}

export function readFixtureText(file: string): string {
  return readFileSync(new URL(file, FIXTURES), 'utf8')
}

/** The Node objects of a fixture: a `kubectl get nodes -o json` List, or one YAML Node. */
export function readFixtureNodes(file: string): KubeNode[] {
  const text = readFixtureText(file)
  const doc = (file.endsWith('.json') ? JSON.parse(text) : parse(text)) as KubeNode | { kind: 'List'; items: KubeNode[] }
  return 'items' in doc ? doc.items : [doc]
}

export function readFixtureNode(file: string): KubeNode {
  const [node] = readFixtureNodes(file)
  if (!node) throw new Error(`${file} holds no Node`)
  return node
}

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
}

/** Kubernetes quantities as the fixtures write them: 8, "8", "16367668Ki", 15Ti, "3500m". */
export function quantity(value: unknown): number {
  if (typeof value === 'number') return value
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(value).trim())
  const factor = m ? SUFFIX[m[2] ?? ''] : undefined
  if (!m || factor === undefined) throw new Error(`not a quantity: ${String(value)}`)
  return Number(m[1]) * factor
}

/**
 * The contract Node of a Kubernetes Node: every label, and every capacity entry but cpu and memory as an
 * "accelerator", so the catalog's own filter (pods, ephemeral-storage, hugepages, SR-IOV, ...) is exercised.
 */
export function toContractNode(
  kube: KubeNode,
  override: { labels?: Record<string, string>; capacity?: Record<string, number> } = {},
): Node {
  const labels: Record<string, string> = {}
  for (const [key, value] of Object.entries(kube.metadata.labels ?? {})) labels[key] = String(value ?? '')
  Object.assign(labels, override.labels ?? {})
  const capacity: Record<string, unknown> = { ...(kube.status.capacity ?? {}), ...(override.capacity ?? {}) }
  const allocatable: Record<string, unknown> = { ...(kube.status.allocatable ?? {}), ...(override.capacity ?? {}) }
  const cores = quantity(capacity.cpu ?? 0)
  const memory = quantity(capacity.memory ?? 0)
  return {
    name: kube.metadata.name,
    arch: labels['kubernetes.io/arch'] ?? kube.status.nodeInfo?.architecture ?? 'amd64',
    cpu: { cores },
    memoryBytes: memory,
    labels,
    allocatable: { cpuMillis: quantity(allocatable.cpu ?? 0) * 1000, memoryBytes: quantity(allocatable.memory ?? 0) },
    requested: { cpuMillis: 0, memoryBytes: 0 },
    accelerators: Object.keys(capacity)
      .filter((resource) => resource !== 'cpu' && resource !== 'memory')
      .map((resource) => ({ resource, count: quantity(capacity[resource]), allocatable: quantity(allocatable[resource] ?? 0) })),
  }
}

/** The GFD README's label excerpt (DGX-2H, A100-SXM4-40GB), read from its `key: value` lines. */
export function gfdA100Labels(): Record<string, string> {
  const labels: Record<string, string> = {}
  for (const line of readFixtureText('gfd-a100-dgx2h-labels.excerpt.txt').split('\n')) {
    const m = /^\s+(nvidia\.com\/[^:]+):\s*"?([^"]*)"?\s*$/.exec(line)
    if (m?.[1] !== undefined && m[2] !== undefined) labels[m[1]] = m[2]
  }
  return labels
}

/** One `kubectl describe node` excerpt of the MindCluster guide: its labels and its huawei.com capacity. */
export interface DescribedNode {
  labels: Record<string, string>
  cpu: number
  capacity: Record<string, number>
}

/** The four Atlas excerpts of ascend-describe-node-excerpts.txt, in file order. */
export function ascendDescribedNodes(): DescribedNode[] {
  const blocks = readFixtureText('ascend-describe-node-excerpts.txt').split('kubectl describe node').slice(1)
  return blocks.map((block) => {
    const labels: Record<string, string> = {}
    for (const m of block.matchAll(/^\s+(?:Labels:\s+)?([a-z][\w./-]*)=(\S+)\s*$/gm)) if (m[1] && m[2]) labels[m[1]] = m[2]
    const capacitySection = block.split('Capacity:')[1]?.split('Allocatable:')[0] ?? ''
    const capacity: Record<string, number> = {}
    for (const m of capacitySection.matchAll(/^\s+(huawei\.com\/[\w-]+):\s+(\d+)/gm)) if (m[1] && m[2]) capacity[m[1]] = Number(m[2])
    const cpu = Number(/^\s+cpu:\s+(\d+)/m.exec(capacitySection)?.[1] ?? 0)
    return { labels, cpu, capacity }
  })
}

/** A contract Node from a described excerpt. */
export function describedToContractNode(d: DescribedNode, name: string): Node {
  return {
    name,
    arch: d.labels['beta.kubernetes.io/arch'] ?? 'amd64',
    cpu: { cores: d.cpu },
    memoryBytes: 0,
    labels: d.labels,
    allocatable: { cpuMillis: d.cpu * 1000, memoryBytes: 0 },
    requested: { cpuMillis: 0, memoryBytes: 0 },
    accelerators: Object.entries(d.capacity).map(([resource, count]) => ({ resource, count, allocatable: count })),
  }
}
