import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { DEFAULT_LAB_DIR } from './dr/state'
import { DEFAULT_CONSOLE_DIR } from './plugins/console'
import { type MonthlySchedule, parseMonthly } from './schedule/jobs'

/** Control-plane configuration, parsed once at the edge; business code never reads process.env. */
export interface Config {
  readonly host: string
  readonly port: number
  /** SQLite file for the embedded store; ignored when databaseUrl is set. */
  readonly sqlitePath: string
  /** postgres://… selects PostgreSQL. */
  readonly databaseUrl: string | null
  readonly adminToken: string | null
  readonly bodyLimitBytes: number
  /** Agents send a full report this often; a cluster silent for 3 intervals is stale. */
  readonly reportIntervalSeconds: number
  readonly reportLogRetentionSeconds: number
  /** How often the in-memory ledger reloads from the store (reports ingested by other instances). */
  readonly ledgerRefreshSeconds: number
  readonly catalogFile: string | null
  /** Worker threads that parse, validate and classify reports; 0 does it on the main thread. */
  readonly ingestWorkers: number
  readonly logLevel: string
  /** The built console served at `/`; null serves none. */
  readonly consoleDir: string | null
  /** Seconds between utilization/energy history samples of the live ledger. */
  readonly historyStepSeconds: number
  /** History samples older than this are deleted. */
  readonly historyRetentionDays: number
  /** VictoriaMetrics base URL: history also goes there and is read from there. */
  readonly vmUrl: string | null
  /** When the monthly census runs (Beijing time); null: never. */
  readonly censusSchedule: MonthlySchedule | null
  /** Requests a minute per bearer token (or client address without one); 0 turns the limit off. */
  readonly rateLimitPerMinute: number
  /**
   * Reads of the national figures (ledger, history, clusters, censuses, evaluation, metrics) without signing in.
   * Off by default; the demo (`suanpan start`) turns it on.
   */
  readonly openReads: boolean
  /** After a cluster token is rotated, the old one keeps working this long (default 1 h; 0: stops at once). */
  readonly tokenGraceSeconds: number
  /** Department quotas for the scheduler (JSON, see scheduler/quota.ts); null: no quotas (every department unlimited). */
  readonly quotasFile: string | null
  /** A placement the agent has not confirmed (applied) within this time is released and decided again. */
  readonly reservationTtlSeconds: number
  /**
   * The DR lab (`suanpan dr lab up`) the drills API runs drills on, as an absolute path; the same default as the
   * CLI (.suanpan/dr-lab). Without a lab there, starting a drill answers 409 DR_LAB_MISSING.
   */
  readonly drLabDir: string
  /**
   * Actions that need a second person's approval (two-person rule, access/approvals.ts): asking for one records a
   * pending request (202) that another principal holding the action's permission approves. Empty: none.
   */
  readonly twoPersonRule: readonly TwoPersonAction[]
  /** A pending approval request not decided within this time expires and can no longer be approved. */
  readonly approvalTtlSeconds: number
}

/** High-risk actions the two-person rule can cover (SUANPAN_TWO_PERSON_RULE names some of them, or `off`). */
export const TWO_PERSON_ACTIONS = ['clusters:delete', 'drills:remote-takeover', 'drills:failover'] as const
export type TwoPersonAction = (typeof TWO_PERSON_ACTIONS)[number]
/** On unless turned off: deleting a cluster and the drills that take production over need two people. */
export const DEFAULT_TWO_PERSON_RULE: readonly TwoPersonAction[] = TWO_PERSON_ACTIONS

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID'
}

