import type { CensusBreakdown, CensusComparison, CensusSummary } from '@suanpan/control-plane/schemas'
import Select from 'antd/es/select'
import Table from 'antd/es/table'
import type { ColumnsType } from 'antd/es/table/interface'
import { useMemo } from 'react'
import { useSearchParams } from 'react-router'
import { useCensusComparison, useCensuses } from '../api/censuses'
import { isAccessError } from '../api/client'
import { AccessRefused } from '../components/admin-token-prompt'
import { Breadcrumbs } from '../components/breadcrumbs'
import { Delta, RelativeDelta } from '../components/delta'
import { PageHeader, Section } from '../components/page-header'
import { EmptyState, QueryState } from '../components/query-state'
import { useAdminI18n } from '../i18n/admin'
import { useLabeler } from '../i18n/use-labeler'
import {
  CENSUS_BREAKDOWNS,
  censusName,
  DELTA_LABEL,
  DELTA_MEASURES,
  type DeltaMeasure,
  deltaDirection,
  formatDeltaMeasure,
  isCensusBreakdown,
  isDeltaMeasure,
  shortHash,
} from '../lib/census'
import { plainNumber } from '../lib/csv'
import { patchParams } from '../lib/ledger-view'

const intParam = (raw: string | null): number | null => (raw && /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : null)

interface TotalRow {
  measure: DeltaMeasure
  a: number
  b: number
  delta: number
}

type KeyRow = CensusComparison['rows'][number] & { rowKey: string; label: string }

function Side({ which, census }: { which: 'a' | 'b'; census: CensusSummary }) {
  const { t, f } = useAdminI18n()
  return (
    <div className="stat-card compare-side" data-testid={`compare-side-${which}`}>
      <div className="stat-label">{which === 'a' ? t('compare.a') : t('compare.b')}</div>
      <div className="compare-name">{censusName(census, t)}</div>
      <div className="stat-hint">
        {t('compare.sideFacts', {
          created: f.timestamp(census.createdAt),
          asOf: f.timestamp(census.asOf),
          clusters: f.integer(census.clustersIncluded),
        })}
      </div>
      <div className="stat-hint">
        {t('census.digest')}{' '}
        <code className="hash" title={census.digest}>
          {shortHash(census.digest)}
        </code>
      </div>
    </div>
  )
}

function Comparison({ comparison, measure }: { comparison: CensusComparison; measure: DeltaMeasure }) {
  const { t, f, locale } = useAdminI18n()
  const label = useLabeler()
  const by = comparison.by as CensusBreakdown
  const totals: TotalRow[] = DELTA_MEASURES.map((m) => ({
    measure: m,
    a: comparison.total.a[m],
    b: comparison.total.b[m],
    delta: comparison.total.delta[m],
  }))
  const rows = useMemo<KeyRow[]>(() => {
    const collator = new Intl.Collator(locale, { numeric: true })
    return comparison.rows
      .map((r) => ({ ...r, rowKey: JSON.stringify(r.key), label: label(by, r.key[by]) }))
      .sort(
        (x, y) =>
          Math.abs(y.delta[measure]) - Math.abs(x.delta[measure]) || y.b[measure] - x.b[measure] || collator.compare(x.label, y.label),
      )
  }, [comparison, by, measure, label, locale])
  const same = comparison.a.id === comparison.b.id
  const value = (m: DeltaMeasure, v: number) => <span data-value={plainNumber(v) ?? ''}>{formatDeltaMeasure(m, v, f)}</span>
  const totalColumns: ColumnsType<TotalRow> = [
    { key: 'measure', title: t('compare.measure'), width: 200, render: (_, r) => t(DELTA_LABEL[r.measure]) },
    { key: 'a', title: t('compare.colA', { id: comparison.a.id }), width: 160, align: 'right', render: (_, r) => value(r.measure, r.a) },
    { key: 'b', title: t('compare.colB', { id: comparison.b.id }), width: 160, align: 'right', render: (_, r) => value(r.measure, r.b) },
    {
      key: 'delta',
      title: t('compare.delta'),
      width: 170,
      align: 'right',
      render: (_, r) => <Delta measure={r.measure} value={r.delta} />,
    },
    {
      key: 'rel',
      title: t('compare.relative'),
      width: 110,
      align: 'right',
      render: (_, r) => <RelativeDelta measure={r.measure} a={r.a} b={r.b} />,
    },
  ]
  const keyColumns: ColumnsType<KeyRow> = [
    {
      key: 'key',
      title: t(`dim.${by}`),
      width: 220,
      fixed: 'left',
      ellipsis: true,
      render: (_, r) => <span title={r.key[by] ?? undefined}>{r.label}</span>,
    },
    {
      key: 'a',
      title: t('compare.colA', { id: comparison.a.id }),
      width: 150,
      align: 'right',
      render: (_, r) => value(measure, r.a[measure]),
    },
    {
      key: 'b',
      title: t('compare.colB', { id: comparison.b.id }),
      width: 150,
      align: 'right',
      render: (_, r) => value(measure, r.b[measure]),
    },
    {
      key: 'delta',
      title: t('compare.delta'),
      width: 170,
      align: 'right',
      render: (_, r) => <Delta measure={measure} value={r.delta[measure]} />,
    },
    {
      key: 'rel',
      title: t('compare.relative'),
      width: 110,
      align: 'right',
      render: (_, r) => <RelativeDelta measure={measure} a={r.a[measure]} b={r.b[measure]} />,
    },
  ]
  const changed = rows.filter((r) => deltaDirection(measure, r.delta[measure], f) !== 'none').length
  return (
    <>
      <div className="two-col compare-sides">
        <Side which="a" census={comparison.a} />
        <Side which="b" census={comparison.b} />
      </div>
      {same ? <p className="note">{t('compare.sameCensus')}</p> : null}
      <Section title={t('compare.totals')} id="compare-totals">
        <Table<TotalRow>
          data-testid="compare-totals"
          size="small"
          rowKey="measure"
          columns={totalColumns}
          dataSource={totals}
          pagination={false}
          scroll={{ x: 800 }}
          title={() => <span className="table-caption">{t('compare.totalsCaption')}</span>}
        />
      </Section>
      <Section title={t('compare.byTitle', { dim: t(`dim.${by}`), measure: t(DELTA_LABEL[measure]) })} id="compare-rows">
        <p className="note" data-testid="compare-changed" data-value={changed}>
          {t('compare.changed', { n: f.integer(changed), total: f.integer(rows.length) })}
        </p>
        {rows.length === 0 ? (
          <EmptyState />
        ) : (
          <Table<KeyRow>
            data-testid="compare-rows"
            size="small"
            rowKey="rowKey"
            columns={keyColumns}
            dataSource={rows}
            pagination={false}
            virtual={rows.length > 60}
            scroll={{ x: 800, y: rows.length > 60 ? 560 : undefined }}
            title={() => (
              <span className="table-caption">{t('compare.rowsCaption', { dim: t(`dim.${by}`), measure: t(DELTA_LABEL[measure]) })}</span>
            )}
          />
        )}
      </Section>
    </>
  )
}

