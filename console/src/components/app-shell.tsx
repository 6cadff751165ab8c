import Segmented from 'antd/es/segmented'
import { lazy, Suspense, useEffect, useRef } from 'react'
import { NavLink, Outlet, useLocation } from 'react-router'
import { useSessionCheck } from '../api/session'
import { LOCALES, type Locale, useI18n } from '../i18n'
import type { MessageKey } from '../i18n/zh-CN'
import { clearSignInRequired, useSession } from '../lib/session'
import { AdminTokenControl } from './admin-token-control'
import { PageLoading } from './query-state'
import { SessionControl } from './session-control'

// Shown in place of a page whose reads answered 401 (open reads off, not signed in): loaded only then.
const SignInPanel = lazy(() => import('./sign-in-panel'))

const NAV: readonly { to: string; label: MessageKey }[] = [
  { to: '/', label: 'nav.overview' },
  { to: '/ledger', label: 'nav.ledger' },
  { to: '/utilization', label: 'nav.utilization' },
  { to: '/energy', label: 'nav.energy' },
  { to: '/scheduling', label: 'nav.scheduling' },
  { to: '/drills', label: 'nav.drills' },
  { to: '/census', label: 'nav.census' },
  { to: '/audit', label: 'nav.audit' },
]

const LOCALE_LABEL: Readonly<Record<Locale, MessageKey>> = { 'zh-CN': 'locale.zh-CN', en: 'locale.en' }

function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n()
  return (
    <Segmented<Locale>
      aria-label={t('locale.switch')}
      data-testid="language-switch"
      size="small"
      value={locale}
      onChange={setLocale}
      options={LOCALES.map((l) => ({ value: l, label: <span lang={l}>{t(LOCALE_LABEL[l])}</span> }))}
    />
  )
}

/**
 * Header with navigation, the account control (sign in, or who is signed in and sign out), the
 * administrator token (when not signed in) and the language switch, a skip link, and the page in `<main>`
 * — or the sign-in form when the page's reads need signing in.
 */
export function AppShell() {
  const { t } = useI18n()
  const { pathname } = useLocation()
  const { user, signInRequired } = useSession()
  const main = useRef<HTMLElement>(null)
  const firstRender = useRef(true)
  useSessionCheck()
  // Another page: whether it needs signing in is for its own reads to say.
  useEffect(() => {
    if (pathname) clearSignInRequired()
  }, [pathname])
  // After client-side navigation, move focus to the new page like a full page load would.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false
      return
    }
    if (pathname) main.current?.focus({ preventScroll: true })
  }, [pathname])
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="shell-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            {t('app.mark')}
          </span>
          <span className="brand-name">{t('app.name')}</span>
          <span className="brand-subtitle">{t('app.subtitle')}</span>
        </div>
        <nav aria-label={t('nav.label')} className="shell-nav">
          {NAV.map((item) => (
            <NavLink key={item.to} to={item.to} end={item.to === '/'} className="nav-link">
              {t(item.label)}
            </NavLink>
          ))}
        </nav>
        <div className="shell-tools">
          <SessionControl />
          {/* Signed in, the session is used (the user acts as themself); the token is kept for after signing out. */}
          {user ? null : <AdminTokenControl />}
          <LanguageSwitch />
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} className="shell-main">
        <Suspense fallback={<PageLoading />}>{signInRequired ? <SignInPanel /> : <Outlet />}</Suspense>
      </main>
      <footer className="shell-footer">{t('app.footer')}</footer>
    </div>
  )
}
