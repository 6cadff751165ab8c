import type { CensusBreakdown, CensusSummary } from '@suanpan/control-plane/schemas'
import Alert from 'antd/es/alert'
import Button from 'antd/es/button'
import Input from 'antd/es/input'
import Select from 'antd/es/select'
import Table from 'antd/es/table'
import type { ColumnsType } from 'antd/es/table/interface'
import { type FormEvent, useEffect, useState } from 'react'
import { Link } from 'react-router'
import { type CensusScheduleRun, useCensuses, useCensusSchedule, useCreateCensus } from '../api/censuses'
import { ApiError, isAccessError } from '../api/client'
import { AccessRefused, AdminTokenMissing } from '../components/admin-token-prompt'
import { PageHeader, Section } from '../components/page-header'
import { QueryState } from '../components/query-state'
import { type AdminTranslate, type AnyMessageKey, useAdminI18n } from '../i18n/admin'
import { CENSUS_BREAKDOWNS, censusName, currentQuarter, parseSchedule, shortHash } from '../lib/census'
import { useCredentials } from '../lib/credentials'
import { plainNumber } from '../lib/csv'
import { openSignInDialog } from '../lib/session'

const FIELD_LABEL: Readonly<Record<string, AnyMessageKey>> = {
  '/period': 'census.period',
  '/title': 'census.titleField',
}

/** The field a 400 names, in words: "普查期（period）". */
function fieldName(path: string, t: AdminTranslate): string {
  const key = FIELD_LABEL[path]
  const raw = path.replace(/^\//, '') || '/'
  return key ? t('census.fieldName', { label: t(key), field: raw }) : raw
}

function CreateCensus() {
  const { t } = useAdminI18n()
  const { token, version, ready } = useCredentials()
  const create = useCreateCensus()
  const [period, setPeriod] = useState(() => currentQuarter())
  const [title, setTitle] = useState('')
  const { reset } = create
  // Other credentials: the answer to the old ones no longer applies.
  useEffect(() => {
    if (version > 0) reset()
  }, [version, reset])

  const error = create.error
  const invalid = error instanceof ApiError && error.status === 400 ? error : null
  const fieldError = (path: string) => invalid?.fields.find((x) => x.path === path)
  const periodError = fieldError('/period')
  const titleError = fieldError('/title')

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!ready) return openSignInDialog()
    const trimmed = title.trim()
    create.mutate({ request: { period: period.trim(), ...(trimmed ? { title: trimmed } : {}) }, token })
  }

  return (
    <Section title={t('census.create')} id="create">
      {ready ? null : <AdminTokenMissing what={t('census.createWhat')} />}
      <form className="toolbar form-row" onSubmit={submit} aria-labelledby="create" data-testid="census-create">
        <div className="control">
          <label htmlFor="census-period">{t('census.period')}</label>
          <Input
            id="census-period"
            data-testid="census-period"
            value={period}
            maxLength={10}
            style={{ width: 160 }}
            status={periodError ? 'error' : undefined}
            aria-invalid={periodError ? true : undefined}
            aria-describedby="census-period-help"
            onChange={(e) => setPeriod(e.target.value)}
          />
          <span id="census-period-help" className="field-help">
            {t('census.periodHelp')}
          </span>
        </div>
        <div className="control">
          <label htmlFor="census-title">{t('census.titleField')}</label>
          <Input
            id="census-title"
            data-testid="census-title"
            value={title}
            maxLength={200}
            style={{ width: 320 }}
            status={titleError ? 'error' : undefined}
            aria-invalid={titleError ? true : undefined}
            aria-describedby="census-title-help"
            placeholder={t('census.titlePlaceholder')}
            onChange={(e) => setTitle(e.target.value)}
          />
          <span id="census-title-help" className="field-help">
            {t('census.titleHelp')}
          </span>
        </div>
        <Button type="primary" htmlType="submit" loading={create.isPending} disabled={!ready} data-testid="census-create-submit">
          {t('census.createButton')}
        </Button>
      </form>
      <div aria-live="polite">
        {create.isError ? (
          isAccessError(create.error) ? (
            <AccessRefused error={create.error} />
          ) : (
            <Alert
              type="error"
              showIcon
              data-testid="census-create-error"
              title={t('census.createFailed')}
              description={
                invalid && invalid.fields.length > 0
                  ? t('census.fieldError', { field: fieldName(invalid.fields[0]?.path ?? '', t), message: invalid.message })
                  : error instanceof ApiError
                    ? t('state.errorDetail', { status: error.status || t('state.network'), code: error.code, message: error.message })
                    : String(error)
              }
            />
          )
        ) : null}
        {create.isSuccess ? (
          <Alert
            type="success"
            showIcon
            data-testid="census-created"
            data-census-id={create.data.id}
            title={t('census.created', { name: censusName(create.data, t) })}
            action={<Link to={`/census/${create.data.id}`}>{t('census.openReport')}</Link>}
          />
        ) : null}
      </div>
    </Section>
  )
}

