import type { HubCluster } from '@suanpan/control-plane/schemas'

/**
 * National average PUE target for data centres: "平均电能利用效率降至1.5以下" by the end of 2025
 * (《数据中心绿色低碳发展专项行动计划》, NDRC et al., 2024). Sites outside a 东数西算 hub cluster are
 * compared with it; hub sites with their cluster's `pueTargetMax`.
 */
export const NATIONAL_PUE_TARGET = 1.5

export interface PueTarget {
  target: number
  source: 'hub' | 'national'
}

export function pueTargetFor(hubId: string | null | undefined, hubs: readonly HubCluster[]): PueTarget {
  const hub = hubId ? hubs.find((h) => h.id === hubId) : undefined
  if (hub && hub.pueTargetMax !== null) return { target: hub.pueTargetMax, source: 'hub' }
  return { target: NATIONAL_PUE_TARGET, source: 'national' }
}
