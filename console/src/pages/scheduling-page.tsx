import { useCallback, useMemo } from 'react'
import { useSearchParams } from 'react-router'
import { AdminTokenMissing } from '../components/admin-token-prompt'
import { PageHeader, Section } from '../components/page-header'
import { useSchedulingI18n } from '../i18n/scheduling'
import { useCredentials } from '../lib/credentials'
import { patchParams } from '../lib/ledger-view'
import { isWorkloadState } from '../lib/workloads'
import { QuotaTable } from './scheduling/quota-table'
import { SubmitWorkload } from './scheduling/submit-form'
import { WhyDrawer } from './scheduling/why-drawer'
import { type QueueView, WorkloadQueue } from './scheduling/workload-queue'
import './scheduling/scheduling.css'

/** The queue filters, its page and the workload whose decision is open, as the URL holds them. */
function parseQueueView(params: URLSearchParams): QueueView {
  const state = params.get('state')
  const page = Number(params.get('page') ?? '1')
  const selected = params.get('workload')
  return {
    state: isWorkloadState(state) ? state : null,
    department: params.get('department') || null,
    page: Number.isInteger(page) && page > 0 ? page : 1,
    selected: selected && /^w-[0-9a-f]{12}$/.test(selected) ? selected : null,
  }
}

export default function SchedulingPage() {
  const { t } = useSchedulingI18n()
  const auth = useCredentials()
  const [params, setParams] = useSearchParams()
  const view = useMemo(() => parseQueueView(params), [params])
  // Patch the address as it is now (not as this render saw it), so quick changes never undo each other.
  const update = useCallback(
    (patch: Record<string, string | null>) => setParams(patchParams(new URLSearchParams(window.location.search), patch), { replace: true }),
    [setParams],
  )
  const explain = useCallback((id: string) => update({ workload: id }), [update])
  return (
    <>
      <PageHeader title={t('sched.title')} description={t('sched.description')} />
      {auth.ready ? (
        <>
          <SubmitWorkload auth={auth} onExplain={explain} />
          <WorkloadQueue auth={auth} view={view} onView={update} onExplain={explain} />
          <QuotaTable auth={auth} />
          <WhyDrawer id={view.selected} auth={auth} onClose={() => update({ workload: null })} />
        </>
      ) : (
        <Section title={t('sched.submit.title')} id="submit">
          <AdminTokenMissing what={t('sched.what')} />
        </Section>
      )}
    </>
  )
}
