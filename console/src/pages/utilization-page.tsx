import type { HistoryDimension, IdleResponse, LedgerDimension } from '@suanpan/control-plane/schemas'
import Select from 'antd/es/select'
import Table from 'antd/es/table'
import type { ColumnsType } from 'antd/es/table/interface'
import { useMemo } from 'react'
import { Link, useSearchParams } from 'react-router'
import { type IdleMeasure, useAcceleratorHistory, useHistory, useIdleClusters } from '../api/history'
import { useLedger } from '../api/ledger'
import { useRegions } from '../api/regions'
import { HorizontalBarChart } from '../components/bar-chart'
import { PageHeader, Section } from '../components/page-header'
import { QueryState } from '../components/query-state'
import { StatCard } from '../components/stat-card'
import { TimeSeriesChart } from '../components/time-series-chart'
import { useI18n } from '../i18n'
import { useLabeler } from '../i18n/use-labeler'
import { ACCELERATOR_KINDS, HISTORY_DIMENSIONS, isHistoryDimension } from '../lib/dimensions'
import { latest } from '../lib/series'

type SeriesMeasure = 'cpuRequested' | 'cpuUsed' | 'memoryRequested' | 'acceleratorsInUse'
const SERIES_MEASURES: readonly SeriesMeasure[] = ['cpuRequested', 'cpuUsed', 'memoryRequested', 'acceleratorsInUse']
const IDLE_MEASURES: readonly IdleMeasure[] = ['cpuRequested', 'cpuUsed', 'acceleratorsInUse']
const WINDOWS = [6, 24, 72, 168] as const
const TOPS = [5, 10, 20] as const
const THRESHOLDS = [0.1, 0.2, 0.3, 0.4, 0.5] as const
const IDLE_HOURS = [6, 12, 24, 48, 72, 168] as const

function pick<T extends string | number>(raw: string | null, allowed: readonly T[], fallback: T): T {
  return allowed.find((v) => String(v) === raw) ?? fallback
}

type IdleCluster = IdleResponse['clusters'][number]

function SeriesSection() {
  const { t, f } = useI18n()
  const label = useLabeler()
  const regions = useRegions()
  const [params, setParams] = useSearchParams()
  const by: HistoryDimension = isHistoryDimension(params.get('by') ?? '') ? (params.get('by') as HistoryDimension) : 'province'
  const measure = pick(params.get('measure'), SERIES_MEASURES, 'cpuRequested')
  const hours = pick(params.get('hours'), WINDOWS, 24)
  const top = pick(params.get('top'), TOPS, 10)
  const provinces = (params.get('province') ?? '').split(',').filter(Boolean)
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params)
    if (value) next.set(key, value)
    else next.delete(key)
    setParams(next, { replace: true })
  }
  const history = useHistory({ groupBy: by, hours, limit: top, filters: provinces.length > 0 ? { province: provinces } : {} })
  const measureName = t(`measure.${measure}`)
  return (
    <Section title={t('util.seriesTitle')} id="series">
      <search className="toolbar" aria-label={t('util.seriesControls')}>
        <div className="control">
          <span>{t('util.groupBy')}</span>
          <Select
            aria-label={t('util.groupBy')}
            value={by}
            style={{ minWidth: 120 }}
            onChange={(v: string) => set('by', v === 'province' ? null : v)}
            options={HISTORY_DIMENSIONS.map((d) => ({ value: d, label: t(`dim.${d}`) }))}
          />
        </div>
        <div className="control">
          <span>{t('util.measure')}</span>
          <Select
            aria-label={t('util.measure')}
            value={measure}
            style={{ minWidth: 160 }}
            onChange={(v: string) => set('measure', v === 'cpuRequested' ? null : v)}
            options={SERIES_MEASURES.map((m) => ({ value: m, label: t(`measure.${m}`) }))}
          />
        </div>
        <div className="control">
          <span>{t('util.window')}</span>
          <Select
            aria-label={t('util.window')}
            value={hours}
            style={{ minWidth: 110 }}
            onChange={(v: number) => set('hours', v === 24 ? null : String(v))}
            options={WINDOWS.map((h) => ({ value: h, label: t('util.hours', { n: h }) }))}
          />
        </div>
        <div className="control">
          <span>{t('util.top')}</span>
          <Select
            aria-label={t('util.top')}
            value={top}
            style={{ minWidth: 90 }}
            onChange={(v: number) => set('top', v === 10 ? null : String(v))}
            options={TOPS.map((n) => ({ value: n, label: f.integer(n) }))}
          />
        </div>
        <div className="control">
          <span>{t('dim.province')}</span>
          <Select
            mode="multiple"
            allowClear
            aria-label={t('util.provinceFilter')}
            placeholder={t('ledger.all')}
            value={provinces}
            style={{ minWidth: 200 }}
            maxTagCount={2}
            optionFilterProp="label"
            onChange={(v: string[]) => set('province', v.length > 0 ? v.join(',') : null)}
            options={(regions.data?.provinces ?? []).map((p) => ({ value: p.code, label: label('province', p.code) }))}
          />
        </div>
      </search>
      <QueryState
        query={history}
        minHeight={300}
        isEmpty={(h) => h.series.length === 0 || h.t.length === 0}
        emptyText={t('util.noHistory')}
      >
        {(h) => {
          const series = h.series.map((s) => ({ name: label(by as LedgerDimension, s.key[by]), values: s[measure] }))
          const ranked = series
            .map((s) => ({ name: s.name, last: latest(s.values) }))
            .filter((s) => s.last !== null)
            .sort((a, b) => (b.last ?? 0) - (a.last ?? 0))
          return (
            <TimeSeriesChart
              t={h.t}
              series={series}
              height={340}
              testId="util-series-chart"
              format={(v) => f.percent(v, 0)}
              summary={t('util.seriesSummary', {
                measure: measureName,
                n: series.length,
                dim: t(`dim.${by}`),
                hours,
                latest: ranked
                  .slice(0, 5)
                  .map((s) => `${s.name} ${f.percent(s.last)}`)
                  .join(', '),
              })}
            />
          )
        }}
      </QueryState>
    </Section>
  )
}

