import type { Approval } from '@suanpan/control-plane/schemas'
import Alert from 'antd/es/alert'
import { Fragment, type ReactNode, useCallback, useMemo } from 'react'
import { ApiError, isAccessError } from '../../api/client'
import { AccessRefused } from '../../components/admin-token-prompt'
import { type DrillsMessageKey, type DrillsTranslate, drillLabel, drillsKey, useDrillsI18n } from '../../i18n/drills'
import type { DrillScenario } from '../../lib/drills'

/** The command that builds the DR lab, and the variable that points the control plane at one. */
export const LAB_COMMAND = 'suanpan dr lab up'
export const LAB_ENV = 'SUANPAN_DR_LAB_DIR'

/**
 * A message whose `{placeholders}` are filled with React nodes (code, links): the table's text is split at
 * each placeholder, so translators keep the whole sentence.
 */
export function Rich({ text, values }: { text: string; values: Readonly<Record<string, ReactNode>> }) {
  const parts = text.split(/\{(\w+)\}/)
  return (
    <>
      {parts.map((part, i) =>
        // Odd parts are placeholder names.
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed message, never reordered
        i % 2 === 1 ? <Fragment key={i}>{values[part] ?? `{${part}}`}</Fragment> : part,
      )}
    </>
  )
}

/** The lab command and variable as code, for `{command}` and `{env}`. */
export const LAB_VALUES = {
  command: <code className="cmd">{LAB_COMMAND}</code>,
  env: <code className="cmd">{LAB_ENV}</code>,
}

/** A message of the table that names the lab command and variable. */
export function LabText({ k }: { k: DrillsMessageKey }) {
  const { t } = useDrillsI18n()
  return <Rich text={t(k)} values={LAB_VALUES} />
}

const STATUS_PILL: Readonly<Record<string, string>> = {
  queued: 'pill pill-neutral',
  running: 'pill pill-meets',
  pass: 'pill pill-pass',
  fail: 'pill pill-over',
  aborted: 'pill pill-late',
  skipped: 'pill pill-neutral',
  missed: 'pill pill-late',
}

/** A run's status or verdict in words (never colour alone). */
export function StatusPill({ status }: { status: string }) {
  const { t } = useDrillsI18n()
  return (
    <span className={STATUS_PILL[status] ?? 'pill pill-neutral'} data-testid="drill-status" data-status={status}>
      {drillLabel(t, 'drill.status', status)}
    </span>
  )
}

/** Meets (✓) or misses (✗) a target, in words for screen readers; nothing when unknown. */
export function Mark({ ok }: { ok: boolean | null }) {
  const { t } = useDrillsI18n()
  if (ok === null) return null
  return (
    <span className={ok ? 'mark mark-ok' : 'mark mark-bad'} data-ok={ok}>
      <span aria-hidden="true">{ok ? '✓' : '✗'}</span> {ok ? t('drill.meets') : t('drill.misses')}
    </span>
  )
}

/** Seconds in the page's language: 9.5 s / 9.5秒, 2 min 5 s, 24 hr. */
export function useDuration(): (seconds: number | null | undefined, digits?: number) => string {
  const { t, f, locale } = useDrillsI18n()
  const formats = useMemo(() => {
    const unit = (u: string, display: 'narrow' | 'short', digits: number) =>
      new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: display, maximumFractionDigits: digits })
    return {
      seconds: [0, 1, 2, 3].map((d) => unit('second', 'narrow', d)),
      minute: unit('minute', 'short', 0),
      hour: unit('hour', 'short', 1),
    }
  }, [locale])
  return useCallback(
    (seconds, digits = 2) => {
      if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return f.missing
      const s = Math.abs(seconds)
      if (s < 60) return (formats.seconds[Math.min(3, Math.max(0, digits))] ?? formats.seconds[2])?.format(seconds) ?? f.missing
      if (s >= 3600 && s % 3600 === 0) return formats.hour.format(seconds / 3600)
      const m = Math.floor(s / 60)
      const rest = Math.round(s - m * 60)
      if (rest === 0) return formats.minute.format(m)
      return t('drill.minSec', { m: f.integer(m), s: f.integer(rest) })
    },
    [formats, f, t],
  )
}

/** The scenario's title in the page's language, with the API's id when the scenario is unknown. */
export function scenarioTitle(scenario: DrillScenario | undefined, id: string, locale: string): string {
  if (!scenario) return id
  return locale === 'en' ? scenario.title : scenario.titleZh
}

/** A scenario's short description in the page's language (the table's), else the API's (English). */
export function scenarioText(t: DrillsTranslate, scenario: DrillScenario): { text: string; lang: string | undefined } {
  const key = drillsKey(`drill.scenario.desc.${scenario.id}`)
  return key ? { text: t(key), lang: undefined } : { text: scenario.description, lang: 'en' }
}

/** The API's error as one line: `409 DR_LAB_MISSING: no DR lab at …`. */
export function errorDetail(t: DrillsTranslate, error: unknown): string {
  return error instanceof ApiError
    ? t('state.errorDetail', { status: error.status || t('state.network'), code: error.code, message: error.message })
    : String(error)
}

/** What a refused change shows: the role's "may not…" for 401/403, otherwise the error under a title. */
export function ChangeError({ error, title, testId, onClose }: { error: unknown; title: string; testId: string; onClose?: () => void }) {
  const { t } = useDrillsI18n()
  if (isAccessError(error)) return <AccessRefused error={error} />
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      closable={onClose ? { onClose } : undefined}
      data-testid={testId}
      data-code={error instanceof ApiError ? error.code : ''}
      title={title}
      description={<span lang="en">{errorDetail(t, error)}</span>}
    />
  )
}

/** An action that waits for a second person (two-person rule): the request, until when, and how to approve it. */
export function ApprovalPending({ approval, title, onClose }: { approval: Approval; title: string; onClose: () => void }) {
  const { t, f } = useDrillsI18n()
  return (
    <Alert
      type="info"
      showIcon
      closable={{ onClose }}
      data-testid="drill-approval-pending"
      data-approval-id={approval.id}
      title={title}
      description={
        <Rich
          text={t('drill.approval.text')}
          values={{
            id: <code>{approval.id}</code>,
            expires: f.timestamp(approval.expiresAt),
            command: <code className="cmd">{`suanpan approval approve ${approval.id}`}</code>,
          }}
        />
      }
    />
  )
}
