import type { UseQueryResult } from '@tanstack/react-query'
import Alert from 'antd/es/alert'
import Button, { type ButtonProps } from 'antd/es/button'
import Modal from 'antd/es/modal'
import Popconfirm from 'antd/es/popconfirm'
import { useEffect, useState } from 'react'
import { ApiError, isAccessError } from '../../api/client'
import { isPending, useAbortDrill, useDrillRun, useStartDrill } from '../../api/drills'
import { AccessRefused } from '../../components/admin-token-prompt'
import { Section } from '../../components/page-header'
import { EmptyState, ErrorState, Loading } from '../../components/query-state'
import { drillLabel, useDrillsI18n } from '../../i18n/drills'
import type { Credentials } from '../../lib/credentials'
import type { DrillRunSummary, DrillScenario, DrillScenarioList } from '../../lib/drills'
import { ApprovalPending, ChangeError, LabText, StatusPill, scenarioText, scenarioTitle, useDuration } from './shared'

/** Seconds since an ISO time, ticking every second. */
function useElapsed(since: string | null): number | null {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!since) return
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [since])
  if (!since) return null
  return Math.max(0, (now - Date.parse(since)) / 1000)
}

function Targets({ scenario }: { scenario: DrillScenario }) {
  const { t, f } = useDrillsI18n()
  const duration = useDuration()
  const x = scenario.targets
  return (
    <dl className="targets">
      <div>
        <dt>{t('drill.target.rto')}</dt>
        <dd data-testid="target-rto" data-value={x.rtoSeconds}>
          {t('drill.target.atMost', { value: duration(x.rtoSeconds) })}
        </dd>
      </div>
      <div>
        <dt>{t('drill.target.rpo')}</dt>
        <dd data-testid="target-rpo" data-value={x.rpoWrites ?? ''}>
          {x.rpoWrites === null
            ? t('drill.target.rpoSecondsOnly', { seconds: duration(x.rpoSeconds) })
            : t('drill.target.rpoValue', { writes: t('drill.writes', { n: f.integer(x.rpoWrites) }), seconds: duration(x.rpoSeconds) })}
        </dd>
      </div>
      <div>
        <dt>{t('drill.target.replication')}</dt>
        <dd>{x.requireReplication ? t('drill.target.replicationRequired') : t('drill.target.replicationNotRequired')}</dd>
      </div>
    </dl>
  )
}

/** The drill in progress: who started it, how long it runs, its steps as they come, and the kill switch. */
function ActiveDrill({
  run,
  auth,
  titleOf,
  onDetails,
  abort,
}: {
  run: DrillRunSummary
  auth: Credentials
  titleOf: (id: string) => string
  onDetails: (id: string) => void
  abort: ReactAbort
}) {
  const { t, f } = useDrillsI18n()
  const duration = useDuration()
  const detail = useDrillRun(run.id, auth)
  const current = detail.data?.run ?? run
  const elapsed = useElapsed(current.startedAt)
  const steps = [...(detail.data?.progress ?? [])].reverse().slice(0, 15)
  return (
    <section className="active-drill" aria-labelledby="active-drill-title" data-testid="drill-active" data-run-id={run.id}>
      <div className="active-drill-head">
        <h3 id="active-drill-title">
          {t('drill.active.title')} <StatusPill status={current.status} />
        </h3>
        <div className="row-actions">
          <Button size="small" onClick={() => onDetails(run.id)} data-testid="drill-active-details">
            {t('drill.active.details')}
          </Button>
          <AbortButton abort={abort} />
        </div>
      </div>
      <p className="note" data-testid="drill-active-summary">
        {t('drill.active.summary', {
          scenario: titleOf(current.scenario),
          id: current.id,
          trigger: drillLabel(t, 'drill.trigger', current.trigger),
          who: current.requestedBy,
          at: f.timestamp(current.startedAt ?? current.scheduledFor),
          elapsed: duration(elapsed, 0),
        })}
      </p>
      <h4 className="subhead">{t('drill.active.steps')}</h4>
      {steps.length > 0 ? (
        <ol className="progress-list" reversed data-testid="drill-progress" aria-live="polite">
          {steps.map((p) => (
            <li key={`${p.at}-${p.step}`} data-step={p.step}>
              <time dateTime={p.at}>{f.timestamp(p.at)}</time> <span lang="en">{p.step}</span>
              {typeof p.detail.ok === 'boolean' ? (
                <span className={p.detail.ok ? 'mark mark-ok' : 'mark mark-bad'}>
                  {' '}
                  {p.detail.ok ? t('drill.check.ok') : t('drill.check.failed')}
                </span>
              ) : null}
              {typeof p.detail.detail === 'string' ? (
                <span className="cell-note" lang="en">
                  {' '}
                  {p.detail.detail}
                </span>
              ) : null}
            </li>
          ))}
        </ol>
      ) : (
        <p className="note">{t('drill.active.noSteps')}</p>
      )}
    </section>
  )
}

