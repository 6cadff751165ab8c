import type { ReactNode } from 'react'

export interface StatCardProps {
  label: string
  value: string
  /** The unformatted figure, for machines (tests, scrapers): `data-value`. */
  raw: number | null
  testId: string
  hint?: ReactNode
}

/** One headline figure: label, formatted value, and a machine-readable `data-value`. */
export function StatCard({ label, value, raw, testId, hint }: StatCardProps) {
  return (
    <div className="stat-card">
      <div className="stat-label">{label}</div>
      <div className="stat-value" data-testid={testId} data-value={raw ?? ''}>
        {value}
      </div>
      {hint ? <div className="stat-hint">{hint}</div> : null}
    </div>
  )
}

export interface MeterProps {
  label: string
  value: number | null
  text: string
  testId?: string
}

/** A labelled 0..1 share drawn as a bar; the text carries the figure, the bar is decoration. */
export function Meter({ label, value, text, testId }: MeterProps) {
  const width = value === null ? 0 : Math.max(0, Math.min(1, value)) * 100
  return (
    <div className="meter">
      <div className="meter-row">
        <span>{label}</span>
        <span className="meter-value" data-testid={testId} data-value={value ?? ''}>
          {text}
        </span>
      </div>
      <div className="meter-track" aria-hidden="true">
        <div className="meter-fill" style={{ width: `${width}%` }} />
      </div>
    </div>
  )
}
