import { useMemo } from 'react'
import { type I18n, interpolate, type Locale, useI18n, type Vars } from '../index'
import type { MessageKey } from '../zh-CN'
import { adminEn } from './en'
import { type AdminMessageKey, type AdminMessages, adminZhCN } from './zh-CN'

export type { AdminMessageKey } from './zh-CN'
/** A key of either table. */
export type AnyMessageKey = MessageKey | AdminMessageKey

/** Translates a key of the core table or of the census and audit pages' table. */
export type AdminTranslate = (key: MessageKey | AdminMessageKey, vars?: Vars) => string

export interface AdminI18n extends Omit<I18n, 't'> {
  t: AdminTranslate
}

const TABLES: Readonly<Record<Locale, AdminMessages>> = { 'zh-CN': adminZhCN, en: adminEn }

export function createAdminTranslate(locale: Locale, core: I18n['t']): AdminTranslate {
  const table = TABLES[locale]
  return (key, vars) => (Object.hasOwn(table, key) ? interpolate(table[key as AdminMessageKey], vars) : core(key as MessageKey, vars))
}

/**
 * `useI18n` for the census and audit pages: the same language and formatters, and a `t` that also knows
 * their keys. Their table is imported here, so it loads with the pages that use this hook and never
 * with the first route; the shell and the other pages cannot name these keys (their `t` rejects them).
 */
export function useAdminI18n(): AdminI18n {
  const i18n = useI18n()
  return useMemo(() => ({ ...i18n, t: createAdminTranslate(i18n.locale, i18n.t) }), [i18n])
}

// Compile-time: no key of this table shadows a core key.
type Overlap = Extract<AdminMessageKey, MessageKey>
export const noSharedKeys: [Overlap] extends [never] ? true : Overlap = true
