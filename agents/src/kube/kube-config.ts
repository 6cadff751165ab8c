import { KubeConfig } from '@kubernetes/client-node'
import { KubeInventoryError } from './errors'

/** Where the agent finds its cluster. */
export type KubeConfigSource =
  /** The pod's service account (KUBERNETES_SERVICE_HOST/PORT and /var/run/secrets/kubernetes.io/serviceaccount). */
  | { kind: 'in-cluster' }
  /** A kubeconfig file; `context` overrides its current-context. */
  | { kind: 'file'; path: string; context?: string }
  /** A kubeconfig document already parsed (apiVersion v1, kind Config: clusters, users, contexts). */
  | { kind: 'object'; config: Readonly<Record<string, unknown>>; context?: string }
  /** What kubectl would use: $KUBECONFIG, ~/.kube/config, then in-cluster. */
  | { kind: 'default' }

/** Builds a KubeConfig and checks it names a cluster; throws KubeInventoryError (KUBE_CONFIG_INVALID). */
export function loadKubeConfig(source: KubeConfigSource): KubeConfig {
  const kc = new KubeConfig()
  try {
    switch (source.kind) {
      case 'in-cluster':
        kc.loadFromCluster()
        break
      case 'file':
        kc.loadFromFile(source.path)
        break
      case 'object':
        // loadFromString takes YAML, and JSON is YAML: this reads the same field names as a file.
        kc.loadFromString(JSON.stringify(source.config))
        break
      case 'default':
        kc.loadFromDefault()
        break
    }
    if ('context' in source && source.context !== undefined) kc.setCurrentContext(source.context)
  } catch (error) {
    throw new KubeInventoryError(
      'KUBE_CONFIG_INVALID',
      `cannot load the kubeconfig (${describeSource(source)}): ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    )
  }
  const cluster = kc.getCurrentCluster()
  if (!cluster) {
    throw new KubeInventoryError(
      'KUBE_CONFIG_INVALID',
      `the kubeconfig (${describeSource(source)}) has no current cluster: set current-context`,
    )
  }
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
    throw new KubeInventoryError(
      'KUBE_CONFIG_INVALID',
      `cluster "${cluster.name}" uses ${cluster.server}: plain http:// needs insecure-skip-tls-verify: true (client-node refuses it otherwise)`,
    )
  }
  return kc
}

function describeSource(source: KubeConfigSource): string {
  switch (source.kind) {
    case 'file':
      return `file ${source.path}`
    case 'object':
      return 'object'
    default:
      return source.kind
  }
}
