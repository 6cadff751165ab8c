import { useCallback, useMemo } from 'react'
import { useSearchParams } from 'react-router'
import { useActiveDrill, useDrillScenarios } from '../api/drills'
import { AdminTokenMissing } from '../components/admin-token-prompt'
import { PageHeader, Section } from '../components/page-header'
import { useDrillsI18n } from '../i18n/drills'
import { useCredentials } from '../lib/credentials'
import { isDrillStatus, isRunId, isScenarioId } from '../lib/drills'
import { patchParams } from '../lib/ledger-view'
import { RunDrawer } from './drills/run-drawer'
import { RunHistory, type RunsView } from './drills/runs'
import { ScenariosSection } from './drills/scenarios'
import { SchedulesSection } from './drills/schedules'
import { TrendsSection } from './drills/trends'
import './drills/drills.css'

/** The history filters, its page, the run whose details are open and the trend shown, as the URL holds them. */
function parseView(params: URLSearchParams): RunsView & { trend: string | null } {
  const scenario = params.get('scenario')
  const status = params.get('status')
  const page = Number(params.get('page') ?? '1')
  const run = params.get('run')
  const trend = params.get('trend')
  return {
    scenario: isScenarioId(scenario) ? scenario : null,
    status: isDrillStatus(status) ? status : null,
    page: Number.isInteger(page) && page > 0 ? page : 1,
    selected: isRunId(run) ? run : null,
    trend: isScenarioId(trend) ? trend : null,
  }
}

/** 灾备演练: scenarios and the run button, the drill in progress, the history with reports, the trend, the schedules. */
export default function DrillsPage() {
  const { t } = useDrillsI18n()
  const auth = useCredentials()
  const [params, setParams] = useSearchParams()
  const view = useMemo(() => parseView(params), [params])
  // Patch the address as it is now (not as this render saw it), so quick changes never undo each other.
  const update = useCallback(
    (patch: Record<string, string | null>) => setParams(patchParams(new URLSearchParams(window.location.search), patch), { replace: true }),
    [setParams],
  )
  const details = useCallback((id: string) => update({ run: id }), [update])
  const scenarios = useDrillScenarios(auth)
  const active = useActiveDrill(auth)
  const list = scenarios.data?.scenarios ?? []
  return (
    <>
      <PageHeader title={t('drill.title')} description={t('drill.description')} />
      {auth.ready ? (
        <>
          <ScenariosSection auth={auth} scenarios={scenarios} active={active.data ?? null} onDetails={details} />
          <RunHistory auth={auth} view={view} scenarios={list} onView={update} onDetails={details} />
          <TrendsSection auth={auth} scenarios={list} selected={view.trend} onSelect={(trend) => update({ trend })} />
          <SchedulesSection auth={auth} scenarios={list} onDetails={details} />
          <RunDrawer id={view.selected} auth={auth} onClose={() => update({ run: null })} />
        </>
      ) : (
        <Section title={t('drill.scenarios.title')} id="scenarios">
          <AdminTokenMissing what={t('drill.what')} />
        </Section>
      )}
    </>
  )
}
