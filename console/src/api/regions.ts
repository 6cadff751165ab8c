import type { Regions } from '@suanpan/control-plane/schemas'
import { useQuery } from '@tanstack/react-query'
import { getJson } from './client'

/** `GET /api/v1/regions`: reference data, fetched once per session. */
export function useRegions() {
  return useQuery({
    queryKey: ['regions'],
    queryFn: ({ signal }) => getJson<Regions>('regions', {}, signal),
    staleTime: Number.POSITIVE_INFINITY,
  })
}
