import type { Approval, ApprovalList, ApprovalPending, ClusterDeleted } from '@suanpan/control-plane/schemas'
import { adminToken } from './cluster'
import { requestJson } from './http'
import type { Output } from './output'

/** Who the command acts as: a user's API token (`--token`, SUANPAN_TOKEN), else the admin token. */
export interface Credentials {
  url: string
  token?: string
  adminToken?: string
}

const base = (url: string) => url.replace(/\/$/, '')
const tokenOf = (c: Credentials) => c.token || adminToken(c.adminToken)
const time = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : '-')

/** One approval request as a few lines. */
export function approvalText(a: Approval): string {
  const lines = [`${a.id}  ${a.action} ${a.target}  ${a.status.toUpperCase()}  (scope ${a.scope})`]
  lines.push(`  requested by ${a.requestedBy} at ${time(a.requestedAt)}; expires ${time(a.expiresAt)}`)
  if (a.decidedBy) lines.push(`  decided by ${a.decidedBy} at ${time(a.decidedAt)}${a.reason ? `: ${a.reason}` : ''}`)
  if (a.executedAt) lines.push(`  ran at ${time(a.executedAt)}: ${JSON.stringify(a.result)}`)
  return lines.join('\n')
}

function pendingText(a: Approval, what: string): string {
  return [
    `${what} waits for a second person's approval (two-person rule): ${a.id}, expires ${time(a.expiresAt)}`,
    `  approve (another account with the permission): suanpan approval approve ${a.id} --token <their token>`,
    `  reject: suanpan approval reject ${a.id} --reason "…"`,
  ].join('\n')
}

/** `suanpan approval list [--status pending]`. */
export async function approvalList(
  options: Credentials & { status?: string; action?: string; limit?: number },
  out: Output,
): Promise<void> {
  const q = new URLSearchParams()
  if (options.status) q.set('status', options.status)
  if (options.action) q.set('action', options.action)
  if (options.limit) q.set('limit', String(options.limit))
  const list = await requestJson<ApprovalList>(`${base(options.url)}/api/v1/approvals?${q}`, { token: tokenOf(options) })
  out.result(
    'approvals',
    list,
    list.approvals.length === 0
      ? `no approval requests${options.status ? ` ${options.status}` : ''}`
      : list.approvals.map(approvalText).join('\n'),
  )
}

/** `suanpan approval approve ID`: the action runs now; returns false when it ran and failed. */
export async function approvalApprove(options: Credentials & { id: string; reason?: string }, out: Output): Promise<boolean> {
  const { approval } = await requestJson<ApprovalPending>(
    `${base(options.url)}/api/v1/approvals/${encodeURIComponent(options.id)}/approve`,
    {
      method: 'POST',
      token: tokenOf(options),
      body: options.reason ? { reason: options.reason } : {},
    },
  )
  out.result('approval', approval, approvalText(approval))
  return approval.status === 'executed'
}

/** `suanpan approval reject ID --reason …` (the requester may withdraw its own request this way). */
export async function approvalReject(options: Credentials & { id: string; reason: string }, out: Output): Promise<void> {
  const { approval } = await requestJson<ApprovalPending>(
    `${base(options.url)}/api/v1/approvals/${encodeURIComponent(options.id)}/reject`,
    {
      method: 'POST',
      token: tokenOf(options),
      body: { reason: options.reason },
    },
  )
  out.result('approval', approval, approvalText(approval))
}

/** `suanpan approval show ID`. */
export async function approvalShow(options: Credentials & { id: string }, out: Output): Promise<void> {
  const { approval } = await requestJson<ApprovalPending>(`${base(options.url)}/api/v1/approvals/${encodeURIComponent(options.id)}`, {
    token: tokenOf(options),
  })
  out.result('approval', approval, approvalText(approval))
}

/** `suanpan cluster delete ID`: deleted now, or (two-person rule) an approval request for a second person. */
export async function clusterDelete(options: Credentials & { id: string }, out: Output): Promise<void> {
  const answer = await requestJson<ClusterDeleted | ApprovalPending>(
    `${base(options.url)}/api/v1/clusters/${encodeURIComponent(options.id)}`,
    {
      method: 'DELETE',
      token: tokenOf(options),
    },
  )
  if ('approval' in answer) {
    out.result('approval', answer.approval, pendingText(answer.approval, `deleting ${options.id}`))
    return
  }
  out.result('cluster-deleted', answer, `deleted ${answer.clusterId} (province ${answer.province}) at ${time(answer.deletedAt)}`)
}
