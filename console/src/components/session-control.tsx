import { lazy, Suspense, useEffect, useState } from 'react'
import { signOut } from '../api/session'
import { roleLabel, scopeLabel, useI18n } from '../i18n'
import { openSignInDialog, useSession } from '../lib/session'

// The form (antd Form, Modal, Input.Password) loads on first use: the first route carries only this control.
export const loadSignInDialog = () => import('./sign-in-dialog')
const SignInDialog = lazy(loadSignInDialog)

/**
 * The header's account control: "登录 / Sign in" (opens the dialog), or who is signed in — user, role and
 * scope in words — with "退出登录 / Sign out".
 */
export function SessionControl() {
  const { t } = useI18n()
  const { user, csrfToken, dialogOpen } = useSession()
  const [mounted, setMounted] = useState(false)
  const [leaving, setLeaving] = useState(false)
  useEffect(() => {
    if (dialogOpen) setMounted(true)
  }, [dialogOpen])
  const dialog =
    mounted || dialogOpen ? (
      <Suspense fallback={null}>
        <SignInDialog open={dialogOpen} />
      </Suspense>
    ) : null

  if (!user) {
    return (
      <>
        <button
          type="button"
          className="header-button"
          data-testid="sign-in-button"
          aria-haspopup="dialog"
          onClick={openSignInDialog}
          onPointerEnter={() => void loadSignInDialog()}
          onFocus={() => void loadSignInDialog()}
        >
          {t('session.signIn')}
        </button>
        {dialog}
      </>
    )
  }

  const role = roleLabel(t, user.role)
  const scope = scopeLabel(t, user.scope)
  const leave = async () => {
    setLeaving(true)
    try {
      await signOut()
    } catch {
      // Forgotten in this tab either way; the cookie ends with its 8 hours.
    } finally {
      setLeaving(false)
    }
  }
  return (
    <>
      <span
        className="session-user"
        data-testid="session-user"
        data-username={user.username}
        data-role={user.role}
        data-scope={user.scope}
        data-csrf={csrfToken ? 'true' : 'false'}
        title={csrfToken ? t('session.current', { name: user.username, role, scope }) : t('session.noCsrf')}
      >
        <span className="session-name" data-testid="session-name">
          {user.username}
        </span>
        <span className="session-role" data-testid="session-role">
          {role} · {scope}
        </span>
      </span>
      <button type="button" className="header-button" data-testid="sign-out-button" disabled={leaving} onClick={() => void leave()}>
        {leaving ? t('session.signingOut') : t('session.signOut')}
      </button>
      {dialog}
    </>
  )
}
