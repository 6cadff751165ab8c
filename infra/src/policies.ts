import { CENTER_LABEL, CRITICAL_LABEL, ZONE_LABEL } from './kube'
import { SAME_CITY_ZONES } from './topology'

/** One resource the program registered, as the engine (or its mocks) received it. */
export interface RenderedResource {
  type: string
  name: string
  inputs: Record<string, unknown>
}

export interface Violation {
  policy: string
  resource: string
  message: string
}

/** A plain validator over a stack's rendered resources: no PolicyPack, no engine, callable from a test or a script. */
export interface Policy {
  name: string
  description: string
  check(resources: readonly RenderedResource[]): Violation[]
}

type Obj = Record<string, unknown>

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Walks a path through nested maps; anything missing or of the wrong shape is undefined. */
function at(value: unknown, ...path: string[]): unknown {
  let current = value
  for (const key of path) current = isObj(current) ? current[key] : undefined
  return current
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

function kindOf(resource: RenderedResource): string {
  return typeof resource.inputs.kind === 'string' ? resource.inputs.kind : ''
}

function isCnpg(resource: RenderedResource, kind: string): boolean {
  return kindOf(resource) === kind && String(resource.inputs.apiVersion ?? '').startsWith('postgresql.cnpg.io/')
}

/** `Deployment suanpan/suanpan-control-plane`, or the Pulumi name when the manifest has none. */
export function describeResource(resource: RenderedResource): string {
  const name = at(resource.inputs, 'metadata', 'name')
  const namespace = at(resource.inputs, 'metadata', 'namespace')
  const id = typeof name === 'string' ? (typeof namespace === 'string' ? `${namespace}/${name}` : name) : resource.name
  return `${kindOf(resource) || resource.type} ${id}`
}

function label(resource: RenderedResource, key: string): string | undefined {
  const value = at(resource.inputs, 'metadata', 'labels', key)
  return typeof value === 'string' ? value : undefined
}

/** The centers the stack's Namespaces are labelled with. */
function centers(resources: readonly RenderedResource[]): Set<string> {
  const found = new Set<string>()
  for (const resource of resources) {
    const center = kindOf(resource) === 'Namespace' ? label(resource, CENTER_LABEL) : undefined
    if (center) found.add(center)
  }
  return found
}

const POD_TEMPLATE_PATHS: Record<string, string[]> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Pod: ['spec'],
}

interface ContainerRef {
  resource: RenderedResource
  container: Obj
  name: string
}

function containers(resources: readonly RenderedResource[]): ContainerRef[] {
  const out: ContainerRef[] = []
  for (const resource of resources) {
    const path = POD_TEMPLATE_PATHS[kindOf(resource)]
    if (!path) continue
    const pod = at(resource.inputs, ...path)
    for (const container of [...list(at(pod, 'initContainers')), ...list(at(pod, 'containers'))]) {
      if (isObj(container)) out.push({ resource, container, name: String(container.name ?? '?') })
    }
  }
  return out
}