export default function CensusComparePage() {
  const { t } = useAdminI18n()
  const [params, setParams] = useSearchParams()
  const list = useCensuses()
  const censuses = list.data?.censuses ?? []
  const a = intParam(params.get('a')) ?? censuses[1]?.id ?? censuses[0]?.id ?? null
  const b = intParam(params.get('b')) ?? censuses[0]?.id ?? null
  const rawBy = params.get('by')
  const by: CensusBreakdown = isCensusBreakdown(rawBy) ? rawBy : 'province'
  const rawMeasure = params.get('measure')
  const measure: DeltaMeasure = isDeltaMeasure(rawMeasure) ? rawMeasure : 'fp32Pflops'
  const comparison = useCensusComparison(a, b, by)
  const update = (patch: Record<string, string | null>) => setParams(patchParams(params, patch), { replace: true })
  const options = censuses.map((c) => ({ value: c.id, label: censusName(c, t) }))
  return (
    <>
      <Breadcrumbs
        items={[
          { label: t('census.title'), to: '/census', testId: 'crumb-census' },
          { label: t('compare.title'), testId: 'crumb-compare' },
        ]}
      />
      <PageHeader title={t('compare.title')} description={t('compare.description')} />
      <search className="toolbar" aria-label={t('compare.controls')}>
        <div className="control">
          <span>{t('compare.a')}</span>
          <Select
            aria-label={t('compare.a')}
            value={a ?? undefined}
            style={{ minWidth: 260 }}
            loading={list.isPending}
            onChange={(v: number) => update({ a: String(v) })}
            options={options}
          />
        </div>
        <div className="control">
          <span>{t('compare.b')}</span>
          <Select
            aria-label={t('compare.b')}
            value={b ?? undefined}
            style={{ minWidth: 260 }}
            loading={list.isPending}
            onChange={(v: number) => update({ b: String(v) })}
            options={options}
          />
        </div>
        <div className="control">
          <span>{t('compare.by')}</span>
          <Select
            aria-label={t('compare.by')}
            data-testid="compare-by"
            value={by}
            style={{ minWidth: 140 }}
            onChange={(v: CensusBreakdown) => update({ by: v === 'province' ? null : v })}
            options={CENSUS_BREAKDOWNS.map((d) => ({ value: d, label: t(`dim.${d}`) }))}
          />
        </div>
        <div className="control">
          <span>{t('compare.measure')}</span>
          <Select
            aria-label={t('compare.measure')}
            data-testid="compare-measure"
            value={measure}
            style={{ minWidth: 180 }}
            onChange={(v: DeltaMeasure) => update({ measure: v === 'fp32Pflops' ? null : v })}
            options={DELTA_MEASURES.map((m) => ({ value: m, label: t(DELTA_LABEL[m]) }))}
          />
        </div>
      </search>
      {list.isError && isAccessError(list.error) ? (
        <AccessRefused error={list.error} />
      ) : a === null || b === null ? (
        list.isPending ? null : (
          <EmptyState text={t('compare.pick')} />
        )
      ) : (
        <QueryState query={comparison} minHeight={240}>
          {(c) => <Comparison comparison={c} measure={measure} />}
        </QueryState>
      )}
    </>
  )
}
