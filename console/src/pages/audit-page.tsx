import type { AuditRecord } from '@suanpan/control-plane/schemas'
import Alert from 'antd/es/alert'
import Button from 'antd/es/button'
import Input from 'antd/es/input'
import Select from 'antd/es/select'
import Table from 'antd/es/table'
import type { ColumnsType } from 'antd/es/table/interface'
import { type ComponentProps, useEffect, useMemo, useRef, useState } from 'react'
import { useSearchParams } from 'react-router'
import { AUDIT_OUTCOMES, type AuditOutcome, type AuditVerifyResult, useAuditTrail, useVerifyAudit } from '../api/audit'
import { isAccessError } from '../api/client'
import { AccessRefused, AdminTokenMissing } from '../components/admin-token-prompt'
import { PageHeader, Section } from '../components/page-header'
import { EmptyState, ErrorState, Loading } from '../components/query-state'
import { useAdminI18n } from '../i18n/admin'
import { auditCsv, auditFilters, outcomeLabel, parseAuditView } from '../lib/audit'
import { shortHash } from '../lib/census'
import { type Credentials, useCredentials } from '../lib/credentials'
import { downloadText } from '../lib/csv'
import { patchParams } from '../lib/ledger-view'

const OUTCOME_PILL: Readonly<Record<AuditOutcome, string>> = {
  ok: 'pill pill-meets',
  denied: 'pill pill-over',
  rejected: 'pill pill-late',
  error: 'pill pill-over',
}

const stamp = () => new Date().toISOString().slice(0, 16).replace(/[:T]/g, '')

/** A text box that commits to the URL 400 ms after typing stops (or on Enter), not on every key. */
function DebouncedInput({
  value,
  onCommit,
  ...props
}: { value: string; onCommit(value: string): void } & Omit<ComponentProps<typeof Input>, 'value' | 'onChange'>) {
  const [text, setText] = useState(value)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  useEffect(() => setText(value), [value])
  useEffect(() => () => clearTimeout(timer.current), [])
  const commit = (next: string) => {
    clearTimeout(timer.current)
    if (next !== value) onCommit(next)
  }
  return (
    <Input
      {...props}
      value={text}
      onChange={(e) => {
        const next = e.target.value
        setText(next)
        clearTimeout(timer.current)
        timer.current = setTimeout(() => commit(next), 400)
      }}
      onPressEnter={() => commit(text)}
      onBlur={() => commit(text)}
    />
  )
}

function VerifyResult({ result }: { result: AuditVerifyResult }) {
  const { t, f } = useAdminI18n()
  const [copied, setCopied] = useState(false)
  const head = result.head
  const copy = async () => {
    if (!head) return
    try {
      await navigator.clipboard.writeText(`${head.seq} ${head.hash}`)
      setCopied(true)
    } catch {
      setCopied(false)
    }
  }
  const headText = head ? (
    <div className="verify-head">
      <div>{result.ok ? t('audit.verify.headLabel') : t('audit.verify.headLabelBroken')}</div>
      <dl className="facts">
        <div className="fact">
          <dt>{t('audit.col.seq')}</dt>
          <dd data-testid="verify-head-seq">{head.seq}</dd>
        </div>
        <div className="fact fact-wide">
          <dt>{t('audit.col.hash')}</dt>
          <dd>
            <code className="hash hash-wrap" data-testid="verify-head-hash">
              {head.hash}
            </code>
          </dd>
        </div>
      </dl>
      <Button size="small" onClick={() => void copy()}>
        {copied ? t('audit.verify.copied') : t('audit.verify.copy')}
      </Button>
      {result.ok ? <p className="note">{t('audit.verify.keepHead')}</p> : null}
    </div>
  ) : null
  return result.ok ? (
    <Alert
      type="success"
      showIcon
      data-testid="verify-result"
      data-ok="true"
      title={t('audit.verify.intact')}
      description={
        <>
          <div>{t('audit.verify.intactText', { n: f.integer(result.records) })}</div>
          {headText}
        </>
      }
    />
  ) : (
    <Alert
      type="error"
      showIcon
      data-testid="verify-result"
      data-ok="false"
      title={t('audit.verify.broken', { n: f.integer(result.problems.length) })}
      description={
        <>
          <div>{t('audit.verify.brokenText', { n: f.integer(result.records) })}</div>
          <ul className="problems">
            {result.problems.map((p) => (
              <li key={`${p.seq}-${p.problem}`}>
                {t('audit.verify.problem', { seq: p.seq })} <span lang="en">{p.problem}</span>
              </li>
            ))}
          </ul>
          {headText}
        </>
      }
    />
  )
}

