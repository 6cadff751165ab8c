import { useMemo } from 'react'
import type { AdminMessageKey } from '../admin/zh-CN'
import { type I18n, interpolate, type Locale, useI18n, type Vars } from '../index'
import type { MessageKey } from '../zh-CN'
import { schedulingEn } from './en'
import { type SchedulingMessageKey, type SchedulingMessages, schedulingZhCN } from './zh-CN'

export type { SchedulingMessageKey } from './zh-CN'

/** Translates a key of the core table or of the scheduling page's table. */
export type SchedulingTranslate = (key: MessageKey | SchedulingMessageKey, vars?: Vars) => string

export interface SchedulingI18n extends Omit<I18n, 't'> {
  t: SchedulingTranslate
}

const TABLES: Readonly<Record<Locale, SchedulingMessages>> = { 'zh-CN': schedulingZhCN, en: schedulingEn }

export function createSchedulingTranslate(locale: Locale, core: I18n['t']): SchedulingTranslate {
  const table = TABLES[locale]
  return (key, vars) => (Object.hasOwn(table, key) ? interpolate(table[key as SchedulingMessageKey], vars) : core(key as MessageKey, vars))
}

/**
 * `useI18n` for the scheduling page: the same language and formatters, and a `t` that also knows its keys.
 * Its table is imported here, so it loads with that page and never with the first route.
 */
export function useSchedulingI18n(): SchedulingI18n {
  const i18n = useI18n()
  return useMemo(() => ({ ...i18n, t: createSchedulingTranslate(i18n.locale, i18n.t) }), [i18n])
}

// Compile-time: no key of this table shadows a core or an admin key.
type Overlap = Extract<SchedulingMessageKey, MessageKey | AdminMessageKey>
export const noSharedKeys: [Overlap] extends [never] ? true : Overlap = true

/** The key when this table has it (labels of API values: states, reasons, decisions), else null. */
export function schedulingKey(key: string): SchedulingMessageKey | null {
  return Object.hasOwn(schedulingZhCN, key) ? (key as SchedulingMessageKey) : null
}

/** The label of an API value (`sched.state.placed`), or the value itself when the table has none. */
export function labelOf(t: SchedulingTranslate, prefix: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  const key = schedulingKey(`${prefix}.${value}`)
  return key ? t(key) : value
}
