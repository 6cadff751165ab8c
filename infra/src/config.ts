import * as pulumi from '@pulumi/pulumi'
import {
  CENTER_KEYS,
  COMMON_KEYS,
  CONFIG_NAMESPACE,
  cron,
  DNS_LABEL,
  DNS_SUBDOMAIN,
  field,
  ID,
  image,
  isRecord,
  KEYS,
  name,
  objectAt,
  QUANTITY,
  Reader,
  url,
} from './config-readers'
import { CENTERS, type Center, DRILL_SCENARIOS, type DrillScenario, SAME_CITY_ZONES } from './topology'

export { CONFIG_NAMESPACE } from './config-readers'
export type { Center, DrillScenario } from './topology'

export interface DrillConfig {
  readonly scenario: DrillScenario
  /** Five-field cron, read in Asia/Shanghai. */
  readonly schedule: string
}

export interface DatabaseConfig {
  readonly instances: number
  readonly storageSize: string
  readonly storageClass: string | null
  /** CloudNativePG retention policy for base backups and WAL, e.g. `30d`. */
  readonly backupRetention: string
}

/** An S3-compatible bucket and the Secret (ACCESS_KEY_ID / ACCESS_SECRET_KEY) that opens it. */
export interface ObjectStoreConfig {
  readonly destinationPath: string
  readonly endpointUrl: string
  readonly credentialsSecret: string
}

export interface VictoriaMetricsConfig {
  readonly image: string
  readonly retentionPeriod: string
  readonly storageSize: string
}

export interface AgentConfig {
  readonly clusterId: string
  readonly site: string
  readonly province: string
  readonly city: string
  readonly level: 'national' | 'provincial' | 'ministry'
  /** The only namespace where the agent may create jobs and deployments. */
  readonly workloadNamespace: string
}

interface CommonConfig {
  readonly stack: string
  readonly kubeContext: string
  readonly namespace: string
  readonly zones: readonly string[]
  readonly image: string
  readonly replicas: number
  /** The national API as agents and drills reach it. */
  readonly controlPlaneUrl: string
  /** Secret whose `uri` key is the control plane's DATABASE_URL. */
  readonly databaseUrlSecret: string
  readonly rtoTargetSeconds: number
  readonly rpoTargetSeconds: number
  readonly drills: readonly DrillConfig[]
}

/** A1: the national primary node. Owns the synchronous database, its WAL archive, history and the agent. */
export interface PrimaryConfig extends CommonConfig {
  readonly center: 'A1'
  readonly database: DatabaseConfig
  readonly backupSchedule: string
  /** The WAL archive and base backups; B1's replica cluster is fed from it. */
  readonly objectStore: ObjectStoreConfig
  readonly victoriaMetrics: VictoriaMetricsConfig
  readonly agent: AgentConfig
}

/** A2: the same-city center. Its own serving pool and drill runner; the data lives in the primary's cluster. */
export interface SameCityConfig extends CommonConfig {
  readonly center: 'A2'
  readonly primaryStack: string
}

/** B1: the remote DR center. A replica cluster fed from the primary's archive, with its own scheduled backups. */
export interface RemoteConfig extends CommonConfig {
  readonly center: 'B1'
  readonly primaryStack: string
  readonly database: DatabaseConfig
  readonly backupSchedule: string
  /** B1's own bucket for scheduled full backups. */
  readonly objectStore: ObjectStoreConfig
  /** Secret in B1 that can read the primary's WAL archive. */
  readonly archiveCredentialsSecret: string
  readonly victoriaMetrics: VictoriaMetricsConfig
  readonly agent: AgentConfig
}

export type InfraConfig = PrimaryConfig | SameCityConfig | RemoteConfig

