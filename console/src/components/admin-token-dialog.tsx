import Button from 'antd/es/button'
import Input from 'antd/es/input'
import Modal from 'antd/es/modal'
import { useEffect, useState } from 'react'
import { useAdminI18n } from '../i18n/admin'
import { closeAdminTokenDialog, setAdminToken, useAdminToken } from '../lib/admin-token'

/** Enter, change or forget the administrator token of this tab (kept in sessionStorage only). */
export default function AdminTokenDialog({ open }: { open: boolean }) {
  const { t } = useAdminI18n()
  const { token } = useAdminToken()
  const [value, setValue] = useState(token ?? '')
  useEffect(() => {
    if (open) setValue(token ?? '')
  }, [open, token])
  const save = () => {
    setAdminToken(value)
    closeAdminTokenDialog()
  }
  const forget = () => {
    setAdminToken(null)
    closeAdminTokenDialog()
  }
  return (
    <Modal
      open={open}
      title={t('admin.dialogTitle')}
      width={480}
      destroyOnHidden
      onCancel={closeAdminTokenDialog}
      onOk={save}
      okText={t('admin.save')}
      cancelText={t('admin.cancel')}
      okButtonProps={{ disabled: value.trim() === '' }}
      footer={(_, { OkBtn, CancelBtn }) => (
        <>
          {token ? (
            <Button danger onClick={forget} data-testid="admin-token-forget">
              {t('admin.forget')}
            </Button>
          ) : null}
          <CancelBtn />
          <OkBtn />
        </>
      )}
    >
      <p className="note">{t('admin.dialogHelp')}</p>
      <label className="field-label" htmlFor="admin-token-input">
        {t('admin.tokenLabel')}
      </label>
      <Input.Password
        id="admin-token-input"
        data-testid="admin-token-input"
        autoFocus
        autoComplete="off"
        spellCheck={false}
        value={value}
        placeholder={t('admin.tokenPlaceholder')}
        onChange={(e) => setValue(e.target.value)}
        onPressEnter={() => {
          if (value.trim() !== '') save()
        }}
      />
      <p className="note">{t('admin.storageNote')}</p>
    </Modal>
  )
}
