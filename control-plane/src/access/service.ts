import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config'
import { LedgerError } from '../ledger/errors'
import { hashToken } from '../ledger/tokens'
import { bearerToken } from '../plugins/auth'
import type { Store } from '../store/open'
import { hashPassword, passwordProblem, verifyPassword } from './passwords'
import { can, type Permission, type Principal, parseScope, type Role, type RouteAccess, scopeAllowed, scopeText } from './roles'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request acts as, once the route's guard has run (null on public and agent routes). */
    principal: Principal | null
  }
  interface FastifyContextConfig {
    /** What the route asks for; every /api route declares it (buildApp refuses to start otherwise). */
    access?: RouteAccess
  }
}

export const SESSION_COOKIE = 'suanpan_session'
export const CSRF_HEADER = 'x-csrf-token'
const SESSION_MS = 8 * 3_600_000
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const ANONYMOUS: Principal = { id: 'anonymous', role: 'anonymous', scope: { kind: 'national' }, via: 'anonymous' }
const ADMIN: Principal = { id: 'admin', role: 'national-admin', scope: { kind: 'national' }, via: 'admin-token' }
/**
 * A token's principal is remembered this long (real time), so that a client's burst of requests costs one store
 * lookup, not one each. Revocations through this class (disable, sign-out) clear it at once; a change made by
 * another process sharing the store (PostgreSQL) is seen here within this time.
 */
const PRINCIPAL_TTL_MS = 2_000
const PRINCIPAL_CACHE_SIZE = 10_000
// verifyPassword against this when the user does not exist, so both answers take as long.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='

export interface UserView {
  username: string
  role: Role
  scope: string
  createdAt: string
  disabled: boolean
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim())
  }
  return null
}

const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

/**
 * Accounts, tokens and sessions, and the guard every route runs. Principals come from (in order) a bearer token —
 * the bootstrap admin token (national-admin) or a user's API token — or the console's session cookie (mutations
 * then need the CSRF token in `x-csrf-token`). With SUANPAN_OPEN_READS, a request with neither reads as `anonymous`
 * (national figures only).
 */
export class AccessControl {
  private readonly adminHash: string | null
  /** Valid tokens' principals by kind and token hash (never a token itself; unknown and invalid ones are not kept). */
  private readonly principals = new Map<string, { principal: Principal; expiresAt: number; until: number }>()
  /** Bumped by every invalidation: a lookup that started before one does not fill the cache. */
  private generation = 0

  constructor(
    private readonly store: Store,
    private readonly config: Pick<Config, 'adminToken' | 'openReads'>,
    private readonly now: () => number,
  ) {
    this.adminHash = config.adminToken ? hashToken(config.adminToken) : null
  }

  /** Route options for a permission: `{ config: { access }, onRequest }`, spread into the route's options. */
  guard(access: RouteAccess) {
    return {
      config: { access },
      onRequest: async (request: FastifyRequest) => {
        request.principal = null
        if (access === 'public' || access === 'agent') return
        await this.authorize(request, access)
      },
    }
  }

  async authorize(request: FastifyRequest, permission: Permission): Promise<Principal> {
    let principal = await this.principalOf(request)
    if (!principal) {
      if (this.config.openReads && can(ANONYMOUS, permission)) principal = ANONYMOUS
      else throw new LedgerError(401, 'UNAUTHENTICATED', 'sign in (console) or send "authorization: Bearer <token>"')
    }
    request.principal = principal
    request.auditActor = principal.id
    request.auditScope = scopeText(principal.scope)
    if (principal.via === 'session' && MUTATING.has(request.method)) {
      const csrf = request.headers[CSRF_HEADER]
      if (typeof csrf !== 'string' || !principal.csrfHash || !sameHash(hashToken(csrf), principal.csrfHash))
        throw new LedgerError(403, 'CSRF_TOKEN_REQUIRED', `a signed-in change needs the session's CSRF token in the ${CSRF_HEADER} header`)
    }
    if (!can(principal, permission)) {
      throw new LedgerError(
        403,
        'FORBIDDEN',
        `${principal.id} (${principal.role}, ${scopeText(principal.scope)}) may not do this: it needs ${permission}${
          principal.scope.kind !== 'national' ? ' with national scope or a role that has it' : ''
        }`,
      )
    }
    return principal
  }

