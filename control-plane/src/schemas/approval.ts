import { type Static, Type } from 'typebox'

/** Where an approval request stands. `approved` is the short moment the approved action runs (or a run cut short). */
export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'executed', 'failed'] as const
export const ApprovalStatusSchema = Type.Union([
  Type.Literal('pending'),
  Type.Literal('approved'),
  Type.Literal('rejected'),
  Type.Literal('expired'),
  Type.Literal('executed'),
  Type.Literal('failed'),
])
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number]

/** An approval request id: `apr-` and 16 hex digits. */
export const ApprovalIdSchema = Type.String({ pattern: '^apr-[0-9a-f]{16}$', maxLength: 20 })

/** A high-risk action under the two-person rule: asked for by one principal, decided by another. */
export const ApprovalSchema = Type.Object({
  id: Type.String(),
  /** `clusters:delete`, `drills:remote-takeover`, `drills:failover`. */
  action: Type.String(),
  /** What it acts on (a cluster id, a drill scenario). */
  target: Type.String(),
  /** The target's region: a province code, or `national`. */
  scope: Type.String(),
  /** What the action runs with once approved. */
  params: Type.Unknown(),
  status: ApprovalStatusSchema,
  requestedBy: Type.String(),
  requestedAt: Type.String(),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
  /** Why it was rejected (or the approver's note). */
  reason: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.String(),
  executedAt: Type.Union([Type.String(), Type.Null()]),
  /** What the action returned once run, or `{ error: { code, message } }` when it failed. */
  result: Type.Unknown(),
})
export type Approval = Static<typeof ApprovalSchema>

/** The answer to an action that now waits for a second person (HTTP 202). */
export const ApprovalPendingSchema = Type.Object({ approval: ApprovalSchema })
export type ApprovalPending = Static<typeof ApprovalPendingSchema>

export const ApprovalListSchema = Type.Object({ approvals: Type.Array(ApprovalSchema) })
export type ApprovalList = Static<typeof ApprovalListSchema>