function Verify({ auth }: { auth: Credentials }) {
  const { token, version } = auth
  const { t } = useAdminI18n()
  const verify = useVerifyAudit()
  const [headSeq, setHeadSeq] = useState('')
  const [headHash, setHeadHash] = useState('')
  const { reset } = verify
  useEffect(() => {
    if (version > 0) reset()
  }, [version, reset])
  const seq = /^\d+$/.test(headSeq.trim()) ? Number(headSeq.trim()) : null
  const hash = headHash.trim()
  const head = seq !== null && seq > 0 && hash ? { seq, hash } : null
  return (
    <Section title={t('audit.verify.title')} id="verify">
      <p className="note">{t('audit.verify.explain')}</p>
      <div className="toolbar">
        <div className="control">
          <label htmlFor="verify-head-seq-input">{t('audit.verify.keptSeq')}</label>
          <Input
            id="verify-head-seq-input"
            inputMode="numeric"
            value={headSeq}
            style={{ width: 120 }}
            onChange={(e) => setHeadSeq(e.target.value)}
          />
        </div>
        <div className="control">
          <label htmlFor="verify-head-hash-input">{t('audit.verify.keptHash')}</label>
          <Input
            id="verify-head-hash-input"
            value={headHash}
            style={{ width: 420 }}
            spellCheck={false}
            placeholder="sha256:…"
            onChange={(e) => setHeadHash(e.target.value)}
          />
        </div>
        <Button type="primary" data-testid="audit-verify" loading={verify.isPending} onClick={() => verify.mutate({ token, head })}>
          {head ? t('audit.verify.runWithHead') : t('audit.verify.run')}
        </Button>
      </div>
      <div aria-live="polite">
        {verify.isError ? (
          isAccessError(verify.error) ? (
            <AccessRefused error={verify.error} />
          ) : (
            <ErrorState error={verify.error} onRetry={() => verify.mutate({ token, head })} />
          )
        ) : null}
        {verify.data ? <VerifyResult result={verify.data} /> : null}
      </div>
    </Section>
  )
}

