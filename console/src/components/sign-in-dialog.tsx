import Modal from 'antd/es/modal'
import { useAccessI18n } from '../i18n/access'
import { closeSignInDialog } from '../lib/session'
import { SignInForm } from './sign-in-form'

/** The header's sign-in dialog (loaded on first use); it closes itself once signed in. */
export default function SignInDialog({ open }: { open: boolean }) {
  const { t } = useAccessI18n()
  return (
    <Modal open={open} title={t('signIn.dialogTitle')} width={420} destroyOnHidden footer={null} onCancel={closeSignInDialog}>
      <p className="note">{t('signIn.intro')}</p>
      <SignInForm name="sign-in-dialog" autoFocus />
    </Modal>
  )
}
