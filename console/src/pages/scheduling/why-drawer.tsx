import type { WorkloadExplain } from '@suanpan/control-plane/schemas'
import Alert from 'antd/es/alert'
import Drawer from 'antd/es/drawer'
import Table from 'antd/es/table'
import type { ColumnsType } from 'antd/es/table/interface'
import { Link } from 'react-router'
import { isAccessError } from '../../api/client'
import { useWorkload, useWorkloadExplain } from '../../api/workloads'
import { AccessRefused } from '../../components/admin-token-prompt'
import { ErrorState, Loading } from '../../components/query-state'
import { StackedBarChart } from '../../components/stacked-bar-chart'
import { labelOf, useSchedulingI18n } from '../../i18n/scheduling'
import type { Credentials } from '../../lib/credentials'
import {
  type Candidate,
  contributions,
  type Explanation,
  FILTER_REASONS,
  modelOfClassKey,
  PLUGIN_COLOURS,
  PLUGINS,
} from '../../lib/workloads'
import { reasonLabel, StatePill, useClusterLinks } from './shared'

type Decision = WorkloadExplain['decisions'][number]

function FilteredCounts({ explanation }: { explanation: Explanation }) {
  const { t, f } = useSchedulingI18n()
  const max = Math.max(1, ...FILTER_REASONS.map((r) => explanation.filtered[r]))
  return (
    <dl className="bar-list" data-testid="why-filtered">
      {FILTER_REASONS.map((r) => {
        const n = explanation.filtered[r]
        return (
          <div className="bar-list-row" key={r} data-testid={`why-filtered-${r}`} data-value={n}>
            <dt>{labelOf(t, 'sched.filter', r)}</dt>
            <dd>
              <span className="bar-list-track" aria-hidden="true">
                <span className="bar-list-fill" style={{ width: `${(100 * n) / max}%` }} />
              </span>
              <span className="bar-list-value">{f.integer(n)}</span>
            </dd>
          </div>
        )
      })}
    </dl>
  )
}

function Candidates({ explanation }: { explanation: Explanation }) {
  const { t, f, locale } = useSchedulingI18n()
  const linkOf = useClusterLinks()
  const rows = explanation.top.map((c, i) => ({ ...c, rank: i + 1 }))
  const withPlugins = rows.some((c) => c.plugins !== null)
  const columns: ColumnsType<Candidate & { rank: number }> = [
    { key: 'rank', title: t('sched.col.rank'), dataIndex: 'rank', width: 44, align: 'right', fixed: 'left' },
    {
      key: 'cluster',
      title: t('sched.col.cluster'),
      width: 165,
      fixed: 'left',
      render: (_, c) => {
        const link = linkOf(c.clusterId)
        return link ? <Link to={link}>{c.clusterId}</Link> : c.clusterId
      },
    },
    { key: 'device', title: t('sched.col.device'), width: 105, render: (_, c) => modelOfClassKey(c.classKey) ?? t('sched.cpuOnly') },
    {
      key: 'score',
      title: t('sched.col.score'),
      width: 66,
      align: 'right',
      render: (_, c) => (
        <strong data-col="score" data-value={c.score}>
          {f.number(c.score, 3)}
        </strong>
      ),
    },
    { key: 'fit', title: t('sched.col.fit'), width: 60, align: 'right', render: (_, c) => f.integer(c.fit) },
    {
      key: 'placed',
      title: t('sched.col.placedHere'),
      width: 100,
      align: 'right',
      render: (_, c) =>
        c.placed > 0 ? (
          <span className="pill pill-meets" data-testid="why-chosen">
            {t('sched.chosen')} · {f.integer(c.placed)}
          </span>
        ) : (
          f.integer(0)
        ),
    },
    ...(withPlugins
      ? PLUGINS.map((p) => ({
          key: p,
          title: labelOf(t, 'sched.plugin', p),
          width: 86,
          align: 'right' as const,
          render: (_: unknown, c: Candidate) => (c.plugins ? f.number(c.plugins[p], 2) : f.missing),
        }))
      : []),
  ]
  const weights = explanation.weights
  const chart = rows.flatMap((c) => {
    const parts = contributions(c, weights)
    return parts ? [{ label: `${c.rank}. ${c.clusterId}`, values: PLUGINS.map((p) => parts[p]) }] : []
  })
  return (
    <>
      {weights ? (
        <p className="note" data-testid="why-weights">
          {t('sched.why.weights', {
            list: PLUGINS.map((p) => `${labelOf(t, 'sched.plugin', p)} ${f.number(weights[p], 2)}`).join(' · '),
          })}
        </p>
      ) : null}
      <Table<Candidate & { rank: number }>
        data-testid="why-top"
        size="small"
        rowKey={(c) => `${c.clusterId}|${c.classKey ?? ''}`}
        columns={columns}
        dataSource={rows}
        pagination={false}
        scroll={{ x: withPlugins ? 540 + PLUGINS.length * 86 : 540 }}
        rowClassName={(c) => (c.placed > 0 ? 'row-chosen' : '')}
        title={() => <span className="table-caption">{t('sched.why.topCaption')}</span>}
      />
      {chart.length > 0 ? (
        <>
          <h4 className="subhead">{t('sched.why.contribution')}</h4>
          <StackedBarChart
            testId="why-contribution-chart"
            data={chart}
            series={PLUGINS.map((p) => ({ name: labelOf(t, 'sched.plugin', p), colour: PLUGIN_COLOURS[p] }))}
            format={(v) => f.number(v, 2)}
            labelWidth={190}
            summary={t('sched.why.contributionSummary', {
              list: rows.map((c) => `${c.clusterId} ${f.number(c.score, 3)}`).join(locale === 'en' ? ', ' : '、'),
            })}
          />
        </>
      ) : null}
    </>
  )
}

