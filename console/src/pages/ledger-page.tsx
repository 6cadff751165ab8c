import type { ClusterNode, ClusterSummary, LedgerDimension } from '@suanpan/control-plane/schemas'
import Button from 'antd/es/button'
import Input from 'antd/es/input'
import Select from 'antd/es/select'
import Tag from 'antd/es/tag'
import { useMemo } from 'react'
import { Link, useSearchParams } from 'react-router'
import { useClusterNodes, useClusters } from '../api/clusters'
import { useLedger } from '../api/ledger'
import { useRegions } from '../api/regions'
import { Breadcrumbs, type Crumb } from '../components/breadcrumbs'
import { LedgerTable } from '../components/ledger-table'
import { NodeTable } from '../components/node-table'
import { PageHeader, Section } from '../components/page-header'
import { QueryState } from '../components/query-state'
import { StatCard } from '../components/stat-card'
import { TileMap } from '../components/tile-map'
import { type Translate, useI18n } from '../i18n'
import type { Labeler } from '../i18n/labels'
import { useLabeler } from '../i18n/use-labeler'
import { downloadText, plainNumber, toCsv } from '../lib/csv'
import { ACCELERATOR_KINDS, DRILL_PATH, type DrillDimension, isDeviceDimension, LEDGER_DIMENSIONS } from '../lib/dimensions'
import type { Formatters } from '../lib/format'
import { buildRows, exportHeader, exportValue, filterRows, type LedgerTableRow, sortRows } from '../lib/ledger-table'
import {
  drillParams,
  type LedgerViewState,
  nonLocationFilters,
  type ParamPatch,
  parseLedgerView,
  patchParams,
  upParams,
} from '../lib/ledger-view'
import { MAP_MEASURES, MEASURES, TABLE_MEASURES } from '../lib/measures'

const EXTRA_FILTERS: readonly LedgerDimension[] = ['city', 'hub', 'level', 'platform', 'vendor', 'model', 'arch']
const KIND_OPTIONS = ['CPU', ...ACCELERATOR_KINDS] as const

const href = (params: URLSearchParams) => `?${params.toString()}`

/** Where a row's drill link leads: the value's parents come from the cluster list so breadcrumbs stay whole. */
function parentsOf(dim: DrillDimension, value: string, clusters: readonly ClusterSummary[]) {
  const c =
    dim === 'cluster' ? clusters.find((x) => x.clusterId === value) : dim === 'site' ? clusters.find((x) => x.site === value) : undefined
  return { province: c?.province ?? null, site: dim === 'cluster' ? (c?.site ?? null) : null }
}

function crumbsFor(view: LedgerViewState, params: URLSearchParams, label: Labeler, t: Translate): Crumb[] {
  const crumbs: Crumb[] = [{ label: t('ledger.national'), to: href(upParams(params, null)), testId: 'crumb-national' }]
  for (const dim of DRILL_PATH) {
    const values = view.filters[dim]
    if (values?.length !== 1) break
    crumbs.push({ label: label(dim, values[0]), to: href(upParams(params, dim)), testId: `crumb-${dim}` })
  }
  return crumbs
}

function nodesCsv(nodes: readonly ClusterNode[], t: Translate): string {
  const headers = [
    t('node.name'),
    t('node.arch'),
    t('node.cpu'),
    t('node.cores'),
    t('csv.withUnit', { label: t('node.memory'), unit: t('unitSymbol.gb') }),
    t('csv.withUnit', { label: t('node.fp32'), unit: t('unitSymbol.tflops') }),
    t('csv.withUnit', { label: t('measure.cpuRequested'), unit: t('unitSymbol.percent') }),
    t('csv.withUnit', { label: t('measure.cpuUsed'), unit: t('unitSymbol.percent') }),
    t('node.accelerators'),
  ]
  const rows = nodes.map((n) => [
    n.name,
    n.arch,
    `${n.cpu.vendor} ${n.cpu.model}`,
    n.cpu.cores,
    plainNumber(n.memoryBytes / 1e9),
    plainNumber(n.cpu.fp32Tflops),
    n.allocatable.cpuMillis > 0 ? plainNumber((100 * n.requested.cpuMillis) / n.allocatable.cpuMillis) : null,
    n.used && n.allocatable.cpuMillis > 0 ? plainNumber((100 * n.used.cpuMillis) / n.allocatable.cpuMillis) : null,
    n.accelerators.map((a) => `${a.devices} x ${a.vendor} ${a.model}`).join('; '),
  ])
  return toCsv(headers, rows)
}

function rowsCsv(rows: readonly LedgerTableRow[], groupBy: readonly LedgerDimension[], t: Translate): string {
  const headers = [...groupBy.map((d) => t(`dim.${d}`)), ...TABLE_MEASURES.map((m) => exportHeader(m, t))]
  return toCsv(
    headers,
    rows.map((r) => [...groupBy.map((d) => r.labels[d] ?? ''), ...TABLE_MEASURES.map((m) => exportValue(m, r.group))]),
  )
}

const stamp = () => new Date().toISOString().slice(0, 16).replace(/[:T]/g, '')

