import type {
  Census,
  CensusBreakdown,
  CensusExportFormat,
  LedgerDimension,
  Recommendation,
  RecommendationCode,
} from '@suanpan/control-plane/schemas'
import Button from 'antd/es/button'
import Select from 'antd/es/select'
import Table from 'antd/es/table'
import type { ColumnsType } from 'antd/es/table/interface'
import { type ReactNode, useMemo } from 'react'
import { Link, useParams, useSearchParams } from 'react-router'
import { censusFileUrl, useCensus, useCensuses } from '../api/censuses'
import { ApiError, isAccessError } from '../api/client'
import { AccessRefused } from '../components/admin-token-prompt'
import { HorizontalBarChart } from '../components/bar-chart'
import { Breadcrumbs } from '../components/breadcrumbs'
import { LedgerTable } from '../components/ledger-table'
import { PageHeader, Section } from '../components/page-header'
import { EmptyState, QueryState } from '../components/query-state'
import { StackedBarChart } from '../components/stacked-bar-chart'
import { Meter, StatCard } from '../components/stat-card'
import { type AdminTranslate, type AnyMessageKey, useAdminI18n } from '../i18n/admin'
import type { Labeler } from '../i18n/labels'
import { useLabeler } from '../i18n/use-labeler'
import { acceleratorsByKind, CENSUS_BREAKDOWNS, censusName, isCensusBreakdown } from '../lib/census'
import { ACCELERATOR_KINDS } from '../lib/dimensions'
import { NATIONAL_PUE_TARGET } from '../lib/energy'
import type { Formatters } from '../lib/format'
import { buildRows, sortRows } from '../lib/ledger-table'
import { DEFAULT_SORT, patchParams, type SortState } from '../lib/ledger-view'
import { acceleratorCount, isMeasureId, TABLE_MEASURES } from '../lib/measures'

/** Rows of a breakdown shown before "show all" (the charts and the exports have every row). */
const FIRST_ROWS = 15
const FORMATS: readonly CensusExportFormat[] = ['xlsx', 'csv', 'pdf', 'html', 'json']
const FP32 = '#0958d9'
const FP16 = '#6a3d9a'
const DOMESTIC = '#0958d9'
const IMPORTED = '#d55e00'
const BAND = '#008571'

/** Our words for the basis keys we know; the census's own (frozen) text is shown beside them. */
const BASIS_LABEL: Readonly<Record<string, AnyMessageKey>> = {
  fp64Pflops: 'measure.fp64',
  fp32Pflops: 'measure.fp32',
  fp16DensePflops: 'measure.fp16',
  int8DensePops: 'report.int8',
  utilization: 'report.basisUtilization',
  energy: 'report.basisEnergy',
  asOf: 'census.asOf',
}

const FINDING_TITLE: Readonly<Record<RecommendationCode, AnyMessageKey>> = {
  'idle-cluster': 'finding.idle',
  'stranded-accelerators': 'finding.stranded',
  'pue-over-target': 'finding.pue',
  'unclassified-devices': 'finding.unclassified',
  'stale-cluster': 'finding.stale',
  'long-reservation': 'finding.reservation',
  'idle-site': 'finding.idleSite',
}

const SEVERITY: Readonly<Record<Recommendation['severity'], { label: AnyMessageKey; pill: string }>> = {
  high: { label: 'finding.high', pill: 'pill pill-over' },
  medium: { label: 'finding.medium', pill: 'pill pill-late' },
  low: { label: 'finding.low', pill: 'pill pill-neutral' },
}

const CONFIDENCE: Readonly<Record<string, AnyMessageKey>> = {
  high: 'confidence.high',
  medium: 'confidence.medium',
  low: 'confidence.low',
  uncertain: 'confidence.uncertain',
  unclassified: 'kind.unclassified',
}

function parseSort(raw: string | null): SortState {
  const [column, order] = (raw ?? '').split('.')
  return column && (isMeasureId(column) || isCensusBreakdown(column)) && (order === 'ascend' || order === 'descend')
    ? { column, order }
    : DEFAULT_SORT
}

function Downloads({ id }: { id: number }) {
  const { t, locale } = useAdminI18n()
  const language = t(`locale.${locale}`)
  return (
    <div className="downloads" data-testid="census-downloads">
      <span className="downloads-label">{t('report.downloads', { lang: language })}</span>
      {FORMATS.map((format) => (
        <a
          key={format}
          className="link-button"
          href={censusFileUrl(id, format, locale)}
          download
          data-testid={`download-${format}`}
          aria-label={t('report.download', { format: format.toUpperCase(), lang: language })}
        >
          {format.toUpperCase()}
        </a>
      ))}
    </div>
  )
}

