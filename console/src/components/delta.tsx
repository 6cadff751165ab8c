import { useAdminI18n } from '../i18n/admin'
import { type DeltaMeasure, deltaDirection, formatDelta } from '../lib/census'
import { plainNumber } from '../lib/csv'

/** A change b − a: always signed (+, -, or 0), coloured by direction, with its value in `data-value`. */
export function Delta({ measure, value }: { measure: DeltaMeasure; value: number }) {
  const { f } = useAdminI18n()
  const direction = deltaDirection(measure, value, f)
  return (
    <span className={`delta delta-${direction}`} data-testid="delta" data-direction={direction} data-value={plainNumber(value) ?? ''}>
      {direction === 'none' ? null : (
        <span className="delta-arrow" aria-hidden="true">
          {direction === 'up' ? '▲' : '▼'}
        </span>
      )}
      {formatDelta(measure, value, f)}
    </span>
  )
}

/** (b − a) / a, signed; 0 when the change itself is none at the precision shown; — when a is 0. */
export function RelativeDelta({ measure, a, b }: { measure: DeltaMeasure; a: number; b: number }) {
  const { f } = useAdminI18n()
  const direction = deltaDirection(measure, b - a, f)
  if (direction === 'none') return <span className="delta delta-none">{f.percent(0)}</span>
  if (a === 0) return <span>{f.missing}</span>
  const share = Math.abs((b - a) / a)
  return <span className={`delta delta-${direction}`}>{`${direction === 'up' ? '+' : '-'}${f.percent(share, share < 0.001 ? 3 : 1)}`}</span>
}
