import type { ReactNode } from 'react'

export interface ChartFrameProps {
  /** What the chart shows, in words: its accessible name. */
  summary: string
  height: number
  children: ReactNode
  testId?: string
}

/**
 * The one wrapper every chart goes in: `role="img"` with a text summary as its accessible name, since
 * an SVG chart means nothing to a screen reader. The same figures are in a table or text nearby.
 */
export function ChartFrame({ summary, height, children, testId }: ChartFrameProps) {
  return (
    <div className="chart" role="img" aria-label={summary} style={{ height }} data-testid={testId}>
      {children}
    </div>
  )
}
