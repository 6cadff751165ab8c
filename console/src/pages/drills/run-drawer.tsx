import Alert from 'antd/es/alert'
import Drawer from 'antd/es/drawer'
import Table from 'antd/es/table'
import type { ColumnsType } from 'antd/es/table/interface'
import { type ReactNode, useState } from 'react'
import { isAccessError } from '../../api/client'
import { downloadReport, reportUrl, useDrillRun } from '../../api/drills'
import { AccessRefused } from '../../components/admin-token-prompt'
import { ErrorState, Loading } from '../../components/query-state'
import { drillLabel, useDrillsI18n } from '../../i18n/drills'
import type { Credentials } from '../../lib/credentials'
import {
  type DrillIntegrity,
  type DrillReport,
  type DrillRunDetail,
  type DrillStep,
  isActive,
  REPORT_FORMATS,
  type ReportFormat,
  runSeconds,
} from '../../lib/drills'
import { ChangeError, Mark, StatusPill, useDuration } from './shared'

const STEP_STATUS_KEY = {
  ok: 'drill.step.ok',
  failed: 'drill.step.failed',
  timeout: 'drill.step.timeoutStatus',
  aborted: 'drill.step.aborted',
} as const

/** Report links in the page's language: fetched with the page's credentials, saved by the browser. */
function Downloads({ id, token }: { id: string; token: string | null }) {
  const { t, locale } = useDrillsI18n()
  const language = t(`locale.${locale}`)
  const [pending, setPending] = useState<ReportFormat | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [done, setDone] = useState<string | null>(null)
  const download = (format: ReportFormat) => {
    setPending(format)
    setError(null)
    setDone(null)
    downloadReport(id, format, locale, token)
      .then(setDone, setError)
      .finally(() => setPending(null))
  }
  return (
    <>
      <div className="downloads drill-downloads" data-testid="drill-downloads">
        <span className="downloads-label">{t('drill.run.downloads', { lang: language })}</span>
        {REPORT_FORMATS.map((format) => (
          <a
            key={format}
            className="link-button"
            href={reportUrl(id, format, locale)}
            download
            aria-busy={pending === format ? true : undefined}
            data-testid={`drill-download-${format}`}
            aria-label={t('drill.run.download', { format: format.toUpperCase(), lang: language })}
            onClick={(event) => {
              event.preventDefault()
              if (pending === null) download(format)
            }}
          >
            {format.toUpperCase()}
          </a>
        ))}
      </div>
      <div aria-live="polite">
        {error ? (
          <ChangeError error={error} title={t('drill.run.downloadFailed')} testId="drill-download-error" onClose={() => setError(null)} />
        ) : null}
        {done ? (
          <p className="note" data-testid="drill-downloaded">
            {t('drill.run.downloaded', { file: done })}
          </p>
        ) : null}
      </div>
    </>
  )
}

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  )
}