function NodeLevel({ clusterId, f, t }: { clusterId: string; f: Formatters; t: Translate }) {
  const nodes = useClusterNodes(clusterId)
  const ledger = useLedger({ groupBy: ['cluster'], filters: { cluster: [clusterId] }, limit: 1 })
  const g = ledger.data?.groups[0]
  return (
    <>
      {g ? (
        <div className="stat-grid stat-grid-4">
          <StatCard label={t('measure.nodes')} testId="cluster-nodes" raw={g.nodes} value={f.integer(g.nodes)} />
          <StatCard label={t('measure.fp32')} testId="cluster-fp32" raw={g.compute.fp32Pflops} value={f.pflops(g.compute.fp32Pflops)} />
          <StatCard
            label={t('measure.fp16')}
            testId="cluster-fp16"
            raw={g.compute.fp16DensePflops}
            value={f.pflops(g.compute.fp16DensePflops)}
            hint={
              g.compute.devicesWithoutFigure.fp16Dense > 0
                ? t('overview.withoutFigure', { n: f.number(g.compute.devicesWithoutFigure.fp16Dense, 2) })
                : undefined
            }
          />
          <StatCard label={t('measure.pue')} testId="cluster-pue" raw={g.energy?.pue ?? null} value={f.pue(g.energy?.pue)} />
        </div>
      ) : null}
      <QueryState query={nodes} minHeight={200} isEmpty={(n) => n.nodes.length === 0} emptyText={t('ledger.noNodes')}>
        {(n) => (
          <>
            <div className="toolbar">
              <span data-testid="row-count" data-value={n.nodes.length}>
                {t('ledger.nodeCount', { n: f.integer(n.nodes.length) })}
              </span>
              <Button
                onClick={() => downloadText(`suanpan-nodes-${clusterId}-${stamp()}.csv`, nodesCsv(n.nodes, t))}
                data-testid="export-csv"
              >
                {t('ledger.export')}
              </Button>
            </div>
            <NodeTable nodes={n.nodes} caption={t('ledger.nodesCaption', { cluster: clusterId })} />
          </>
        )}
      </QueryState>
    </>
  )
}

