import type { QuotaUsage } from '@suanpan/control-plane/schemas'
import Table from 'antd/es/table'
import type { ColumnsType } from 'antd/es/table/interface'
import { isAccessError } from '../../api/client'
import { useQuotas } from '../../api/workloads'
import { AccessRefused } from '../../components/admin-token-prompt'
import { Section } from '../../components/page-header'
import { EmptyState, ErrorState, Loading } from '../../components/query-state'
import { labelOf, useSchedulingI18n } from '../../i18n/scheduling'
import type { Credentials } from '../../lib/credentials'

type Department = QuotaUsage['departments'][number]
type KindUsage = Department['kinds'][number]

/** One table row: a department's usage of one accelerator kind (or, with `kind` null, a department using none). */
interface QuotaRow {
  key: string
  department: Department
  kind: KindUsage | null
  /** Rows of this department (on its first row; 0 on the others, whose department cells are spanned). */
  span: number
}

/** The kinds worth a row: those with a quota, in use, or borrowed; a department with none gets one row. */
export function quotaRows(usage: QuotaUsage): QuotaRow[] {
  return usage.departments.flatMap((d) => {
    const kinds = d.kinds.filter((k) => k.devicesQuota !== null || k.fp16TflopsQuota !== null || k.devicesUsed > 0 || k.borrowing)
    const list: (KindUsage | null)[] = kinds.length > 0 ? kinds : [null]
    return list.map((kind, i) => ({ key: `${d.department}|${kind?.kind ?? '-'}`, department: d, kind, span: i === 0 ? list.length : 0 }))
  })
}

function UsedOf({ used, quota, format, testId }: { used: number; quota: number | null; format: (n: number) => string; testId: string }) {
  const { t } = useSchedulingI18n()
  const share = quota !== null && quota > 0 ? Math.min(1, used / quota) : quota === 0 && used > 0 ? 1 : null
  return (
    <div className="used-of" data-testid={testId} data-used={used} data-quota={quota ?? ''}>
      <span>{t('sched.quota.usedOf', { used: format(used), quota: quota === null ? t('sched.quota.unlimited') : format(quota) })}</span>
      {share !== null ? (
        <span className="meter-track used-of-track" aria-hidden="true">
          <span className={used > (quota ?? 0) ? 'meter-fill meter-over' : 'meter-fill'} style={{ width: `${share * 100}%` }} />
        </span>
      ) : null}
    </div>
  )
}

export function QuotaTable({ auth }: { auth: Credentials }) {
  const { t, f } = useSchedulingI18n()
  const quotas = useQuotas(auth)
  const span = (r: QuotaRow) => ({ rowSpan: r.span })
  const columns: ColumnsType<QuotaRow> = [
    { key: 'department', title: t('sched.quota.department'), width: 150, onCell: span, render: (_, r) => r.department.department },
    {
      key: 'cohort',
      title: t('sched.quota.cohort'),
      width: 150,
      onCell: span,
      render: (_, r) => r.department.cohort ?? t('sched.quota.noCohort'),
    },
    {
      key: 'kind',
      title: t('sched.quota.kind'),
      width: 110,
      render: (_, r) => (r.kind ? labelOf(t, 'kind', r.kind.kind) : <span className="cell-note">{t('sched.quota.noAccelerators')}</span>),
    },
    {
      key: 'devices',
      title: t('sched.quota.devices'),
      width: 190,
      render: (_, r) =>
        r.kind ? (
          <UsedOf
            used={r.kind.devicesUsed}
            quota={r.kind.devicesQuota}
            format={f.integer}
            testId={`quota-devices-${r.department.department}-${r.kind.kind}`}
          />
        ) : (
          f.missing
        ),
    },
    {
      key: 'fp16',
      title: t('sched.quota.fp16'),
      width: 210,
      render: (_, r) =>
        r.kind ? (
          <UsedOf
            used={r.kind.fp16TflopsUsed}
            quota={r.kind.fp16TflopsQuota}
            format={(n) => f.number(n, 1)}
            testId={`quota-fp16-${r.department.department}-${r.kind.kind}`}
          />
        ) : (
          f.missing
        ),
    },
    {
      key: 'borrowing',
      title: t('sched.quota.borrowing'),
      width: 100,
      render: (_, r) =>
        r.kind?.borrowing ? (
          <span className="pill pill-late" data-borrowing="true">
            {t('sched.quota.borrowingYes')}
          </span>
        ) : r.kind ? (
          <span data-borrowing="false">{t('sched.quota.borrowingNo')}</span>
        ) : (
          f.missing
        ),
    },
    {
      key: 'cpu',
      title: t('sched.quota.cpu'),
      width: 110,
      align: 'right',
      onCell: span,
      render: (_, r) => <span data-value={r.department.cpuCoresUsed}>{f.number(r.department.cpuCoresUsed, 1)}</span>,
    },
    {
      key: 'memory',
      title: t('sched.quota.memory'),
      width: 120,
      align: 'right',
      onCell: span,
      render: (_, r) => <span data-value={r.department.memoryGiBUsed}>{f.number(r.department.memoryGiBUsed, 1)}</span>,
    },
  ]

  const body = (() => {
    if (quotas.isError && isAccessError(quotas.error)) return <AccessRefused error={quotas.error} />
    if (quotas.isError && !quotas.data) return <ErrorState error={quotas.error} onRetry={() => void quotas.refetch()} minHeight={120} />
    if (quotas.isPending) return <Loading minHeight={120} />
    const rows = quotaRows(quotas.data)
    return (
      <>
        <p className="note" data-testid="quota-unlisted" data-value={quotas.data.unlisted}>
          {t('sched.quota.note', { policy: labelOf(t, 'sched.quota.unlisted', quotas.data.unlisted) })}
        </p>
        {rows.length === 0 ? (
          <EmptyState text={t('sched.quota.empty')} minHeight={100} />
        ) : (
          <Table<QuotaRow>
            data-testid="quota-table"
            size="small"
            rowKey="key"
            columns={columns}
            dataSource={rows}
            pagination={false}
            bordered
            scroll={{ x: 1140 }}
            title={() => <span className="table-caption">{t('sched.quota.caption')}</span>}
          />
        )}
      </>
    )
  })()

  return (
    <Section title={t('sched.quota.title')} id="quotas">
      {body}
    </Section>
  )
}
