import type { WorkloadPlacement, WorkloadState } from '@suanpan/control-plane/schemas'
import { useMemo } from 'react'
import { Link } from 'react-router'
import { useClusters } from '../../api/clusters'
import { labelOf, type SchedulingTranslate, useSchedulingI18n } from '../../i18n/scheduling'
import { modelOfClassKey } from '../../lib/workloads'

const STATE_PILL: Readonly<Record<WorkloadState, string>> = {
  pending: 'pill pill-late',
  placed: 'pill pill-meets',
  running: 'pill pill-run',
  succeeded: 'pill pill-run',
  failed: 'pill pill-over',
  rejected: 'pill pill-over',
  cancelled: 'pill pill-neutral',
}

export function StatePill({ state }: { state: WorkloadState }) {
  const { t } = useSchedulingI18n()
  return (
    <span className={STATE_PILL[state] ?? 'pill pill-neutral'} data-testid="workload-state" data-state={state}>
      {labelOf(t, 'sched.state', state)}
    </span>
  )
}

/** `WORKLOAD_NEVER_FITS` (the API's 422 code) → `never-fits`, the reason the workload carries. */
export function reasonOfCode(code: string): string {
  return code
    .replace(/^WORKLOAD_/, '')
    .toLowerCase()
    .replace(/_/g, '-')
}

export function reasonLabel(t: SchedulingTranslate, reason: string | null | undefined): string {
  return labelOf(t, 'sched.reason', reason)
}

/** The ledger's node view of a cluster (province → site → cluster), when the cluster is known. */
export function useClusterLinks(): (clusterId: string) => string | null {
  const clusters = useClusters().data?.clusters
  return useMemo(() => {
    const byId = new Map(clusters?.map((c) => [c.clusterId, c]))
    return (clusterId: string) => {
      const c = byId.get(clusterId)
      if (!c) return null
      return `/ledger?${new URLSearchParams({ province: c.province, site: c.site, cluster: c.clusterId })}`
    }
  }, [clusters])
}

/** One cluster's share of a workload: the cluster, its replicas and the assignment state, linked to its nodes. */
export function PlacementChip({ placement, link }: { placement: WorkloadPlacement; link: string | null }) {
  const { t, f } = useSchedulingI18n()
  const state = labelOf(t, 'sched.assignment', placement.state)
  const title = t('sched.placementTitle', {
    cluster: placement.clusterId,
    n: f.integer(placement.replicas),
    devices: f.integer(placement.devices),
    model: placement.model ?? modelOfClassKey(placement.classKey) ?? t('sched.cpuOnly'),
    state,
  })
  const body = (
    <>
      <span className="chip-cluster">{t('sched.placementChip', { cluster: placement.clusterId, n: f.integer(placement.replicas) })}</span>
      <span className={`chip-state chip-state-${placement.state}`}>{state}</span>
    </>
  )
  const common = {
    className: 'chip',
    title,
    'data-testid': 'placement-chip',
    'data-cluster': placement.clusterId,
    'data-replicas': placement.replicas,
    'data-state': placement.state,
  }
  return link ? (
    <Link to={link} {...common}>
      {body}
    </Link>
  ) : (
    <span {...common}>{body}</span>
  )
}
