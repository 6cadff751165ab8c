import type { HubCluster, LedgerGroup, Province } from '@suanpan/control-plane/schemas'
import Select from 'antd/es/select'
import Table from 'antd/es/table'
import type { ColumnsType } from 'antd/es/table/interface'
import { useMemo } from 'react'
import { Link, useSearchParams } from 'react-router'
import { useClusters } from '../api/clusters'
import { useHistory } from '../api/history'
import { useLedger } from '../api/ledger'
import { useRegions } from '../api/regions'
import { HorizontalBarChart, type ReferenceMark } from '../components/bar-chart'
import { PageHeader, Section } from '../components/page-header'
import { QueryState } from '../components/query-state'
import { StatCard } from '../components/stat-card'
import { TimeSeriesChart } from '../components/time-series-chart'
import { useI18n } from '../i18n'
import { useLabeler } from '../i18n/use-labeler'
import { NATIONAL_PUE_TARGET, type PueTarget, pueTargetFor } from '../lib/energy'
import { latest } from '../lib/series'

const PASS = '#0072b2'
const FAIL = '#d55e00'

interface SiteRow {
  site: string
  hub: string | null
  province: string | null
  pue: number | null
  target: PueTarget
  meets: boolean | null
  greenShare: number | null
  carbon: number | null
  itPowerKw: number
}

function siteRows(groups: readonly LedgerGroup[], hubs: readonly HubCluster[], provinceOf: Map<string, string>): SiteRow[] {
  return groups
    .filter((g) => g.energy && g.energy.clustersReporting > 0)
    .map((g) => {
      const site = g.key.site ?? ''
      const hub = g.key.hub ?? null
      const target = pueTargetFor(hub, hubs)
      const pue = g.energy?.pue ?? null
      return {
        site,
        hub,
        province: provinceOf.get(site) ?? null,
        pue,
        target,
        meets: pue === null ? null : pue <= target.target,
        greenShare: g.energy?.greenShare ?? null,
        carbon: g.energy?.carbonIntensityKgPerKwh ?? null,
        itPowerKw: g.energy?.itPowerKw ?? 0,
      }
    })
}

function byGridRegion(groups: readonly LedgerGroup[], provinces: readonly Province[], zh: boolean) {
  const regionOf = new Map(provinces.map((p) => [p.code, zh ? p.gridRegionZh : p.gridRegionEn]))
  const sums = new Map<string, { it: number; facility: number }>()
  for (const g of groups) {
    const region = regionOf.get(g.key.province ?? '') ?? '—'
    const s = sums.get(region) ?? { it: 0, facility: 0 }
    s.it += g.energy?.itPowerKw ?? 0
    s.facility += g.energy?.facilityPowerKw ?? 0
    sums.set(region, s)
  }
  return [...sums.entries()].map(([region, s]) => ({ region, ...s })).sort((a, b) => b.it - a.it)
}

