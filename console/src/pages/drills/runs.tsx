import Button from 'antd/es/button'
import Select from 'antd/es/select'
import Table from 'antd/es/table'
import type { ColumnsType } from 'antd/es/table/interface'
import { useMemo } from 'react'
import { isAccessError } from '../../api/client'
import { useDrillRuns } from '../../api/drills'
import { AccessRefused } from '../../components/admin-token-prompt'
import { Section } from '../../components/page-header'
import { EmptyState, ErrorState, Loading } from '../../components/query-state'
import { drillLabel, useDrillsI18n } from '../../i18n/drills'
import type { Credentials } from '../../lib/credentials'
import {
  DRILL_STATUSES,
  type DrillRunSummary,
  type DrillScenario,
  type DrillStatus,
  rpoMeets,
  rtoMeets,
  runSeconds,
} from '../../lib/drills'
import { LabText, Mark, StatusPill, scenarioTitle, useDuration } from './shared'

export const RUNS_PAGE_SIZE = 20

export interface RunsView {
  scenario: string | null
  status: DrillStatus | null
  page: number
  /** The run whose details are open. */
  selected: string | null
}

export function RunHistory({
  auth,
  view,
  scenarios,
  onView,
  onDetails,
}: {
  auth: Credentials
  view: RunsView
  scenarios: readonly DrillScenario[]
  onView: (patch: Record<string, string | null>) => void
  onDetails: (id: string) => void
}) {
  const { t, f, locale } = useDrillsI18n()
  const duration = useDuration()
  const filters = useMemo(
    () => ({ ...(view.scenario ? { scenario: view.scenario } : {}), ...(view.status ? { status: view.status } : {}) }),
    [view.scenario, view.status],
  )
  const list = useDrillRuns(filters, auth)
  const runs = list.data?.runs ?? []
  const byId = useMemo(() => new Map(scenarios.map((s) => [s.id, s])), [scenarios])

  const columns: ColumnsType<DrillRunSummary> = [
    {
      key: 'started',
      title: t('drill.col.started'),
      width: 180,
      fixed: 'left',
      render: (_, r) => (
        <div className="run-when">
          {r.startedAt ? (
            <time dateTime={r.startedAt}>{f.timestamp(r.startedAt)}</time>
          ) : (
            <span>{t('drill.scheduledFor', { at: f.timestamp(r.scheduledFor) })}</span>
          )}
          <code className="hash cell-note">{r.id}</code>
        </div>
      ),
    },
    {
      key: 'scenario',
      title: t('drill.col.scenario'),
      width: 200,
      render: (_, r) => (
        <>
          <div>{scenarioTitle(byId.get(r.scenario), r.scenario, locale)}</div>
          <div className="cell-note">{t('drill.by', { trigger: drillLabel(t, 'drill.trigger', r.trigger), who: r.requestedBy })}</div>
        </>
      ),
    },
    {
      key: 'verdict',
      title: t('drill.col.verdict'),
      width: 200,
      render: (_, r) => (
        <>
          <StatusPill status={r.status} />
          {r.detail ? (
            <div className="cell-note run-detail" lang="en" title={r.detail}>
              {r.detail}
            </div>
          ) : null}
        </>
      ),
    },
    {
      key: 'rto',
      title: t('drill.col.rto'),
      width: 150,
      render: (_, r) => {
        const target = byId.get(r.scenario)?.targets.rtoSeconds
        if (r.rtoSeconds === null) return f.missing
        return (
          <div data-col="rto" data-value={r.rtoSeconds}>
            <div>
              {target === undefined
                ? duration(r.rtoSeconds)
                : t('drill.measuredOf', { measured: duration(r.rtoSeconds), target: duration(target) })}
            </div>
            <Mark ok={rtoMeets(r.rtoSeconds, target)} />
          </div>
        )
      },
    },
    {
      key: 'rpo',
      title: t('drill.col.rpo'),
      width: 150,
      render: (_, r) => {
        const target = byId.get(r.scenario)?.targets.rpoWrites
        if (r.rpoWrites === null) return f.missing
        const measured = t('drill.writes', { n: f.integer(r.rpoWrites) })
        return (
          <div data-col="rpo" data-value={r.rpoWrites}>
            <div>{target === undefined || target === null ? measured : t('drill.measuredOf', { measured, target: f.integer(target) })}</div>
            <Mark ok={rpoMeets(r.rpoWrites, target)} />
          </div>
        )
      },
    },
    {
      key: 'level',
      title: t('drill.col.level'),
      width: 110,
      render: (_, r) => (
        <span data-col="level" data-value={r.level ?? ''}>
          {r.level !== null ? t('drill.level', { n: f.integer(r.level) }) : r.rtoSeconds !== null ? t('drill.noLevel') : f.missing}
        </span>
      ),
    },
    { key: 'duration', title: t('drill.col.duration'), width: 100, render: (_, r) => duration(runSeconds(r), 0) },
    {
      key: 'actions',
      title: t('drill.col.actions'),
      width: 90,
      fixed: 'right',
      render: (_, r) => (
        <Button size="small" onClick={() => onDetails(r.id)} aria-label={t('drill.detailsFor', { id: r.id })} data-testid="drill-details">
          {t('drill.details')}
        </Button>
      ),
    },
  ]

  const filtered = view.scenario !== null || view.status !== null
  const body = (() => {
    if (list.isError && isAccessError(list.error)) return <AccessRefused error={list.error} />
    if (list.isError && runs.length === 0) return <ErrorState error={list.error} onRetry={() => void list.refetch()} minHeight={160} />
    if (list.isPending) return <Loading minHeight={160} />
    if (runs.length === 0) {
      return filtered ? (
        <EmptyState text={t('drill.runs.emptyFiltered')} minHeight={120} />
      ) : (
        <div className="state" data-testid="drill-runs-empty">
          <p className="empty-text">
            <LabText k="drill.runs.empty" />
          </p>
        </div>
      )
    }
    return (
      <Table<DrillRunSummary>
        data-testid="drill-runs"
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={runs}
        scroll={{ x: 1180 }}
        rowClassName={(r) => (r.id === view.selected ? 'row-selected' : '')}
        pagination={
          runs.length > RUNS_PAGE_SIZE
            ? {
                current: view.page,
                pageSize: RUNS_PAGE_SIZE,
                total: runs.length,
                showSizeChanger: false,
                onChange: (page) => onView({ page: page > 1 ? String(page) : null }),
              }
            : false
        }
        title={() => <span className="table-caption">{t('drill.runs.caption')}</span>}
      />
    )
  })()

  return (
    <Section title={t('drill.runs.title')} id="runs">
      <search className="toolbar" aria-label={t('drill.runs.filters')}>
        <div className="control">
          <span>{t('drill.col.scenario')}</span>
          <Select
            aria-label={t('drill.runs.scenarioFilter')}
            data-testid="drill-scenario-filter"
            value={view.scenario ?? ''}
            style={{ minWidth: 220 }}
            onChange={(v: string) => onView({ scenario: v || null, page: null })}
            options={[
              { value: '', label: t('drill.runs.allScenarios') },
              ...scenarios.map((s) => ({ value: s.id, label: scenarioTitle(s, s.id, locale) })),
              ...(view.scenario && !byId.has(view.scenario) ? [{ value: view.scenario, label: view.scenario }] : []),
            ]}
          />
        </div>
        <div className="control">
          <span>{t('drill.col.verdict')}</span>
          <Select
            aria-label={t('drill.runs.statusFilter')}
            data-testid="drill-status-filter"
            value={view.status ?? ''}
            style={{ minWidth: 150 }}
            onChange={(v: string) => onView({ status: v || null, page: null })}
            options={[
              { value: '', label: t('drill.runs.allStatuses') },
              ...DRILL_STATUSES.map((s) => ({ value: s, label: drillLabel(t, 'drill.status', s) })),
            ]}
          />
        </div>
      </search>
      <p className="note">
        <span data-testid="drill-run-count" data-value={list.data ? runs.length : ''}>
          {t('drill.runs.count', { n: f.integer(runs.length) })}
        </span>{' '}
        {t('drill.refreshNote')}
      </p>
      {body}
    </Section>
  )
}
