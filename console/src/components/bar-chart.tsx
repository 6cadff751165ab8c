import { Bar, BarChart, CartesianGrid, Cell, LabelList, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts'
import { useI18n } from '../i18n'
import { ChartFrame } from './chart-frame'

export interface BarDatum {
  label: string
  value: number | null
  colour?: string
}

export interface ReferenceMark {
  value: number
  label: string
  colour?: string
}

export interface HorizontalBarChartProps {
  data: readonly BarDatum[]
  format: (value: number) => string
  summary: string
  references?: readonly ReferenceMark[]
  /** Pixels per bar; the chart grows with the data. */
  barSize?: number
  labelWidth?: number
  domain?: [number | 'auto', number | 'auto']
  testId?: string
}

/** Shortens a category label to fit `width` pixels at 12 px (CJK characters count double). */
export function fitLabel(label: string, width: number): string {
  let used = 0
  let out = ''
  for (const ch of label) {
    used += (ch.codePointAt(0) ?? 0) >= 0x2e80 ? 12 : 7
    if (used > width - 12) return `${out}…`
    out += ch
  }
  return out
}

/** Horizontal bars, one per category, value labels at the bar ends, optional target lines. */
export function HorizontalBarChart({
  data,
  format,
  summary,
  references = [],
  barSize = 22,
  labelWidth = 120,
  domain = [0, 'auto'],
  testId,
}: HorizontalBarChartProps) {
  const { f } = useI18n()
  const height = Math.max(120, data.length * (barSize + 8) + (references.length > 0 ? 56 : 36))
  const rows = data.map((d) => ({ label: d.label, value: d.value, colour: d.colour ?? '#0958d9' }))
  return (
    <ChartFrame summary={summary} height={height} testId={testId}>
      <BarChart
        responsive
        layout="vertical"
        data={rows}
        accessibilityLayer={false}
        style={{ width: '100%', height }}
        margin={{ top: references.length > 0 ? 24 : 4, right: 72, bottom: 4, left: 4 }}
      >
        <CartesianGrid stroke="#e5e5e5" horizontal={false} />
        <XAxis type="number" domain={domain} tickFormatter={(v: number) => format(v)} tick={{ fill: '#434343', fontSize: 12 }} />
        <YAxis
          type="category"
          dataKey="label"
          width={labelWidth}
          tick={{ fill: '#262626', fontSize: 12 }}
          tickFormatter={(v: string) => fitLabel(v, labelWidth)}
          interval={0}
        />
        <Tooltip formatter={(v) => (typeof v === 'number' ? format(v) : f.missing)} cursor={{ fill: 'rgba(0,0,0,0.04)' }} />
        <Bar dataKey="value" barSize={barSize} isAnimationActive={false}>
          {rows.map((r) => (
            <Cell key={r.label} fill={r.colour} />
          ))}
          <LabelList
            dataKey="value"
            position="right"
            fill="#262626"
            fontSize={12}
            formatter={(v: unknown) => (typeof v === 'number' ? format(v) : f.missing)}
          />
        </Bar>
        {references.map((r) => (
          <ReferenceLine
            key={`${r.label}-${r.value}`}
            x={r.value}
            stroke={r.colour ?? '#a8071a'}
            strokeDasharray="4 3"
            label={{ value: r.label, position: 'top', fill: r.colour ?? '#a8071a', fontSize: 12 }}
          />
        ))}
      </BarChart>
    </ChartFrame>
  )
}
