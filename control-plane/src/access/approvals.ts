import { randomBytes } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { AuditEntry, AuditTrail } from '../audit/chain'
import type { Config } from '../config'
import { LedgerError } from '../ledger/errors'
import type { Approval, ApprovalStatus } from '../schemas'
import type { Store } from '../store/open'
import type { ApprovalRequestsTable } from '../store/schema'
import { can, type Permission, type Principal, scopeText } from './roles'

/** What an action runs with, besides its own parameters. */
export interface ActionContext {
  /** Who it runs as: the caller when no approval is needed, else the second person who approved it. */
  principal: Principal
  /** Who asked for it (the caller when no approval is needed). */
  requestedBy: string
  /** The approval request it runs under; null when the action needed none. */
  approvalId: string | null
  now: number
}

/**
 * A high-risk action as the approval service knows it: the permission a principal needs to ask for it and to approve
 * it, and how to run it from its stored parameters (an approval may be decided hours later, by another process).
 */
export interface ActionDefinition<P = unknown, R = unknown> {
  permission: Permission
  run(params: P, ctx: ActionContext): Promise<R>
}

/** What `require` did: ran the action now (not under the rule), or left it waiting for a second person. */
export type Gate<R> = { status: 'executed'; result: R } | { status: 'pending'; approval: Approval; existing: boolean }

export interface ActionRequest<P> {
  /** An action named in TWO_PERSON_ACTIONS (config.ts), defined with `define`. */
  action: string
  /** What it acts on: a cluster id, a drill scenario. */
  target: string
  /** The target's region: a province code, or `national` (the default). Scoped principals see and decide only theirs. */
  scope?: string
  params: P
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString())

function parsed(text: string | null): unknown {
  if (text === null) return null
  try {
    return JSON.parse(text) as unknown
  } catch {
    return { unparsable: text }
  }
}

/** Whether a principal's scope covers a request's (`national`, a province code, `ministry:<name>`). */
function covers(p: Principal, scope: string): boolean {
  return p.scope.kind === 'national' || scopeText(p.scope) === scope
}

/**
 * The two-person rule (issue 7 §4). Routes hand a high-risk action to `require`: when the action is not under the
 * rule (SUANPAN_TWO_PERSON_RULE) it runs at once; otherwise a pending request is stored and the route answers 202.
 * A *different* principal (the bootstrap admin token is the one person `admin`) holding the action's own permission
 * in the request's scope approves it — the stored action then runs and its result is kept — or rejects it; the
 * requester may withdraw (reject) its own request but never approve it. Undecided requests expire after
 * SUANPAN_APPROVAL_TTL_SECONDS. Every step is appended to the audit trail as a named record (`approval.request`,
 * `approval.approve`, `approval.reject`, `approval.execute`, with outcome `denied` for refused decisions) carrying
 * the approval id, besides the audit hook's record of the HTTP request itself (same request id).
 *
 * Wiring an action (the drills API, later):
 *   services.approvals.define('drills:failover', { permission: 'drills:run', run: (params, ctx) => … })
 *   const gate = await services.approvals.require(request, { action: 'drills:failover', target: scenario, params })
 *   if (gate.status === 'pending') return reply.status(202).send({ approval: gate.approval })
 *   return gate.result
 */
export class ApprovalService {
  private readonly actions = new Map<string, ActionDefinition>()

  constructor(
    private readonly deps: {
      store: Store
      audit: AuditTrail
      config: Pick<Config, 'twoPersonRule' | 'approvalTtlSeconds'>
      now: () => number
    },
  ) {}

  /** Make an action known: how it is permitted and run. Once per action, when its routes register. */
  define<P, R>(action: string, definition: ActionDefinition<P, R>): void {
    if (this.actions.has(action)) throw new Error(`approval action ${action} is defined twice`)
    this.actions.set(action, definition as ActionDefinition)
  }

  /** Whether the action needs a second person's approval under the current configuration. */
  needsApproval(action: string): boolean {
    return (this.deps.config.twoPersonRule as readonly string[]).includes(action)
  }

