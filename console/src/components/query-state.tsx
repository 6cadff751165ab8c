import type { UseQueryResult } from '@tanstack/react-query'
import Alert from 'antd/es/alert'
import Button from 'antd/es/button'
import Empty from 'antd/es/empty'
import Spin from 'antd/es/spin'
import type { ReactNode } from 'react'
import { ApiError } from '../api/client'
import { useI18n } from '../i18n'

export function PageLoading() {
  const { t } = useI18n()
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <Spin />
      <span>{t('state.loading')}</span>
    </div>
  )
}

export function Loading({ label, minHeight }: { label?: string; minHeight?: number }) {
  const { t } = useI18n()
  return (
    <div className="state state-loading" role="status" aria-live="polite" aria-busy="true" style={{ minHeight }}>
      <Spin size="small" />
      <span>{label ?? t('state.loading')}</span>
    </div>
  )
}

export function ErrorState({ error, onRetry, minHeight }: { error: unknown; onRetry?: () => void; minHeight?: number }) {
  const { t } = useI18n()
  const notThere = error instanceof ApiError && (error.code === 'ROUTE_NOT_FOUND' || error.status === 404)
  const detail =
    error instanceof ApiError
      ? t('state.errorDetail', { status: error.status || t('state.network'), code: error.code, message: error.message })
      : String(error)
  return (
    <div className="state" style={{ minHeight }} data-testid="error-state">
      <Alert
        type="error"
        showIcon
        title={notThere ? t('state.notAvailable') : t('state.error')}
        description={detail}
        action={
          onRetry ? (
            <Button size="small" onClick={onRetry}>
              {t('state.retry')}
            </Button>
          ) : undefined
        }
      />
    </div>
  )
}

export function EmptyState({ text, minHeight }: { text?: string; minHeight?: number }) {
  const { t } = useI18n()
  return (
    <div className="state" style={{ minHeight }} data-testid="empty-state">
      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={text ?? t('state.empty')} />
    </div>
  )
}

export interface QueryStateProps<T> {
  query: Pick<UseQueryResult<T>, 'data' | 'error' | 'isPending' | 'isError' | 'refetch'>
  isEmpty?: (data: T) => boolean
  emptyText?: string
  minHeight?: number
  children: (data: T) => ReactNode
}

/** Loading, error (with retry) and empty states around whatever a query feeds. */
export function QueryState<T>({ query, isEmpty, emptyText, minHeight, children }: QueryStateProps<T>) {
  if (query.isPending) return <Loading minHeight={minHeight} />
  if (query.isError || query.data === undefined) {
    return <ErrorState error={query.error} minHeight={minHeight} onRetry={() => void query.refetch()} />
  }
  if (isEmpty?.(query.data)) return <EmptyState text={emptyText} minHeight={minHeight} />
  return <>{children(query.data)}</>
}
