import { Link } from 'react-router'
import { useI18n } from '../i18n'

export interface Crumb {
  label: string
  /** Where the crumb leads; the last crumb (the current level) has none. */
  to?: string
  testId?: string
}

export function Breadcrumbs({ items }: { items: readonly Crumb[] }) {
  const { t } = useI18n()
  return (
    <nav aria-label={t('ledger.breadcrumbs')} className="breadcrumbs" data-testid="breadcrumbs">
      <ol>
        {items.map((item, i) => (
          <li key={item.testId ?? item.label}>
            {item.to && i < items.length - 1 ? (
              <Link to={item.to} data-testid={item.testId}>
                {item.label}
              </Link>
            ) : (
              <span aria-current="page" data-testid={item.testId}>
                {item.label}
              </span>
            )}
          </li>
        ))}
      </ol>
    </nav>
  )
}
