import type { LedgerGroup, LedgerResponse } from '@suanpan/control-plane/schemas'
import Tooltip from 'antd/es/tooltip'
import { useHistory } from '../api/history'
import { useLedger } from '../api/ledger'
import { HorizontalBarChart } from '../components/bar-chart'
import { PageHeader, Section } from '../components/page-header'
import { QueryState } from '../components/query-state'
import { Meter, StatCard } from '../components/stat-card'
import { TimeSeriesChart } from '../components/time-series-chart'
import { type Translate, useI18n } from '../i18n'
import { useLabeler } from '../i18n/use-labeler'
import type { MessageKey } from '../i18n/zh-CN'
import { ACCELERATOR_KINDS } from '../lib/dimensions'
import { domesticSplit } from '../lib/domestic'
import { NATIONAL_PUE_TARGET } from '../lib/energy'
import type { Formatters } from '../lib/format'
import { acceleratorCount } from '../lib/measures'
import { latest } from '../lib/series'

const DOMESTIC = '#0958d9'
const IMPORTED = '#d55e00'

const BASIS_TEXT: Readonly<Record<string, MessageKey>> = {
  fp32Pflops: 'basis.fp32',
  fp16DensePflops: 'basis.fp16',
  fp64Pflops: 'basis.fp64',
}

/** The precision a figure is counted at: our words when we know the API's basis key, the API's own otherwise. */
function basisOf(ledger: LedgerResponse, key: string, t: Translate): string {
  const text = BASIS_TEXT[key]
  if (text && key in ledger.basis) return t(text)
  return ledger.basis[key] ?? t('basis.unknown')
}

function Totals({ ledger }: { ledger: LedgerResponse }) {
  const { t, f } = useI18n()
  const label = useLabeler()
  const total = ledger.total
  const accelerators = acceleratorCount(total)
  const byKind = ACCELERATOR_KINDS.filter((k) => (total.accelerators[k] ?? 0) > 0)
    .map((k) => `${label('kind', k)} ${f.number(total.accelerators[k] ?? 0, 2)}`)
    .join(' · ')
  const storage = total.storage
  return (
    <div className="stat-grid">
      <StatCard
        label={t('overview.fp32')}
        testId="total-fp32"
        raw={total.compute.fp32Pflops}
        value={f.pflops(total.compute.fp32Pflops)}
        hint={
          <>
            <Tooltip title={ledger.basis.fp32Pflops}>{basisOf(ledger, 'fp32Pflops', t)}</Tooltip>
            {total.compute.devicesWithoutFigure.fp32 > 0 ? (
              <div>{t('overview.withoutFigure', { n: f.number(total.compute.devicesWithoutFigure.fp32, 2) })}</div>
            ) : null}
          </>
        }
      />
      <StatCard
        label={t('overview.fp16')}
        testId="total-fp16"
        raw={total.compute.fp16DensePflops}
        value={f.pflops(total.compute.fp16DensePflops)}
        hint={
          <>
            <Tooltip title={ledger.basis.fp16DensePflops}>{basisOf(ledger, 'fp16DensePflops', t)}</Tooltip>
            {total.compute.devicesWithoutFigure.fp16Dense > 0 ? (
              <div>{t('overview.withoutFigure', { n: f.number(total.compute.devicesWithoutFigure.fp16Dense, 2) })}</div>
            ) : null}
          </>
        }
      />
      <StatCard
        label={t('overview.cpuCores')}
        testId="total-cpu-cores"
        raw={total.cpuCores}
        value={f.cores(total.cpuCores)}
        hint={t('overview.nodes', { nodes: f.integer(total.nodes) })}
      />
      <StatCard
        label={t('overview.accelerators')}
        testId="total-accelerators"
        raw={accelerators}
        value={f.number(accelerators, 2)}
        hint={byKind || t('overview.noAccelerators')}
      />
      <StatCard
        label={t('overview.storage')}
        testId="total-storage"
        raw={storage?.capacityBytes ?? null}
        value={f.bytes(storage?.capacityBytes)}
        hint={
          storage?.usedBytes != null && storage.capacityBytes > 0
            ? t('overview.storageUsed', { used: f.bytes(storage.usedBytes), share: f.percent(storage.usedBytes / storage.capacityBytes) })
            : t('overview.storageUsedUnknown')
        }
      />
      <StatCard
        label={t('overview.clusters')}
        testId="total-clusters"
        raw={total.clusters}
        value={f.integer(total.clusters)}
        hint={
          <span data-testid="cluster-health" data-stale={ledger.stale.length} data-missing={ledger.missing.length}>
            {t('overview.clusterHealth', { stale: f.integer(ledger.stale.length), missing: f.integer(ledger.missing.length) })}
          </span>
        }
      />
    </div>
  )
}