  /** The principal of a request, null when it presents nothing; a token that is presented but not valid is 401. */
  async principalOf(request: FastifyRequest): Promise<Principal | null> {
    const token = bearerToken(request)
    if (token) {
      const hash = hashToken(token)
      if (this.adminHash && sameHash(hash, this.adminHash)) return ADMIN
      const p = await this.fromToken(hash, 'api')
      if (!p) throw new LedgerError(401, 'UNAUTHENTICATED', 'bearer token is not valid (unknown, expired or revoked)')
      return p
    }
    const session = cookieValue(request.headers.cookie, SESSION_COOKIE)
    if (session) return this.fromToken(hashToken(session), 'session')
    return null
  }

  private async fromToken(hash: string, kind: 'api' | 'session'): Promise<Principal | null> {
    const key = `${kind}:${hash}`
    const hit = this.principals.get(key)
    if (hit) {
      // The token's own expiry is checked on every use, on the control plane's clock.
      if (hit.until > performance.now() && hit.expiresAt > this.now()) return hit.principal
      this.principals.delete(key)
    }
    const generation = this.generation
    const row = await this.store.db
      .selectFrom('user_tokens as t')
      .innerJoin('users as u', 'u.username', 't.username')
      .select(['u.username', 'u.role', 'u.scope', 'u.disabled_at', 't.csrf_hash', 't.expires_at', 't.revoked_at'])
      .where('t.token_hash', '=', hash)
      .where('t.kind', '=', kind)
      .executeTakeFirst()
    if (!row || row.revoked_at !== null || row.disabled_at !== null || Number(row.expires_at) <= this.now()) return null
    const principal: Principal = Object.freeze({
      id: `user:${row.username}`,
      role: row.role as Role,
      scope: Object.freeze(parseScope(row.scope)),
      via: kind === 'api' ? 'api-token' : 'session',
      ...(row.csrf_hash ? { csrfHash: row.csrf_hash } : {}),
    })
    // Not when a revocation happened while the row was read: what was read may be what it revoked.
    if (generation === this.generation) {
      if (this.principals.size >= PRINCIPAL_CACHE_SIZE) {
        const oldest = this.principals.keys().next().value
        if (oldest !== undefined) this.principals.delete(oldest)
      }
      this.principals.set(key, { principal, expiresAt: Number(row.expires_at), until: performance.now() + PRINCIPAL_TTL_MS })
    }
    return principal
  }

  /**
   * Forget every remembered principal: whatever revokes a token, disables an account or changes its role or scope
   * calls this after the store has it (before answering), so the change holds for the next request.
   */
  invalidatePrincipals(): void {
    this.generation++
    this.principals.clear()
  }

  // ------------------------------------------------------------ accounts

  async createUser(input: { username: string; password: string; role: Role; scope?: string }): Promise<UserView> {
    const scope = parseScope(input.scope)
    const scopeProblem = scopeAllowed(input.role, scope)
    if (scopeProblem) throw new LedgerError(400, 'BAD_SCOPE', scopeProblem, [{ path: '/scope', message: scopeProblem }])
    const weak = passwordProblem(input.password)
    if (weak) throw new LedgerError(400, 'WEAK_PASSWORD', `password: ${weak}`, [{ path: '/password', message: weak }])
    const exists = await this.store.db.selectFrom('users').select('username').where('username', '=', input.username).executeTakeFirst()
    if (exists)
      throw new LedgerError(409, 'USER_EXISTS', `user "${input.username}" exists`, [{ path: '/username', message: 'already exists' }])
    const now = this.now()
    await this.store.db
      .insertInto('users')
      .values({
        username: input.username,
        password_hash: await hashPassword(input.password),
        role: input.role,
        scope: scopeText(scope),
        created_at: now,
        disabled_at: null,
      })
      .execute()
    return { username: input.username, role: input.role, scope: scopeText(scope), createdAt: new Date(now).toISOString(), disabled: false }
  }

  async listUsers(): Promise<UserView[]> {
    const rows = await this.store.db
      .selectFrom('users')
      .select(['username', 'role', 'scope', 'created_at', 'disabled_at'])
      .orderBy('username')
      .execute()
    return rows.map((r) => ({
      username: r.username,
      role: r.role as Role,
      scope: r.scope,
      createdAt: new Date(Number(r.created_at)).toISOString(),
      disabled: r.disabled_at !== null,
    }))
  }

  /** Disable an account: its tokens and sessions stop working at once. */
  async disableUser(username: string): Promise<boolean> {
    // Invalidated before and after the write: a lookup in between cannot keep what it read before the write.
    this.invalidatePrincipals()
    const res = await this.store.db
      .updateTable('users')
      .set({ disabled_at: this.now() })
      .where('username', '=', username)
      .executeTakeFirst()
    this.invalidatePrincipals()
    return Number(res.numUpdatedRows) > 0
  }

