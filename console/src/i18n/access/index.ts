import { useMemo } from 'react'
import type { AdminMessageKey } from '../admin/zh-CN'
import { type I18n, interpolate, type Locale, useI18n, type Vars } from '../index'
import type { SchedulingMessageKey } from '../scheduling/zh-CN'
import type { MessageKey } from '../zh-CN'
import { accessEn } from './en'
import { type AccessMessageKey, type AccessMessages, accessZhCN } from './zh-CN'

export type { AccessMessageKey } from './zh-CN'

/** Translates a key of the core table or of the sign-in and access table. */
export type AccessTranslate = (key: MessageKey | AccessMessageKey, vars?: Vars) => string

export interface AccessI18n extends Omit<I18n, 't'> {
  t: AccessTranslate
}

const TABLES: Readonly<Record<Locale, AccessMessages>> = { 'zh-CN': accessZhCN, en: accessEn }

/**
 * `useI18n` for the sign-in form and the access messages: the same language and formatters, and a `t` that
 * also knows their keys. Their table is imported here, so it loads with them, never with the first route.
 */
export function useAccessI18n(): AccessI18n {
  const i18n = useI18n()
  return useMemo(() => {
    const table = TABLES[i18n.locale]
    const t: AccessTranslate = (key, vars) =>
      Object.hasOwn(table, key) ? interpolate(table[key as AccessMessageKey], vars) : i18n.t(key as MessageKey, vars)
    return { ...i18n, t }
  }, [i18n])
}

/** The key when this table has it (`perm.census:read`…), else null. */
export function accessKey(key: string): AccessMessageKey | null {
  return Object.hasOwn(accessZhCN, key) ? (key as AccessMessageKey) : null
}

// Compile-time: no key of this table shadows a key of another.
type Overlap = Extract<AccessMessageKey, MessageKey | AdminMessageKey | SchedulingMessageKey>
export const noSharedKeys: [Overlap] extends [never] ? true : Overlap = true
