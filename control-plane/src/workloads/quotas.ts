import { readFileSync } from 'node:fs'
import { ConfigError } from '../config'
import type { QuotaConfig } from '../scheduler/quota'
import { SCHEDULABLE_KINDS } from '../scheduler/types'

const KINDS = new Set<string>(SCHEDULABLE_KINDS)

/**
 * Department quotas from a JSON file (SUANPAN_QUOTAS_FILE):
 * `{ "unlisted": "unlimited" | "deny", "departments": { "<name>": { "cohort": "…", "limits": { "GPU": { "devices": 64,
 * "fp16Tflops": 20000 } }, "borrowingLimit": { … } } } }`. Every field is checked; a bad one names its path.
 */
export function loadQuotas(file: string): QuotaConfig {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new ConfigError(`SUANPAN_QUOTAS_FILE ${file}: ${(error as Error).message}`)
  }
  return parseQuotas(raw, file)
}

export function parseQuotas(raw: unknown, where = 'quotas'): QuotaConfig {
  const fail = (path: string, msg: string): never => {
    throw new ConfigError(`${where}: ${path}: ${msg}`)
  }
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
  if (!isObj(raw)) return fail('/', 'must be an object')
  const out: QuotaConfig = {}
  if (raw.unlisted !== undefined) {
    if (raw.unlisted !== 'unlimited' && raw.unlisted !== 'deny') fail('/unlisted', 'must be "unlimited" or "deny"')
    out.unlisted = raw.unlisted as 'unlimited' | 'deny'
  }
  const limits = (v: unknown, path: string) => {
    if (!isObj(v)) return fail(path, 'must be an object of kinds')
    const r: Record<string, { devices?: number; fp16Tflops?: number }> = {}
    for (const [kind, l] of Object.entries(v)) {
      if (!KINDS.has(kind)) fail(`${path}/${kind}`, `unknown kind (one of ${SCHEDULABLE_KINDS.join(', ')})`)
      if (!isObj(l)) return fail(`${path}/${kind}`, 'must be an object')
      const entry: { devices?: number; fp16Tflops?: number } = {}
      for (const [m, x] of Object.entries(l)) {
        if (m !== 'devices' && m !== 'fp16Tflops') fail(`${path}/${kind}/${m}`, 'unknown field (devices, fp16Tflops)')
        if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) fail(`${path}/${kind}/${m}`, 'must be a number ≥ 0')
        entry[m as 'devices' | 'fp16Tflops'] = x as number
      }
      r[kind] = entry
    }
    return r
  }
  if (raw.departments !== undefined) {
    if (!isObj(raw.departments)) return fail('/departments', 'must be an object')
    out.departments = {}
    for (const [name, q] of Object.entries(raw.departments)) {
      const path = `/departments/${name}`
      if (!isObj(q)) return fail(path, 'must be an object')
      if (q.cohort !== undefined && (typeof q.cohort !== 'string' || q.cohort === '')) fail(`${path}/cohort`, 'must be a non-empty string')
      out.departments[name] = {
        ...(q.cohort ? { cohort: q.cohort as string } : {}),
        limits: limits(q.limits ?? {}, `${path}/limits`),
        ...(q.borrowingLimit !== undefined ? { borrowingLimit: limits(q.borrowingLimit, `${path}/borrowingLimit`) } : {}),
      }
    }
  }
  return out
}
