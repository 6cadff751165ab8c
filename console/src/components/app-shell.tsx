import Segmented from 'antd/es/segmented'
import { Suspense, useEffect, useRef } from 'react'
import { NavLink, Outlet, useLocation } from 'react-router'
import { LOCALES, type Locale, useI18n } from '../i18n'
import type { MessageKey } from '../i18n/zh-CN'
import { AdminTokenControl } from './admin-token-control'
import { PageLoading } from './query-state'

const NAV: readonly { to: string; label: MessageKey }[] = [
  { to: '/', label: 'nav.overview' },
  { to: '/ledger', label: 'nav.ledger' },
  { to: '/utilization', label: 'nav.utilization' },
  { to: '/energy', label: 'nav.energy' },
  { to: '/scheduling', label: 'nav.scheduling' },
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

/** Header with navigation and the language switch, a skip link, and the page in `<main>`. */
export function AppShell() {
  const { t } = useI18n()
  const { pathname } = useLocation()
  const main = useRef<HTMLElement>(null)
  const firstRender = useRef(true)
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
          <AdminTokenControl />
          <LanguageSwitch />
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} className="shell-main">
        <Suspense fallback={<PageLoading />}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="shell-footer">{t('app.footer')}</footer>
    </div>
  )
}
