import * as k8s from '@pulumi/kubernetes'
import * as pulumi from '@pulumi/pulumi'
import type { VictoriaMetricsConfig } from '../config'
import { appLabels, containerSecurityContext, podSecurityContext, resources, zoneAffinity } from '../kube'

export const VICTORIA_METRICS_PORT = 8428

export interface VictoriaMetricsArgs {
  provider: k8s.Provider
  namespace: pulumi.Input<string>
  zones: readonly string[]
  settings: VictoriaMetricsConfig
}

/**
 * Single-node VictoriaMetrics for full-resolution history (`VM_URL`). One replica on one ReadWriteOnce volume, so
 * Recreate rather than a rolling update; the ledger's own rollups cover the minutes it is away.
 */
export class VictoriaMetrics extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>

  constructor(name: string, args: VictoriaMetricsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('suanpan:infra:VictoriaMetrics', name, {}, opts)
    const { selector, labels } = appLabels('suanpan-victoria-metrics', 'history')
    const metadata = { name: 'suanpan-victoria-metrics', namespace: args.namespace, labels }
    const childOpts = { parent: this, provider: args.provider }
    const health = { httpGet: { path: '/health', port: 'http' } }

    new k8s.core.v1.PersistentVolumeClaim(
      name,
      { metadata, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: args.settings.storageSize } } } },
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
              affinity: zoneAffinity(args.zones),
              securityContext: podSecurityContext,
              automountServiceAccountToken: false,
              containers: [
                {
                  name: 'victoria-metrics',
                  image: args.settings.image,
                  args: [
                    '-storageDataPath=/storage',
                    `-retentionPeriod=${args.settings.retentionPeriod}`,
                    `-httpListenAddr=:${VICTORIA_METRICS_PORT}`,
                  ],
                  ports: [{ name: 'http', containerPort: VICTORIA_METRICS_PORT }],
                  volumeMounts: [{ name: 'storage', mountPath: '/storage' }],
                  livenessProbe: { ...health, periodSeconds: 10, failureThreshold: 6 },
                  readinessProbe: { ...health, periodSeconds: 5 },
                  resources: resources('500m', '1Gi', '2', '4Gi'),
                  securityContext: containerSecurityContext,
                },
              ],
              volumes: [{ name: 'storage', persistentVolumeClaim: { claimName: metadata.name } }],
            },
          },
        },
      },
      childOpts,
    )

    new k8s.core.v1.Service(
      name,
      { metadata, spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port: VICTORIA_METRICS_PORT, targetPort: 'http' }] } },
      childOpts,
    )

    this.url = pulumi.interpolate`http://${metadata.name}.${args.namespace}.svc:${VICTORIA_METRICS_PORT}`
    this.registerOutputs({ url: this.url })
  }
}