function intFrom(env: Record<string, string | undefined>, key: string, fallback: number, min: number): number {
  const raw = env[key]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${key} must be an integer >= ${min}, got "${raw}"`)
  return value
}

/** `off` (or `none`): no action needs approval; otherwise a comma-separated list of TWO_PERSON_ACTIONS. */
function twoPersonRuleFrom(env: Record<string, string | undefined>, key: string): readonly TwoPersonAction[] {
  const raw = (env[key] ?? '').trim()
  if (raw === '') return DEFAULT_TWO_PERSON_RULE
  if (['off', 'none', '0', 'false', 'no'].includes(raw.toLowerCase())) return []
  const names = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ]
  // A misspelt action would silently go without its second person: refused at start-up instead.
  const unknown = names.filter((n) => !(TWO_PERSON_ACTIONS as readonly string[]).includes(n))
  if (unknown.length > 0)
    throw new ConfigError(
      `${key}: unknown action ${unknown.map((u) => `"${u}"`).join(', ')}; known: ${TWO_PERSON_ACTIONS.join(', ')} (or off)`,
    )
  return names as TwoPersonAction[]
}

function monthlyFrom(env: Record<string, string | undefined>, key: string, fallback: string): MonthlySchedule | null {
  try {
    return parseMonthly(env[key] || fallback)
  } catch (error) {
    throw new ConfigError(`${key}: ${(error as Error).message}`)
  }
}

export function loadConfig(env: Record<string, string | undefined>, overrides: Partial<Config> = {}): Config {
  const config: Config = {
    host: env.HOST ?? '127.0.0.1',
    port: intFrom(env, 'PORT', 8080, 0),
    sqlitePath: env.SUANPAN_SQLITE_PATH ?? '.suanpan/suanpan.db',
    databaseUrl: env.DATABASE_URL || null,
    adminToken: env.SUANPAN_ADMIN_TOKEN || null,
    bodyLimitBytes: intFrom(env, 'SUANPAN_BODY_LIMIT_BYTES', 8 * 1024 * 1024, 1024),
    reportIntervalSeconds: intFrom(env, 'SUANPAN_REPORT_INTERVAL_SECONDS', 60, 1),
    reportLogRetentionSeconds: intFrom(env, 'SUANPAN_REPORT_LOG_RETENTION_SECONDS', 3600, 60),
    ledgerRefreshSeconds: intFrom(env, 'SUANPAN_LEDGER_REFRESH_SECONDS', 10, 1),
    catalogFile: env.SUANPAN_CATALOG_FILE || null,
    ingestWorkers: intFrom(env, 'SUANPAN_INGEST_WORKERS', Math.max(1, availableParallelism()), 0),
    logLevel: env.LOG_LEVEL ?? 'warn',
    consoleDir: env.SUANPAN_CONSOLE_DIR === 'none' ? null : env.SUANPAN_CONSOLE_DIR || DEFAULT_CONSOLE_DIR,
    historyStepSeconds: intFrom(env, 'SUANPAN_HISTORY_STEP_SECONDS', 300, 10),
    historyRetentionDays: intFrom(env, 'SUANPAN_HISTORY_RETENTION_DAYS', 35, 1),
    vmUrl: env.VM_URL || null,
    censusSchedule: monthlyFrom(env, 'SUANPAN_CENSUS_SCHEDULE', 'monthly 1 02:00'),
    rateLimitPerMinute: intFrom(env, 'SUANPAN_RATE_LIMIT_PER_MINUTE', 3000, 0),
    quotasFile: env.SUANPAN_QUOTAS_FILE || null,
    tokenGraceSeconds: intFrom(env, 'SUANPAN_TOKEN_GRACE_SECONDS', 3600, 0),
    openReads: ['1', 'true', 'yes'].includes((env.SUANPAN_OPEN_READS ?? '').toLowerCase()),
    reservationTtlSeconds: intFrom(env, 'SUANPAN_RESERVATION_TTL_SECONDS', 120, 5),
    drLabDir: resolve(env.SUANPAN_DR_LAB_DIR || DEFAULT_LAB_DIR),
    twoPersonRule: twoPersonRuleFrom(env, 'SUANPAN_TWO_PERSON_RULE'),
    approvalTtlSeconds: intFrom(env, 'SUANPAN_APPROVAL_TTL_SECONDS', 86_400, 60),
    ...overrides,
  }
  return Object.freeze(config)
}