function Utilization({ total }: { total: LedgerGroup }) {
  const { t, f } = useI18n()
  const u = total.utilization
  return (
    <div className="meters">
      <Meter label={t('measure.cpuRequested')} value={u.cpuRequested} text={f.percent(u.cpuRequested)} testId="util-cpu-requested" />
      <Meter label={t('measure.cpuUsed')} value={u.cpuUsed} text={f.percent(u.cpuUsed)} />
      <Meter label={t('measure.memoryRequested')} value={u.memoryRequested} text={f.percent(u.memoryRequested)} />
      <Meter label={t('measure.acceleratorsInUse')} value={u.acceleratorsInUse} text={f.percent(u.acceleratorsInUse)} />
      <p className="note">{t('overview.utilizationNote')}</p>
    </div>
  )
}

function Domestic({ ledger }: { ledger: LedgerResponse }) {
  const { t, f } = useI18n()
  const split = domesticSplit(ledger.groups)
  const share = split.all > 0 ? split.domestic / split.all : null
  const fp16Share = split.fp16All > 0 ? split.fp16Domestic / split.fp16All : null
  const unclassified = ledger.total.accelerators.unclassified ?? 0
  const kindOf = (domestic: boolean) => (domestic ? t('domestic.true') : t('domestic.false'))
  return (
    <div>
      <div className="stat-grid stat-grid-2">
        <StatCard
          label={t('overview.domesticShare')}
          testId="domestic-share"
          raw={share}
          value={f.percent(share)}
          hint={t('overview.domesticCount', { domestic: f.number(split.domestic, 2), all: f.number(split.all, 2) })}
        />
        <StatCard
          label={t('overview.domesticFp16Share')}
          testId="domestic-fp16-share"
          raw={fp16Share}
          value={f.percent(fp16Share)}
          hint={t('basis.fp16')}
        />
      </div>
      <h3>{t('overview.byVendor')}</h3>
      <HorizontalBarChart
        data={split.byVendor.map((v) => ({ label: v.vendor, value: v.devices, colour: v.domestic ? DOMESTIC : IMPORTED }))}
        format={(v) => f.number(v, 0)}
        labelWidth={110}
        barSize={16}
        summary={t('overview.domesticChartSummary', {
          share: f.percent(share),
          vendors: split.byVendor.map((v) => `${v.vendor} (${kindOf(v.domestic)}) ${f.number(v.devices, 2)}`).join(', '),
        })}
      />
      <ul className="legend" aria-hidden="true">
        <li>
          <i className="swatch" style={{ background: DOMESTIC }} />
          {t('domestic.true')}
        </li>
        <li>
          <i className="swatch" style={{ background: IMPORTED }} />
          {t('domestic.false')}
        </li>
      </ul>
      {unclassified > 0 ? <p className="note">{t('overview.unclassifiedNote', { n: f.number(unclassified, 2) })}</p> : null}
    </div>
  )
}

