import Select from 'antd/es/select'
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts'
import { isAccessError } from '../../api/client'
import { useDrillTrends } from '../../api/drills'
import { AccessRefused } from '../../components/admin-token-prompt'
import { Section } from '../../components/page-header'
import { EmptyState, ErrorState, Loading } from '../../components/query-state'
import { drillLabel, useDrillsI18n } from '../../i18n/drills'
import type { Credentials } from '../../lib/credentials'
import type { DrillScenario, DrillTrend, Verdict } from '../../lib/drills'
import { scenarioTitle, useDuration } from './shared'

/** A dot per run, its verdict's colour (each at least 3:1 on white); the verdict is in the tooltip and the history too. */
const VERDICT_COLOUR: Readonly<Record<Verdict, string>> = {
  pass: '#237804',
  fail: '#cf1322',
  aborted: '#ad6800',
  skipped: '#595959',
}

interface Point {
  t: number
  rto: number | null
  verdict: Verdict
  id: string
}

const HEIGHT = 280

function TrendChart({ trend, target, name }: { trend: DrillTrend; target: number | null; name: string }) {
  const { t, f } = useDrillsI18n()
  const duration = useDuration()
  const points: Point[] = trend.series.map((s) => ({ t: Date.parse(s.startedAt), rto: s.rtoSeconds, verdict: s.verdict, id: s.id }))
  const times = points.map((p) => p.t)
  const first = Math.min(...times)
  const last = Math.max(...times)
  // One run (or all at once): an hour either side, so the point is not on the frame.
  const pad = last - first < 60_000 ? 3_600_000 : (last - first) * 0.04
  const summary = t('drill.trends.summary', {
    scenario: name,
    runs: f.integer(trend.runs),
    passed: f.integer(trend.passed),
    best: duration(trend.rtoSeconds.best),
    median: duration(trend.rtoSeconds.median),
    worst: duration(trend.rtoSeconds.worst),
    last: duration(trend.rtoSeconds.last),
    target: target === null ? f.missing : duration(target),
  })
  return (
    // As ChartFrame does (not imported: sharing it would split it out of the first route's chunks): role="img" with
    // the figures in words as its name; the same figures are in the list above the chart.
    <div className="chart" role="img" aria-label={summary} style={{ height: HEIGHT }} data-testid="drill-trend-chart">
      <LineChart
        responsive
        data={points}
        accessibilityLayer={false}
        style={{ width: '100%', height: HEIGHT }}
        margin={{ top: 16, right: 24, bottom: 0, left: 8 }}
      >
        <CartesianGrid stroke="#e5e5e5" vertical={false} />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={[first - pad, last + pad]}
          tickFormatter={(v: number) => f.dateTime(v)}
          tick={{ fill: '#434343', fontSize: 12 }}
          minTickGap={32}
        />
        <YAxis
          domain={[0, 'auto']}
          tickFormatter={(v: number) => duration(v, 1)}
          tick={{ fill: '#434343', fontSize: 12 }}
          width={72}
          allowDecimals
        />
        <Tooltip
          labelFormatter={(v) => (typeof v === 'number' ? f.timestamp(v) : String(v))}
          formatter={(v, _name, item) => {
            const verdict = (item?.payload as Point | undefined)?.verdict
            const value = typeof v === 'number' ? duration(v) : f.missing
            return [verdict ? `${value} · ${drillLabel(t, 'drill.status', verdict)}` : value, t('drill.trends.rto')]
          }}
        />
        {target !== null ? (
          <ReferenceLine
            y={target}
            stroke="#a8071a"
            strokeDasharray="5 4"
            ifOverflow="extendDomain"
            label={{
              value: t('drill.trends.target', { value: duration(target) }),
              position: 'insideTopRight',
              fill: '#a8071a',
              fontSize: 12,
            }}
          />
        ) : null}
        <Line
          dataKey="rto"
          name={t('drill.trends.rto')}
          type="linear"
          stroke="#0958d9"
          strokeWidth={2}
          connectNulls
          isAnimationActive={false}
          dot={(props) => {
            const p = props.payload as Point
            if (typeof props.cx !== 'number' || typeof props.cy !== 'number' || p.rto === null) return null
            return (
              <circle
                key={p.id}
                cx={props.cx}
                cy={props.cy}
                r={4.5}
                fill={VERDICT_COLOUR[p.verdict] ?? '#595959'}
                stroke="#ffffff"
                strokeWidth={1.5}
              />
            )
          }}
        />
      </LineChart>
    </div>
  )
}

export function TrendsSection({
  auth,
  scenarios,
  selected,
  onSelect,
}: {
  auth: Credentials
  scenarios: readonly DrillScenario[]
  selected: string | null
  onSelect: (scenario: string) => void
}) {
  const { t, f, locale } = useDrillsI18n()
  const duration = useDuration()
  const trends = useDrillTrends(auth)
  const list = trends.data?.trends ?? []
  const byId = new Map(scenarios.map((s) => [s.id, s]))
  const trend = list.find((x) => x.scenario === selected) ?? list[0]

  const body = (() => {
    if (trends.isError && isAccessError(trends.error)) return <AccessRefused error={trends.error} />
    if (trends.isError) return <ErrorState error={trends.error} onRetry={() => void trends.refetch()} minHeight={160} />
    if (trends.isPending) return <Loading minHeight={160} />
    if (!trend) return <EmptyState text={t('drill.trends.empty')} minHeight={120} />
    const scenario = byId.get(trend.scenario)
    const name = scenarioTitle(scenario, trend.scenario, locale)
    const stats: [string, string, string][] = [
      ['runs', t('drill.trends.runs'), f.integer(trend.runs)],
      ['passed', t('drill.trends.passed'), f.integer(trend.passed)],
      ['best', t('drill.trends.best'), duration(trend.rtoSeconds.best)],
      ['median', t('drill.trends.median'), duration(trend.rtoSeconds.median)],
      ['worst', t('drill.trends.worst'), duration(trend.rtoSeconds.worst)],
      ['last', t('drill.trends.last'), duration(trend.rtoSeconds.last)],
      ['direction', t('drill.trends.direction'), drillLabel(t, 'drill.trends.direction', trend.direction)],
    ]
    return (
      <div data-testid="drill-trend" data-scenario={trend.scenario} data-runs={trend.runs}>
        <div className="toolbar">
          <div className="control">
            <span>{t('drill.trends.scenario')}</span>
            <Select
              aria-label={t('drill.trends.pick')}
              data-testid="drill-trend-scenario"
              value={trend.scenario}
              style={{ minWidth: 240 }}
              onChange={(v: string) => onSelect(v)}
              options={list.map((x) => ({ value: x.scenario, label: scenarioTitle(byId.get(x.scenario), x.scenario, locale) }))}
            />
          </div>
        </div>
        <dl className="facts trend-stats">
          {stats.map(([key, label, value]) => (
            <div className="fact" key={key} data-testid={`drill-trend-${key}`}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        <TrendChart trend={trend} target={scenario?.targets.rtoSeconds ?? null} name={name} />
        <p className="note">{t('drill.trends.note')}</p>
      </div>
    )
  })()

  return (
    <Section title={t('drill.trends.title')} id="trends">
      {body}
    </Section>
  )
}
