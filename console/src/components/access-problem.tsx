import Alert from 'antd/es/alert'
import Button from 'antd/es/button'
import type { ApiError } from '../api/client'
import { roleLabel, scopeLabel } from '../i18n'
import { accessKey, useAccessI18n } from '../i18n/access'
import { openSignInDialog, useSession } from '../lib/session'

/** Permissions no scoped principal ever has, whatever its role (NATIONAL_ONLY in control-plane/src/access/roles.ts). */
const NATIONAL_ONLY = new Set([
  'census:read',
  'census:write',
  'evaluation:read',
  'quotas:read',
  'audit:read',
  'users:admin',
  'metrics:read',
  'drills:read',
  'drills:run',
])

/** The permission a 403 `FORBIDDEN` names: "… may not do this: it needs census:write …". */
export function permissionOf(error: ApiError): string | null {
  return /\bneeds ([a-z]+:[a-z]+)/.exec(error.message)?.[1] ?? null
}

/**
 * What the API's refusal means for the person at the screen, in their language: a 403 `FORBIDDEN` as
 * "your role (规划人员 · 全国) may not read the audit trail", a 403 `CSRF_TOKEN_REQUIRED` as "sign in again
 * in this tab", a 401 as "sign in". `what` names the action when the page knows it better than the API.
 */
export default function AccessProblem({ error, what }: { error: ApiError; what?: string }) {
  const { t } = useAccessI18n()
  const { user } = useSession()
  const apiSaid = (
    <div className="cell-note">
      {t('access.apiSaid')}
      <span lang="en">
        {error.status} {error.code}: {error.message}
      </span>
    </div>
  )

  if (error.status === 403 && error.code === 'FORBIDDEN') {
    const permission = permissionOf(error)
    const key = permission ? accessKey(`perm.${permission}`) : null
    const action = what ?? (key ? t(key) : t('access.doThis'))
    const role = user ? `${roleLabel(t, user.role)} · ${scopeLabel(t, user.scope)}` : null
    const scoped = user !== null && user.scope !== 'national'
    return (
      <Alert
        type="warning"
        showIcon
        role="alert"
        data-testid="access-forbidden"
        data-permission={permission ?? ''}
        title={role ? t('access.forbidden', { role, what: action }) : t('access.forbiddenNoRole', { what: action })}
        description={
          <>
            {scoped && permission && NATIONAL_ONLY.has(permission) ? <div>{t('access.nationalOnly')}</div> : null}
            <div>{t('access.forbiddenHelp')}</div>
            {apiSaid}
          </>
        }
        action={<Button onClick={openSignInDialog}>{t('access.switchAccount')}</Button>}
      />
    )
  }
  if (error.status === 403) {
    return (
      <Alert
        type="warning"
        showIcon
        role="alert"
        data-testid="access-csrf"
        title={t('access.csrfTitle')}
        description={
          <>
            <div>{t('access.csrfText')}</div>
            {apiSaid}
          </>
        }
        action={
          <Button type="primary" onClick={openSignInDialog}>
            {t('access.signInAgain')}
          </Button>
        }
      />
    )
  }
  return (
    <Alert
      type="info"
      showIcon
      data-testid="access-sign-in"
      title={t('access.signInTitle')}
      description={
        <>
          <div>{t('access.signInText')}</div>
          {apiSaid}
        </>
      }
      action={
        <Button type="primary" onClick={openSignInDialog}>
          {t('session.signIn')}
        </Button>
      }
    />
  )
}
