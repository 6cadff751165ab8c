import { useMemo } from 'react'
import type { AccessMessageKey } from '../access/zh-CN'
import type { AdminMessageKey } from '../admin/zh-CN'
import { type I18n, interpolate, type Locale, useI18n, type Vars } from '../index'
import type { SchedulingMessageKey } from '../scheduling/zh-CN'
import type { MessageKey } from '../zh-CN'
import { drillsEn } from './en'
import { type DrillsMessageKey, type DrillsMessages, drillsZhCN } from './zh-CN'

export type { DrillsMessageKey } from './zh-CN'

/** Translates a key of the core table or of the DR drills page's table. */
export type DrillsTranslate = (key: MessageKey | DrillsMessageKey, vars?: Vars) => string

export interface DrillsI18n extends Omit<I18n, 't'> {
  t: DrillsTranslate
}

const TABLES: Readonly<Record<Locale, DrillsMessages>> = { 'zh-CN': drillsZhCN, en: drillsEn }

export function createDrillsTranslate(locale: Locale, core: I18n['t']): DrillsTranslate {
  const table = TABLES[locale]
  return (key, vars) => (Object.hasOwn(table, key) ? interpolate(table[key as DrillsMessageKey], vars) : core(key as MessageKey, vars))
}

/**
 * `useI18n` for the DR drills page: the same language and formatters, and a `t` that also knows its keys.
 * Its table is imported here, so it loads with that page and never with the first route.
 */
export function useDrillsI18n(): DrillsI18n {
  const i18n = useI18n()
  return useMemo(() => ({ ...i18n, t: createDrillsTranslate(i18n.locale, i18n.t) }), [i18n])
}

// Compile-time: no key of this table shadows a key of another.
type Overlap = Extract<DrillsMessageKey, MessageKey | AdminMessageKey | SchedulingMessageKey | AccessMessageKey>
export const noSharedKeys: [Overlap] extends [never] ? true : Overlap = true

/** The key when this table has it (labels of API values: statuses, triggers, scenario texts), else null. */
export function drillsKey(key: string): DrillsMessageKey | null {
  return Object.hasOwn(drillsZhCN, key) ? (key as DrillsMessageKey) : null
}

/** The label of an API value (`drill.status.pass`), or the value itself when the table has none. */
export function drillLabel(t: DrillsTranslate, prefix: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  const key = drillsKey(`${prefix}.${value}`)
  return key ? t(key) : value
}