function CensusTable({ censuses }: { censuses: CensusSummary[] }) {
  const { t, f } = useAdminI18n()
  const columns: ColumnsType<CensusSummary> = [
    {
      key: 'id',
      title: t('census.number'),
      width: 90,
      fixed: 'left',
      render: (_, c) => (
        <Link to={`/census/${c.id}`} data-testid={`census-link-${c.id}`}>
          {t('census.numberValue', { id: c.id })}
        </Link>
      ),
    },
    { key: 'period', title: t('census.period'), dataIndex: 'period', width: 90 },
    { key: 'title', title: t('census.titleField'), ellipsis: true, render: (_, c) => c.title ?? f.missing },
    { key: 'createdAt', title: t('census.createdAt'), width: 165, render: (_, c) => f.timestamp(c.createdAt) },
    { key: 'asOf', title: t('census.asOf'), width: 165, render: (_, c) => f.timestamp(c.asOf) },
    {
      key: 'clusters',
      title: t('census.clustersIncluded'),
      width: 130,
      render: (_, c) => (
        <>
          <span data-value={c.clustersIncluded}>{f.integer(c.clustersIncluded)}</span>
          {c.clustersStale + c.clustersMissing > 0 ? (
            <span className="cell-note">
              {' '}
              {t('census.staleMissing', { stale: f.integer(c.clustersStale), missing: f.integer(c.clustersMissing) })}
            </span>
          ) : null}
        </>
      ),
    },
    {
      key: 'fp32',
      title: t('csv.withUnit', { label: t('measure.fp32'), unit: t('unitSymbol.pflops') }),
      width: 125,
      align: 'right',
      render: (_, c) => (
        <span data-col="fp32" data-value={plainNumber(c.fp32Pflops) ?? ''}>
          {f.adaptive(c.fp32Pflops)}
        </span>
      ),
    },
    {
      key: 'fp16',
      title: t('csv.withUnit', { label: t('measure.fp16'), unit: t('unitSymbol.pflops') }),
      width: 140,
      align: 'right',
      render: (_, c) => <span data-value={plainNumber(c.fp16DensePflops) ?? ''}>{f.adaptive(c.fp16DensePflops)}</span>,
    },
    {
      key: 'digest',
      title: t('census.digest'),
      width: 180,
      render: (_, c) => (
        <code className="hash" title={c.digest}>
          {shortHash(c.digest)}
        </code>
      ),
    },
  ]
  return (
    <Table<CensusSummary>
      data-testid="census-table"
      size="small"
      rowKey="id"
      columns={columns}
      dataSource={censuses}
      pagination={censuses.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
      scroll={{ x: 1150 }}
      title={() => <span className="table-caption">{t('census.listCaption', { n: f.integer(censuses.length) })}</span>}
    />
  )
}

function CompareForm({ censuses }: { censuses: CensusSummary[] }) {
  const { t } = useAdminI18n()
  const [a, setA] = useState<number | undefined>(censuses[1]?.id ?? censuses[0]?.id)
  const [b, setB] = useState<number | undefined>(censuses[0]?.id)
  const [by, setBy] = useState<CensusBreakdown>('province')
  const options = censuses.map((c) => ({ value: c.id, label: censusName(c, t) }))
  const href = a !== undefined && b !== undefined ? `/census/compare?${new URLSearchParams({ a: String(a), b: String(b), by })}` : null
  return (
    <div className="toolbar" data-testid="census-compare-form">
      <div className="control">
        <span>{t('compare.a')}</span>
        <Select aria-label={t('compare.a')} value={a} style={{ minWidth: 240 }} onChange={setA} options={options} data-testid="compare-a" />
      </div>
      <div className="control">
        <span>{t('compare.b')}</span>
        <Select aria-label={t('compare.b')} value={b} style={{ minWidth: 240 }} onChange={setB} options={options} data-testid="compare-b" />
      </div>
      <div className="control">
        <span>{t('compare.by')}</span>
        <Select
          aria-label={t('compare.by')}
          value={by}
          style={{ minWidth: 140 }}
          onChange={setBy}
          options={CENSUS_BREAKDOWNS.map((d) => ({ value: d, label: t(`dim.${d}`) }))}
        />
      </div>
      {href ? (
        <Link className="link-button" to={href} data-testid="compare-go">
          {t('compare.go')}
        </Link>
      ) : null}
    </div>
  )
}

const OUTCOME: Readonly<Record<string, { label: AnyMessageKey; pill: string }>> = {
  ok: { label: 'schedule.outcome.ok', pill: 'pill pill-meets' },
  'ok-late': { label: 'schedule.outcome.late', pill: 'pill pill-late' },
  failed: { label: 'schedule.outcome.failed', pill: 'pill pill-over' },
}

function RunOutcome({ run }: { run: CensusScheduleRun }) {
  const { t } = useAdminI18n()
  if (run.outcome === null) return <span className="pill pill-neutral">{t('schedule.outcome.running')}</span>
  const known = OUTCOME[run.outcome]
  return (
    <span className={known?.pill ?? 'pill pill-neutral'} data-outcome={run.outcome}>
      {known ? t(known.label) : run.outcome}
    </span>
  )
}

function ScheduleSection() {
  const { t, f } = useAdminI18n()
  const schedule = useCensusSchedule()
  return (
    <Section title={t('schedule.title')} id="schedule">
      <QueryState query={schedule} minHeight={120}>
        {(s) => {
          const parsed = parseSchedule(s.schedule)
          const late = s.runs.filter((r) => r.outcome === 'ok-late').length
          const failed = s.runs.filter((r) => r.outcome === 'failed').length
          const columns: ColumnsType<CensusScheduleRun> = [
            { key: 'slot', title: t('schedule.slot'), dataIndex: 'slot', width: 110 },
            { key: 'claimedAt', title: t('schedule.claimedAt'), width: 180, render: (_, r) => f.timestamp(r.claimedAt) },
            { key: 'finishedAt', title: t('schedule.finishedAt'), width: 180, render: (_, r) => f.timestamp(r.finishedAt) },
            { key: 'outcome', title: t('schedule.outcome'), width: 150, render: (_, r) => <RunOutcome run={r} /> },
            { key: 'detail', title: t('schedule.detail'), render: (_, r) => r.detail ?? f.missing },
          ]
          return (
            <>
              <dl className="facts facts-large" data-testid="schedule-facts">
                <div className="fact">
                  <dt>{t('schedule.when')}</dt>
                  <dd data-testid="schedule-when">
                    {parsed ? t('schedule.monthly', { day: parsed.day, time: parsed.time }) : t('schedule.off')}
                    <div className="cell-note">{t('schedule.timezone')}</div>
                  </dd>
                </div>
                <div className="fact">
                  <dt>{t('schedule.nextRun')}</dt>
                  <dd data-testid="schedule-next" data-value={s.nextRun ?? ''}>
                    {f.timestamp(s.nextRun)}
                    <div className="cell-note">{t('schedule.periodHint')}</div>
                  </dd>
                </div>
                <div className="fact">
                  <dt>{t('schedule.installedAt')}</dt>
                  <dd>{f.timestamp(s.installedAt)}</dd>
                </div>
                <div className="fact">
                  <dt>{t('schedule.runs')}</dt>
                  <dd data-testid="schedule-runs" data-value={s.runs.length}>
                    {f.integer(s.runs.length)}
                    <div className="cell-note">{t('schedule.lateFailed', { late: f.integer(late), failed: f.integer(failed) })}</div>
                  </dd>
                </div>
              </dl>
              {failed + late > 0 ? (
                <Alert
                  type={failed > 0 ? 'error' : 'warning'}
                  showIcon
                  data-testid="schedule-alert"
                  title={t('schedule.problems', { late: f.integer(late), failed: f.integer(failed) })}
                  description={t('schedule.problemsHelp')}
                />
              ) : null}
              {s.runs.length === 0 ? (
                <p className="note" data-testid="schedule-no-runs">
                  {parsed ? t('schedule.noRuns', { next: f.timestamp(s.nextRun) }) : t('schedule.noRunsOff')}
                </p>
              ) : (
                <Table<CensusScheduleRun>
                  data-testid="schedule-table"
                  size="small"
                  rowKey="slot"
                  columns={columns}
                  dataSource={s.runs}
                  pagination={false}
                  rowClassName={(r) => (r.outcome === 'failed' ? 'row-failed' : r.outcome === 'ok-late' ? 'row-late' : '')}
                  scroll={{ x: 900 }}
                  title={() => <span className="table-caption">{t('schedule.caption')}</span>}
                />
              )}
            </>
          )
        }}
      </QueryState>
    </Section>
  )
}

export default function CensusPage() {
  const { t } = useAdminI18n()
  const censuses = useCensuses()
  const header = <PageHeader title={t('census.title')} description={t('census.description')} />
  // Signed in with a role that may not read censuses (a provincial administrator): say so once, for the whole page.
  if (censuses.isError && isAccessError(censuses.error) && censuses.error.status === 403) {
    return (
      <>
        {header}
        <Section title={t('census.list')} id="list">
          <AccessRefused error={censuses.error} />
        </Section>
      </>
    )
  }
  return (
    <>
      {header}
      <CreateCensus />
      <Section title={t('census.list')} id="list">
        <QueryState query={censuses} minHeight={160} isEmpty={(l) => l.censuses.length === 0} emptyText={t('census.empty')}>
          {(l) => (
            <>
              <CensusTable censuses={l.censuses} />
              <h3 className="subhead">{t('compare.title')}</h3>
              <CompareForm key={l.censuses[0]?.id} censuses={l.censuses} />
            </>
          )}
        </QueryState>
      </Section>
      <ScheduleSection />
    </>
  )
}
