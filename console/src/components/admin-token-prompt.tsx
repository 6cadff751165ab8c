import Alert from 'antd/es/alert'
import Button from 'antd/es/button'
import type { ApiError } from '../api/client'
import { useAdminI18n } from '../i18n/admin'
import { openAdminTokenDialog } from '../lib/admin-token'
import { openSignInDialog } from '../lib/session'
import AccessProblem from './access-problem'

/** What a page that needs a principal shows when neither signed in nor holding the administrator token. */
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
        <div className="alert-actions">
          <Button type="primary" onClick={openSignInDialog} data-testid="missing-sign-in">
            {t('session.signIn')}
          </Button>
          <Button onClick={openAdminTokenDialog}>{t('admin.setToken')}</Button>
        </div>
      }
    />
  )
}

/**
 * The API refused who asked (`isAccessError`): a wrong administrator token (401 to a request that carried
 * it), or, signed in, the role's 403 `FORBIDDEN` ("your role may not…"), a missing CSRF token, an ended session.
 */
export function AccessRefused({ error, what }: { error: ApiError; what?: string }) {
  if (error.status === 401 && error.sentWith === 'token') return <AdminTokenRejected error={error} />
  return <AccessProblem error={error} what={what} />
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