  /**
   * Run the action now, or store it for a second person's approval. The caller has already checked that the
   * principal may ask for it (the route's guard, the target's scope). `execute` runs it now instead of the defined
   * `run` (the same action; an approved request always replays through `run` with the stored params).
   */
  async require<P, R>(request: FastifyRequest, spec: ActionRequest<P>, execute?: () => Promise<R>): Promise<Gate<R>> {
    const principal = request.principal
    if (!principal) throw new LedgerError(401, 'UNAUTHENTICATED', 'sign in (console) or send "authorization: Bearer <token>"')
    const definition = this.actions.get(spec.action)
    if (!definition) throw new Error(`approval action ${spec.action} is not defined: call approvals.define first`)
    const now = this.deps.now()
    if (!this.needsApproval(spec.action)) {
      const result = execute
        ? await execute()
        : ((await definition.run(spec.params, { principal, requestedBy: principal.id, approvalId: null, now })) as R)
      return { status: 'executed', result }
    }
    const scope = spec.scope ?? 'national'
    await this.expireDue(now)
    // Asked again while a request is pending: the same request (one decision, not two).
    const open = await this.deps.store.db
      .selectFrom('approval_requests')
      .selectAll()
      .where('action', '=', spec.action)
      .where('target', '=', spec.target)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .orderBy('requested_at', 'desc')
      .executeTakeFirst()
    if (open) return { status: 'pending', approval: this.view(open, now), existing: true }
    const row: ApprovalRequestsTable = {
      id: `apr-${randomBytes(8).toString('hex')}`,
      action: spec.action,
      target: spec.target,
      scope,
      params: JSON.stringify(spec.params ?? null),
      requested_by: principal.id,
      requested_at: now,
      status: 'pending',
      decided_by: null,
      decided_at: null,
      reason: null,
      expires_at: now + this.deps.config.approvalTtlSeconds * 1000,
      executed_at: null,
      result: null,
    }
    await this.deps.store.db.insertInto('approval_requests').values(row).execute()
    await this.record(request, principal, 'approval.request', row, 'ok', 202, {
      params: spec.params ?? null,
      expiresAt: iso(row.expires_at),
    })
    return { status: 'pending', approval: this.view(row, now), existing: false }
  }

  async list(principal: Principal, query: { status?: ApprovalStatus; action?: string; limit: number }): Promise<Approval[]> {
    const now = this.deps.now()
    let q = this.deps.store.db.selectFrom('approval_requests').selectAll().orderBy('requested_at', 'desc').orderBy('id').limit(query.limit)
    if (principal.scope.kind !== 'national') q = q.where('scope', '=', scopeText(principal.scope))
    if (query.action) q = q.where('action', '=', query.action)
    // A pending request past its expiry reads as expired, whether or not the row says so yet.
    if (query.status === 'pending') q = q.where('status', '=', 'pending').where('expires_at', '>', now)
    else if (query.status === 'expired')
      q = q.where((eb) => eb.or([eb('status', '=', 'expired'), eb.and([eb('status', '=', 'pending'), eb('expires_at', '<=', now)])]))
    else if (query.status) q = q.where('status', '=', query.status)
    return (await q.execute()).map((r) => this.view(r, now))
  }

  /** One request, if the principal's scope covers it (otherwise it does not exist, as far as the principal can tell). */
  async get(principal: Principal, id: string): Promise<Approval> {
    return this.view(await this.visible(principal, id), this.deps.now())
  }

  /** A second person approves: the stored action runs now and its result (or failure) is kept. */
  async approve(request: FastifyRequest, id: string, note?: string): Promise<Approval> {
    const principal = this.principalOf(request)
    const row = await this.visible(principal, id)
    const now = this.deps.now()
    request.auditScope = row.scope
    this.mustBePending(row, now)
    if (row.requested_by === principal.id) {
      await this.record(request, principal, 'approval.approve', row, 'denied', 403, { problem: 'self-approval' })
      throw new LedgerError(
        403,
        'SELF_APPROVAL',
        `${principal.id} asked for this ${row.action} and cannot approve it: a second person must (two-person rule)`,
      )
    }
    const definition = this.actions.get(row.action)
    if (!definition)
      throw new LedgerError(409, 'ACTION_NOT_AVAILABLE', `this control plane cannot run ${row.action}: the request stays pending`)
    if (!can(principal, definition.permission) || !covers(principal, row.scope)) {
      await this.record(request, principal, 'approval.approve', row, 'denied', 403, { problem: `needs ${definition.permission}` })
      throw new LedgerError(
        403,
        'FORBIDDEN',
        `${principal.id} (${principal.role}, ${scopeText(principal.scope)}) may not approve ${row.action}: it needs ${definition.permission} in scope ${row.scope}`,
      )
    }
    // Decided once: of two approvers at the same moment one wins, the other is told it is no longer pending.
    const claimed = await this.deps.store.db
      .updateTable('approval_requests')
      .set({ status: 'approved', decided_by: principal.id, decided_at: now, reason: note ?? null })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .executeTakeFirst()
    if (Number(claimed.numUpdatedRows) !== 1) throw new LedgerError(409, 'APPROVAL_NOT_PENDING', `approval ${id} was decided meanwhile`)
    await this.record(request, principal, 'approval.approve', row, 'ok', 200, { requestedBy: row.requested_by, ...(note ? { note } : {}) })

    let status: 'executed' | 'failed'
    let result: unknown
    let outcome: AuditEntry['outcome'] = 'ok'
    let code = 200
    try {
      result = await definition.run(parsed(row.params), { principal, requestedBy: row.requested_by, approvalId: id, now })
      status = 'executed'
    } catch (error) {
      status = 'failed'
      if (error instanceof LedgerError) {
        result = { error: { statusCode: error.statusCode, code: error.code, message: error.message } }
        outcome = 'rejected'
        code = error.statusCode
      } else {
        request.log.error({ err: error, approvalId: id }, 'approved action failed')
        result = { error: { statusCode: 500, code: 'INTERNAL', message: 'the action failed; see the control-plane log' } }
        outcome = 'error'
        code = 500
      }
    }
    const executedAt = this.deps.now()
    await this.deps.store.db
      .updateTable('approval_requests')
      .set({ status, executed_at: executedAt, result: JSON.stringify(result ?? null) })
      .where('id', '=', id)
      .execute()
    // The result goes into the trail when it is small (a deletion's); a large one (a drill report) stays in the request.
    const resultText = JSON.stringify(result ?? null)
    await this.record(request, principal, 'approval.execute', row, outcome, code, {
      requestedBy: row.requested_by,
      status,
      result: resultText.length <= 2_000 ? (result ?? null) : { omitted: `${resultText.length} characters: see the approval request` },
    })
    await this.expireDue(executedAt)
    return this.get(principal, id)
  }

