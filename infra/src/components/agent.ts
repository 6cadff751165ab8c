import * as k8s from '@pulumi/kubernetes'
import * as pulumi from '@pulumi/pulumi'
import type { AgentConfig } from '../config'
import { appLabels, containerSecurityContext, podSecurityContext, resources } from '../kube'

/** Operator-provided Secret (key `token`) holding the cluster token `suanpan cluster register` printed once. */
export const AGENT_TOKEN_SECRET = 'suanpan-agent-token'

const READ = ['get', 'list', 'watch']

/** Everything the inventory reads (agents/src/kube), cluster-wide and read-only. */
export const AGENT_READ_RULES: k8s.types.input.rbac.v1.PolicyRule[] = [
  { apiGroups: [''], resources: ['nodes', 'pods', 'persistentvolumes'], verbs: READ },
  { apiGroups: ['storage.k8s.io'], resources: ['storageclasses', 'csistoragecapacities'], verbs: READ },
  { apiGroups: ['metrics.k8s.io'], resources: ['nodes'], verbs: READ },
]

/** Dispatch of assigned workloads, in the workload namespace only; reads are there to report their status. */
export const AGENT_DISPATCH_RULES: k8s.types.input.rbac.v1.PolicyRule[] = [
  { apiGroups: ['batch'], resources: ['jobs'], verbs: [...READ, 'create', 'update', 'patch', 'delete'] },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: [...READ, 'create', 'update', 'patch', 'delete'] },
]

export interface AgentArgs {
  provider: k8s.Provider
  namespace: pulumi.Input<string>
  image: pulumi.Input<string>
  settings: AgentConfig
  controlPlaneUrl: string
}

/**
 * The cluster agent (`suanpan agent`): reads the Kubernetes API, reports to the control plane, applies the workloads
 * it is assigned in its workload namespace. One replica with Recreate: two agents would report the same cluster twice.
 */
export class Agent extends pulumi.ComponentResource {
  constructor(name: string, args: AgentArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('suanpan:infra:Agent', name, {}, opts)
    const childOpts = { parent: this, provider: args.provider }
    const { selector, labels } = appLabels('suanpan-agent', 'agent')
    const metadata = { name: 'suanpan-agent', namespace: args.namespace, labels }
    const subject = { kind: 'ServiceAccount', name: metadata.name, namespace: args.namespace }
    const { workloadNamespace, ...cluster } = args.settings

    new k8s.core.v1.ServiceAccount(name, { metadata }, childOpts)

    const readName = pulumi.interpolate`${args.namespace}-agent-read`
    new k8s.rbac.v1.ClusterRole(name, { metadata: { name: readName, labels }, rules: AGENT_READ_RULES }, childOpts)
    new k8s.rbac.v1.ClusterRoleBinding(
      name,
      {
        metadata: { name: readName, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: readName },
        subjects: [subject],
      },
      childOpts,
    )

    new k8s.core.v1.Namespace(
      `${name}-workloads`,
      {
        metadata: {
          name: workloadNamespace,
          labels: { 'app.kubernetes.io/part-of': 'suanpan', 'app.kubernetes.io/managed-by': 'suanpan-agent' },
        },
      },
      childOpts,
    )
    const dispatch = { name: 'suanpan-agent-dispatch', namespace: workloadNamespace, labels }
    new k8s.rbac.v1.Role(`${name}-dispatch`, { metadata: dispatch, rules: AGENT_DISPATCH_RULES }, childOpts)
    new k8s.rbac.v1.RoleBinding(
      `${name}-dispatch`,
      { metadata: dispatch, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: dispatch.name }, subjects: [subject] },
      childOpts,
    )

    // The agent's own config file (agents/src/agent/config.ts); the token stays in its Secret, mounted as a file.
    const agentJson = {
      cluster,
      controlPlane: { url: args.controlPlaneUrl, tokenFile: '/etc/suanpan/token/token' },
      stateDir: '/var/lib/suanpan-agent',
      fullIntervalSeconds: 60,
      usageIntervalSeconds: 15,
    }
    new k8s.core.v1.ConfigMap(name, { metadata, data: { 'agent.json': `${JSON.stringify(agentJson, null, 2)}\n` } }, childOpts)

    // The spool and the persisted sequence number must outlive the pod.
    new k8s.core.v1.PersistentVolumeClaim(
      name,
      {
        metadata: { ...metadata, name: 'suanpan-agent-state' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
      childOpts,
    )

    new k8s.apps.v1.Deployment(
      name,
      {
        metadata,
        spec: {
          replicas: 1,
          selector: { matchLabels: selector },
          strategy: { type: 'Recreate' },
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: metadata.name,
              securityContext: podSecurityContext,
              containers: [
                {
                  name: 'agent',
                  image: args.image,
                  args: ['agent', '--config', '/etc/suanpan/config/agent.json', '--json'],
                  volumeMounts: [
                    { name: 'config', mountPath: '/etc/suanpan/config', readOnly: true },
                    { name: 'token', mountPath: '/etc/suanpan/token', readOnly: true },
                    { name: 'state', mountPath: '/var/lib/suanpan-agent' },
                  ],
                  resources: resources('100m', '256Mi', '1', '1Gi'),
                  securityContext: containerSecurityContext,
                },
              ],
              volumes: [
                { name: 'config', configMap: { name: metadata.name } },
                { name: 'token', secret: { secretName: AGENT_TOKEN_SECRET } },
                { name: 'state', persistentVolumeClaim: { claimName: 'suanpan-agent-state' } },
              ],
            },
          },
        },
      },
      childOpts,
    )
    this.registerOutputs({})
  }
}
