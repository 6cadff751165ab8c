import type { AuditRecord } from '@suanpan/control-plane/schemas'
import type { AuditFilters, AuditOutcome } from '../api/audit'
import { AUDIT_OUTCOMES } from '../api/audit'
import type { AdminTranslate, AnyMessageKey } from '../i18n/admin'
import { toCsv } from './csv'

/** The filters of the audit page as the URL holds them: times as Beijing wall-clock `YYYY-MM-DDTHH:mm`. */
export interface AuditView {
  from: string
  to: string
  actor: string
  action: string
  outcome: AuditOutcome | null
}

export function parseAuditView(params: URLSearchParams): AuditView {
  const outcome = params.get('outcome')
  return {
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    actor: params.get('actor') ?? '',
    action: params.get('action') ?? '',
    outcome: AUDIT_OUTCOMES.find((o) => o === outcome) ?? null,
  }
}

/** Beijing wall-clock `YYYY-MM-DDTHH:mm[:ss]` (a datetime-local value) as an ISO time with its +08:00 offset. */
export function beijingToIso(local: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(local)) return undefined
  return `${local.length === 16 ? `${local}:00` : local}+08:00`
}

/** The API query for a view: blank filters left out. */
export function auditFilters(view: AuditView): AuditFilters {
  const filters: AuditFilters = {}
  const from = beijingToIso(view.from)
  const to = beijingToIso(view.to)
  if (from) filters.from = from
  if (to) filters.to = to
  if (view.actor.trim()) filters.actor = view.actor.trim()
  if (view.action.trim()) filters.action = view.action.trim()
  if (view.outcome) filters.outcome = view.outcome
  return filters
}

export const OUTCOME_LABEL: Readonly<Record<AuditOutcome, AnyMessageKey>> = {
  ok: 'audit.outcome.ok',
  denied: 'audit.outcome.denied',
  rejected: 'audit.outcome.rejected',
  error: 'audit.outcome.error',
}

export function outcomeLabel(outcome: string, t: AdminTranslate): string {
  const key = OUTCOME_LABEL[outcome as AuditOutcome]
  return key ? t(key) : outcome
}

/** The records shown, as CSV (UTF-8 with BOM): every field, times both as recorded (UTC ISO) and in Beijing time. */
export function auditCsv(records: readonly AuditRecord[], t: AdminTranslate, beijing: (iso: string) => string): string {
  const headers = [
    t('audit.col.seq'),
    t('audit.col.atIso'),
    t('audit.col.atBeijing'),
    t('audit.col.actor'),
    t('audit.col.action'),
    t('audit.col.target'),
    t('audit.col.scope'),
    t('audit.col.outcome'),
    t('audit.col.status'),
    t('audit.col.requestId'),
    t('audit.col.detail'),
    t('audit.col.prevHash'),
    t('audit.col.hash'),
  ]
  const rows = records.map((r) => [
    r.seq,
    r.at,
    beijing(r.at),
    r.actor,
    r.action,
    r.target,
    r.scope,
    r.outcome,
    r.status,
    r.requestId,
    JSON.stringify(r.detail),
    r.prevHash,
    r.hash,
  ])
  return toCsv(headers, rows)
}