/** The zones a required node affinity on topology.kubernetes.io/zone allows; undefined when nothing restricts them. */
function requiredZones(affinity: unknown): Set<string> | undefined {
  const terms = list(at(affinity, 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms'))
  let zones: Set<string> | undefined
  for (const term of terms) {
    for (const expression of list(at(term, 'matchExpressions'))) {
      if (at(expression, 'key') !== ZONE_LABEL || at(expression, 'operator') !== 'In') continue
      zones ??= new Set<string>()
      for (const zone of list(at(expression, 'values'))) zones.add(String(zone))
    }
  }
  return zones
}

function violation(policy: string, resource: RenderedResource, message: string): Violation {
  return { policy, resource: describeResource(resource), message: `${describeResource(resource)}: ${message}` }
}

const CRITICAL = 'critical-deployments-span-same-city-zones'
const criticalDeploymentsSpanSameCity: Policy = {
  name: CRITICAL,
  description: `Every critical Deployment may run in both same-city zones (${SAME_CITY_ZONES.join(', ')}), spreads over them, and has a replica for each`,
  check(resources) {
    const out: Violation[] = []
    const sameCityStack = [...centers(resources)].some((center) => (SAME_CITY_ZONES as readonly string[]).includes(center))
    for (const resource of resources) {
      if (kindOf(resource) !== 'Deployment') continue
      const critical = label(resource, CRITICAL_LABEL) === 'true'
      if (!critical) {
        if (sameCityStack && label(resource, 'app.kubernetes.io/component') === 'control-plane') {
          out.push(violation(CRITICAL, resource, `serves the API in a same-city center but is not labelled ${CRITICAL_LABEL}: "true"`))
        }
        continue
      }
      const pod = at(resource.inputs, 'spec', 'template', 'spec')
      const zones = requiredZones(at(pod, 'affinity'))
      const missing = SAME_CITY_ZONES.filter((zone) => !zones?.has(zone))
      if (zones === undefined) {
        out.push(
          violation(CRITICAL, resource, `has no required node affinity on ${ZONE_LABEL}, so nothing keeps it in the same-city zones`),
        )
      } else if (missing.length > 0) {
        const message = `may not run in zone ${missing.join(', ')}; it must be allowed in both ${SAME_CITY_ZONES.join(' and ')}`
        out.push(violation(CRITICAL, resource, message))
      }
      const spread = list(at(pod, 'topologySpreadConstraints')).some(
        (c) => at(c, 'topologyKey') === ZONE_LABEL && at(c, 'whenUnsatisfiable') === 'DoNotSchedule' && at(c, 'maxSkew') === 1,
      )
      if (!spread) {
        out.push(violation(CRITICAL, resource, `has no topologySpreadConstraint on ${ZONE_LABEL} with maxSkew 1 and DoNotSchedule`))
      }
      const replicas = at(resource.inputs, 'spec', 'replicas')
      if (typeof replicas !== 'number' || replicas < SAME_CITY_ZONES.length) {
        out.push(
          violation(
            CRITICAL,
            resource,
            `has ${String(replicas ?? 1)} replica(s); each of the ${SAME_CITY_ZONES.length} same-city zones needs one`,
          ),
        )
      }
    }
    return out
  },
}

const SECRETS = 'no-secrets-in-plain-config'
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|DATABASE_URL/i
/** user:password@ inside a URL. */
const CREDENTIAL_URL = /:\/\/[^/\s:@]+:[^/\s@]+@/

const noSecretsInPlainConfig: Policy = {
  name: SECRETS,
  description: 'Secret-looking env vars come from a secretKeyRef; no literal credentials in env values or ConfigMaps',
  check(resources) {
    const out: Violation[] = []
    for (const { resource, container, name } of containers(resources)) {
      for (const env of list(container.env)) {
        const envName = String(at(env, 'name') ?? '')
        const value = at(env, 'value')
        if (SECRET_NAME.test(envName) && at(env, 'valueFrom', 'secretKeyRef') === undefined) {
          out.push(
            violation(
              SECRETS,
              resource,
              `env ${envName} of container ${name} must come from a Secret (valueFrom.secretKeyRef), not a literal value or plain config`,
            ),
          )
        } else if (typeof value === 'string' && CREDENTIAL_URL.test(value)) {
          out.push(
            violation(SECRETS, resource, `env ${envName} of container ${name} carries a password inside a URL; read it from a Secret`),
          )
        }
      }
    }
    for (const resource of resources) {
      if (kindOf(resource) !== 'ConfigMap') continue
      const data = at(resource.inputs, 'data')
      for (const [key, value] of Object.entries(isObj(data) ? data : {})) {
        if (SECRET_NAME.test(key) || (typeof value === 'string' && CREDENTIAL_URL.test(value))) {
          out.push(violation(SECRETS, resource, `key ${key} looks like a credential; ConfigMaps are plain config, use a Secret`))
        }
      }
    }
    return out
  },
}

const SYNC = 'primary-database-synchronous'
const primaryDatabaseSynchronous: Policy = {
  name: SYNC,
  description: 'Every primary CloudNativePG cluster commits synchronously, with a quorum that reaches another zone; center A1 declares one',
  check(resources) {
    const out: Violation[] = []
    let primaries = 0
    for (const resource of resources) {
      if (!isCnpg(resource, 'Cluster') || at(resource.inputs, 'spec', 'replica', 'enabled') === true) continue
      primaries++
      const spec = at(resource.inputs, 'spec')
      const instances = Number(at(spec, 'instances') ?? 1)
      const method = at(spec, 'postgresql', 'synchronous', 'method')
      const number = at(spec, 'postgresql', 'synchronous', 'number')
      const legacyMin = at(spec, 'minSyncReplicas')
      const zones = requiredZones(at(spec, 'affinity'))?.size ?? 1
      // Spread evenly, the primary's zone holds ceil(instances / zones) - 1 standbys: a quorum of that many could stay home.
      const reachesAnotherZone = Math.ceil(instances / zones)
      if (method === 'any' || method === 'first') {
        if (typeof number !== 'number' || number < 1 || number > instances - 1) {
          out.push(
            violation(
              SYNC,
              resource,
              `spec.postgresql.synchronous.number must be between 1 and instances - 1 (${instances - 1}), got ${JSON.stringify(number)}`,
            ),
          )
        } else if (method === 'any' && zones > 1 && number < reachesAnotherZone) {
          out.push(
            violation(
              SYNC,
              resource,
              `a quorum of ${number} can be met inside the primary's zone; with ${instances} instances over ${zones} zones it needs ${reachesAnotherZone} (RPO 0 when a zone is lost)`,
            ),
          )
        }
      } else if (!(typeof legacyMin === 'number' && legacyMin >= 1)) {
        out.push(
          violation(
            SYNC,
            resource,
            'has synchronous replication off: set spec.postgresql.synchronous { method, number } (RPO 0 between A1 and A2)',
          ),
        )
      }
    }
    if (centers(resources).has('A1') && primaries === 0) {
      out.push({ policy: SYNC, resource: 'stack', message: 'center A1 declares no primary CloudNativePG cluster' })
    }
    return out
  },
}

const RESOURCES = 'containers-have-requests-and-limits'
const REQUIRED_RESOURCES = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']

function missingResources(requirements: unknown): string[] {
  return REQUIRED_RESOURCES.filter((path) => at(requirements, ...path.split('.')) === undefined)
}

const containersHaveRequestsAndLimits: Policy = {
  name: RESOURCES,
  description: 'Every container (and every CloudNativePG instance) declares CPU and memory requests and limits',
  check(resources) {
    const out: Violation[] = []
    for (const { resource, container, name } of containers(resources)) {
      const missing = missingResources(container.resources)
      if (missing.length > 0) out.push(violation(RESOURCES, resource, `container ${name} has no resources.${missing.join(', resources.')}`))
    }
    for (const resource of resources) {
      if (!isCnpg(resource, 'Cluster')) continue
      const missing = missingResources(at(resource.inputs, 'spec', 'resources'))
      if (missing.length > 0) {
        out.push(violation(RESOURCES, resource, `PostgreSQL instances have no spec.resources.${missing.join(', spec.resources.')}`))
      }
    }
    return out
  },
}

const BACKUP = 'remote-center-backs-up-on-schedule'
const remoteCenterBacksUp: Policy = {
  name: BACKUP,
  description: 'Every replica cluster (the remote copy in B1) has a backup target and a ScheduledBackup; B1 declares one',
  check(resources) {
    const out: Violation[] = []
    const replicas = resources.filter((r) => isCnpg(r, 'Cluster') && at(r.inputs, 'spec', 'replica', 'enabled') === true)
    const schedules = resources.filter((r) => isCnpg(r, 'ScheduledBackup'))
    for (const resource of replicas) {
      const name = at(resource.inputs, 'metadata', 'name')
      const target =
        at(resource.inputs, 'spec', 'backup', 'barmanObjectStore', 'destinationPath') ??
        at(resource.inputs, 'spec', 'backup', 'volumeSnapshot')
      if (target === undefined) out.push(violation(BACKUP, resource, 'has no spec.backup target, so a scheduled backup has nowhere to go'))
      const scheduled = schedules.some(
        (s) => at(s.inputs, 'spec', 'cluster', 'name') === name && String(at(s.inputs, 'spec', 'schedule') ?? '').trim() !== '',
      )
      if (!scheduled) {
        out.push(violation(BACKUP, resource, 'has no ScheduledBackup with a schedule: the remote center must take scheduled full backups'))
      }
    }
    if (centers(resources).has('B1') && replicas.length === 0) {
      out.push({ policy: BACKUP, resource: 'stack', message: 'center B1 declares no replica cluster, so nothing is backed up there' })
    }
    return out
  },
}

const RBAC = 'cluster-roles-read-only'
const READ_VERBS = new Set(['get', 'list', 'watch'])
const clusterRolesReadOnly: Policy = {
  name: RBAC,
  description: 'ClusterRoles only read; no Role or ClusterRole uses a wildcard',
  check(resources) {
    const out: Violation[] = []
    for (const resource of resources) {
      const kind = kindOf(resource)
      if (kind !== 'ClusterRole' && kind !== 'Role') continue
      for (const rule of list(resource.inputs.rules)) {
        const verbs = list(at(rule, 'verbs')).map(String)
        const wild = ['apiGroups', 'resources', 'verbs'].filter((key) => list(at(rule, key)).includes('*'))
        if (wild.length > 0) out.push(violation(RBAC, resource, `uses a wildcard in ${wild.join(', ')}`))
        const writes = verbs.filter((verb) => !READ_VERBS.has(verb))
        if (kind === 'ClusterRole' && writes.length > 0) {
          out.push(violation(RBAC, resource, `grants ${writes.join(', ')} cluster-wide; cluster-wide access must be read-only`))
        }
      }
    }
    return out
  },
}

export const policies: readonly Policy[] = [
  criticalDeploymentsSpanSameCity,
  noSecretsInPlainConfig,
  primaryDatabaseSynchronous,
  containersHaveRequestsAndLimits,
  remoteCenterBacksUp,
  clusterRolesReadOnly,
]

export function runPolicies(resources: readonly RenderedResource[]): Violation[] {
  return policies.flatMap((policy) => policy.check(resources))
}
