import type * as k8s from '@pulumi/kubernetes'
import type * as pulumi from '@pulumi/pulumi'

export const ZONE_LABEL = 'topology.kubernetes.io/zone'
export const HOST_LABEL = 'kubernetes.io/hostname'
/** Set on the Deployments that must keep serving through the loss of one same-city center; policies check them. */
export const CRITICAL_LABEL = 'suanpan.gov.cn/critical'
export const CENTER_LABEL = 'suanpan.gov.cn/center'

type Labels = Record<string, string>

/** Recommended labels; `selector` is the stable subset a Deployment or Service selects on. */
export function appLabels(name: string, component: string): { selector: Labels; labels: Labels } {
  const selector = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name }
  return { selector, labels: { ...selector, 'app.kubernetes.io/component': component, 'app.kubernetes.io/part-of': 'suanpan' } }
}

/** Pods may run only on nodes of these zones. */
export function zoneAffinity(zones: readonly string[]): k8s.types.input.core.v1.Affinity {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE_LABEL, operator: 'In', values: [...zones] }] }],
      },
    },
  }
}

/**
 * Replicas spread evenly over the zones (hard) and over hosts (soft). `nodeTaintsPolicy: Honor` leaves out the
 * nodes of a lost zone (tainted unreachable), so the survivors may take every replica instead of waiting on skew.
 */
export function zoneSpread(selector: Labels): k8s.types.input.core.v1.TopologySpreadConstraint[] {
  return [
    {
      maxSkew: 1,
      topologyKey: ZONE_LABEL,
      whenUnsatisfiable: 'DoNotSchedule',
      nodeTaintsPolicy: 'Honor',
      labelSelector: { matchLabels: selector },
    },
    { maxSkew: 1, topologyKey: HOST_LABEL, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
  ]
}

export const podSecurityContext: k8s.types.input.core.v1.PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: 10001,
  runAsGroup: 10001,
  fsGroup: 10001,
  seccompProfile: { type: 'RuntimeDefault' },
}

export const containerSecurityContext: k8s.types.input.core.v1.SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
}

export function resources(
  cpu: string,
  memory: string,
  cpuLimit: string,
  memoryLimit: string,
): k8s.types.input.core.v1.ResourceRequirements {
  return { requests: { cpu, memory }, limits: { cpu: cpuLimit, memory: memoryLimit } }
}

/** An env var read from a Secret key: secrets never travel through Pulumi config or manifests. */
export function secretEnv(name: string, secret: pulumi.Input<string>, key: string): k8s.types.input.core.v1.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } }
}
