import { lazy, Suspense, useEffect, useState } from 'react'
import { useI18n } from '../i18n'
import { openAdminTokenDialog, useAdminToken } from '../lib/admin-token'

// The dialog (antd Modal and Input.Password) loads on first use: the first route carries only this button.
const loadDialog = () => import('./admin-token-dialog')
const AdminTokenDialog = lazy(loadDialog)

/** The header's "administrator token" button: says whether a token is set for this tab, opens the dialog. */
export function AdminTokenControl() {
  const { t } = useI18n()
  const { token, dialogOpen } = useAdminToken()
  const [mounted, setMounted] = useState(false)
  useEffect(() => {
    if (dialogOpen) setMounted(true)
  }, [dialogOpen])
  return (
    <>
      <button
        type="button"
        className="header-button"
        data-testid="admin-token-button"
        data-token-set={token ? 'true' : 'false'}
        aria-haspopup="dialog"
        onClick={openAdminTokenDialog}
        onPointerEnter={() => void loadDialog()}
        onFocus={() => void loadDialog()}
      >
        <span className={token ? 'token-dot token-dot-set' : 'token-dot'} aria-hidden="true" />
        {t('admin.button')}
        <span className="header-button-state">{token ? t('admin.stateSet') : t('admin.stateMissing')}</span>
      </button>
      {mounted || dialogOpen ? (
        <Suspense fallback={null}>
          <AdminTokenDialog open={dialogOpen} />
        </Suspense>
      ) : null}
    </>
  )
}
