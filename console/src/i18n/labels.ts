import type { ClusterSummary, LedgerDimension, Regions } from '@suanpan/control-plane/schemas'
import type { Locale, Translate } from './index'
import type { MessageKey } from './zh-CN'

export interface LabelSources {
  locale: Locale
  t: Translate
  regions: Regions | undefined
  clusters: readonly ClusterSummary[] | undefined
}

export type Labeler = (dim: LedgerDimension, value: string | null | undefined) => string

const LEVELS: Readonly<Record<string, MessageKey>> = {
  national: 'level.national',
  provincial: 'level.provincial',
  ministry: 'level.ministry',
}

const KINDS: Readonly<Record<string, MessageKey>> = {
  CPU: 'kind.CPU',
  GPU: 'kind.GPU',
  NPU: 'kind.NPU',
  DCU: 'kind.DCU',
  XPU: 'kind.XPU',
  unclassified: 'kind.unclassified',
}

/** Display names of ledger dimension values: region and hub names in the current language, site names, enums. */
export function createLabeler({ locale, t, regions, clusters }: LabelSources): Labeler {
  const zh = locale === 'zh-CN'
  const provinces = new Map(regions?.provinces.map((p) => [p.code, zh ? p.nameZh : p.nameEn]))
  const hubs = new Map(regions?.hubs.map((h) => [h.id, zh ? h.nameZh : h.nameEn]))
  const sites = new Map<string, string>()
  for (const c of clusters ?? []) if (c.siteName) sites.set(c.site, c.siteName)
  return (dim, value) => {
    if (value === null || value === undefined || value === '') return dim === 'hub' ? t('value.noHub') : t('value.none')
    switch (dim) {
      case 'province':
        return provinces.get(value) ?? value
      case 'hub':
        return hubs.get(value) ?? value
      // Site names are Chinese proper names; English shows the site id, which is already ASCII.
      case 'site':
        return zh ? (sites.get(value) ?? value) : value
      case 'level': {
        const key = LEVELS[value]
        return key ? t(key) : value
      }
      case 'kind': {
        const key = KINDS[value]
        return key ? t(key) : value
      }
      case 'domestic':
        return value === 'true' ? t('domestic.true') : value === 'false' ? t('domestic.false') : value
      case 'platform': {
        if (value === 'cn') return t('platform.national')
        const province = provinces.get(value.slice(3))
        return province ? t('platform.provincial', { name: province }) : value
      }
      default:
        return value
    }
  }
}