function Trail({ auth }: { auth: Credentials }) {
  const { t, f } = useAdminI18n()
  const [params, setParams] = useSearchParams()
  const view = useMemo(() => parseAuditView(params), [params])
  const filters = useMemo(() => auditFilters(view), [view])
  const trail = useAuditTrail(filters, auth)
  const records = useMemo(() => trail.data?.pages.flatMap((p) => p.records) ?? [], [trail.data])
  // Patch the address as it is now, not as this render saw it: a debounced box commits from an earlier
  // render, and two boxes committing in turn must not undo each other.
  const update = (patch: Record<string, string | null>) =>
    setParams(patchParams(new URLSearchParams(window.location.search), patch), { replace: true })
  const filtered = Object.keys(filters).length > 0

  const columns: ColumnsType<AuditRecord> = [
    { key: 'seq', title: t('audit.col.seq'), dataIndex: 'seq', width: 70, align: 'right', fixed: 'left' },
    { key: 'at', title: t('audit.col.at'), width: 170, render: (_, r) => <time dateTime={r.at}>{f.timestamp(r.at)}</time> },
    { key: 'actor', title: t('audit.col.actor'), dataIndex: 'actor', width: 130, ellipsis: true },
    { key: 'action', title: t('audit.col.action'), width: 210, render: (_, r) => <code>{r.action}</code> },
    { key: 'target', title: t('audit.col.target'), dataIndex: 'target', width: 160, ellipsis: true },
    { key: 'scope', title: t('audit.col.scope'), dataIndex: 'scope', width: 60 },
    {
      key: 'outcome',
      title: t('audit.col.outcome'),
      width: 210,
      render: (_, r) => (
        <span className={OUTCOME_PILL[r.outcome as AuditOutcome] ?? 'pill pill-neutral'} data-outcome={r.outcome}>
          {outcomeLabel(r.outcome, t)} · {r.status}
        </span>
      ),
    },
    {
      key: 'hash',
      title: t('audit.col.hash'),
      width: 170,
      render: (_, r) => (
        <code className="hash" title={r.hash}>
          {shortHash(r.hash)}
        </code>
      ),
    },
  ]

  const body = (() => {
    if (trail.isError && isAccessError(trail.error)) return <AccessRefused error={trail.error} />
    if (trail.isError && records.length === 0)
      return <ErrorState error={trail.error} onRetry={() => void trail.refetch()} minHeight={160} />
    if (trail.isPending) return <Loading minHeight={200} />
    if (records.length === 0) return <EmptyState text={filtered ? t('audit.emptyFiltered') : t('audit.empty')} minHeight={160} />
    return (
      <>
        <Table<AuditRecord>
          data-testid="audit-table"
          size="small"
          rowKey="seq"
          columns={columns}
          dataSource={records}
          pagination={false}
          loading={trail.isFetching && !trail.isFetchingNextPage && trail.isPlaceholderData}
          scroll={{ x: 1210 }}
          expandable={{
            expandedRowRender: (r) => (
              <dl className="facts audit-detail">
                <div className="fact">
                  <dt>{t('audit.col.atIso')}</dt>
                  <dd>
                    <code>{r.at}</code>
                  </dd>
                </div>
                <div className="fact">
                  <dt>{t('audit.col.requestId')}</dt>
                  <dd>
                    <code>{r.requestId}</code>
                  </dd>
                </div>
                <div className="fact fact-wide">
                  <dt>{t('audit.col.detail')}</dt>
                  <dd>
                    <code className="hash-wrap">{JSON.stringify(r.detail)}</code>
                  </dd>
                </div>
                <div className="fact fact-wide">
                  <dt>{t('audit.col.prevHash')}</dt>
                  <dd>
                    <code className="hash hash-wrap">{r.prevHash}</code>
                  </dd>
                </div>
                <div className="fact fact-wide">
                  <dt>{t('audit.col.hash')}</dt>
                  <dd>
                    <code className="hash hash-wrap">{r.hash}</code>
                  </dd>
                </div>
              </dl>
            ),
          }}
          title={() => <span className="table-caption">{t('audit.caption')}</span>}
        />
        <div className="toolbar toolbar-end">
          {trail.hasNextPage ? (
            <Button data-testid="audit-more" loading={trail.isFetchingNextPage} onClick={() => void trail.fetchNextPage()}>
              {t('audit.more')}
            </Button>
          ) : (
            <span className="note" data-testid="audit-end">
              {t('audit.end')}
            </span>
          )}
        </div>
      </>
    )
  })()

  return (
    <Section title={t('audit.trail')} id="trail">
      <search className="toolbar" aria-label={t('audit.filters')}>
        <div className="control">
          <label htmlFor="audit-from">{t('audit.from')}</label>
          <Input
            id="audit-from"
            type="datetime-local"
            value={view.from}
            style={{ width: 200 }}
            onChange={(e) => update({ from: e.target.value || null })}
          />
        </div>
        <div className="control">
          <label htmlFor="audit-to">{t('audit.to')}</label>
          <Input
            id="audit-to"
            type="datetime-local"
            value={view.to}
            style={{ width: 200 }}
            onChange={(e) => update({ to: e.target.value || null })}
          />
        </div>
        <div className="control">
          <label htmlFor="audit-actor">{t('audit.actor')}</label>
          <DebouncedInput
            id="audit-actor"
            data-testid="audit-actor"
            allowClear
            value={view.actor}
            style={{ width: 210 }}
            placeholder={t('audit.actorPlaceholder')}
            onCommit={(v) => update({ actor: v.trim() || null })}
          />
        </div>
        <div className="control">
          <label htmlFor="audit-action">{t('audit.action')}</label>
          <DebouncedInput
            id="audit-action"
            data-testid="audit-action"
            allowClear
            value={view.action}
            style={{ width: 220 }}
            placeholder={t('audit.actionPlaceholder')}
            onCommit={(v) => update({ action: v.trim() || null })}
          />
        </div>
        <div className="control">
          <span>{t('audit.col.outcome')}</span>
          <Select
            aria-label={t('audit.outcomeFilter')}
            data-testid="audit-outcome"
            value={view.outcome ?? ''}
            style={{ minWidth: 150 }}
            onChange={(v: string) => update({ outcome: v || null })}
            options={[{ value: '', label: t('ledger.all') }, ...AUDIT_OUTCOMES.map((o) => ({ value: o, label: outcomeLabel(o, t) }))]}
          />
        </div>
        {filtered ? (
          <Button onClick={() => update({ from: null, to: null, actor: null, action: null, outcome: null })}>{t('audit.clear')}</Button>
        ) : null}
        <Button onClick={() => void trail.refetch()} loading={trail.isRefetching && !trail.isFetchingNextPage} data-testid="audit-refresh">
          {t('audit.refresh')}
        </Button>
        <Button
          data-testid="audit-export"
          disabled={records.length === 0}
          onClick={() =>
            downloadText(
              `suanpan-audit-${stamp()}.csv`,
              auditCsv(records, t, (iso) => f.timestamp(iso)),
            )
          }
        >
          {t('ledger.export')}
        </Button>
      </search>
      <p className="note">
        <span data-testid="audit-count" data-value={records.length}>
          {t('audit.count', { n: f.integer(records.length) })}
        </span>{' '}
        {t('audit.timeNote')}
      </p>
      {body}
    </Section>
  )
}

export default function AuditPage() {
  const { t } = useAdminI18n()
  const auth = useCredentials()
  return (
    <>
      <PageHeader title={t('audit.title')} description={t('audit.description')} />
      {auth.ready ? (
        <>
          <Verify auth={auth} />
          <Trail auth={auth} />
        </>
      ) : (
        <Section title={t('audit.trail')} id="trail">
          <AdminTokenMissing what={t('audit.what')} />
        </Section>
      )}
    </>
  )
}
