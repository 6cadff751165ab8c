/**
 * Regional roles (地域分级用户管理) and what each may do. A principal is a role and a scope: the nation, one
 * province (provincial-admin, workload-owner of a province) or one ministry. Every route declares one permission
 * (or `public` / `agent`); data routes filter what they return by the principal's scope.
 */

export const ROLES = [
  'national-admin',
  'provincial-admin',
  'ministry-admin',
  'planner',
  'workload-owner',
  'drill-operator',
  'auditor',
] as const
export type Role = (typeof ROLES)[number]

export const PERMISSIONS = [
  'ledger:read',
  'history:read',
  'clusters:read',
  'clusters:write',
  'census:read',
  'census:write',
  'evaluation:read',
  'workloads:read',
  'workloads:write',
  'quotas:read',
  'audit:read',
  'users:admin',
  'metrics:read',
  /**
   * See approval requests (two-person rule) in the principal's scope, and take part in them. Deciding one also needs
   * the permission of the action itself (clusters:write to approve a cluster's deletion): see access/approvals.ts.
   */
  'approvals:read',
  /** Drill runs, reports, trends and schedules (灾备演练). */
  'drills:read',
  /** Start and abort drills on the DR lab; add and remove drill schedules. */
  'drills:run',
] as const
export type Permission = (typeof PERMISSIONS)[number]

/** What a route asks for: a permission; `public` (no principal needed); `agent` (the route checks a cluster token). */
export type RouteAccess = Permission | 'public' | 'agent'

export type Scope = { kind: 'national' } | { kind: 'province'; code: string } | { kind: 'ministry'; name: string }

export interface Principal {
  /** `user:<name>`, `admin` (the bootstrap admin token) or `anonymous` (open reads). */
  id: string
  role: Role | 'anonymous'
  scope: Scope
  /** How it authenticated: a session cookie needs a CSRF token on mutations. */
  via: 'admin-token' | 'api-token' | 'session' | 'anonymous'
  /** Session only: hash of its CSRF token. */
  csrfHash?: string
}

const ALL = new Set<Permission>(PERMISSIONS)
const READ_LOCATION: Permission[] = ['ledger:read', 'history:read', 'clusters:read']

const GRANTS: Readonly<Record<Role | 'anonymous', ReadonlySet<Permission>>> = {
  'national-admin': ALL,
  'provincial-admin': new Set([...READ_LOCATION, 'clusters:write', 'workloads:read', 'workloads:write', 'approvals:read']),
  'ministry-admin': new Set([...READ_LOCATION, 'workloads:read', 'workloads:write']),
  planner: new Set([
    ...READ_LOCATION,
    'census:read',
    'census:write',
    'evaluation:read',
    'quotas:read',
    'workloads:read',
    'metrics:read',
    'drills:read',
  ]),
  'workload-owner': new Set([...READ_LOCATION, 'workloads:read', 'workloads:write', 'quotas:read']),
  // Runs and schedules drills through the drills API (the CLI runs them on the lab's host too).
  // It sees approval requests (drill takeover and failover need a second person once the drills API runs them).
  'drill-operator': new Set([...READ_LOCATION, 'approvals:read', 'drills:read', 'drills:run']),
  auditor: new Set([
    ...READ_LOCATION,
    'census:read',
    'evaluation:read',
    'workloads:read',
    'quotas:read',
    'audit:read',
    'metrics:read',
    'approvals:read',
    'drills:read',
  ]),
  // SUANPAN_OPEN_READS (the demo): the national figures without signing in; nothing else.
  anonymous: new Set([...READ_LOCATION, 'census:read', 'evaluation:read', 'metrics:read']),
}

/**
 * Permissions that only make sense nationally: a census and the evaluation are national documents, quotas are
 * set across departments, the audit trail and accounts are the whole system's. A scoped principal never has them,
 * whatever its role.
 */
const NATIONAL_ONLY = new Set<Permission>([
  'census:read',
  'census:write',
  'evaluation:read',
  'quotas:read',
  'audit:read',
  'users:admin',
  'metrics:read',
  // One DR lab for the nation: its drills are not a province's business.
  'drills:read',
  'drills:run',
])

export function can(principal: Principal, permission: Permission): boolean {
  if (!GRANTS[principal.role].has(permission)) return false
  return principal.scope.kind === 'national' || !NATIONAL_ONLY.has(permission)
}

/** Which roles take which scope: provincial-admin a province, ministry-admin a ministry, workload-owner either or none. */
export function scopeAllowed(role: Role, scope: Scope): string | null {
  if (role === 'provincial-admin' && scope.kind !== 'province') return 'a provincial-admin needs a province scope'
  if (role === 'ministry-admin' && scope.kind !== 'ministry') return 'a ministry-admin needs a ministry scope'
  if ((role === 'national-admin' || role === 'auditor' || role === 'planner') && scope.kind !== 'national') return `a ${role} is national`
  return null
}

export function scopeText(scope: Scope): string {
  return scope.kind === 'national' ? 'national' : scope.kind === 'province' ? scope.code : `ministry:${scope.name}`
}

export function parseScope(text: string | null | undefined): Scope {
  if (!text || text === 'national') return { kind: 'national' }
  if (text.startsWith('ministry:')) return { kind: 'ministry', name: text.slice('ministry:'.length) }
  return { kind: 'province', code: text }
}