function History({ decisions }: { decisions: Decision[] }) {
  const { t, f } = useSchedulingI18n()
  const columns: ColumnsType<Decision & { k: number }> = [
    { key: 'at', title: t('sched.col.at'), width: 170, render: (_, d) => f.timestamp(d.at) },
    { key: 'status', title: t('sched.col.status'), width: 110, render: (_, d) => labelOf(t, 'sched.decision', d.status) },
    { key: 'reason', title: t('sched.col.reason'), width: 170, render: (_, d) => (d.reason ? reasonLabel(t, d.reason) : f.missing) },
    { key: 'message', title: t('sched.col.message'), render: (_, d) => (d.message ? <span lang="en">{d.message}</span> : f.missing) },
    {
      key: 'clusters',
      title: t('sched.col.clusters'),
      width: 200,
      render: (_, d) => (d.clusters.length ? d.clusters.join(', ') : f.missing),
    },
  ]
  return (
    <Table<Decision & { k: number }>
      data-testid="why-history"
      size="small"
      rowKey="k"
      columns={columns}
      dataSource={decisions.map((d, k) => ({ ...d, k }))}
      pagination={false}
      scroll={{ x: 800 }}
      title={() => <span className="table-caption">{t('sched.why.historyCaption')}</span>}
    />
  )
}

function Explain({ id, auth }: { id: string; auth: Credentials }) {
  const { t, f } = useSchedulingI18n()
  const explain = useWorkloadExplain(id, auth)
  const detail = useWorkload(id, auth)
  if (explain.isError && isAccessError(explain.error)) return <AccessRefused error={explain.error} />
  if (explain.isError) return <ErrorState error={explain.error} onRetry={() => void explain.refetch()} />
  if (explain.isPending) return <Loading minHeight={200} />
  const e = explain.data
  const x = e.explanation
  const w = detail.data
  const chosen = x ? x.top.filter((c) => c.placed > 0).map((c) => c.clusterId) : []
  const placedOn = chosen.length > 0 ? chosen : (w?.placements.filter((p) => p.state !== 'withdrawn').map((p) => p.clusterId) ?? [])
  return (
    <div data-testid="why-panel" data-workload-id={id}>
      <p className="why-subtitle">
        {t('sched.why.subtitle', { name: w?.name ?? id })} <StatePill state={e.state} />
      </p>
      {e.reason && e.state !== 'cancelled' ? (
        <Alert
          type={e.state === 'rejected' ? 'error' : 'warning'}
          showIcon
          data-testid="why-reason"
          title={reasonLabel(t, e.reason)}
          description={e.message ? <span lang="en">{e.message}</span> : undefined}
        />
      ) : null}
      {x ? (
        <>
          <h3 className="subhead">{t('sched.why.facts')}</h3>
          <dl className="facts facts-large">
            <div className="fact">
              <dt>{t('sched.why.policy')}</dt>
              <dd data-testid="why-policy">{x.policy}</dd>
            </div>
            <div className="fact">
              <dt>{t('sched.why.clusters')}</dt>
              <dd data-testid="why-clusters" data-value={x.clusters}>
                {f.integer(x.clusters)}
              </dd>
            </div>
            <div className="fact">
              <dt>{t('sched.why.evaluated')}</dt>
              <dd data-testid="why-evaluated" data-value={x.evaluated}>
                {f.integer(x.evaluated)}
              </dd>
            </div>
            <div className="fact">
              <dt>{t('sched.why.feasible')}</dt>
              <dd data-testid="why-feasible" data-value={x.feasible}>
                {f.integer(x.feasible)}
              </dd>
            </div>
            <div className="fact">
              <dt>{t('sched.why.placedOn')}</dt>
              <dd data-testid="why-placed-on">{placedOn.length ? placedOn.join(', ') : f.missing}</dd>
            </div>
            <div className="fact">
              <dt>{t('sched.why.decidedAt')}</dt>
              <dd>{f.timestamp(e.decidedAt)}</dd>
            </div>
          </dl>
          <h3 className="subhead">{t('sched.why.filtered')}</h3>
          <FilteredCounts explanation={x} />
          <h3 className="subhead">{t('sched.why.top')}</h3>
          {x.top.length > 0 ? <Candidates explanation={x} /> : <p className="note">{t('sched.why.noTop')}</p>}
        </>
      ) : (
        <p className="note">{t('sched.why.none')}</p>
      )}
      {e.decisions.length > 0 ? (
        <>
          <h3 className="subhead">{t('sched.why.history')}</h3>
          <History decisions={e.decisions} />
        </>
      ) : null}
      {w ? (
        <details className="disclosure">
          <summary>{t('sched.why.spec')}</summary>
          <pre className="code-block">{JSON.stringify(w.spec, null, 2)}</pre>
        </details>
      ) : null}
    </div>
  )
}

/** Why here, why not there: the last decision's candidates and filters, and every decision taken. */
export function WhyDrawer({ id, auth, onClose }: { id: string | null; auth: Credentials; onClose: () => void }) {
  const { t } = useSchedulingI18n()
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      size="min(1200px, 100vw)"
      title={t('sched.why.title')}
      destroyOnHidden
      rootClassName="why-drawer"
    >
      {id ? <Explain id={id} auth={auth} /> : null}
    </Drawer>
  )
}
