import type { ClusterNode, ClusterSummary } from '@suanpan/control-plane/schemas'
import { useQuery } from '@tanstack/react-query'
import { getJson } from './client'

export interface ClusterList {
  clusters: ClusterSummary[]
}

export interface ClusterNodes {
  clusterId: string
  fullSequence: number
  usageSequence: number | null
  nodes: ClusterNode[]
}

/** `GET /api/v1/clusters`: registered clusters with liveness and site names. */
export function useClusters() {
  return useQuery({
    queryKey: ['clusters'],
    queryFn: ({ signal }) => getJson<ClusterList>('clusters', {}, signal),
    staleTime: 60_000,
    refetchInterval: 60_000,
  })
}

/** `GET /api/v1/clusters/:id/nodes`: one cluster's classified nodes (the last level of the drill-down). */
export function useClusterNodes(clusterId: string | null) {
  return useQuery({
    queryKey: ['cluster-nodes', clusterId],
    queryFn: ({ signal }) => getJson<ClusterNodes>(`clusters/${encodeURIComponent(clusterId ?? '')}/nodes`, {}, signal),
    enabled: clusterId !== null,
    refetchInterval: 30_000,
  })
}