function Measurements({ report }: { report: DrillReport }) {
  const { t, f } = useDrillsI18n()
  const duration = useDuration()
  const m = report.measurements
  const x = report.targets
  const rpoOk = m.rpo === null ? null : (x.rpoWrites === null || m.rpo.missingWrites <= x.rpoWrites) && m.rpo.rpoSeconds <= x.rpoSeconds
  const rows: { key: string; measure: ReactNode; target: ReactNode; measured: ReactNode; ok: boolean | null }[] = [
    {
      key: 'rto',
      measure: report.rtoMeaning ? (
        <>
          {t('drill.target.rto')} (<span lang="en">{report.rtoMeaning}</span>)
        </>
      ) : (
        t('drill.m.rto')
      ),
      target: t('drill.target.atMost', { value: duration(x.rtoSeconds) }),
      measured: duration(m.rtoSeconds),
      ok: m.rtoSeconds === null ? null : m.rtoSeconds <= x.rtoSeconds,
    },
    {
      key: 'rpo-writes',
      measure: t('drill.m.rpoWrites'),
      target: x.rpoWrites === null ? f.missing : t('drill.target.atMost', { value: f.integer(x.rpoWrites) }),
      measured: m.rpo
        ? t('drill.m.rpoWritesValue', { missing: f.integer(m.rpo.missingWrites), acked: f.integer(m.rpo.ackedWrites) })
        : f.missing,
      ok: rpoOk,
    },
    {
      key: 'rpo-seconds',
      measure: t('drill.m.rpoSeconds'),
      target: t('drill.target.atMost', { value: duration(x.rpoSeconds) }),
      measured: duration(m.rpo?.rpoSeconds),
      ok: rpoOk,
    },
    { key: 'detection', measure: t('drill.m.detection'), target: '', measured: duration(m.phases.detectionSeconds), ok: null },
    { key: 'promotion', measure: t('drill.m.promotion'), target: '', measured: duration(m.phases.promotionSeconds), ok: null },
    { key: 'traffic', measure: t('drill.m.trafficSwitch'), target: '', measured: duration(m.phases.trafficSwitchSeconds), ok: null },
    {
      key: 'integrity',
      measure: t('drill.m.integrity'),
      target: t('drill.m.identical'),
      measured: m.integrity ? (m.integrity.ok ? t('drill.m.identical') : t('drill.m.different')) : f.missing,
      ok: m.integrity ? m.integrity.ok : null,
    },
    {
      key: 'replication',
      measure: t('drill.m.replication'),
      target: x.requireReplication ? t('drill.m.required') : t('drill.m.notRequired'),
      measured: <span lang="en">{m.replication.note || f.missing}</span>,
      ok: m.replication.reestablished,
    },
    ...(m.switchover
      ? [
          {
            key: 'switchover',
            measure: t('drill.m.switchover', { to: m.switchover.to }),
            target: '',
            measured: t('drill.m.switchoverValue', {
              seconds: duration(m.switchover.seconds),
              gap: duration(m.switchover.longestWriteGapSeconds),
            }),
            ok: null,
          },
        ]
      : []),
  ]
  return (
    <>
      <table className="mini-table drill-table" data-testid="drill-measurements">
        <caption className="table-caption">{t('drill.run.measurementsCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('drill.m.measure')}</th>
            <th scope="col">{t('drill.m.target')}</th>
            <th scope="col">{t('drill.m.measured')}</th>
            <th scope="col">{t('drill.m.result')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-measure={r.key}>
              <th scope="row">{r.measure}</th>
              <td>{r.target}</td>
              <td>{r.measured}</td>
              <td>
                <Mark ok={r.ok} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="note">
        {t('drill.m.probe', {
          interval: duration(m.probe.intervalMs / 1000, 3),
          writes: f.integer(m.probe.writes),
          acked: f.integer(m.probe.acked),
          failed: f.integer(m.probe.failed),
        })}
      </p>
    </>
  )
}

function Level({ report }: { report: DrillReport }) {
  const { t, f, locale } = useDrillsI18n()
  const g = report.gbt20988
  const text =
    report.measurements.rtoSeconds === null
      ? t('drill.run.levelUnmeasured')
      : g.level === null
        ? t('drill.run.levelNone')
        : t('drill.run.levelText', {
            n: f.integer(g.level),
            name: (locale === 'en' ? g.nameEn : g.nameZh) ?? f.missing,
            rto: g.rtoMax ?? f.missing,
            rpo: g.rpoMax ?? f.missing,
          })
  return (
    <>
      <p data-testid="drill-level" data-value={g.level ?? ''}>
        <strong>{text}</strong>
      </p>
      <p className="note">{t('drill.run.levelNote')}</p>
    </>
  )
}

function Steps({ steps }: { steps: DrillStep[] }) {
  const { t, f } = useDrillsI18n()
  const seconds = (v: number | null) => (v === null ? f.missing : f.number(v, 2))
  const columns: ColumnsType<DrillStep & { n: number }> = [
    { key: 'n', title: t('drill.step.n'), dataIndex: 'n', width: 48, align: 'right' },
    { key: 'name', title: t('drill.step.name'), width: 260, render: (_, s) => <span lang="en">{s.name}</span> },
    { key: 'start', title: t('drill.step.start'), width: 90, align: 'right', render: (_, s) => seconds(s.startedAt) },
    {
      key: 'seconds',
      title: t('drill.step.seconds'),
      width: 90,
      align: 'right',
      render: (_, s) => (
        <span data-col="seconds" data-value={s.seconds}>
          {seconds(s.seconds)}
        </span>
      ),
    },
    { key: 'sinceFault', title: t('drill.step.sinceFault'), width: 100, align: 'right', render: (_, s) => seconds(s.sinceFault) },
    { key: 'timeout', title: t('drill.step.timeout'), width: 90, align: 'right', render: (_, s) => seconds(s.timeoutSeconds) },
    {
      key: 'status',
      title: t('drill.step.status'),
      width: 90,
      render: (_, s) => (
        <span className={s.status === 'ok' ? 'mark mark-ok' : 'mark mark-bad'} data-status={s.status}>
          {t(STEP_STATUS_KEY[s.status] ?? 'drill.step.failed')}
        </span>
      ),
    },
    {
      key: 'detail',
      title: t('drill.step.detail'),
      render: (_, s) => (
        <>
          {Object.keys(s.detail).length > 0 ? <code className="step-detail">{JSON.stringify(s.detail).slice(0, 400)}</code> : null}
          {s.error ? (
            <div className="cell-note" lang="en">
              {s.error}
            </div>
          ) : null}
        </>
      ),
    },
  ]
  return (
    <Table<DrillStep & { n: number }>
      data-testid="drill-steps"
      size="small"
      rowKey="n"
      columns={columns}
      dataSource={steps.map((s, i) => ({ ...s, n: i + 1 }))}
      pagination={false}
      scroll={{ x: 1000 }}
      title={() => <span className="table-caption">{t('drill.run.stepsCaption')}</span>}
    />
  )
}

function Integrity({ integrity, testId }: { integrity: DrillIntegrity; testId: string }) {
  const { t, f } = useDrillsI18n()
  const tables = integrity.members[0]?.tables.map((x) => x.table) ?? []
  return (
    <div data-testid={testId} data-ok={integrity.ok}>
      {integrity.members.length > 0 ? (
        <div className="table-scroll">
          <table className="mini-table drill-table">
            <caption className="table-caption">{t('drill.run.integrityCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('drill.integrity.member')}</th>
                <th scope="col">{t('drill.integrity.role')}</th>
                {tables.map((name) => (
                  <th scope="col" key={name}>
                    {name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {integrity.members.map((m) => (
                <tr key={m.member}>
                  <th scope="row">{m.member}</th>
                  <td>{m.role}</td>
                  {m.tables.map((x) => (
                    <td key={x.table}>
                      {f.integer(x.rows)} <code className="hash">{x.checksum.slice(0, 12)}</code>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p>
        <Mark ok={integrity.ok} /> <span lang="en">{integrity.note}</span>
      </p>
    </div>
  )
}

function Report({ detail, token }: { detail: DrillRunDetail; token: string | null }) {
  const { t, f, locale } = useDrillsI18n()
  const duration = useDuration()
  const { run, report, progress } = detail
  const title = report ? (locale === 'en' ? report.title : report.titleZh) : run.scenario
  const reasons = report?.verdictReasons ?? []
  return (
    <div data-testid="drill-run-panel" data-run-id={run.id} data-status={run.status}>
      <p className="why-subtitle">
        <StatusPill status={run.status} /> <span>{title}</span> <code className="hash">{run.id}</code>
      </p>
      {reasons.length > 0 ? (
        <Alert
          type={run.status === 'pass' ? 'info' : 'warning'}
          showIcon
          data-testid="drill-verdict-reasons"
          title={t('drill.run.reasons')}
          description={
            <ul className="problems" lang="en">
              {reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          }
        />
      ) : run.detail ? (
        <Alert
          type="warning"
          showIcon
          data-testid="drill-run-detail"
          title={t('drill.run.detail')}
          description={<span lang="en">{run.detail}</span>}
        />
      ) : null}
      {report ? (
        <Downloads id={run.id} token={token} />
      ) : isActive(run.status) ? null : (
        <p className="note">{t('drill.run.noReport', { status: drillLabel(t, 'drill.status', run.status) })}</p>
      )}

      <h3 className="subhead">{t('drill.run.facts')}</h3>
      <dl className="facts">
        <Fact label={t('drill.run.scenario')}>
          {title} · <code>{run.scenario}</code>
        </Fact>
        <Fact label={t('drill.run.trigger')}>{drillLabel(t, 'drill.trigger', run.trigger)}</Fact>
        <Fact label={t('drill.run.operator')}>{report?.operator ?? run.requestedBy}</Fact>
        {run.scheduledFor ? <Fact label={t('drill.run.scheduledFor')}>{f.timestamp(run.scheduledFor)}</Fact> : null}
        <Fact label={t('drill.run.startedAt')}>{f.timestamp(report?.startedAt ?? run.startedAt)}</Fact>
        <Fact label={t('drill.run.endedAt')}>{f.timestamp(report?.endedAt ?? run.finishedAt)}</Fact>
        <Fact label={t('drill.run.duration')} testId="drill-duration">
          {duration(report?.durationSeconds ?? runSeconds(run), 1)}
        </Fact>
        {report ? <Fact label={t('drill.run.lab')}>{t('drill.run.labValue', { id: report.lab.id, host: report.lab.host })}</Fact> : null}
        {report ? (
          <Fact label={t('drill.run.reportId')}>
            <code>{report.id}</code>
          </Fact>
        ) : null}
      </dl>

      {report ? (
        <>
          <h3 className="subhead">{t('drill.run.measurements')}</h3>
          <Measurements report={report} />
          <h3 className="subhead">{t('drill.run.level')}</h3>
          <Level report={report} />
          <h3 className="subhead">{t('drill.run.steps')}</h3>
          <Steps steps={report.steps} />
          <h3 className="subhead">{t('drill.run.preflight')}</h3>
          <table className="mini-table drill-table" data-testid="drill-preflight">
            <caption className="table-caption">{t('drill.run.preflightCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('drill.run.check')}</th>
                <th scope="col">{t('drill.run.checkResult')}</th>
                <th scope="col">{t('drill.run.checkDetail')}</th>
              </tr>
            </thead>
            <tbody>
              {report.preflight.checks.map((c) => (
                <tr key={c.name}>
                  <th scope="row" lang="en">
                    {c.name}
                  </th>
                  <td>
                    <span className={c.ok ? 'mark mark-ok' : 'mark mark-bad'}>{c.ok ? t('drill.check.ok') : t('drill.check.failed')}</span>
                  </td>
                  <td lang="en">{c.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3 className="subhead">{t('drill.run.integrity')}</h3>
          {report.measurements.integrity ? (
            <Integrity integrity={report.measurements.integrity} testId="drill-integrity" />
          ) : (
            <p className="note">{f.missing}</p>
          )}
          {report.measurements.integrityAfterRecovery ? (
            <>
              <h4 className="subhead">{t('drill.run.integrityAfter')}</h4>
              <Integrity integrity={report.measurements.integrityAfterRecovery} testId="drill-integrity-after" />
            </>
          ) : null}
          {report.findings.length > 0 ? (
            <>
              <h3 className="subhead">{t('drill.run.findings')}</h3>
              <ul className="problems" lang="en" data-testid="drill-findings">
                {report.findings.map((x) => (
                  <li key={x}>{x}</li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      ) : null}

      {progress.length > 0 ? (
        <>
          <h3 className="subhead">{t('drill.run.progress')}</h3>
          <table className="mini-table drill-table" data-testid="drill-run-progress">
            <caption className="table-caption">{t('drill.run.progressCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('drill.progress.at')}</th>
                <th scope="col">{t('drill.progress.step')}</th>
                <th scope="col">{t('drill.progress.detail')}</th>
              </tr>
            </thead>
            <tbody>
              {progress.map((p) => (
                <tr key={`${p.at}-${p.step}`}>
                  <td>
                    <time dateTime={p.at}>{f.timestamp(p.at)}</time>
                  </td>
                  <th scope="row" lang="en">
                    {p.step}
                  </th>
                  <td>
                    {Object.keys(p.detail).length > 0 ? (
                      <code className="step-detail">{JSON.stringify(p.detail).slice(0, 300)}</code>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  )
}

function RunDetail({ id, auth }: { id: string; auth: Credentials }) {
  const detail = useDrillRun(id, auth)
  if (detail.isError && isAccessError(detail.error)) return <AccessRefused error={detail.error} />
  if (detail.isError) return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
  if (detail.isPending) return <Loading minHeight={200} />
  return <Report detail={detail.data} token={auth.token} />
}

/** One drill run: verdict, measurements against targets, steps with timings, integrity, and its report to download. */
export function RunDrawer({ id, auth, onClose }: { id: string | null; auth: Credentials; onClose: () => void }) {
  const { t } = useDrillsI18n()
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      size="min(1100px, 100vw)"
      title={t('drill.run.title')}
      destroyOnHidden
      rootClassName="why-drawer drill-drawer"
    >
      {id ? <RunDetail id={id} auth={auth} /> : null}
    </Drawer>
  )
}
