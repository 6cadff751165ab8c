import Alert from 'antd/es/alert'
import Button from 'antd/es/button'
import Form from 'antd/es/form'
import Input from 'antd/es/input'
import { useState } from 'react'
import { ApiError } from '../api/client'
import { signIn } from '../api/session'
import { useAccessI18n } from '../i18n/access'
import { useSession } from '../lib/session'

interface Values {
  username: string
  password: string
}

/**
 * User name and password → `POST /api/v1/session`. The answer's cookie is HttpOnly (this code never sees
 * it); the CSRF token in its body is kept for this tab (`lib/session.ts`). `name` keeps the ids of two
 * forms on one page apart (the page's and the header dialog's).
 */
export function SignInForm({ name, autoFocus = false }: { name: string; autoFocus?: boolean }) {
  const { t } = useAccessI18n()
  const { expired } = useSession()
  const [form] = Form.useForm<Values>()
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<unknown>(null)

  const onFinish = async ({ username, password }: Values) => {
    setPending(true)
    setError(null)
    try {
      // User names are lower-case (the API's pattern); a name typed with capitals is the same account.
      await signIn(username.trim().toLowerCase(), password)
    } catch (e) {
      setError(e)
      form.setFieldValue('password', '')
    } finally {
      setPending(false)
    }
  }

  // A 400 (a name the API's pattern refuses) says no more than a wrong password would.
  const refused = error instanceof ApiError && (error.status === 401 || error.status === 400)
  return (
    <Form<Values>
      form={form}
      name={name}
      layout="vertical"
      requiredMark={false}
      onFinish={(values) => void onFinish(values)}
      onValuesChange={() => setError(null)}
      data-testid="sign-in-form"
      className="sign-in-form"
    >
      {expired ? (
        <Alert type="warning" showIcon className="sign-in-alert" data-testid="sign-in-expired" title={t('signIn.expired')} />
      ) : null}
      <Form.Item
        name="username"
        label={t('signIn.username')}
        rules={[{ required: true, whitespace: true, message: t('signIn.usernameRequired') }]}
      >
        <Input
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={63}
          autoFocus={autoFocus}
          data-testid="sign-in-username"
        />
      </Form.Item>
      <Form.Item name="password" label={t('signIn.password')} rules={[{ required: true, message: t('signIn.passwordRequired') }]}>
        <Input.Password autoComplete="current-password" maxLength={256} data-testid="sign-in-password" />
      </Form.Item>
      <div aria-live="polite">
        {error ? (
          <Alert
            type="error"
            showIcon
            className="sign-in-alert"
            data-testid="sign-in-error"
            data-code={error instanceof ApiError ? error.code : ''}
            title={refused ? t('signIn.failed') : t('signIn.error')}
            description={
              refused
                ? t('signIn.failedText')
                : error instanceof ApiError
                  ? t('state.errorDetail', { status: error.status || t('state.network'), code: error.code, message: error.message })
                  : String(error)
            }
          />
        ) : null}
      </div>
      <Button type="primary" htmlType="submit" block loading={pending} data-testid="sign-in-submit">
        {t('signIn.submit')}
      </Button>
      <p className="note sign-in-note">{t('signIn.cookieNote')}</p>
    </Form>
  )
}
