import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react'
import { createFormatters, type Formatters } from '../lib/format'
import { en } from './en'
import { type MessageKey, type Messages, zhCN } from './zh-CN'

export type { MessageKey } from './zh-CN'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]

const TABLES: Readonly<Record<Locale, Messages>> = { 'zh-CN': zhCN, en }
export const LOCALE_STORAGE_KEY = 'suanpan.locale'

export type Vars = Readonly<Record<string, string | number>>
export type Translate = (key: MessageKey, vars?: Vars) => string

export interface I18n {
  locale: Locale
  setLocale(locale: Locale): void
  t: Translate
  f: Formatters
}

const I18nContext = createContext<I18n | null>(null)

function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

/** zh-CN unless the user chose otherwise before (localStorage may be unavailable: then the default). */
function storedLocale(): Locale {
  try {
    const value = window.localStorage.getItem(LOCALE_STORAGE_KEY)
    return isLocale(value) ? value : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

export function interpolate(template: string, vars?: Vars): string {
  if (!vars) return template
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole))
}

export function createTranslate(locale: Locale): Translate {
  const table = TABLES[locale]
  // The type system guarantees the key; a table edited without type checking shows the key, not a crash.
  return (key, vars) => interpolate(table[key] ?? key, vars)
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(storedLocale)
  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next)
    try {
      window.localStorage.setItem(LOCALE_STORAGE_KEY, next)
    } catch {
      // Private modes may refuse storage: the choice then lasts for this page only.
    }
  }, [])
  useEffect(() => {
    document.documentElement.lang = locale
  }, [locale])
  const value = useMemo<I18n>(() => {
    const t = createTranslate(locale)
    const f = createFormatters(locale, {
      pflops: t('unit.pflops'),
      cores: t('unit.cores'),
      kw: t('unit.kw'),
      mw: t('unit.mw'),
      kgPerKwh: t('unit.kgPerKwh'),
    })
    return { locale, setLocale, t, f }
  }, [locale, setLocale])
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>
}

export function useI18n(): I18n {
  const value = useContext(I18nContext)
  if (!value) throw new Error('useI18n outside I18nProvider')
  return value
}

/** Sets the document title for the current page, in the current language. */
export function useDocumentTitle(title: string): void {
  const { t } = useI18n()
  useEffect(() => {
    document.title = `${title} · ${t('app.name')}`
  }, [title, t])
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(zhCN, key)
}

/** A role of the control plane (`planner`…) in the current language; an unknown one as it is. */
export function roleLabel(t: Translate, role: string): string {
  const key = `role.${role}`
  return isMessageKey(key) ? t(key) : role
}

/** A scope (`national`, a province code, `ministry:<name>`) in the current language: 全国, 北京, … */
export function scopeLabel(t: Translate, scope: string): string {
  if (scope === 'national') return t('scope.national')
  if (scope.startsWith('ministry:')) return t('scope.ministry', { name: scope.slice('ministry:'.length) })
  const key = `province.short.${scope}`
  return isMessageKey(key) ? t(key) : scope
}
