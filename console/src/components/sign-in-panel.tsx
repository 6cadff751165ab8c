import { useAccessI18n } from '../i18n/access'
import { PageHeader } from './page-header'
import { SignInForm } from './sign-in-form'

/** In place of a page whose reads answered 401: the page comes back once signed in. */
export default function SignInPanel() {
  const { t } = useAccessI18n()
  return (
    <div data-testid="sign-in-panel">
      <PageHeader title={t('signIn.requiredTitle')} description={t('signIn.requiredText')} />
      <section className="panel sign-in-panel" aria-label={t('signIn.dialogTitle')}>
        <p className="note">{t('signIn.intro')}</p>
        <SignInForm name="sign-in-page" />
      </section>
    </div>
  )
}
