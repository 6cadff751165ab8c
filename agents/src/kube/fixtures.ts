import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { V1CSIStorageCapacity, V1Node } from '@kubernetes/client-node'
import { parseAllDocuments } from 'yaml'
import type { NodeMetricsItem } from './node-metrics'

/** agents/fixtures: real public Kubernetes objects (each with a .source.txt), plus SYNTHESIZED ones marked so. */
export const AGENT_FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url))

type KubeObject = { kind?: unknown; metadata?: { name?: unknown } }

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/**
 * The objects of a YAML or JSON file: every document, with List kinds (v1 List, NodeList …)
 * opened into their items. Numbers stay numbers (`cpu: 32`), as a YAML fixture has them.
 */
export async function loadKubeObjects(path: string): Promise<KubeObject[]> {
  const text = await readFile(path, 'utf8')
  const documents = path.endsWith('.json') ? [JSON.parse(text) as unknown] : parseAllDocuments(text).map((d) => d.toJS() as unknown)
  const objects: KubeObject[] = []
  for (const doc of documents) {
    if (!isObject(doc)) continue
    if (typeof doc.kind === 'string' && doc.kind.endsWith('List') && Array.isArray(doc.items)) {
      for (const item of doc.items) if (isObject(item)) objects.push(item)
    } else objects.push(doc)
  }
  return objects
}

async function loadKind<T>(dir: string, kind: string): Promise<T[]> {
  const files = (await readdir(dir)).filter((name) => /\.(ya?ml|json)$/.test(name)).sort()
  const found: T[] = []
  for (const name of files) {
    for (const object of await loadKubeObjects(join(dir, name))) {
      if (object.kind !== undefined && object.kind !== kind) continue
      if (typeof object.metadata?.name !== 'string') throw new Error(`${join(dir, name)}: a ${kind} without metadata.name`)
      found.push(object as T)
    }
  }
  return found
}

/**
 * Every Node in agents/fixtures/nodes (YAML objects and JSON `kubectl get nodes -o json` lists):
 * A16 vGPU (RKE2), AKS D2s v3 ×3, KWOK plain CPU, KWOK DGX A100, Ascend 910 ×8, Ascend 910C
 * super-pod ×16 and the SYNTHESIZED Cambricon MLU370 node.
 */
export async function loadFixtureNodes(dir = join(AGENT_FIXTURES_DIR, 'nodes')): Promise<V1Node[]> {
  return loadKind<V1Node>(dir, 'Node')
}

/** The CSIStorageCapacity objects in agents/fixtures/storage (OpenEBS ZFS-LocalPV, class zfspv-pool). */
export async function loadFixtureCsiStorageCapacities(dir = join(AGENT_FIXTURES_DIR, 'storage')): Promise<V1CSIStorageCapacity[]> {
  return loadKind<V1CSIStorageCapacity>(dir, 'CSIStorageCapacity')
}

/** The NodeMetrics objects in agents/fixtures/metrics (metrics-server sample for node "minikube"). */
export async function loadFixtureNodeMetrics(dir = join(AGENT_FIXTURES_DIR, 'metrics')): Promise<NodeMetricsItem[]> {
  return loadKind<NodeMetricsItem>(dir, 'NodeMetrics')
}
