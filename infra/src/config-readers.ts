import type { Center } from './topology'

/** Pulumi config namespace of every key this program reads. */
export const CONFIG_NAMESPACE = 'suanpan'

export const KEYS = [
  'center',
  'kubeContext',
  'namespace',
  'zones',
  'image',
  'replicas',
  'controlPlaneUrl',
  'databaseUrlSecret',
  'rtoTargetSeconds',
  'rpoTargetSeconds',
  'drills',
  'primaryStack',
  'database',
  'backupSchedule',
  'objectStore',
  'archiveCredentialsSecret',
  'victoriaMetrics',
  'agent',
] as const
export type Key = (typeof KEYS)[number]

/** Keys each center needs beyond the common ones; any other center-specific key is refused, so a copy-paste shows. */
export const CENTER_KEYS: Record<Center, readonly Key[]> = {
  A1: ['database', 'backupSchedule', 'objectStore', 'victoriaMetrics', 'agent'],
  A2: ['primaryStack'],
  B1: ['primaryStack', 'database', 'backupSchedule', 'objectStore', 'archiveCredentialsSecret', 'victoriaMetrics', 'agent'],
}
export const COMMON_KEYS: readonly Key[] = KEYS.filter((key) => !Object.values(CENTER_KEYS).some((keys) => keys.includes(key)))

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/
export const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/
export const ID = /^[a-z0-9][a-z0-9._-]{0,62}$/
export const CRON_FIELD = /^[0-9*/,-]+$/

/** Reads one key and records a problem naming it; each reader returns undefined when the value is unusable. */
export class Reader {
  readonly problems: string[] = []

  constructor(private readonly raw: Readonly<Record<string, string>>) {}

  fail(key: string, message: string): undefined {
    this.problems.push(`${CONFIG_NAMESPACE}:${key} ${message}`)
    return undefined
  }

  has(key: Key): boolean {
    return this.raw[key] !== undefined
  }

  string(key: Key): string | undefined {
    const value = this.raw[key]
    if (value === undefined || value.trim() === '') return this.fail(key, 'is required')
    return value
  }

  json(key: Key): unknown {
    const value = this.string(key)
    if (value === undefined) return undefined
    try {
      return JSON.parse(value)
    } catch {
      return this.fail(key, `must be structured YAML (a list or a map), got "${value}"`)
    }
  }

  integer(key: Key, min: number, why = ''): number | undefined {
    const value = this.string(key)
    if (value === undefined) return undefined
    const n = Number(value)
    if (!Number.isInteger(n) || n < min) return this.fail(key, `must be an integer >= ${min}${why}, got "${value}"`)
    return n
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Field readers for structured keys: `suanpan:database.instances` is named in full. */
export function field(
  r: Reader,
  key: Key,
  object: Record<string, unknown>,
  name: string,
  pattern: RegExp,
  hint: string,
): string | undefined {
  const value = object[name]
  if (value === undefined || value === null || value === '') return r.fail(`${key}.${name}`, 'is required')
  const text = typeof value === 'number' ? String(value) : value
  if (typeof text !== 'string' || !pattern.test(text)) return r.fail(`${key}.${name}`, `must be ${hint}, got ${JSON.stringify(value)}`)
  return text
}

export function objectAt(r: Reader, key: Key, allowed: readonly string[]): Record<string, unknown> | undefined {
  const value = r.json(key)
  if (value === undefined) return undefined
  if (!isRecord(value)) return r.fail(key, `must be a map with ${allowed.join(', ')}`)
  for (const name of Object.keys(value)) {
    if (!allowed.includes(name)) r.fail(`${key}.${name}`, `is not a known field (known: ${allowed.join(', ')})`)
  }
  return value
}

export function cron(r: Reader, key: string, value: string, fields: 5 | 6): string | undefined {
  const parts = value.trim().split(/\s+/)
  if (parts.length === fields && parts.every((part) => CRON_FIELD.test(part))) return parts.join(' ')
  return fields === 5
    ? r.fail(key, `must be a five-field cron expression (minute hour day month weekday), got "${value}"`)
    : r.fail(key, `must be a six-field cron expression with seconds first, as CloudNativePG reads it (e.g. "0 0 18 * * *"), got "${value}"`)
}

export function image(r: Reader, key: Key): string | undefined {
  const value = r.string(key)
  if (value === undefined) return undefined
  if (value.includes('@sha256:')) return value
  const tag = value.slice(value.lastIndexOf('/') + 1).split(':')[1]
  if (!tag || tag === 'latest') return r.fail(key, `must name a pinned tag or digest (not latest), got "${value}"`)
  return value
}

export function url(r: Reader, key: Key): string | undefined {
  const value = r.string(key)
  if (value === undefined) return undefined
  if (!/^https?:\/\/[^\s/]+/.test(value)) return r.fail(key, `must be an http(s) URL, got "${value}"`)
  return value
}

export function name(r: Reader, key: Key, pattern = DNS_SUBDOMAIN): string | undefined {
  const value = r.string(key)
  if (value === undefined) return undefined
  if (!pattern.test(value)) return r.fail(key, `must be a Kubernetes object name (lowercase letters, digits, '-'), got "${value}"`)
  return value
}