interface ReactAbort {
  pending: boolean
  onAbort: () => Promise<unknown>
}

function AbortButton({ abort }: { abort: ReactAbort }) {
  const { t } = useDrillsI18n()
  return (
    <Popconfirm
      rootClassName="danger-confirm"
      title={t('drill.abortConfirm')}
      description={t('drill.abortHelp')}
      okText={t('drill.abortOk')}
      cancelText={t('drill.abortKeep')}
      okButtonProps={{ danger: true, loading: abort.pending, 'data-testid': 'drill-abort-confirm' } as ButtonProps}
      onConfirm={() => abort.onAbort().catch(() => undefined)}
    >
      <Button size="small" danger className="danger-button" data-testid="drill-abort">
        {t('drill.abort')}
      </Button>
    </Popconfirm>
  )
}

export function ScenariosSection({
  auth,
  scenarios,
  active,
  onDetails,
}: {
  auth: Credentials
  scenarios: UseQueryResult<DrillScenarioList>
  active: DrillRunSummary | null
  onDetails: (id: string) => void
}) {
  const { t, locale } = useDrillsI18n()
  const { token, version } = auth
  const start = useStartDrill()
  const abort = useAbortDrill()
  const [confirming, setConfirming] = useState<DrillScenario | null>(null)
  const { reset: resetStart } = start
  const { reset: resetAbort } = abort
  useEffect(() => {
    if (version > 0) {
      resetStart()
      resetAbort()
    }
  }, [version, resetStart, resetAbort])

  const list = scenarios.data?.scenarios ?? []
  const byId = new Map(list.map((s) => [s.id, s]))
  const titleOf = (id: string) => scenarioTitle(byId.get(id), id, locale)
  const refusal = start.error instanceof ApiError && start.error.status === 409 ? start.error : null
  const noLab = refusal?.code === 'DR_LAB_MISSING' ? refusal : null
  // Another drill holds the lab (from the command line, or another instance): the kill switch is offered.
  const busy = refusal && !noLab && !active ? refusal : null
  const reason = noLab
    ? t('drill.disabled.noLab')
    : active
      ? t('drill.disabled.running', { id: active.id, scenario: titleOf(active.scenario) })
      : busy
        ? t('drill.disabled.busy')
        : null
  const abortControl: ReactAbort = {
    pending: abort.isPending,
    onAbort: () => abort.mutateAsync({ token }).then(() => start.reset()),
  }

  const onConfirm = () => {
    const scenario = confirming
    setConfirming(null)
    if (!scenario) return
    abort.reset()
    start.mutate({ scenario: scenario.id, token })
  }

  const body = (() => {
    if (scenarios.isError && isAccessError(scenarios.error)) return <AccessRefused error={scenarios.error} />
    if (scenarios.isError) return <ErrorState error={scenarios.error} onRetry={() => void scenarios.refetch()} minHeight={160} />
    if (scenarios.isPending) return <Loading minHeight={160} />
    if (list.length === 0) return <EmptyState text={t('drill.scenarios.empty')} minHeight={120} />
    return (
      <ul className="scenario-grid" aria-label={t('drill.scenarios.list')} data-testid="drill-scenarios">
        {list.map((s) => {
          const description = scenarioText(t, s)
          const other = locale === 'en' ? s.titleZh : s.title
          const reasonId = `drill-reason-${s.id}`
          return (
            <li key={s.id}>
              <article className="scenario-card" aria-labelledby={`scenario-${s.id}`} data-testid="drill-scenario" data-scenario={s.id}>
                <h3 id={`scenario-${s.id}`}>{scenarioTitle(s, s.id, locale)}</h3>
                <p className="scenario-sub">
                  <span lang={locale === 'en' ? 'zh-CN' : 'en'}>{other}</span> · <code>{s.id}</code>
                </p>
                <p className="scenario-text" lang={description.lang}>
                  {description.text}
                </p>
                <Targets scenario={s} />
                <details className="disclosure">
                  <summary>{t('drill.scenario.apiText')}</summary>
                  <p lang="en" className="cell-note">
                    {s.description}
                  </p>
                </details>
                <div className="scenario-actions">
                  <Button
                    type="primary"
                    disabled={reason !== null}
                    loading={start.isPending && start.variables?.scenario === s.id}
                    onClick={() => setConfirming(s)}
                    aria-label={t('drill.runFor', { title: scenarioTitle(s, s.id, locale) })}
                    aria-describedby={reason ? reasonId : undefined}
                    data-testid="drill-run"
                  >
                    {t('drill.run')}
                  </Button>
                  {reason ? (
                    <p id={reasonId} className="disabled-reason" data-testid="drill-run-disabled">
                      {reason}
                    </p>
                  ) : null}
                </div>
              </article>
            </li>
          )
        })}
      </ul>
    )
  })()

  return (
    <Section title={t('drill.scenarios.title')} id="scenarios">
      <p className="note" data-testid="drill-lab-note">
        <LabText k="drill.lab.note" />
      </p>
      <div aria-live="polite">
        {noLab ? (
          <Alert
            type="warning"
            showIcon
            role="alert"
            className="no-lab"
            data-testid="drill-no-lab"
            title={t('drill.start.noLab')}
            description={
              <>
                <p className="alert-text">
                  <LabText k="drill.lab.text" />
                </p>
                <div className="cell-note">
                  {t('drill.apiSaid')}
                  <span lang="en" data-testid="drill-no-lab-message">
                    {noLab.status} {noLab.code}: {noLab.message}
                  </span>
                </div>
              </>
            }
            action={
              <Button size="small" onClick={() => start.reset()} data-testid="drill-lab-recheck">
                {t('drill.lab.recheck')}
              </Button>
            }
          />
        ) : null}
        {busy ? (
          <Alert
            type="warning"
            showIcon
            role="alert"
            data-testid="drill-busy"
            title={t('drill.start.busy')}
            description={<span lang="en">{`${busy.status} ${busy.code}: ${busy.message}`}</span>}
            action={<AbortButton abort={abortControl} />}
          />
        ) : null}
        {start.isError && !refusal ? (
          <ChangeError error={start.error} title={t('drill.start.failed')} testId="drill-start-error" onClose={() => start.reset()} />
        ) : null}
        {start.isSuccess && isPending(start.data) ? (
          <ApprovalPending
            approval={start.data.approval}
            title={t('drill.approval.title', { scenario: titleOf(start.variables.scenario) })}
            onClose={() => start.reset()}
          />
        ) : null}
        {start.isSuccess && !isPending(start.data) ? (
          <Alert
            type="success"
            showIcon
            closable={{ onClose: () => start.reset() }}
            data-testid="drill-started"
            data-run-id={start.data.run.id}
            title={t('drill.start.started', { id: start.data.run.id, scenario: titleOf(start.data.run.scenario) })}
          />
        ) : null}
        {abort.isError ? (
          <ChangeError error={abort.error} title={t('drill.abortFailed')} testId="drill-abort-error" onClose={() => abort.reset()} />
        ) : null}
        {abort.isSuccess ? (
          <Alert
            type="info"
            showIcon
            closable={{ onClose: () => abort.reset() }}
            data-testid="drill-aborted"
            data-via={abort.data.via}
            title={abort.data.via === 'file' ? t('drill.abort.viaFile', { file: abort.data.killSwitch ?? '' }) : t('drill.abort.viaSignal')}
          />
        ) : null}
      </div>
      {active ? <ActiveDrill run={active} auth={auth} titleOf={titleOf} onDetails={onDetails} abort={abortControl} /> : null}
      {body}
      {scenarios.data && scenarios.data.notYet.length > 0 ? (
        <p className="note">{t('drill.scenarios.notYet', { list: scenarios.data.notYet.map((n) => `${n.id} (${n.why})`).join('; ') })}</p>
      ) : null}
      <Modal
        open={confirming !== null}
        title={confirming ? t('drill.confirm.title', { title: scenarioTitle(confirming, confirming.id, locale) }) : ''}
        okText={t('drill.confirm.ok')}
        cancelText={t('drill.confirm.cancel')}
        onOk={onConfirm}
        onCancel={() => setConfirming(null)}
        okButtonProps={{ 'data-testid': 'drill-run-confirm' } as ButtonProps}
        destroyOnHidden
        rootClassName="drill-confirm"
      >
        <p>{t('drill.confirm.text')}</p>
        {confirming ? <Targets scenario={confirming} /> : null}
      </Modal>
    </Section>
  )
}