function IdleSection() {
  const { t, f } = useI18n()
  const label = useLabeler()
  const [params, setParams] = useSearchParams()
  const threshold = pick(params.get('idleThreshold'), THRESHOLDS, 0.2)
  const hours = pick(params.get('idleHours'), IDLE_HOURS, 24)
  const measure = pick(params.get('idleMeasure'), IDLE_MEASURES, 'cpuRequested')
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params)
    if (value) next.set(key, value)
    else next.delete(key)
    setParams(next, { replace: true })
  }
  const idle = useIdleClusters({ threshold, hours, measure })
  const columns: ColumnsType<IdleCluster> = [
    {
      key: 'cluster',
      title: t('dim.cluster'),
      width: 220,
      fixed: 'left',
      render: (_, c) => (
        <Link to={`/ledger?province=${c.province}&site=${encodeURIComponent(c.site)}&cluster=${encodeURIComponent(c.clusterId)}`}>
          {c.clusterId}
        </Link>
      ),
    },
    { key: 'province', title: t('dim.province'), width: 130, render: (_, c) => label('province', c.province) },
    { key: 'site', title: t('dim.site'), width: 220, ellipsis: true, render: (_, c) => label('site', c.site) },
    { key: 'hub', title: t('dim.hub'), width: 160, ellipsis: true, render: (_, c) => label('hub', c.hub) },
    {
      key: 'peak',
      title: t('util.peak'),
      width: 100,
      align: 'right',
      sorter: (a, b) => a.peak - b.peak,
      render: (_, c) => f.percent(c.peak),
    },
    {
      key: 'mean',
      title: t('util.mean'),
      width: 100,
      align: 'right',
      sorter: (a, b) => a.mean - b.mean,
      render: (_, c) => f.percent(c.mean),
    },
    { key: 'hoursObserved', title: t('util.hoursObserved'), width: 110, align: 'right', render: (_, c) => f.number(c.hoursObserved, 1) },
    {
      key: 'idleCpuCores',
      title: t('util.idleCores'),
      width: 120,
      align: 'right',
      defaultSortOrder: 'descend',
      sorter: (a, b) => a.idleCpuCores - b.idleCpuCores,
      render: (_, c) => f.integer(c.idleCpuCores),
    },
    {
      key: 'idleAccelerators',
      title: t('util.idleAccelerators'),
      width: 120,
      align: 'right',
      sorter: (a, b) => a.idleAccelerators - b.idleAccelerators,
      render: (_, c) => f.number(c.idleAccelerators, 2),
    },
    {
      key: 'idleFp16',
      title: t('util.idleFp16'),
      width: 140,
      align: 'right',
      sorter: (a, b) => a.idleFp16DensePflops - b.idleFp16DensePflops,
      render: (_, c) => f.pflops(c.idleFp16DensePflops),
    },
  ]
  return (
    <Section title={t('util.idleTitle')} id="idle">
      <search className="toolbar" aria-label={t('util.idleControls')}>
        <div className="control">
          <span>{t('util.idleMeasure')}</span>
          <Select
            aria-label={t('util.idleMeasure')}
            value={measure}
            style={{ minWidth: 160 }}
            onChange={(v: string) => set('idleMeasure', v === 'cpuRequested' ? null : v)}
            options={IDLE_MEASURES.map((m) => ({ value: m, label: t(`measure.${m}`) }))}
          />
        </div>
        <div className="control">
          <span>{t('util.threshold')}</span>
          <Select
            aria-label={t('util.threshold')}
            value={threshold}
            style={{ minWidth: 100 }}
            onChange={(v: number) => set('idleThreshold', v === 0.2 ? null : String(v))}
            options={THRESHOLDS.map((v) => ({ value: v, label: t('util.below', { value: f.percent(v, 0) }) }))}
          />
        </div>
        <div className="control">
          <span>{t('util.forHours')}</span>
          <Select
            aria-label={t('util.forHours')}
            value={hours}
            style={{ minWidth: 110 }}
            onChange={(v: number) => set('idleHours', v === 24 ? null : String(v))}
            options={IDLE_HOURS.map((h) => ({ value: h, label: t('util.hours', { n: h }) }))}
          />
        </div>
      </search>
      <p className="note">{t('util.idleExplain', { measure: t(`measure.${measure}`), threshold: f.percent(threshold, 0), hours })}</p>
      <QueryState query={idle} minHeight={200}>
        {(d) => (
          <>
            <div className="stat-grid stat-grid-4">
              <StatCard label={t('util.idleClusters')} testId="idle-clusters" raw={d.totalClusters} value={f.integer(d.totalClusters)} />
              <StatCard
                label={t('util.idleCores')}
                testId="idle-cores"
                raw={d.totals.idleCpuCores}
                value={f.cores(d.totals.idleCpuCores)}
              />
              <StatCard
                label={t('util.idleAccelerators')}
                testId="idle-accelerators"
                raw={d.totals.idleAccelerators}
                value={f.number(d.totals.idleAccelerators, 2)}
              />
              <StatCard
                label={t('util.idleFp16')}
                testId="idle-fp16"
                raw={d.totals.idleFp16DensePflops}
                value={f.pflops(d.totals.idleFp16DensePflops)}
              />
            </div>
            {d.clusters.length === 0 ? (
              <p className="note" data-testid="idle-none">
                {t('util.noIdle')}
              </p>
            ) : (
              <Table<IdleCluster>
                size="small"
                rowKey="clusterId"
                columns={columns}
                dataSource={d.clusters}
                pagination={false}
                virtual={d.clusters.length > 60}
                scroll={{ x: 1420, y: d.clusters.length > 60 ? 480 : undefined }}
                showSorterTooltip={false}
                title={() => <span className="table-caption">{t('util.idleCaption', { n: f.integer(d.clusters.length) })}</span>}
              />
            )}
          </>
        )}
      </QueryState>
    </Section>
  )
}