  /** Reject (or, by its requester, withdraw) a pending request: nothing runs. */
  async reject(request: FastifyRequest, id: string, reason: string): Promise<Approval> {
    const principal = this.principalOf(request)
    const row = await this.visible(principal, id)
    const now = this.deps.now()
    request.auditScope = row.scope
    this.mustBePending(row, now)
    const permission = this.actions.get(row.action)?.permission ?? 'users:admin'
    const own = row.requested_by === principal.id
    if (!own && (!can(principal, permission) || !covers(principal, row.scope))) {
      await this.record(request, principal, 'approval.reject', row, 'denied', 403, { problem: `needs ${permission}` })
      throw new LedgerError(
        403,
        'FORBIDDEN',
        `${principal.id} (${principal.role}, ${scopeText(principal.scope)}) may not reject ${row.action}: it needs ${permission} in scope ${row.scope}, or to have asked for it`,
      )
    }
    const decided = await this.deps.store.db
      .updateTable('approval_requests')
      .set({ status: 'rejected', decided_by: principal.id, decided_at: now, reason })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .executeTakeFirst()
    if (Number(decided.numUpdatedRows) !== 1) throw new LedgerError(409, 'APPROVAL_NOT_PENDING', `approval ${id} was decided meanwhile`)
    await this.record(request, principal, 'approval.reject', row, 'ok', 200, { requestedBy: row.requested_by, reason, withdrawn: own })
    await this.expireDue(now)
    return this.get(principal, id)
  }

  // ------------------------------------------------------------ internals

  private principalOf(request: FastifyRequest): Principal {
    if (!request.principal) throw new LedgerError(401, 'UNAUTHENTICATED', 'sign in (console) or send "authorization: Bearer <token>"')
    return request.principal
  }

  private async visible(principal: Principal, id: string): Promise<ApprovalRequestsTable> {
    const row = await this.deps.store.db.selectFrom('approval_requests').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row || !covers(principal, row.scope)) throw new LedgerError(404, 'APPROVAL_NOT_FOUND', `no approval request "${id}"`)
    return row
  }

  private mustBePending(row: ApprovalRequestsTable, now: number): void {
    const status = this.statusOf(row, now)
    if (status === 'expired')
      throw new LedgerError(409, 'APPROVAL_EXPIRED', `approval ${row.id} expired at ${iso(row.expires_at)} undecided: ask again`)
    if (status !== 'pending') throw new LedgerError(409, 'APPROVAL_NOT_PENDING', `approval ${row.id} is ${status}, not pending`)
  }

  private statusOf(row: ApprovalRequestsTable, now: number): ApprovalStatus {
    return row.status === 'pending' && Number(row.expires_at) <= now ? 'expired' : (row.status as ApprovalStatus)
  }

  /** Pending requests past their expiry become `expired` in the store too (only ever from a request that changes it). */
  private async expireDue(now: number): Promise<void> {
    await this.deps.store.db
      .updateTable('approval_requests')
      .set({ status: 'expired' })
      .where('status', '=', 'pending')
      .where('expires_at', '<=', now)
      .execute()
  }

  private view(r: ApprovalRequestsTable, now: number): Approval {
    return {
      id: r.id,
      action: r.action,
      target: r.target,
      scope: r.scope,
      params: parsed(r.params),
      status: this.statusOf(r, now),
      requestedBy: r.requested_by,
      requestedAt: iso(r.requested_at) as string,
      decidedBy: r.decided_by,
      decidedAt: iso(r.decided_at),
      reason: r.reason,
      expiresAt: iso(r.expires_at) as string,
      executedAt: iso(r.executed_at),
      result: parsed(r.result),
    }
  }

  private async record(
    request: FastifyRequest,
    principal: Principal,
    action: string,
    row: ApprovalRequestsTable,
    outcome: AuditEntry['outcome'],
    status: number,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.deps.audit.append({
      at: this.deps.now(),
      actor: principal.id,
      action,
      target: `${row.action} ${row.target}`,
      scope: row.scope,
      outcome,
      status,
      requestId: String(request.id),
      detail: { approvalId: row.id, action: row.action, target: row.target, ...detail },
    })
  }
}