function Facts({ census, digest }: { census: Census; digest: string | undefined }) {
  const { t, f } = useAdminI18n()
  const clusters = new Set(census.lineage.map((l) => l.clusterId)).size
  const items: [string, ReactNode][] = [
    [t('census.number'), t('census.numberValue', { id: census.id })],
    [t('census.period'), census.period],
    [t('census.titleField'), census.title ?? f.missing],
    [t('census.createdAt'), f.timestamp(census.createdAt)],
    [t('census.asOf'), f.timestamp(census.asOf)],
    [
      t('report.catalog'),
      t('report.catalogValue', {
        version: census.catalog.version,
        rows: f.integer(census.catalog.rows),
        user: census.catalog.userFile ? t('report.catalogUser') : t('report.catalogBuiltIn'),
      }),
    ],
    [t('report.staleAfter'), t('report.seconds', { n: f.integer(census.staleAfterSeconds) })],
    [
      t('report.lineage'),
      <span key="lineage" data-testid="census-lineage" data-value={census.lineage.length}>
        {t('report.lineageValue', { n: f.integer(census.lineage.length), clusters: f.integer(clusters) })}
      </span>,
    ],
    [
      t('census.digest'),
      <>
        {digest ? <code className="hash hash-wrap">{digest}</code> : f.missing}
        <div className="cell-note">{t('report.digestNote')}</div>
      </>,
    ],
  ]
  return (
    <dl className="facts" data-testid="census-facts">
      {items.map(([term, value], i) => (
        <div key={term} className={i === items.length - 1 ? 'fact fact-wide' : 'fact'}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  )
}

function Totals({ census }: { census: Census }) {
  const { t, f } = useAdminI18n()
  const label = useLabeler()
  const total = census.total
  const c = total.compute
  const without = (n: number) => (n > 0 ? <div>{t('overview.withoutFigure', { n: f.number(n, 2) })}</div> : null)
  const byKind = ACCELERATOR_KINDS.filter((k) => (total.accelerators[k] ?? 0) > 0)
    .map((k) => `${label('kind', k)} ${f.number(total.accelerators[k] ?? 0, 2)}`)
    .join(' · ')
  const q = census.dataQuality
  return (
    <div className="stat-grid stat-cols-4">
      <StatCard
        label={t('overview.fp32')}
        testId="census-fp32"
        raw={c.fp32Pflops}
        value={f.pflops(c.fp32Pflops)}
        hint={
          <>
            {t('basis.fp32')}
            {without(c.devicesWithoutFigure.fp32)}
          </>
        }
      />
      <StatCard
        label={t('overview.fp16')}
        testId="census-fp16"
        raw={c.fp16DensePflops}
        value={f.pflops(c.fp16DensePflops)}
        hint={
          <>
            {t('basis.fp16')}
            {without(c.devicesWithoutFigure.fp16Dense)}
          </>
        }
      />
      <StatCard
        label={t('report.fp64')}
        testId="census-fp64"
        raw={c.fp64Pflops}
        value={f.pflops(c.fp64Pflops)}
        hint={
          <>
            {t('basis.fp64')}
            {without(c.devicesWithoutFigure.fp64)}
          </>
        }
      />
      <StatCard
        label={t('overview.cpuCores')}
        testId="census-cpu-cores"
        raw={total.cpuCores}
        value={f.cores(total.cpuCores)}
        hint={t('overview.nodes', { nodes: f.integer(total.nodes) })}
      />
      <StatCard
        label={t('overview.accelerators')}
        testId="census-accelerators"
        raw={acceleratorCount(total)}
        value={f.number(acceleratorCount(total), 2)}
        hint={byKind || t('overview.noAccelerators')}
      />
      <StatCard
        label={t('overview.storage')}
        testId="census-storage"
        raw={total.storage?.capacityBytes ?? null}
        value={f.bytes(total.storage?.capacityBytes)}
        hint={
          total.storage?.usedBytes != null
            ? t('overview.storageUsed', {
                used: f.bytes(total.storage.usedBytes),
                share: f.percent(total.storage.capacityBytes > 0 ? total.storage.usedBytes / total.storage.capacityBytes : null),
              })
            : t('overview.storageUsedUnknown')
        }
      />
      <StatCard
        label={t('measure.memory')}
        testId="census-memory"
        raw={total.memoryBytes}
        value={f.bytes(total.memoryBytes)}
        hint={t('report.memoryHint')}
      />
      <StatCard
        label={t('report.clusters')}
        testId="census-clusters"
        raw={total.clusters}
        value={f.integer(total.clusters)}
        hint={t('overview.clusterHealth', { stale: f.integer(q.stale.length), missing: f.integer(q.missing.length) })}
      />
    </div>
  )
}

function ProvinceCharts({ census }: { census: Census }) {
  const { t, f, locale } = useAdminI18n()
  const label = useLabeler()
  const groups = census.breakdowns.province ?? []
  const chart = (measure: 'fp32Pflops' | 'fp16DensePflops', colour: string, name: string, testId: string) => {
    const rows = groups
      .map((g) => ({ province: g.key.province ?? null, value: g.compute[measure] }))
      .filter((r) => r.value > 0)
      .sort((a, b) => b.value - a.value)
    return rows.length === 0 ? (
      <EmptyState minHeight={120} />
    ) : (
      <HorizontalBarChart
        testId={testId}
        barSize={12}
        labelWidth={locale === 'zh-CN' ? 90 : 150}
        data={rows.map((r) => ({ label: label('province', r.province), value: r.value, colour }))}
        format={(v) => f.adaptive(v)}
        summary={t('report.provinceSummary', {
          measure: name,
          n: rows.length,
          list: rows
            .slice(0, 8)
            .map((r) => `${label('province', r.province)} ${f.pflops(r.value)}`)
            .join(', '),
        })}
      />
    )
  }
  return (
    <div className="two-col">
      <Section title={t('report.fp32ByProvince')} id="fp32-province">
        <p className="note">{t('basis.fp32')}</p>
        {chart('fp32Pflops', FP32, t('measure.fp32'), 'census-fp32-chart')}
      </Section>
      <Section title={t('report.fp16ByProvince')} id="fp16-province">
        <p className="note">{t('basis.fp16')}</p>
        {chart('fp16DensePflops', FP16, t('measure.fp16'), 'census-fp16-chart')}
      </Section>
    </div>
  )
}

function KindsAndUtilization({ census }: { census: Census }) {
  const { t, f, locale } = useAdminI18n()
  const label = useLabeler()
  const split = acceleratorsByKind(census, ACCELERATOR_KINDS)
  const share = split.all > 0 ? split.domestic / split.all : null
  const u = census.total.utilization
  const bands = census.utilizationBands
  const bandLabel = (b: { min: number; max: number }) => `${f.percent(b.min, 0)}–${f.percent(b.max, 0)}`
  const unclassified = census.total.accelerators.unclassified ?? 0
  return (
    <div className="two-col">
      <Section title={t('report.kinds')} id="kinds">
        <div className="stat-grid stat-grid-2">
          <StatCard
            label={t('overview.domesticShare')}
            testId="census-domestic-share"
            raw={share}
            value={f.percent(share)}
            hint={t('overview.domesticCount', { domestic: f.number(split.domestic, 2), all: f.number(split.all, 2) })}
          />
        </div>
        {split.rows.length === 0 ? (
          <EmptyState text={t('overview.noAccelerators')} minHeight={120} />
        ) : (
          <StackedBarChart
            testId="census-kind-chart"
            labelWidth={locale === 'zh-CN' ? 70 : 110}
            series={[
              { name: t('domestic.true'), colour: DOMESTIC },
              { name: t('domestic.false'), colour: IMPORTED },
            ]}
            data={split.rows.map((r) => ({ label: label('kind', r.kind), values: [r.domestic, r.imported] }))}
            format={(v) => f.number(v, 0)}
            summary={t('report.kindSummary', {
              share: f.percent(share),
              list: split.rows
                .map(
                  (r) =>
                    `${label('kind', r.kind)} ${f.number(r.domestic + r.imported, 2)} (${t('domestic.true')} ${f.number(r.domestic, 2)})`,
                )
                .join(', '),
            })}
          />
        )}
        {split.rows.length > 0 ? (
          <table className="mini-table" data-testid="census-kind-table">
            <caption className="sr-only">{t('report.kinds')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('dim.kind')}</th>
                <th scope="col">{t('domestic.true')}</th>
                <th scope="col">{t('domestic.false')}</th>
                <th scope="col">{t('overview.domesticShare')}</th>
              </tr>
            </thead>
            <tbody>
              {split.rows.map((r) => (
                <tr key={r.kind}>
                  <th scope="row">{label('kind', r.kind)}</th>
                  <td>{f.number(r.domestic, 2)}</td>
                  <td>{f.number(r.imported, 2)}</td>
                  <td>{f.percent(r.domestic / (r.domestic + r.imported))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {unclassified > 0 ? <p className="note">{t('overview.unclassifiedNote', { n: f.number(unclassified, 2) })}</p> : null}
      </Section>
      <Section title={t('report.utilization')} id="utilization">
        <div className="meters">
          <Meter label={t('measure.cpuRequested')} value={u.cpuRequested} text={f.percent(u.cpuRequested)} />
          <Meter label={t('measure.cpuUsed')} value={u.cpuUsed} text={f.percent(u.cpuUsed)} />
          <Meter label={t('measure.memoryRequested')} value={u.memoryRequested} text={f.percent(u.memoryRequested)} />
          <Meter label={t('measure.acceleratorsInUse')} value={u.acceleratorsInUse} text={f.percent(u.acceleratorsInUse)} />
        </div>
        <h3 className="subhead">{t('report.bands')}</h3>
        <p className="note">{t('report.bandsNote')}</p>
        {bands.length === 0 ? (
          <EmptyState minHeight={120} />
        ) : (
          <>
            <HorizontalBarChart
              testId="census-bands-chart"
              labelWidth={90}
              data={bands.map((b) => ({ label: bandLabel(b), value: b.clusters, colour: BAND }))}
              format={(v) => f.integer(v)}
              summary={t('report.bandsSummary', {
                list: bands.map((b) => t('report.bandItem', { band: bandLabel(b), n: f.integer(b.clusters) })).join(', '),
              })}
            />
            <table className="mini-table" data-testid="census-bands-table">
              <caption className="sr-only">{t('report.bands')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('measure.cpuRequested')}</th>
                  <th scope="col">{t('measure.clusters')}</th>
                  <th scope="col">{t('measure.cpuCores')}</th>
                  <th scope="col">{t('measure.accelerators')}</th>
                </tr>
              </thead>
              <tbody>
                {bands.map((b) => (
                  <tr key={b.min}>
                    <th scope="row">{bandLabel(b)}</th>
                    <td>{f.integer(b.clusters)}</td>
                    <td>{f.integer(b.cpuCores)}</td>
                    <td>{f.number(b.accelerators, 2)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Section>
    </div>
  )
}

function Breakdowns({ census }: { census: Census }) {
  const { t, f, locale } = useAdminI18n()
  const label = useLabeler()
  const [params, setParams] = useSearchParams()
  const rawBy = params.get('by')
  const by: CensusBreakdown = isCensusBreakdown(rawBy) ? rawBy : 'province'
  const sort = parseSort(params.get('sort'))
  const groupBy: LedgerDimension[] = [by]
  const groups = census.breakdowns[by] ?? []
  const rows = useMemo(() => sortRows(buildRows(groups, [by], label), sort, locale), [groups, by, label, sort, locale])
  const update = (patch: Record<string, string | null>) => setParams(patchParams(params, patch), { replace: true })
  const all = params.get('rows') === 'all'
  const shown = all ? rows : rows.slice(0, FIRST_ROWS)
  return (
    <Section
      title={t('report.breakdowns')}
      id="breakdowns"
      extra={
        <div className="control control-inline">
          <span>{t('report.breakdownBy')}</span>
          <Select
            aria-label={t('report.breakdownBy')}
            data-testid="census-breakdown"
            value={by}
            style={{ minWidth: 140 }}
            onChange={(v: CensusBreakdown) => update({ by: v === 'province' ? null : v, sort: null })}
            options={CENSUS_BREAKDOWNS.map((d) => ({ value: d, label: t(`dim.${d}`) }))}
          />
        </div>
      }
    >
      {['kind', 'vendor', 'model', 'arch', 'domestic'].includes(by) ? <p className="note">{t('ledger.deviceNote')}</p> : null}
      {rows.length === 0 ? (
        <EmptyState text={t('ledger.empty')} />
      ) : (
        <>
          <LedgerTable
            rows={shown}
            groupBy={groupBy}
            measures={TABLE_MEASURES}
            sort={sort}
            caption={t('report.breakdownCaption', { dim: t(`dim.${by}`), n: f.integer(shown.length), total: f.integer(rows.length) })}
            onSort={(s) => update({ sort: s ? `${s.column}.${s.order}` : null })}
            renderDimension={(row) => <span title={row.group.key[by] ?? undefined}>{row.labels[by] ?? f.missing}</span>}
          />
          {rows.length > FIRST_ROWS ? (
            <div className="toolbar toolbar-end">
              <Button data-testid="census-breakdown-all" onClick={() => update({ rows: all ? null : 'all' })}>
                {all ? t('report.showFirst', { n: f.integer(FIRST_ROWS) }) : t('report.showAll', { n: f.integer(rows.length) })}
              </Button>
            </div>
          ) : null}
        </>
      )}
    </Section>
  )
}

type IdleCluster = Census['idle']['clusters'][number]

function Idle({ census }: { census: Census }) {
  const { t, f } = useAdminI18n()
  const label = useLabeler()
  const idle = census.idle
  const columns: ColumnsType<IdleCluster> = [
    { key: 'cluster', title: t('dim.cluster'), width: 200, fixed: 'left', dataIndex: 'clusterId' },
    { key: 'province', title: t('dim.province'), width: 110, render: (_, c) => label('province', c.province) },
    { key: 'peak', title: t('util.peak'), width: 90, align: 'right', render: (_, c) => f.percent(c.peak) },
    { key: 'cores', title: t('util.idleCores'), width: 110, align: 'right', render: (_, c) => f.integer(c.idleCpuCores) },
    { key: 'acc', title: t('util.idleAccelerators'), width: 110, align: 'right', render: (_, c) => f.number(c.idleAccelerators, 2) },
    { key: 'fp16', title: t('util.idleFp16'), width: 130, align: 'right', render: (_, c) => f.pflops(c.idleFp16DensePflops) },
  ]
  return (
    <Section title={t('report.idle')} id="idle">
      <p className="note">
        {t('util.idleExplain', {
          hours: f.number(idle.hours, 1),
          measure: t(`measure.${measureKey(idle.measure)}`),
          threshold: f.percent(idle.threshold, 0),
        })}
      </p>
      <div className="stat-grid stat-cols-4">
        <StatCard
          label={t('util.idleClusters')}
          testId="census-idle-clusters"
          raw={idle.totalClusters}
          value={f.integer(idle.totalClusters)}
        />
        <StatCard
          label={t('util.idleCores')}
          testId="census-idle-cores"
          raw={idle.totals.idleCpuCores}
          value={f.cores(idle.totals.idleCpuCores)}
        />
        <StatCard
          label={t('util.idleAccelerators')}
          testId="census-idle-accelerators"
          raw={idle.totals.idleAccelerators}
          value={f.number(idle.totals.idleAccelerators, 2)}
        />
        <StatCard
          label={t('util.idleFp16')}
          testId="census-idle-fp16"
          raw={idle.totals.idleFp16DensePflops}
          value={f.pflops(idle.totals.idleFp16DensePflops)}
        />
      </div>
      {idle.clusters.length === 0 ? (
        <p className="note">{t('util.noIdle')}</p>
      ) : (
        <Table<IdleCluster>
          size="small"
          rowKey="clusterId"
          columns={columns}
          dataSource={idle.clusters}
          pagination={idle.clusters.length > 10 ? { pageSize: 10, showSizeChanger: false } : false}
          scroll={{ x: 750 }}
          title={() => <span className="table-caption">{t('util.idleCaption', { n: f.integer(idle.clusters.length) })}</span>}
        />
      )}
    </Section>
  )
}

function measureKey(measure: string): 'cpuRequested' | 'cpuUsed' | 'acceleratorsInUse' {
  return measure === 'cpuUsed' || measure === 'acceleratorsInUse' ? measure : 'cpuRequested'
}

type PueCheck = Census['energy']['pueTargets'][number]

function Energy({ census }: { census: Census }) {
  const { t, f } = useAdminI18n()
  const label = useLabeler()
  const e = census.energy
  const checks = [...e.pueTargets].sort((a, b) => (b.pue ?? 0) - b.target - ((a.pue ?? 0) - a.target))
  const over = checks.filter((c) => c.meets === false).length
  const columns: ColumnsType<PueCheck> = [
    {
      key: 'site',
      title: t('dim.site'),
      width: 230,
      ellipsis: true,
      render: (_, c) => <span title={c.site}>{label('site', c.site)}</span>,
    },
    { key: 'hub', title: t('dim.hub'), width: 170, ellipsis: true, render: (_, c) => label('hub', c.hub) },
    { key: 'pue', title: t('measure.pue'), width: 80, align: 'right', render: (_, c) => f.pue(c.pue) },
    {
      key: 'target',
      title: t('energy.target'),
      width: 120,
      align: 'right',
      render: (_, c) => `${f.pue(c.target)} (${c.hub ? t('energy.targetHub') : t('energy.targetNational')})`,
    },
    {
      key: 'status',
      title: t('energy.status'),
      width: 90,
      render: (_, c) =>
        c.meets === null ? (
          f.missing
        ) : (
          <span className={c.meets ? 'pill pill-meets' : 'pill pill-over'}>{c.meets ? t('energy.meets') : t('energy.over')}</span>
        ),
    },
  ]
  return (
    <Section title={t('report.energy')} id="energy">
      <div className="stat-grid stat-cols-3">
        <StatCard
          label={t('measure.itPower')}
          testId="census-it-power"
          raw={e.itPowerKw}
          value={f.power(e.itPowerKw)}
          hint={t('overview.facilityPower', { power: f.power(e.facilityPowerKw) })}
        />
        <StatCard
          label={t('measure.pue')}
          testId="census-pue"
          raw={e.pue}
          value={f.pue(e.pue)}
          hint={t('overview.pueTarget', { target: f.pue(NATIONAL_PUE_TARGET) })}
        />
        <StatCard label={t('measure.greenShare')} testId="census-green" raw={e.greenShare} value={f.percent(e.greenShare)} />
        <StatCard
          label={t('measure.carbon')}
          testId="census-carbon"
          raw={e.carbonIntensityKgPerKwh}
          value={f.carbon(e.carbonIntensityKgPerKwh)}
        />
        <StatCard
          label={t('report.annualEnergy')}
          testId="census-annual-energy"
          raw={e.annualEnergyMwh}
          value={t('report.mwh', { value: f.number(e.annualEnergyMwh, 0) })}
          hint={t('report.annualNote')}
        />
        <StatCard
          label={t('report.annualCarbon')}
          testId="census-annual-carbon"
          raw={e.annualCarbonTonnes}
          value={e.annualCarbonTonnes === null ? f.missing : t('report.tonnes', { value: f.number(e.annualCarbonTonnes, 0) })}
          hint={t('report.annualNote')}
        />
      </div>
      <h3 className="subhead">{t('report.pueTargets')}</h3>
      <p className="note">
        {t('report.pueTargetsNote', { n: f.integer(checks.length), over: f.integer(over), value: f.pue(NATIONAL_PUE_TARGET) })}
      </p>
      {checks.length > 0 ? (
        <Table<PueCheck>
          data-testid="census-pue-table"
          size="small"
          rowKey="site"
          columns={columns}
          dataSource={checks}
          pagination={checks.length > 10 ? { pageSize: 10, showSizeChanger: false } : false}
          scroll={{ x: 690 }}
          title={() => (
            <span className="table-caption">{t('energy.siteCaption', { n: f.integer(checks.length), over: f.integer(over) })}</span>
          )}
        />
      ) : null}
    </Section>
  )
}

function findingText(r: Recommendation, t: AdminTranslate, f: Formatters, label: Labeler): string {
  const n = (key: string) => r.figures[key] ?? null
  switch (r.code) {
    case 'idle-cluster':
      return t('finding.idleText', {
        hours: f.number(n('hours'), 1),
        peak: f.percent(n('peak')),
        cores: f.integer(n('idleCpuCores')),
        accelerators: f.number(n('idleAccelerators'), 2),
        fp16: f.pflops(n('idleFp16DensePflops')),
      })
    case 'stranded-accelerators':
      return t('finding.strandedText', { n: f.number(n('strandedAccelerators'), 2), total: f.number(n('accelerators'), 2) })
    case 'pue-over-target':
      return t('finding.pueText', { pue: f.pue(n('pue')), target: f.pue(n('target')) })
    case 'unclassified-devices':
      return t('finding.unclassifiedText', { n: f.number(n('devices'), 2), clusters: f.integer(n('clusters')) })
    case 'stale-cluster':
      return t('finding.staleText', { hours: f.number(n('silentHours'), 1), province: label('province', r.province) })
    case 'idle-site':
      return t('finding.idleSiteText', {
        clusters: f.integer(n('clusters')),
        hours: f.number(n('hours'), 1),
        peak: f.percent(n('peak')),
        cores: f.integer(n('idleCpuCores')),
        accelerators: f.number(n('idleAccelerators'), 2),
      })
    case 'long-reservation':
      return t('finding.reservationText', {
        hours: f.number(n('hours'), 1),
        replicas: f.integer(n('replicas')),
        devices: f.number(n('devices'), 0),
      })
  }
}

function Findings({ census }: { census: Census }) {
  const { t, f } = useAdminI18n()
  const label = useLabeler()
  // Censuses frozen before the evaluation existed have no findings.
  const findings = census.recommendations ?? []
  const counts = { high: 0, medium: 0, low: 0 }
  for (const r of findings) counts[r.severity] += 1
  const columns: ColumnsType<Recommendation & { i: number }> = [
    {
      key: 'severity',
      title: t('finding.severity'),
      width: 80,
      render: (_, r) => <span className={SEVERITY[r.severity].pill}>{t(SEVERITY[r.severity].label)}</span>,
    },
    { key: 'code', title: t('finding.kind'), width: 140, render: (_, r) => t(FINDING_TITLE[r.code]) },
    {
      key: 'subject',
      title: t('finding.subject'),
      width: 240,
      ellipsis: true,
      render: (_, r) => <span title={r.subject}>{r.code === 'pue-over-target' ? label('site', r.subject) : r.subject}</span>,
    },
    { key: 'province', title: t('dim.province'), width: 100, render: (_, r) => (r.province ? label('province', r.province) : f.missing) },
    { key: 'text', title: t('finding.detail'), render: (_, r) => findingText(r, t, f, label) },
  ]
  return (
    <Section title={t('report.findings')} id="findings">
      <p className="note">
        {findings.length === 0
          ? t('report.noFindings')
          : t('report.findingsCount', {
              n: f.integer(findings.length),
              high: f.integer(counts.high),
              medium: f.integer(counts.medium),
              low: f.integer(counts.low),
            })}
      </p>
      {findings.length > 0 ? (
        <Table<Recommendation & { i: number }>
          data-testid="census-findings"
          size="small"
          rowKey="i"
          columns={columns}
          dataSource={findings.map((r, i) => ({ ...r, i }))}
          pagination={findings.length > 10 ? { pageSize: 10, showSizeChanger: false } : false}
          scroll={{ x: 900 }}
        />
      ) : null}
    </Section>
  )
}

type ClusterStatus = Census['dataQuality']['stale'][number]
type Unclassified = Census['dataQuality']['unclassified'][number]

function DataQuality({ census }: { census: Census }) {
  const { t, f } = useAdminI18n()
  const label = useLabeler()
  const q = census.dataQuality
  const clusterColumns: ColumnsType<ClusterStatus> = [
    { key: 'cluster', title: t('dim.cluster'), dataIndex: 'clusterId', width: 220 },
    { key: 'province', title: t('dim.province'), width: 110, render: (_, c) => label('province', c.province) },
    { key: 'site', title: t('dim.site'), width: 220, ellipsis: true, render: (_, c) => label('site', c.site) },
    { key: 'last', title: t('report.lastReport'), width: 180, render: (_, c) => f.timestamp(c.lastReportAt) },
  ]
  const unclassifiedColumns: ColumnsType<Unclassified> = [
    { key: 'resource', title: t('report.resource'), dataIndex: 'resource', render: (v: string) => <code>{v}</code> },
    { key: 'devices', title: t('report.devices'), width: 110, align: 'right', render: (_, u) => f.number(u.devices, 2) },
    { key: 'clusters', title: t('measure.clusters'), width: 110, align: 'right', render: (_, u) => f.integer(u.clusters) },
  ]
  const clean = q.stale.length + q.missing.length + q.unclassified.length === 0
  return (
    <Section title={t('report.dataQuality')} id="data-quality">
      <p
        className="note"
        data-testid="census-quality"
        data-stale={q.stale.length}
        data-missing={q.missing.length}
        data-unclassified={q.unclassified.length}
      >
        {clean
          ? t('report.qualityClean')
          : t('report.qualitySummary', {
              stale: f.integer(q.stale.length),
              missing: f.integer(q.missing.length),
              unclassified: f.integer(q.unclassified.length),
            })}
      </p>
      {q.stale.length > 0 ? (
        <>
          <h3 className="subhead">{t('report.staleClusters')}</h3>
          <Table<ClusterStatus>
            size="small"
            rowKey="clusterId"
            columns={clusterColumns}
            dataSource={q.stale}
            pagination={false}
            scroll={{ x: 730 }}
          />
        </>
      ) : null}
      {q.missing.length > 0 ? (
        <>
          <h3 className="subhead">{t('report.missingClusters')}</h3>
          <Table<ClusterStatus>
            size="small"
            rowKey="clusterId"
            columns={clusterColumns}
            dataSource={q.missing}
            pagination={false}
            scroll={{ x: 730 }}
          />
        </>
      ) : null}
      {q.unclassified.length > 0 ? (
        <>
          <h3 className="subhead">{t('report.unclassified')}</h3>
          <Table<Unclassified>
            size="small"
            rowKey="resource"
            columns={unclassifiedColumns}
            dataSource={q.unclassified}
            pagination={false}
          />
        </>
      ) : null}
    </Section>
  )
}

type CatalogNote = Census['methodNotes'][number]

function Method({ census }: { census: Census }) {
  const { t, f } = useAdminI18n()
  const label = useLabeler()
  const columns: ColumnsType<CatalogNote> = [
    { key: 'vendor', title: t('dim.vendor'), dataIndex: 'vendor', width: 110 },
    { key: 'model', title: t('dim.model'), dataIndex: 'model', width: 220 },
    { key: 'kind', title: t('dim.kind'), width: 90, render: (_, n) => label('kind', n.kind) },
    {
      key: 'confidence',
      title: t('report.confidence'),
      width: 90,
      render: (_, n) => (CONFIDENCE[n.confidence] ? t(CONFIDENCE[n.confidence] as AnyMessageKey) : n.confidence),
    },
    { key: 'devices', title: t('report.devices'), width: 100, align: 'right', render: (_, n) => f.number(n.devices, 2) },
    { key: 'source', title: t('report.source'), render: (_, n) => <span lang="en">{n.source}</span> },
  ]
  return (
    <Section title={t('report.method')} id="method">
      <h3 className="subhead">{t('report.basis')}</h3>
      <p className="note">{t('report.basisNote')}</p>
      <dl className="basis" data-testid="census-basis">
        {Object.entries(census.basis).map(([key, text]) => (
          <div key={key} className="fact">
            <dt>{BASIS_LABEL[key] ? t(BASIS_LABEL[key] as AnyMessageKey) : key}</dt>
            <dd lang="en">{text}</dd>
          </div>
        ))}
      </dl>
      <details className="disclosure" data-testid="census-method-details">
        <summary>{t('report.methodNotesSummary', { n: f.integer(census.methodNotes.length) })}</summary>
        <p className="note">{t('report.methodNotesNote')}</p>
        <Table<CatalogNote>
          data-testid="census-method-notes"
          size="small"
          rowKey={(n) => `${n.vendor}|${n.model}|${n.kind}`}
          columns={columns}
          dataSource={census.methodNotes}
          pagination={false}
          scroll={{ x: 1000 }}
        />
      </details>
    </Section>
  )
}

function Report({ census }: { census: Census }) {
  const { t, f } = useAdminI18n()
  const list = useCensuses()
  const digest = list.data?.censuses.find((c) => c.id === census.id)?.digest
  return (
    <>
      <Breadcrumbs
        items={[
          { label: t('census.title'), to: '/census', testId: 'crumb-census' },
          { label: t('census.numberValue', { id: census.id }), testId: 'crumb-report' },
        ]}
      />
      <PageHeader
        title={censusName(census, t)}
        description={t('report.description', { created: f.timestamp(census.createdAt), asOf: f.timestamp(census.asOf) })}
        extra={<Downloads id={census.id} />}
      />
      <Section title={t('report.facts')} id="facts">
        <Facts census={census} digest={digest} />
      </Section>
      <Section title={t('report.totals')} id="totals">
        <Totals census={census} />
      </Section>
      <ProvinceCharts census={census} />
      <KindsAndUtilization census={census} />
      <Breakdowns census={census} />
      <Energy census={census} />
      <Idle census={census} />
      <Findings census={census} />
      <DataQuality census={census} />
      <Method census={census} />
    </>
  )
}

export default function CensusReportPage() {
  const { t } = useAdminI18n()
  const params = useParams()
  const id = /^[1-9]\d{0,9}$/.test(params.id ?? '') ? Number(params.id) : null
  const census = useCensus(id)
  const notFound = id === null || (census.error instanceof ApiError && census.error.status === 404)
  if (census.isError && isAccessError(census.error)) {
    return (
      <>
        <Breadcrumbs items={[{ label: t('census.title'), to: '/census', testId: 'crumb-census' }, { label: params.id ?? '' }]} />
        <PageHeader title={t('census.title')} />
        <AccessRefused error={census.error} />
      </>
    )
  }
  if (notFound) {
    return (
      <>
        <Breadcrumbs items={[{ label: t('census.title'), to: '/census', testId: 'crumb-census' }, { label: params.id ?? '' }]} />
        <PageHeader title={t('report.notFoundTitle')} />
        <EmptyState text={t('report.notFound', { id: params.id ?? '' })} />
        <p>
          <Link to="/census">{t('report.backToList')}</Link>
        </p>
      </>
    )
  }
  return (
    <QueryState query={census} minHeight={320}>
      {(c) => <Report census={c} />}
    </QueryState>
  )
}