  /** An API token for the CLI or a script, shown once. */
  async issueToken(username: string, days: number): Promise<{ token: string; expiresAt: string }> {
    const user = await this.store.db
      .selectFrom('users')
      .select(['username', 'disabled_at'])
      .where('username', '=', username)
      .executeTakeFirst()
    if (!user || user.disabled_at !== null) throw new LedgerError(404, 'USER_NOT_FOUND', `no active user "${username}"`)
    const token = `sp_${randomBytes(32).toString('base64url')}`
    const now = this.now()
    const expiresAt = now + days * 86_400_000
    await this.store.db
      .insertInto('user_tokens')
      .values({
        token_hash: hashToken(token),
        username,
        kind: 'api',
        csrf_hash: null,
        created_at: now,
        expires_at: expiresAt,
        revoked_at: null,
      })
      .execute()
    return { token, expiresAt: new Date(expiresAt).toISOString() }
  }

  // ------------------------------------------------------------ console sessions

  async login(
    username: string,
    password: string,
    reply: FastifyReply,
    secure: boolean,
  ): Promise<{ username: string; role: Role; scope: string; csrfToken: string; expiresAt: string }> {
    const user = await this.store.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst()
    const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH)
    if (!user || !ok || user.disabled_at !== null) throw new LedgerError(401, 'INVALID_CREDENTIALS', 'user name or password is not right')
    const token = randomBytes(32).toString('base64url')
    const csrf = randomBytes(24).toString('base64url')
    const now = this.now()
    const expiresAt = now + SESSION_MS
    await this.store.db
      .insertInto('user_tokens')
      .values({
        token_hash: hashToken(token),
        username,
        kind: 'session',
        csrf_hash: hashToken(csrf),
        created_at: now,
        expires_at: expiresAt,
        revoked_at: null,
      })
      .execute()
    reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_MS / 1000}${secure ? '; Secure' : ''}`,
    )
    return { username, role: user.role as Role, scope: user.scope, csrfToken: csrf, expiresAt: new Date(expiresAt).toISOString() }
  }

  async logout(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const session = cookieValue(request.headers.cookie, SESSION_COOKIE)
    if (session) {
      this.invalidatePrincipals()
      await this.store.db.updateTable('user_tokens').set({ revoked_at: this.now() }).where('token_hash', '=', hashToken(session)).execute()
      this.invalidatePrincipals()
    }
    reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`)
  }
}

// ---------------------------------------------------------------- scope filters for data routes

/** The provinces a principal may see, or null for all. */
export function provincesOf(p: Principal | null): string[] | null {
  return p?.scope.kind === 'province' ? [p.scope.code] : null
}

/** The platform (`cn-<ministry>`) a ministry-scoped principal may see, or null. */
export function platformsOf(p: Principal | null): string[] | null {
  return p?.scope.kind === 'ministry' ? [`cn-${p.scope.name}`] : null
}

/** A value no province or platform has: a filter narrowed to nothing matches nothing. */
export const NONE_IN_SCOPE = 'none-in-scope'

/** A requested filter narrowed to what the scope allows; [NONE_IN_SCOPE] when nothing is left (the answer is empty). */
export function narrow(requested: readonly string[] | undefined, allowed: readonly string[]): string[] {
  const kept = requested && requested.length > 0 ? requested.filter((r) => allowed.includes(r)) : [...allowed]
  return kept.length > 0 ? kept : [NONE_IN_SCOPE]
}

/** A query's location filters (`province`, `platform`; comma-separated text) narrowed to the principal's scope. */
export function scopedQuery<Q extends { province?: string; platform?: string }>(
  query: Q,
  p: Principal | null,
  opts: { platform?: boolean } = {},
): Q {
  const provinces = provincesOf(p)
  const platforms = platformsOf(p)
  if (!provinces && !platforms) return query
  const list = (text: string | undefined) =>
    text
      ? text
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined
  const out = { ...query }
  if (provinces) out.province = narrow(list(query.province), provinces).join(',')
  if (platforms) {
    // A route without a platform filter cannot show a ministry its share: it shows nothing rather than everything.
    if (opts.platform) out.platform = narrow(list(query.platform), platforms).join(',')
    else out.province = NONE_IN_SCOPE
  }
  return out
}

/** Whether a cluster (by province and platform) is inside the principal's scope. */
export function inScope(p: Principal | null, cluster: { province: string; platform: string }): boolean {
  if (!p || p.scope.kind === 'national') return true
  if (p.scope.kind === 'province') return cluster.province === p.scope.code
  return cluster.platform === `cn-${p.scope.name}`
}
