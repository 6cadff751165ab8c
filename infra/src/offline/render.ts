import { stringify } from 'yaml'
import type { RenderedResource } from '../policies'
import type { StackRun } from './mock-run'

/** Apply order: what others live in or refer to comes first (kubectl applies a multi-document file top to bottom). */
const KIND_ORDER = [
  'Namespace',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'PersistentVolumeClaim',
  'Service',
  'Cluster',
  'ScheduledBackup',
  'Deployment',
  'StatefulSet',
  'PodDisruptionBudget',
  'CronJob',
]

type Manifest = Record<string, unknown>

function isManifest(resource: RenderedResource): boolean {
  return (
    resource.type.startsWith('kubernetes:') && typeof resource.inputs.kind === 'string' && typeof resource.inputs.apiVersion === 'string'
  )
}

/** Keys sorted at every level (apiVersion, kind, metadata first), so the text never depends on registration order. */
function canonical(value: unknown, top = false): unknown {
  if (Array.isArray(value)) return value.map((item) => canonical(item))
  if (typeof value !== 'object' || value === null) return value
  const first = top ? ['apiVersion', 'kind', 'metadata'] : []
  const keys = Object.keys(value).sort((a, b) => {
    const ia = first.indexOf(a)
    const ib = first.indexOf(b)
    if (ia !== -1 || ib !== -1) return (ia === -1 ? first.length : ia) - (ib === -1 ? first.length : ib)
    return a < b ? -1 : a > b ? 1 : 0
  })
  const entries = keys.map((key): [string, unknown] => [key, canonical((value as Record<string, unknown>)[key])])
  return Object.fromEntries(entries)
}

function sortKey(manifest: Manifest): [number, string, string, string] {
  const kind = String(manifest.kind)
  const metadata = (manifest.metadata ?? {}) as Record<string, unknown>
  const rank = KIND_ORDER.indexOf(kind)
  return [rank === -1 ? KIND_ORDER.length : rank, kind, String(metadata.namespace ?? ''), String(metadata.name ?? '')]
}

function compare(a: Manifest, b: Manifest): number {
  const ka = sortKey(a)
  const kb = sortKey(b)
  for (let i = 0; i < ka.length; i++) {
    const x = ka[i] as string | number
    const y = kb[i] as string | number
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

/** The Kubernetes objects of a run, as plain manifests in apply order. */
export function manifests(run: StackRun): Manifest[] {
  return run.resources
    .filter(isManifest)
    .map((resource) => canonical(resource.inputs, true) as Manifest)
    .sort(compare)
}

/** A multi-document YAML file an operator can `kubectl apply` without the Pulumi CLI. Deterministic: no timestamps. */
export function renderYaml(run: StackRun): string {
  const context = typeof run.outputs.kubeContext === 'string' ? run.outputs.kubeContext : '?'
  const center = typeof run.outputs.center === 'string' ? run.outputs.center : '?'
  const header = [
    `# Stack ${run.stack} (center ${center}) of Pulumi project ${run.project}: the Kubernetes objects the program declares.`,
    '# Rendered by `npm run infra:render` under Pulumi mocks (no engine, no cluster); do not edit, render again.',
    `# Needs the CloudNativePG operator and the Secrets named in infra/README.md. Apply: kubectl --context ${context} apply -f <this file>`,
  ]
  const documents = manifests(run).map((manifest) => stringify(manifest, { lineWidth: 0 }))
  return `${header.join('\n')}\n---\n${documents.join('---\n')}`
}