function AcceleratorSection() {
  const { t, f } = useI18n()
  const [params] = useSearchParams()
  const hours = pick(params.get('hours'), WINDOWS, 24)
  const kinds = ACCELERATOR_KINDS.filter((k) => k !== 'unclassified')
  const ledger = useLedger({ groupBy: ['model', 'kind'], filters: { kind: ACCELERATOR_KINDS }, limit: 500 })
  const history = useAcceleratorHistory({ hours, kind: kinds })
  const models = useMemo(
    () =>
      (ledger.data?.groups ?? [])
        .filter((g) => g.devices > 0)
        .map((g) => ({ model: g.key.model ?? '', kind: g.key.kind ?? '', devices: g.devices, inUse: g.utilization.acceleratorsInUse }))
        .sort((a, b) => (b.inUse ?? -1) - (a.inUse ?? -1)),
    [ledger.data],
  )
  return (
    <Section title={t('util.acceleratorTitle')} id="accelerators">
      <div className="two-col">
        <div>
          <h3>{t('util.acceleratorNow')}</h3>
          <QueryState query={ledger} minHeight={240} isEmpty={() => models.length === 0} emptyText={t('util.noAccelerators')}>
            {() => (
              <HorizontalBarChart
                testId="accelerator-models-chart"
                data={models.map((m) => ({ label: `${m.model} (${f.number(m.devices, 2)})`, value: m.inUse }))}
                format={(v) => f.percent(v, 0)}
                domain={[0, 1]}
                labelWidth={220}
                barSize={16}
                summary={t('util.acceleratorSummary', {
                  n: models.length,
                  list: models
                    .slice(0, 6)
                    .map((m) => `${m.model} ${f.percent(m.inUse)}`)
                    .join(', '),
                })}
              />
            )}
          </QueryState>
        </div>
        <div>
          <h3>{t('util.acceleratorHistory', { hours })}</h3>
          <QueryState
            query={history}
            minHeight={240}
            isEmpty={(h) => h.series.length === 0 || h.t.length === 0}
            emptyText={t('util.noHistory')}
          >
            {(h) => {
              const top = [...h.series].sort((a, b) => (latest(b.devices) ?? 0) - (latest(a.devices) ?? 0)).slice(0, 8)
              return (
                <TimeSeriesChart
                  t={h.t}
                  height={340}
                  testId="accelerator-history-chart"
                  series={top.map((s) => ({ name: s.model, values: s.inUse }))}
                  format={(v) => f.percent(v, 0)}
                  summary={t('util.acceleratorHistorySummary', {
                    n: top.length,
                    list: top.map((s) => `${s.model} ${f.percent(latest(s.inUse))}`).join(', '),
                  })}
                />
              )
            }}
          </QueryState>
        </div>
      </div>
    </Section>
  )
}

export default function UtilizationPage() {
  const { t } = useI18n()
  return (
    <>
      <PageHeader title={t('util.title')} description={t('util.description')} />
      <SeriesSection />
      <IdleSection />
      <AcceleratorSection />
    </>
  )
}
