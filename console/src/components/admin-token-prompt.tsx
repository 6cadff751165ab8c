import Alert from 'antd/es/alert'
import Button from 'antd/es/button'
import { ApiError } from '../api/client'
import { useAdminI18n } from '../i18n/admin'
import { openAdminTokenDialog } from '../lib/admin-token'

/** The administrator token was refused: 401 (missing or wrong token). */
export function isUnauthorized(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 401
}

/** What a page that needs the administrator token shows without one. */
export function AdminTokenMissing({ what }: { what: string }) {
  const { t } = useAdminI18n()
  return (
    <Alert
      type="info"
      showIcon
      data-testid="admin-token-missing"
      title={t('admin.missingTitle', { what })}
      description={t('admin.missingHelp')}
      action={
        <Button type="primary" onClick={openAdminTokenDialog}>
          {t('admin.setToken')}
        </Button>
      }
    />
  )
}

/** What it shows when the API refused the token: the API's own 401 message. */
export function AdminTokenRejected({ error }: { error: ApiError }) {
  const { t } = useAdminI18n()
  return (
    <Alert
      type="error"
      showIcon
      data-testid="admin-token-rejected"
      title={t('admin.rejectedTitle')}
      description={
        <>
          <div>{t('state.errorDetail', { status: error.status, code: error.code, message: error.message })}</div>
          <div>{t('admin.rejectedHelp')}</div>
        </>
      }
      action={<Button onClick={openAdminTokenDialog}>{t('admin.changeToken')}</Button>}
    />
  )
}