export class InfraConfigError extends Error {
  readonly code = 'INFRA_CONFIG_INVALID'
  constructor(
    readonly stackName: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid config for stack ${stackName}:\n  - ${problems.join('\n  - ')}`)
  }
}

function zones(r: Reader, center: Center | undefined): string[] | undefined {
  const value = r.json('zones')
  if (value === undefined) return undefined
  if (!Array.isArray(value) || value.length === 0 || !value.every((zone) => typeof zone === 'string' && zone !== '')) {
    return r.fail('zones', `must be a non-empty list of topology.kubernetes.io/zone values, got ${JSON.stringify(value)}`)
  }
  const list = value as string[]
  if (new Set(list).size !== list.length) return r.fail('zones', `must not repeat a zone, got ${JSON.stringify(list)}`)
  const sameCity = SAME_CITY_ZONES.filter((zone) => list.includes(zone))
  if ((center === 'A1' || center === 'A2') && sameCity.length !== SAME_CITY_ZONES.length) {
    return r.fail(
      'zones',
      `must include both same-city zones ${SAME_CITY_ZONES.join(' and ')} in center ${center}, got ${JSON.stringify(list)}`,
    )
  }
  if (center === 'B1' && sameCity.length > 0) {
    return r.fail('zones', `must not include a city-A zone in the remote center B1, got ${JSON.stringify(list)}`)
  }
  return list
}

function drills(r: Reader): DrillConfig[] | undefined {
  const value = r.json('drills')
  if (value === undefined) return undefined
  if (!Array.isArray(value)) return r.fail('drills', 'must be a list of { scenario, schedule }')
  const out: DrillConfig[] = []
  for (const [i, item] of (value as unknown[]).entries()) {
    const key = `drills[${i}]`
    if (!isRecord(item)) {
      r.fail(key, 'must be a map { scenario, schedule }')
      continue
    }
    const scenario = DRILL_SCENARIOS.find((known) => known === item.scenario)
    if (!scenario) {
      r.fail(`${key}.scenario`, `must be one of ${DRILL_SCENARIOS.join(', ')}, got ${JSON.stringify(item.scenario)}`)
      continue
    }
    const schedule =
      typeof item.schedule === 'string' ? cron(r, `${key}.schedule`, item.schedule, 5) : r.fail(`${key}.schedule`, 'is required')
    if (schedule) out.push({ scenario, schedule })
  }
  const scenarios = out.map((drill) => drill.scenario)
  if (new Set(scenarios).size !== scenarios.length) {
    return r.fail('drills', `must not list a scenario twice, got ${JSON.stringify(scenarios)}`)
  }
  return out
}

function database(r: Reader, center: Center, zoneCount: number): DatabaseConfig | undefined {
  const object = objectAt(r, 'database', ['instances', 'storageSize', 'storageClass', 'backupRetention'])
  if (!object) return undefined
  const instances = Number(object.instances)
  let ok = true
  if (!Number.isInteger(instances) || instances < 1) {
    ok = !!r.fail('database.instances', `must be an integer >= 1, got ${JSON.stringify(object.instances)}`)
  } else if (center === 'A1' && (instances % zoneCount !== 0 || instances < 2 * zoneCount)) {
    // Equal halves with at least two per zone: the quorum can then always include the other zone (see database.ts).
    ok = !!r.fail(
      'database.instances',
      `must be a multiple of the ${zoneCount} zones with at least 2 per zone in center A1, got ${instances}`,
    )
  }
  const storageSize = field(r, 'database', object, 'storageSize', QUANTITY, 'a Kubernetes quantity such as 200Gi')
  const backupRetention = field(r, 'database', object, 'backupRetention', /^[1-9][0-9]*[dwm]$/, 'a CloudNativePG retention such as 30d')
  const storageClass =
    object.storageClass === undefined ? null : field(r, 'database', object, 'storageClass', DNS_SUBDOMAIN, 'a StorageClass name')
  if (!ok || !storageSize || !backupRetention || storageClass === undefined) return undefined
  return { instances, storageSize, storageClass, backupRetention }
}

function objectStore(r: Reader): ObjectStoreConfig | undefined {
  const object = objectAt(r, 'objectStore', ['destinationPath', 'endpointUrl', 'credentialsSecret'])
  if (!object) return undefined
  const destinationPath = field(r, 'objectStore', object, 'destinationPath', /^s3:\/\/[^\s/]+/, 'an s3:// bucket path')
  const endpointUrl = field(r, 'objectStore', object, 'endpointUrl', /^https?:\/\/[^\s/]+/, 'an http(s) URL')
  const credentialsSecret = field(r, 'objectStore', object, 'credentialsSecret', DNS_SUBDOMAIN, 'a Secret name')
  if (!destinationPath || !endpointUrl || !credentialsSecret) return undefined
  return { destinationPath, endpointUrl, credentialsSecret }
}

function victoriaMetrics(r: Reader): VictoriaMetricsConfig | undefined {
  const object = objectAt(r, 'victoriaMetrics', ['image', 'retentionPeriod', 'storageSize'])
  if (!object) return undefined
  const imageRef = field(r, 'victoriaMetrics', object, 'image', /^[^\s]+(:[^\s/:]+|@sha256:[0-9a-f]{64})$/, 'an image with a pinned tag')
  const retentionPeriod = field(
    r,
    'victoriaMetrics',
    object,
    'retentionPeriod',
    /^[1-9][0-9]*[hdwy]?$/,
    'a -retentionPeriod such as 400d or 13 (months)',
  )
  const storageSize = field(r, 'victoriaMetrics', object, 'storageSize', QUANTITY, 'a Kubernetes quantity such as 500Gi')
  if (imageRef?.endsWith(':latest')) return r.fail('victoriaMetrics.image', `must name a pinned tag (not latest), got "${imageRef}"`)
  if (!imageRef || !retentionPeriod || !storageSize) return undefined
  return { image: imageRef, retentionPeriod, storageSize }
}

function agent(r: Reader): AgentConfig | undefined {
  const object = objectAt(r, 'agent', ['clusterId', 'site', 'province', 'city', 'level', 'workloadNamespace'])
  if (!object) return undefined
  const clusterId = field(r, 'agent', object, 'clusterId', ID, 'a lowercase id')
  const site = field(r, 'agent', object, 'site', ID, 'a lowercase id')
  const province = field(r, 'agent', object, 'province', /^[1-8][0-9]0000$/, 'a GB/T 2260 province code such as 110000')
  const city = field(r, 'agent', object, 'city', /^.{1,100}$/, 'a city name')
  const level = field(r, 'agent', object, 'level', /^(national|provincial|ministry)$/, 'national, provincial or ministry')
  const workloadNamespace = field(r, 'agent', object, 'workloadNamespace', DNS_LABEL, 'a namespace name')
  if (!clusterId || !site || !province || !city || !level || !workloadNamespace) return undefined
  return { clusterId, site, province, city, level: level as AgentConfig['level'], workloadNamespace }
}

function primaryStack(r: Reader, stack: string): string | undefined {
  const value = r.string('primaryStack')
  if (value === undefined) return undefined
  const parts = value.split('/')
  if (parts.length !== 3 || parts.some((part) => part === '')) {
    return r.fail('primaryStack', `must be a fully qualified stack name <organization>/<project>/<stack>, got "${value}"`)
  }
  if (parts[2] === stack) return r.fail('primaryStack', `must name another stack, not ${stack} itself`)
  return value
}

/**
 * Validate the `suanpan:` config of one stack. `raw` maps keys without the namespace to the strings the
 * Pulumi engine passes (structured values arrive as JSON). Throws InfraConfigError listing every problem, each naming its key.
 */
export function parseConfig(raw: Readonly<Record<string, string>>, stack: string): InfraConfig {
  const r = new Reader(raw)
  for (const key of Object.keys(raw)) if (!(KEYS as readonly string[]).includes(key)) r.fail(key, 'is not a known key')

  const centerValue = r.string('center')
  const center = CENTERS.find((c) => c === centerValue)
  if (centerValue !== undefined && !center) r.fail('center', `must be one of ${CENTERS.join(', ')}, got "${centerValue}"`)
  if (center) {
    for (const key of KEYS) {
      if (COMMON_KEYS.includes(key) || !r.has(key)) continue
      if (!CENTER_KEYS[center].includes(key)) r.fail(key, `is not used in center ${center}; remove it`)
    }
  }

  const sameCity = center === 'A1' || center === 'A2'
  const common = {
    stack,
    kubeContext: r.string('kubeContext'),
    namespace: name(r, 'namespace', DNS_LABEL),
    zones: zones(r, center),
    image: image(r, 'image'),
    replicas: sameCity ? r.integer('replicas', 2, ` in same-city center ${center} (both zones serve the API)`) : r.integer('replicas', 0),
    controlPlaneUrl: url(r, 'controlPlaneUrl'),
    databaseUrlSecret: name(r, 'databaseUrlSecret'),
    rtoTargetSeconds: r.integer('rtoTargetSeconds', 0),
    rpoTargetSeconds: r.integer('rpoTargetSeconds', 0),
    drills: drills(r),
  }
  if (!center) throw new InfraConfigError(stack, r.problems)

  const zoneCount = common.zones?.length ?? 1
  const specific =
    center === 'A1'
      ? {
          database: database(r, center, zoneCount),
          backupSchedule: r.has('backupSchedule') ? cron(r, 'backupSchedule', raw.backupSchedule ?? '', 6) : r.string('backupSchedule'),
          objectStore: objectStore(r),
          victoriaMetrics: victoriaMetrics(r),
          agent: agent(r),
        }
      : center === 'A2'
        ? { primaryStack: primaryStack(r, stack) }
        : {
            primaryStack: primaryStack(r, stack),
            database: database(r, center, zoneCount),
            backupSchedule: r.has('backupSchedule') ? cron(r, 'backupSchedule', raw.backupSchedule ?? '', 6) : r.string('backupSchedule'),
            objectStore: objectStore(r),
            archiveCredentialsSecret: name(r, 'archiveCredentialsSecret'),
            victoriaMetrics: victoriaMetrics(r),
            agent: agent(r),
          }
  if (r.problems.length > 0) throw new InfraConfigError(stack, r.problems)
  // Every reader above recorded a problem for each undefined it returned, so nothing here is undefined.
  return Object.freeze({ center, ...common, ...specific }) as InfraConfig
}

/** Read the running stack's `suanpan:` config once, at the program's edge. */
export function loadConfig(): InfraConfig {
  const prefix = `${CONFIG_NAMESPACE}:`
  const raw: Record<string, string> = {}
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value
  }
  return parseConfig(raw, pulumi.getStack())
}
