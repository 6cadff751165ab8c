import type { Workload, WorkloadState } from '@suanpan/control-plane/schemas'
import Alert from 'antd/es/alert'
import Button, { type ButtonProps } from 'antd/es/button'
import Popconfirm from 'antd/es/popconfirm'
import Select from 'antd/es/select'
import Table from 'antd/es/table'
import type { ColumnsType } from 'antd/es/table/interface'
import { useEffect, useMemo } from 'react'
import { ApiError, isAccessError } from '../../api/client'
import { useCancelWorkload, useQuotas, useWorkloads } from '../../api/workloads'
import { AccessRefused } from '../../components/admin-token-prompt'
import { Section } from '../../components/page-header'
import { EmptyState, ErrorState, Loading } from '../../components/query-state'
import { labelOf, useSchedulingI18n } from '../../i18n/scheduling'
import type { Credentials } from '../../lib/credentials'
import { ACTIVE_STATES, WORKLOAD_STATES } from '../../lib/workloads'
import { PlacementChip, reasonLabel, StatePill, useClusterLinks } from './shared'

export const QUEUE_PAGE_SIZE = 20

export interface QueueView {
  state: WorkloadState | null
  department: string | null
  page: number
  /** The workload whose decision is shown. */
  selected: string | null
}

export function WorkloadQueue({
  auth,
  view,
  onView,
  onExplain,
}: {
  auth: Credentials
  view: QueueView
  onView: (patch: Record<string, string | null>) => void
  onExplain: (id: string) => void
}) {
  const { t, f } = useSchedulingI18n()
  const filters = useMemo(
    () => ({ ...(view.state ? { state: view.state } : {}), ...(view.department ? { department: view.department } : {}) }),
    [view.state, view.department],
  )
  const { token, version } = auth
  const list = useWorkloads(filters, { limit: QUEUE_PAGE_SIZE, offset: (view.page - 1) * QUEUE_PAGE_SIZE }, auth)
  const quotas = useQuotas(auth)
  const cancel = useCancelWorkload()
  const linkOf = useClusterLinks()
  const { reset } = cancel
  useEffect(() => {
    if (version > 0) reset()
  }, [version, reset])

  const items = list.data?.items ?? []
  const byState = list.data?.byState ?? {}
  const all = Object.values(byState).reduce((a, b) => a + b, 0)
  const departments = useMemo(() => {
    const names = new Set<string>()
    for (const d of quotas.data?.departments ?? []) names.add(d.department)
    for (const w of items) names.add(w.department)
    if (view.department) names.add(view.department)
    return [...names].sort((a, b) => a.localeCompare(b))
  }, [quotas.data, items, view.department])

  const columns: ColumnsType<Workload> = [
    {
      key: 'workload',
      title: t('sched.col.workload'),
      width: 170,
      fixed: 'left',
      render: (_, w) => (
        <div className="workload-name">
          <span>{w.name ?? w.id}</span>
          {w.name ? <code className="hash cell-note">{w.id}</code> : null}
        </div>
      ),
    },
    {
      key: 'state',
      title: t('sched.col.state'),
      width: 150,
      render: (_, w) => (
        <>
          <StatePill state={w.state} />
          {w.reason && w.state !== 'cancelled' ? <div className="cell-note">{reasonLabel(t, w.reason)}</div> : null}
        </>
      ),
    },
    { key: 'department', title: t('sched.col.department'), dataIndex: 'department', width: 120, ellipsis: true },
    {
      key: 'replicas',
      title: t('sched.col.replicas'),
      width: 110,
      render: (_, w) => t('sched.replicasMode', { n: f.integer(w.replicas), mode: labelOf(t, 'sched.mode', w.mode) }),
    },
    {
      key: 'accelerators',
      title: t('sched.col.accelerators'),
      width: 120,
      render: (_, w) =>
        w.acceleratorKind ? t('sched.accValue', { kind: w.acceleratorKind, n: f.integer(w.acceleratorsPerReplica) }) : t('sched.cpuOnly'),
    },
    {
      key: 'placements',
      title: t('sched.col.placements'),
      width: 280,
      render: (_, w) =>
        w.placements.length > 0 ? (
          <div className="chips">
            {w.placements.map((p) => (
              <PlacementChip key={p.clusterId} placement={p} link={linkOf(p.clusterId)} />
            ))}
          </div>
        ) : (
          <span className="cell-note">{t('sched.notPlaced')}</span>
        ),
    },
    {
      key: 'submitted',
      title: t('sched.col.submitted'),
      width: 160,
      render: (_, w) => <time dateTime={new Date(w.submittedAt).toISOString()}>{f.timestamp(w.submittedAt)}</time>,
    },
    {
      key: 'actions',
      title: t('sched.col.actions'),
      width: 150,
      fixed: 'right',
      render: (_, w) => {
        const name = w.name ?? w.id
        return (
          <div className="row-actions">
            <Button
              size="small"
              onClick={() => onExplain(w.id)}
              aria-label={t('sched.explainFor', { name })}
              data-testid="workload-explain"
            >
              {t('sched.explain')}
            </Button>
            {ACTIVE_STATES.includes(w.state) ? (
              <Popconfirm
                rootClassName="cancel-confirm"
                title={t('sched.cancelConfirm', { name })}
                description={t('sched.cancelHelp')}
                okText={t('sched.cancelOk')}
                cancelText={t('sched.cancelKeep')}
                okButtonProps={{ danger: true, loading: cancel.isPending, 'data-testid': 'workload-cancel-confirm' } as ButtonProps}
                onConfirm={() => cancel.mutateAsync({ id: w.id, token }).catch(() => undefined)}
              >
                <Button size="small" danger aria-label={t('sched.cancelFor', { name })} data-testid="workload-cancel">
                  {t('sched.cancel')}
                </Button>
              </Popconfirm>
            ) : null}
          </div>
        )
      },
    },
  ]

  const body = (() => {
    if (list.isError && isAccessError(list.error)) return <AccessRefused error={list.error} />
    if (list.isError && items.length === 0) return <ErrorState error={list.error} onRetry={() => void list.refetch()} minHeight={160} />
    if (list.isPending) return <Loading minHeight={160} />
    if (items.length === 0) {
      return <EmptyState text={view.state || view.department ? t('sched.queue.emptyFiltered') : t('sched.queue.empty')} minHeight={120} />
    }
    return (
      <Table<Workload>
        data-testid="workload-table"
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={items}
        scroll={{ x: 1260 }}
        rowClassName={(w) => (w.id === view.selected ? 'row-selected' : '')}
        pagination={
          (list.data?.total ?? 0) > QUEUE_PAGE_SIZE
            ? {
                current: view.page,
                pageSize: QUEUE_PAGE_SIZE,
                total: list.data?.total ?? 0,
                showSizeChanger: false,
                onChange: (page) => onView({ page: page > 1 ? String(page) : null }),
              }
            : false
        }
        title={() => <span className="table-caption">{t('sched.queue.caption')}</span>}
      />
    )
  })()

  const stateButton = (state: WorkloadState | null, n: number) => {
    const active = view.state === state
    return (
      <li key={state ?? 'all'}>
        <button
          type="button"
          className={active ? 'count-button count-button-active' : 'count-button'}
          aria-pressed={active}
          data-testid={`state-count-${state ?? 'all'}`}
          data-value={n}
          onClick={() => onView({ state: state, page: null })}
        >
          {t('sched.queue.stateCount', { state: state ? labelOf(t, 'sched.state', state) : t('ledger.all'), n: f.integer(n) })}
        </button>
      </li>
    )
  }

  return (
    <Section title={t('sched.queue.title')} id="queue">
      <search className="toolbar" aria-label={t('sched.queue.filters')}>
        <div className="control">
          <span id="state-filter-label">{t('sched.queue.stateFilter')}</span>
          <ul className="count-buttons" aria-labelledby="state-filter-label" data-testid="state-counts">
            {stateButton(null, all)}
            {WORKLOAD_STATES.map((s) => stateButton(s, byState[s] ?? 0))}
          </ul>
        </div>
        <div className="control">
          <span>{t('sched.col.department')}</span>
          <Select
            aria-label={t('sched.queue.departmentFilter')}
            data-testid="department-filter"
            value={view.department ?? ''}
            style={{ minWidth: 180 }}
            showSearch={{ optionFilterProp: 'label' }}
            onChange={(v: string) => onView({ department: v || null, page: null })}
            options={[{ value: '', label: t('sched.queue.allDepartments') }, ...departments.map((d) => ({ value: d, label: d }))]}
          />
        </div>
      </search>
      <p className="note">
        <span data-testid="workload-count" data-value={list.data?.total ?? ''}>
          {t('sched.queue.count', { n: f.integer(list.data?.total ?? 0) })}
        </span>{' '}
        {t('sched.refreshNote')}
      </p>
      <div aria-live="polite">
        {cancel.isError ? (
          isAccessError(cancel.error) ? (
            <AccessRefused error={cancel.error} />
          ) : (
            <Alert
              type="error"
              showIcon
              closable={{ onClose: () => cancel.reset() }}
              data-testid="workload-cancel-error"
              title={t('sched.cancelFailed')}
              description={
                cancel.error instanceof ApiError
                  ? t('state.errorDetail', {
                      status: cancel.error.status || t('state.network'),
                      code: cancel.error.code,
                      message: cancel.error.message,
                    })
                  : String(cancel.error)
              }
            />
          )
        ) : null}
        {cancel.isSuccess ? (
          <Alert
            type="info"
            showIcon
            closable={{ onClose: () => cancel.reset() }}
            data-testid="workload-cancelled"
            title={t('sched.cancelled', { name: cancel.data.name ?? cancel.data.id })}
          />
        ) : null}
      </div>
      {body}
    </Section>
  )
}
