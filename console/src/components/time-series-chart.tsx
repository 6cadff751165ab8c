import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts'
import { useI18n } from '../i18n'
import { seriesColour } from '../lib/colour-scale'
import { ChartFrame } from './chart-frame'

export interface TimeSeries {
  name: string
  values: readonly (number | null)[]
  colour?: string
}

export interface TimeSeriesChartProps {
  /** Epoch milliseconds, one per point. */
  t: readonly number[]
  series: readonly TimeSeries[]
  format: (value: number) => string
  summary: string
  height?: number
  yDomain?: [number | 'auto', number | 'auto']
  testId?: string
}

/** Line chart over time (Beijing time axis); gaps where a point is null. */
export function TimeSeriesChart({ t, series, format, summary, height = 280, yDomain = [0, 'auto'], testId }: TimeSeriesChartProps) {
  const { f } = useI18n()
  const data = t.map((time, i) => {
    const row: Record<string, number | null> = { t: time }
    series.forEach((s, k) => {
      row[`s${k}`] = s.values[i] ?? null
    })
    return row
  })
  return (
    <ChartFrame summary={summary} height={height} testId={testId}>
      <LineChart
        responsive
        data={data}
        accessibilityLayer={false}
        style={{ width: '100%', height }}
        margin={{ top: 8, right: 16, bottom: 0, left: 8 }}
      >
        <CartesianGrid stroke="#e5e5e5" vertical={false} />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={['dataMin', 'dataMax']}
          tickFormatter={(v: number) => f.time(v)}
          tick={{ fill: '#434343', fontSize: 12 }}
          minTickGap={24}
        />
        <YAxis domain={yDomain} tickFormatter={(v: number) => format(v)} tick={{ fill: '#434343', fontSize: 12 }} width={72} />
        <Tooltip
          labelFormatter={(v) => (typeof v === 'number' ? f.dateTime(v) : String(v))}
          formatter={(v) => (typeof v === 'number' ? format(v) : f.missing)}
        />
        <Legend wrapperStyle={{ fontSize: 12 }} formatter={(value) => <span className="legend-text">{String(value)}</span>} />
        {series.map((s, k) => (
          <Line
            key={s.name}
            dataKey={`s${k}`}
            name={s.name}
            type="monotone"
            stroke={s.colour ?? seriesColour(k)}
            strokeWidth={2}
            dot={false}
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ChartFrame>
  )
}
