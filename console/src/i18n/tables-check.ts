import type { accessEn } from './access/en'
import type { AccessMessageKey, accessZhCN } from './access/zh-CN'
import type { adminEn } from './admin/en'
import type { AdminMessageKey, adminZhCN } from './admin/zh-CN'
import type { drillsEn } from './drills/en'
import type { DrillsMessageKey, drillsZhCN } from './drills/zh-CN'
import type { en } from './en'
import type { schedulingEn } from './scheduling/en'
import type { SchedulingMessageKey, schedulingZhCN } from './scheduling/zh-CN'
import type { MessageKey, zhCN } from './zh-CN'

// Compile-time only: both tables must use the same `{placeholders}` in every message (the keys are
// already checked by `satisfies Messages` in en.ts). A mismatch names the offending keys in the error.

type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false

export type PlaceholderMismatch = {
  [K in MessageKey]: Same<Placeholders<(typeof zhCN)[K]>, Placeholders<(typeof en)[K]>> extends true ? never : K
}[MessageKey]

export const placeholdersMatch: [PlaceholderMismatch] extends [never] ? true : PlaceholderMismatch = true

// The same for the census and audit pages' tables (i18n/admin/).
export type AdminPlaceholderMismatch = {
  [K in AdminMessageKey]: Same<Placeholders<(typeof adminZhCN)[K]>, Placeholders<(typeof adminEn)[K]>> extends true ? never : K
}[AdminMessageKey]

export const adminPlaceholdersMatch: [AdminPlaceholderMismatch] extends [never] ? true : AdminPlaceholderMismatch = true

// The same for the scheduling page's tables (i18n/scheduling/).
export type SchedulingPlaceholderMismatch = {
  [K in SchedulingMessageKey]: Same<Placeholders<(typeof schedulingZhCN)[K]>, Placeholders<(typeof schedulingEn)[K]>> extends true
    ? never
    : K
}[SchedulingMessageKey]

export const schedulingPlaceholdersMatch: [SchedulingPlaceholderMismatch] extends [never] ? true : SchedulingPlaceholderMismatch = true

// The same for the sign-in form and access messages' tables (i18n/access/).
export type AccessPlaceholderMismatch = {
  [K in AccessMessageKey]: Same<Placeholders<(typeof accessZhCN)[K]>, Placeholders<(typeof accessEn)[K]>> extends true ? never : K
}[AccessMessageKey]

export const accessPlaceholdersMatch: [AccessPlaceholderMismatch] extends [never] ? true : AccessPlaceholderMismatch = true

// The same for the DR drills page's tables (i18n/drills/).
export type DrillsPlaceholderMismatch = {
  [K in DrillsMessageKey]: Same<Placeholders<(typeof drillsZhCN)[K]>, Placeholders<(typeof drillsEn)[K]>> extends true ? never : K
}[DrillsMessageKey]

export const drillsPlaceholdersMatch: [DrillsPlaceholderMismatch] extends [never] ? true : DrillsPlaceholderMismatch = true