function Energy({ total, f, t }: { total: LedgerGroup; f: Formatters; t: Translate }) {
  const e = total.energy
  if (!e || e.clustersReporting === 0) return <p className="note">{t('overview.noEnergy')}</p>
  const green = e.greenShare ?? 0
  return (
    <div>
      <div className="stat-grid stat-grid-4">
        <StatCard
          label={t('measure.itPower')}
          testId="energy-it-power"
          raw={e.itPowerKw}
          value={f.power(e.itPowerKw)}
          hint={t('overview.facilityPower', { power: f.power(e.facilityPowerKw) })}
        />
        <StatCard
          label={t('measure.pue')}
          testId="energy-pue"
          raw={e.pue}
          value={f.pue(e.pue)}
          hint={t('overview.pueTarget', { target: f.pue(NATIONAL_PUE_TARGET) })}
        />
        <StatCard
          label={t('measure.greenShare')}
          testId="energy-green-share"
          raw={e.greenShare}
          value={f.percent(e.greenShare)}
          hint={t('overview.greenHint')}
        />
        <StatCard
          label={t('measure.carbon')}
          testId="energy-carbon"
          raw={e.carbonIntensityKgPerKwh}
          value={f.carbon(e.carbonIntensityKgPerKwh)}
          hint={t('overview.carbonHint')}
        />
      </div>
      <div className="mix" role="img" aria-label={t('overview.mixSummary', { green: f.percent(green), other: f.percent(1 - green) })}>
        <div className="mix-bar" aria-hidden="true">
          <div className="mix-green" style={{ width: `${green * 100}%` }} />
          <div className="mix-other" style={{ width: `${(1 - green) * 100}%` }} />
        </div>
        <div className="mix-legend" aria-hidden="true">
          <span>
            <i className="swatch mix-green" /> {t('overview.mixGreen', { share: f.percent(green), power: f.power(e.itPowerKw * green) })}
          </span>
          <span>
            <i className="swatch mix-other" />{' '}
            {t('overview.mixOther', { share: f.percent(1 - green), power: f.power(e.itPowerKw * (1 - green)) })}
          </span>
        </div>
      </div>
      <p className="note">{t('overview.energyNote', { n: f.integer(e.clustersReporting) })}</p>
    </div>
  )
}

function Trend() {
  const { t, f } = useI18n()
  const history = useHistory({ hours: 24 })
  return (
    <QueryState
      query={history}
      minHeight={280}
      isEmpty={(h) => h.t.length === 0 || h.series.length === 0}
      emptyText={t('overview.trendEmpty')}
    >
      {(h) => {
        const s = h.series[0]
        if (!s) return null
        return (
          <TimeSeriesChart
            t={h.t}
            testId="trend-chart"
            format={(v) => f.percent(v, 0)}
            series={[
              { name: t('measure.cpuRequested'), values: s.cpuRequested },
              { name: t('measure.cpuUsed'), values: s.cpuUsed },
              { name: t('measure.acceleratorsInUse'), values: s.acceleratorsInUse },
            ]}
            summary={t('overview.trendSummary', {
              points: h.t.length,
              cpu: f.percent(latest(s.cpuRequested)),
              used: f.percent(latest(s.cpuUsed)),
              acc: f.percent(latest(s.acceleratorsInUse)),
            })}
          />
        )
      }}
    </QueryState>
  )
}

export default function OverviewPage() {
  const { t, f } = useI18n()
  const ledger = useLedger({ groupBy: [], limit: 1 })
  const domestic = useLedger({ groupBy: ['domestic', 'vendor'], filters: { kind: ACCELERATOR_KINDS } })
  return (
    <>
      <PageHeader
        title={t('overview.title')}
        description={
          ledger.data?.asOf
            ? t('overview.asOf', { time: f.dateTime(ledger.data.asOf), generated: f.dateTime(ledger.data.generatedAt) })
            : t('overview.description')
        }
      />
      <Section title={t('overview.totals')} id="totals">
        <QueryState query={ledger} minHeight={160} isEmpty={(l) => l.total.clusters === 0} emptyText={t('overview.noClusters')}>
          {(l) => <Totals ledger={l} />}
        </QueryState>
      </Section>
      <div className="two-col">
        <Section title={t('overview.utilization')} id="utilization">
          <QueryState query={ledger} minHeight={160} isEmpty={(l) => l.total.clusters === 0}>
            {(l) => <Utilization total={l.total} />}
          </QueryState>
        </Section>
        <Section title={t('overview.domestic')} id="domestic">
          <QueryState query={domestic} minHeight={160} isEmpty={(l) => l.groups.length === 0}>
            {(l) => <Domestic ledger={l} />}
          </QueryState>
        </Section>
      </div>
      <Section title={t('overview.energy')} id="energy">
        <QueryState query={ledger} minHeight={120} isEmpty={(l) => l.total.clusters === 0}>
          {(l) => <Energy total={l.total} f={f} t={t} />}
        </QueryState>
      </Section>
      <Section title={t('overview.trend')} id="trend">
        <Trend />
      </Section>
    </>
  )
}