export default function EnergyPage() {
  const { t, f, locale } = useI18n()
  const label = useLabeler()
  const [params, setParams] = useSearchParams()
  const onlyOver = params.get('show') === 'over'
  const regions = useRegions()
  const clusters = useClusters()
  const national = useLedger({ groupBy: [], limit: 1 })
  const bySite = useLedger({ groupBy: ['site', 'hub'], limit: 10_000 })
  const byHub = useLedger({ groupBy: ['hub'], limit: 100 })
  const byProvince = useLedger({ groupBy: ['province'], limit: 100 })
  const history = useHistory({ hours: 24 })
  const hubs = regions.data?.hubs ?? []
  const provinces = regions.data?.provinces ?? []

  const sites = useMemo(() => {
    const provinceOf = new Map((clusters.data?.clusters ?? []).map((c) => [c.site, c.province]))
    return siteRows(bySite.data?.groups ?? [], hubs, provinceOf).sort((a, b) => (b.pue ?? 0) - (a.pue ?? 0))
  }, [bySite.data, hubs, clusters.data])
  const shownSites = onlyOver ? sites.filter((s) => s.meets === false) : sites
  const over = sites.filter((s) => s.meets === false).length
  const targets: ReferenceMark[] = [
    ...new Set([...hubs.map((h) => h.pueTargetMax).filter((v): v is number => v !== null), NATIONAL_PUE_TARGET]),
  ]
    .sort()
    .map((value, i) => ({
      value,
      label:
        value === NATIONAL_PUE_TARGET
          ? t('energy.nationalTarget', { value: f.pue(value) })
          : t('energy.hubTarget', { value: f.pue(value) }),
      colour: ['#a8071a', '#614700', '#434343'][i % 3],
    }))

  const columns: ColumnsType<SiteRow> = [
    {
      key: 'site',
      title: t('dim.site'),
      width: 260,
      fixed: 'left',
      ellipsis: true,
      render: (_, s) => (
        <Link
          to={`/ledger?${new URLSearchParams({ ...(s.province ? { province: s.province } : {}), site: s.site }).toString()}`}
          title={s.site}
        >
          {label('site', s.site)}
        </Link>
      ),
    },
    { key: 'province', title: t('dim.province'), width: 120, render: (_, s) => label('province', s.province) },
    { key: 'hub', title: t('dim.hub'), width: 200, ellipsis: true, render: (_, s) => label('hub', s.hub) },
    {
      key: 'pue',
      title: t('measure.pue'),
      width: 90,
      align: 'right',
      sorter: (a, b) => (a.pue ?? 0) - (b.pue ?? 0),
      render: (_, s) => <span data-value={s.pue ?? ''}>{f.pue(s.pue)}</span>,
    },
    {
      key: 'target',
      title: t('energy.target'),
      width: 150,
      render: (_, s) => `${f.pue(s.target.target)} (${s.target.source === 'hub' ? t('energy.targetHub') : t('energy.targetNational')})`,
    },
    {
      key: 'status',
      title: t('energy.status'),
      width: 110,
      render: (_, s) =>
        s.meets === null ? (
          f.missing
        ) : (
          <span className={s.meets ? 'pill pill-meets' : 'pill pill-over'}>{s.meets ? t('energy.meets') : t('energy.over')}</span>
        ),
    },
    {
      key: 'green',
      title: t('measure.greenShare'),
      width: 110,
      align: 'right',
      sorter: (a, b) => (a.greenShare ?? 0) - (b.greenShare ?? 0),
      render: (_, s) => f.percent(s.greenShare),
    },
    {
      key: 'carbon',
      title: t('measure.carbon'),
      width: 150,
      align: 'right',
      sorter: (a, b) => (a.carbon ?? 0) - (b.carbon ?? 0),
      render: (_, s) => f.carbon(s.carbon),
    },
    {
      key: 'it',
      title: t('measure.itPower'),
      width: 110,
      align: 'right',
      sorter: (a, b) => a.itPowerKw - b.itPowerKw,
      render: (_, s) => f.power(s.itPowerKw),
    },
  ]

  return (
    <>
      <PageHeader title={t('energy.title')} description={t('energy.description')} />
      <Section title={t('energy.national')} id="national">
        <QueryState
          query={national}
          minHeight={100}
          isEmpty={(l) => !l.total.energy || l.total.energy.clustersReporting === 0}
          emptyText={t('overview.noEnergy')}
        >
          {(l) => {
            const e = l.total.energy
            return (
              <div className="stat-grid">
                <StatCard
                  label={t('measure.pue')}
                  testId="energy-pue"
                  raw={e?.pue ?? null}
                  value={f.pue(e?.pue)}
                  hint={t('overview.pueTarget', { target: f.pue(NATIONAL_PUE_TARGET) })}
                />
                <StatCard
                  label={t('measure.greenShare')}
                  testId="energy-green-share"
                  raw={e?.greenShare ?? null}
                  value={f.percent(e?.greenShare)}
                />
                <StatCard
                  label={t('measure.carbon')}
                  testId="energy-carbon"
                  raw={e?.carbonIntensityKgPerKwh ?? null}
                  value={f.carbon(e?.carbonIntensityKgPerKwh)}
                />
                <StatCard
                  label={t('measure.itPower')}
                  testId="energy-it-power"
                  raw={e?.itPowerKw ?? null}
                  value={f.power(e?.itPowerKw)}
                  hint={t('overview.facilityPower', { power: f.power(e?.facilityPowerKw) })}
                />
                <StatCard
                  label={t('energy.sitesOver')}
                  testId="energy-sites-over"
                  raw={over}
                  value={f.integer(over)}
                  hint={t('energy.sitesOf', { n: f.integer(sites.length) })}
                />
              </div>
            )
          }}
        </QueryState>
      </Section>
      <Section title={t('energy.pueByHub')} id="pue-hub">
        <p className="note">{t('energy.targetNote', { value: f.pue(NATIONAL_PUE_TARGET) })}</p>
        <QueryState query={byHub} minHeight={240} isEmpty={(l) => l.groups.length === 0}>
          {(l) => {
            const rows = l.groups
              .filter((g) => g.energy?.pue != null)
              .map((g) => {
                const target = pueTargetFor(g.key.hub, hubs)
                const pue = g.energy?.pue ?? null
                return { hub: g.key.hub ?? null, pue, target, meets: pue !== null && pue <= target.target }
              })
              .sort((a, b) => (a.pue ?? 0) - (b.pue ?? 0))
            return (
              <HorizontalBarChart
                testId="pue-hub-chart"
                data={rows.map((r) => ({ label: label('hub', r.hub), value: r.pue, colour: r.meets ? PASS : FAIL }))}
                references={targets}
                domain={[1, 'auto']}
                labelWidth={locale === 'zh-CN' ? 200 : 260}
                format={(v) => f.pue(v)}
                summary={t('energy.pueHubSummary', {
                  list: rows
                    .map(
                      (r) =>
                        `${label('hub', r.hub)} ${f.pue(r.pue)} (${t('energy.target')} ${f.pue(r.target.target)}, ${r.meets ? t('energy.meets') : t('energy.over')})`,
                    )
                    .join('; '),
                })}
              />
            )
          }}
        </QueryState>
        <ul className="legend" aria-hidden="true">
          <li>
            <i className="swatch" style={{ background: PASS }} />
            {t('energy.meets')}
          </li>
          <li>
            <i className="swatch" style={{ background: FAIL }} />
            {t('energy.over')}
          </li>
        </ul>
      </Section>
      <Section
        title={t('energy.pueBySite')}
        id="pue-site"
        extra={
          <Select
            aria-label={t('energy.show')}
            value={onlyOver ? 'over' : 'all'}
            style={{ minWidth: 160 }}
            onChange={(v: string) => {
              const next = new URLSearchParams(params)
              if (v === 'over') next.set('show', 'over')
              else next.delete('show')
              setParams(next, { replace: true })
            }}
            options={[
              { value: 'all', label: t('energy.showAll') },
              { value: 'over', label: t('energy.showOver') },
            ]}
          />
        }
      >
        <QueryState query={bySite} minHeight={240} isEmpty={() => sites.length === 0}>
          {() => (
            <Table<SiteRow>
              data-testid="site-pue-table"
              size="small"
              rowKey="site"
              columns={columns}
              dataSource={shownSites}
              pagination={false}
              virtual={shownSites.length > 60}
              scroll={{ x: 1300, y: shownSites.length > 60 ? 480 : undefined }}
              showSorterTooltip={false}
              title={() => (
                <span className="table-caption">{t('energy.siteCaption', { n: f.integer(shownSites.length), over: f.integer(over) })}</span>
              )}
            />
          )}
        </QueryState>
      </Section>
      <div className="two-col">
        <Section title={t('energy.greenByProvince')} id="green">
          <QueryState query={byProvince} minHeight={240} isEmpty={(l) => l.groups.length === 0}>
            {(l) => {
              const rows = l.groups
                .filter((g) => g.energy?.greenShare != null)
                .map((g) => ({
                  province: g.key.province ?? '',
                  green: g.energy?.greenShare ?? null,
                  carbon: g.energy?.carbonIntensityKgPerKwh ?? null,
                }))
                .sort((a, b) => (b.green ?? 0) - (a.green ?? 0))
              return (
                <HorizontalBarChart
                  testId="green-province-chart"
                  barSize={14}
                  labelWidth={locale === 'zh-CN' ? 120 : 170}
                  domain={[0, 1]}
                  data={rows.map((r) => ({ label: label('province', r.province), value: r.green, colour: '#2f7d32' }))}
                  format={(v) => f.percent(v, 0)}
                  summary={t('energy.greenSummary', {
                    list: rows
                      .slice(0, 8)
                      .map((r) => `${label('province', r.province)} ${f.percent(r.green)} (${f.carbon(r.carbon)})`)
                      .join(', '),
                  })}
                />
              )
            }}
          </QueryState>
        </Section>
        <Section title={t('energy.carbonByProvince')} id="carbon">
          <QueryState query={byProvince} minHeight={240} isEmpty={(l) => l.groups.length === 0}>
            {(l) => {
              const rows = l.groups
                .filter((g) => g.energy?.carbonIntensityKgPerKwh != null)
                .map((g) => ({ province: g.key.province ?? '', carbon: g.energy?.carbonIntensityKgPerKwh ?? null }))
                .sort((a, b) => (a.carbon ?? 0) - (b.carbon ?? 0))
              return (
                <HorizontalBarChart
                  testId="carbon-province-chart"
                  barSize={14}
                  labelWidth={locale === 'zh-CN' ? 120 : 170}
                  data={rows.map((r) => ({ label: label('province', r.province), value: r.carbon, colour: '#595959' }))}
                  format={(v) => f.number(v, 2)}
                  summary={t('energy.carbonSummary', {
                    list: rows
                      .slice(0, 8)
                      .map((r) => `${label('province', r.province)} ${f.carbon(r.carbon)}`)
                      .join(', '),
                  })}
                />
              )
            }}
          </QueryState>
        </Section>
      </div>
      <div className="two-col">
        <Section title={t('energy.powerByRegion')} id="power">
          <QueryState query={byProvince} minHeight={240} isEmpty={(l) => l.groups.length === 0}>
            {(l) => {
              const rows = byGridRegion(l.groups, provinces, locale === 'zh-CN')
              return (
                <>
                  <HorizontalBarChart
                    testId="power-region-chart"
                    labelWidth={locale === 'zh-CN' ? 80 : 120}
                    data={rows.map((r) => ({ label: r.region, value: r.it, colour: '#0958d9' }))}
                    format={(v) => f.power(v)}
                    summary={t('energy.powerSummary', {
                      list: rows.map((r) => `${r.region} ${f.power(r.it)} (${f.power(r.facility)})`).join(', '),
                    })}
                  />
                  <p className="note">{t('energy.powerNote')}</p>
                </>
              )
            }}
          </QueryState>
        </Section>
        <Section title={t('energy.trend')} id="energy-trend">
          <QueryState
            query={history}
            minHeight={240}
            isEmpty={(h) => h.t.length === 0 || h.series.length === 0}
            emptyText={t('overview.trendEmpty')}
          >
            {(h) => {
              const s = h.series[0]
              if (!s) return null
              return (
                <TimeSeriesChart
                  t={h.t}
                  testId="energy-trend-chart"
                  format={(v) => f.power(v)}
                  series={[{ name: t('measure.itPower'), values: s.itPowerKw, colour: '#0958d9' }]}
                  summary={t('energy.trendSummary', {
                    power: f.power(latest(s.itPowerKw)),
                    green: f.percent(latest(s.greenShare)),
                    pue: f.pue(latest(s.pue)),
                  })}
                />
              )
            }}
          </QueryState>
        </Section>
      </div>
    </>
  )
}
