import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts'
import { useI18n } from '../i18n'
import { fitLabel } from './bar-chart'
import { ChartFrame } from './chart-frame'

export interface StackSeries {
  name: string
  colour: string
}

export interface StackedDatum {
  label: string
  /** One value per series, in the order of `series`. */
  values: readonly number[]
}

export interface StackedBarChartProps {
  data: readonly StackedDatum[]
  series: readonly StackSeries[]
  format: (value: number) => string
  summary: string
  barSize?: number
  labelWidth?: number
  testId?: string
}

/** Horizontal bars, one per category, each split into stacked parts (a legend names them). */
export function StackedBarChart({ data, series, format, summary, barSize = 22, labelWidth = 100, testId }: StackedBarChartProps) {
  const { f } = useI18n()
  const height = Math.max(140, data.length * (barSize + 10) + 64)
  const rows = data.map((d) => {
    const row: Record<string, string | number> = { label: d.label }
    series.forEach((_, k) => {
      row[`s${k}`] = d.values[k] ?? 0
    })
    return row
  })
  return (
    <ChartFrame summary={summary} height={height} testId={testId}>
      <BarChart
        responsive
        layout="vertical"
        data={rows}
        accessibilityLayer={false}
        style={{ width: '100%', height }}
        margin={{ top: 4, right: 24, bottom: 4, left: 4 }}
      >
        <CartesianGrid stroke="#e5e5e5" horizontal={false} />
        <XAxis type="number" tickFormatter={(v: number) => format(v)} tick={{ fill: '#434343', fontSize: 12 }} />
        <YAxis
          type="category"
          dataKey="label"
          width={labelWidth}
          tick={{ fill: '#262626', fontSize: 12 }}
          tickFormatter={(v: string) => fitLabel(v, labelWidth)}
          interval={0}
        />
        <Tooltip formatter={(v) => (typeof v === 'number' ? format(v) : f.missing)} cursor={{ fill: 'rgba(0,0,0,0.04)' }} />
        <Legend wrapperStyle={{ fontSize: 12 }} formatter={(value) => <span className="legend-text">{String(value)}</span>} />
        {series.map((s, k) => (
          <Bar key={s.name} dataKey={`s${k}`} name={s.name} stackId="stack" fill={s.colour} barSize={barSize} isAnimationActive={false} />
        ))}
      </BarChart>
    </ChartFrame>
  )
}
