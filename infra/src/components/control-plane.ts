import * as k8s from '@pulumi/kubernetes'
import * as pulumi from '@pulumi/pulumi'
import {
  appLabels,
  CRITICAL_LABEL,
  containerSecurityContext,
  podSecurityContext,
  resources,
  secretEnv,
  zoneAffinity,
  zoneSpread,
} from '../kube'

export const CONTROL_PLANE_PORT = 8080
/** Operator-provided Secret (key `token`) shared by every replica, so the admin API answers the same everywhere. */
export const ADMIN_TOKEN_SECRET = 'suanpan-admin-token'

export interface ControlPlaneArgs {
  provider: k8s.Provider
  namespace: pulumi.Input<string>
  image: pulumi.Input<string>
  replicas: number
  zones: readonly string[]
  /** Secret whose `uri` key is DATABASE_URL; CloudNativePG writes one (`<cluster>-app`) for its own database. */
  databaseUrlSecret: pulumi.Input<string>
  /** VictoriaMetrics base URL for full-resolution history. */
  victoriaMetricsUrl: pulumi.Input<string>
  /** Serves the API in a same-city center: policies then require it to span both zones. */
  critical: boolean
}

/** The fastify control plane (`suanpan start --no-sim`): Deployment spread over the zones, PodDisruptionBudget, Service. */
export class ControlPlane extends pulumi.ComponentResource {
  readonly serviceName: string
  readonly deployment: k8s.apps.v1.Deployment

  constructor(name: string, args: ControlPlaneArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('suanpan:infra:ControlPlane', name, {}, opts)
    const { selector, labels } = appLabels('suanpan-control-plane', 'control-plane')
    const metadata = { name: 'suanpan-control-plane', namespace: args.namespace, labels }
    const childOpts = { parent: this, provider: args.provider }
    const healthz = { httpGet: { path: '/healthz', port: 'http' } }

    this.deployment = new k8s.apps.v1.Deployment(
      name,
      {
        metadata: { ...metadata, labels: { ...labels, [CRITICAL_LABEL]: String(args.critical) } },
        spec: {
          replicas: args.replicas,
          selector: { matchLabels: selector },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: {
            metadata: { labels },
            spec: {
              affinity: zoneAffinity(args.zones),
              topologySpreadConstraints: zoneSpread(selector),
              securityContext: podSecurityContext,
              automountServiceAccountToken: false,
              terminationGracePeriodSeconds: 30,
              containers: [
                {
                  name: 'control-plane',
                  image: args.image,
                  args: ['start', '--no-sim', '--host', '0.0.0.0', '--port', String(CONTROL_PLANE_PORT)],
                  ports: [{ name: 'http', containerPort: CONTROL_PLANE_PORT }],
                  env: [
                    secretEnv('DATABASE_URL', args.databaseUrlSecret, 'uri'),
                    secretEnv('SUANPAN_ADMIN_TOKEN', ADMIN_TOKEN_SECRET, 'token'),
                    { name: 'VM_URL', value: args.victoriaMetricsUrl },
                    { name: 'LOG_LEVEL', value: 'info' },
                  ],
                  livenessProbe: { ...healthz, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
                  readinessProbe: { ...healthz, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
                  startupProbe: { ...healthz, periodSeconds: 2, failureThreshold: 60 },
                  resources: resources('500m', '512Mi', '2', '2Gi'),
                  securityContext: containerSecurityContext,
                },
              ],
            },
          },
        },
      },
      childOpts,
    )

    // One replica at a time may be evicted, so a drain in one zone never empties it.
    new k8s.policy.v1.PodDisruptionBudget(name, { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: selector } } }, childOpts)

    new k8s.core.v1.Service(
      name,
      { metadata, spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port: CONTROL_PLANE_PORT, targetPort: 'http' }] } },
      childOpts,
    )
    this.serviceName = metadata.name
    this.registerOutputs({ serviceName: this.serviceName })
  }
}