export default function LedgerPage() {
  const { t, f, locale } = useI18n()
  const [params, setParams] = useSearchParams()
  const view = useMemo(() => parseLedgerView(params), [params])
  const label = useLabeler()
  const regions = useRegions()
  const clusters = useClusters()
  const mapLedger = useLedger({ groupBy: ['province'], filters: nonLocationFilters(view.filters), limit: 100 })
  const tableLedger = useLedger({ groupBy: view.groupBy, filters: view.filters, limit: 10_000 })
  const update = (patch: ParamPatch, replace = false) => setParams(patchParams(params, patch), { replace })

  const rows = useMemo(() => {
    const data = tableLedger.data
    if (!data) return []
    const built = buildRows(data.groups, view.groupBy, label)
    return sortRows(filterRows(built, view.query), view.sort, locale)
  }, [tableLedger.data, view.groupBy, view.query, view.sort, label, locale])

  const deviceView = view.groupBy.some(isDeviceDimension) || Object.keys(view.filters).some((d) => isDeviceDimension(d as LedgerDimension))
  const selectedProvince = view.filters.province?.length === 1 ? (view.filters.province[0] ?? null) : null
  const crumbs = crumbsFor(view, params, label, t)
  const clusterList = clusters.data?.clusters ?? []

  const renderDimension = (row: LedgerTableRow, dim: LedgerDimension) => {
    const value = row.group.key[dim]
    const text = row.labels[dim] ?? f.missing
    if (!value || !(DRILL_PATH as readonly string[]).includes(dim)) return <span title={value ?? undefined}>{text}</span>
    const drill = dim as DrillDimension
    const context = parentsOf(drill, value, clusterList)
    const province = row.group.key.province ?? view.filters.province?.[0] ?? context.province
    const site = row.group.key.site ?? view.filters.site?.[0] ?? context.site
    return (
      <Link to={href(drillParams(params, drill, value, { province, site }))} data-testid={`drill-${dim}`} title={value}>
        {text}
      </Link>
    )
  }

  const extraFilters = EXTRA_FILTERS.flatMap((dim) => (view.filters[dim] ?? []).map((value) => ({ dim, value })))
  const levelTitle = view.cluster
    ? t('ledger.levelNodes')
    : t('ledger.levelGroups', { dims: view.groupBy.map((d) => t(`dim.${d}`)).join(' × ') })

  return (
    <>
      <PageHeader title={t('ledger.title')} description={t('ledger.description')} />
      <Breadcrumbs items={crumbs} />
      {view.cluster ? null : (
        <Section
          title={t('ledger.map')}
          id="map"
          extra={
            <Select
              aria-label={t('ledger.mapMeasure')}
              data-testid="map-measure"
              value={view.measure}
              style={{ minWidth: 200 }}
              onChange={(measure) => update({ measure: measure === 'fp32' ? null : measure }, true)}
              options={MAP_MEASURES.map((m) => ({ value: m, label: t(`measure.${m}`) }))}
            />
          }
        >
          <QueryState query={mapLedger} minHeight={360} isEmpty={(l) => l.groups.length === 0} emptyText={t('ledger.empty')}>
            {(l) => (
              <>
                <TileMap
                  groups={l.groups}
                  provinces={regions.data?.provinces ?? []}
                  measure={view.measure}
                  selected={selectedProvince}
                  onSelect={(code) => setParams(drillParams(params, 'province', code))}
                />
                {MEASURES[view.measure].siteLevel && Object.keys(nonLocationFilters(view.filters)).length > 0 ? (
                  <p className="note">{t('ledger.siteLevelNote')}</p>
                ) : null}
              </>
            )}
          </QueryState>
        </Section>
      )}
      <Section title={levelTitle} id="table">
        {view.cluster ? (
          <NodeLevel clusterId={view.cluster} f={f} t={t} />
        ) : (
          <>
            <search className="toolbar" aria-label={t('ledger.controls')}>
              <div className="control">
                <span>{t('ledger.groupBy')}</span>
                <Select
                  mode="multiple"
                  aria-label={t('ledger.groupBy')}
                  data-testid="group-by"
                  value={view.groupBy}
                  maxCount={3}
                  style={{ minWidth: 220 }}
                  onChange={(dims: LedgerDimension[]) => update({ groupBy: dims.length > 0 ? dims.join(',') : null, sort: null })}
                  options={LEDGER_DIMENSIONS.map((d) => ({ value: d, label: t(`dim.${d}`) }))}
                />
              </div>
              <div className="control">
                <span>{t('dim.kind')}</span>
                <Select
                  mode="multiple"
                  allowClear
                  aria-label={t('ledger.kindFilter')}
                  placeholder={t('ledger.all')}
                  value={view.filters.kind ?? []}
                  style={{ minWidth: 160 }}
                  onChange={(kinds: string[]) => update({ kind: kinds.length > 0 ? kinds.join(',') : null })}
                  options={KIND_OPTIONS.map((k) => ({ value: k, label: label('kind', k) }))}
                />
              </div>
              <div className="control">
                <span>{t('dim.domestic')}</span>
                <Select
                  aria-label={t('ledger.domesticFilter')}
                  value={view.filters.domestic?.[0] ?? ''}
                  style={{ minWidth: 120 }}
                  onChange={(v: string) => update({ domestic: v || null })}
                  options={[
                    { value: '', label: t('ledger.all') },
                    { value: 'true', label: t('domestic.true') },
                    { value: 'false', label: t('domestic.false') },
                  ]}
                />
              </div>
              <div className="control">
                <span>{t('ledger.search')}</span>
                <Input
                  allowClear
                  aria-label={t('ledger.search')}
                  data-testid="table-search"
                  placeholder={t('ledger.searchPlaceholder')}
                  value={view.query}
                  style={{ width: 200 }}
                  onChange={(e) => update({ q: e.target.value || null }, true)}
                />
              </div>
              <Button
                data-testid="export-csv"
                disabled={rows.length === 0}
                onClick={() => downloadText(`suanpan-ledger-${view.groupBy.join('-')}-${stamp()}.csv`, rowsCsv(rows, view.groupBy, t))}
              >
                {t('ledger.export')}
              </Button>
            </search>
            {extraFilters.length > 0 ? (
              <div className="active-filters">
                <span>{t('ledger.activeFilters')}</span>
                {extraFilters.map(({ dim, value }) => (
                  <Tag
                    key={`${dim}-${value}`}
                    closable={{ 'aria-label': t('ledger.removeFilter', { filter: `${t(`dim.${dim}`)}: ${label(dim, value)}` }) }}
                    onClose={() => {
                      const rest = (view.filters[dim] ?? []).filter((v) => v !== value)
                      update({ [dim]: rest.length > 0 ? rest.join(',') : null })
                    }}
                  >
                    {t(`dim.${dim}`)}: {label(dim, value)}
                  </Tag>
                ))}
              </div>
            ) : null}
            {deviceView ? <p className="note">{t('ledger.deviceNote')}</p> : null}
            <QueryState query={tableLedger} minHeight={240} isEmpty={(l) => l.groups.length === 0} emptyText={t('ledger.empty')}>
              {(l) => (
                <>
                  <p className="note">
                    <span data-testid="row-count" data-value={rows.length}>
                      {t('ledger.rowCount', { n: f.integer(rows.length), total: f.integer(l.totalGroups) })}
                    </span>
                    {l.stale.length > 0 ? ` ${t('ledger.staleNote', { n: f.integer(l.stale.length) })}` : ''}
                  </p>
                  <LedgerTable
                    rows={rows}
                    groupBy={view.groupBy}
                    measures={TABLE_MEASURES}
                    sort={view.sort}
                    caption={t('ledger.tableCaption', { dims: view.groupBy.map((d) => t(`dim.${d}`)).join(' × ') })}
                    onSort={(s) => update({ sort: s ? `${s.column}.${s.order}` : null }, true)}
                    renderDimension={renderDimension}
                    loading={tableLedger.isFetching && tableLedger.isPlaceholderData}
                  />
                </>
              )}
            </QueryState>
          </>
        )}
      </Section>
    </>
  )
}
