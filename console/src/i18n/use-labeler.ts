import { useMemo } from 'react'
import { useClusters } from '../api/clusters'
import { useRegions } from '../api/regions'
import { useI18n } from './index'
import { createLabeler, type Labeler } from './labels'

/** The labeler for the current language; falls back to raw values until regions and clusters load. */
export function useLabeler(): Labeler {
  const { locale, t } = useI18n()
  const regions = useRegions().data
  const clusters = useClusters().data?.clusters
  return useMemo(() => createLabeler({ locale, t, regions, clusters }), [locale, t, regions, clusters])
}
