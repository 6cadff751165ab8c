import Alert from 'antd/es/alert'
import Button, { type ButtonProps } from 'antd/es/button'
import Form from 'antd/es/form'
import Input from 'antd/es/input'
import Popconfirm from 'antd/es/popconfirm'
import Select from 'antd/es/select'
import Table from 'antd/es/table'
import type { ColumnsType } from 'antd/es/table/interface'
import { useEffect, useState } from 'react'
import { ApiError, isAccessError } from '../../api/client'
import { isPending, useAddDrillSchedule, useDeleteDrillSchedule, useDrillSchedules } from '../../api/drills'
import { AccessRefused } from '../../components/admin-token-prompt'
import { Section } from '../../components/page-header'
import { EmptyState, ErrorState, Loading } from '../../components/query-state'
import { useDrillsI18n } from '../../i18n/drills'
import type { Credentials } from '../../lib/credentials'
import type { DrillScenario, DrillSchedule } from '../../lib/drills'
import { ApprovalPending, ChangeError, StatusPill, scenarioTitle } from './shared'

interface ScheduleValues {
  scenario: string | undefined
  cron: string
}

type ScheduleField = 'scenario' | 'cron' | 'timezone'
const FIELDS: readonly ScheduleField[] = ['scenario', 'cron', 'timezone']

/** The form field a 400 names (`/cron`, `/scenario`, `/timezone`), else null. */
function fieldOf(path: string): ScheduleField | null {
  const name = path.replace(/^\//, '').split('/')[0] ?? ''
  return (FIELDS as readonly string[]).includes(name) ? (name as ScheduleField) : null
}

export function SchedulesSection({
  auth,
  scenarios,
  onDetails,
}: {
  auth: Credentials
  scenarios: readonly DrillScenario[]
  onDetails: (id: string) => void
}) {
  const { t, f, locale } = useDrillsI18n()
  const { token, version } = auth
  const [form] = Form.useForm<ScheduleValues>()
  const list = useDrillSchedules(auth)
  const add = useAddDrillSchedule()
  const remove = useDeleteDrillSchedule()
  // Problems the API named without a field of this form (shown above it).
  const [other, setOther] = useState<ApiError | null>(null)
  const [timezoneError, setTimezoneError] = useState<string | null>(null)
  const { reset: resetAdd } = add
  const { reset: resetRemove } = remove
  useEffect(() => {
    if (version > 0) {
      resetAdd()
      resetRemove()
    }
  }, [version, resetAdd, resetRemove])
  const byId = new Map(scenarios.map((s) => [s.id, s]))
  const titleOf = (id: string) => scenarioTitle(byId.get(id), id, locale)
  const schedules = list.data?.schedules ?? []

  const onFinish = (values: ScheduleValues) => {
    setOther(null)
    setTimezoneError(null)
    add.reset()
    remove.reset()
    const scenario = values.scenario ?? ''
    add.mutate(
      { scenario, cron: values.cron.trim(), token },
      {
        onSuccess: () => form.setFieldValue('cron', ''),
        onError: (error) => {
          if (!(error instanceof ApiError) || error.status !== 400) return
          const byField = new Map<ScheduleField, string[]>()
          for (const x of error.fields) {
            const field = fieldOf(x.path)
            if (field) byField.set(field, [...(byField.get(field) ?? []), x.message])
          }
          if (byField.size === 0) return setOther(error)
          form.setFields(
            (['scenario', 'cron'] as const).map((name) => ({
              name,
              errors: byField.get(name) ?? [],
            })),
          )
          setTimezoneError(byField.get('timezone')?.join('; ') ?? null)
        },
      },
    )
  }

  const columns: ColumnsType<DrillSchedule> = [
    {
      key: 'scenario',
      title: t('drill.schedule.col.scenario'),
      width: 200,
      render: (_, s) => (
        <>
          <div>{titleOf(s.scenario)}</div>
          <code className="hash cell-note">{s.id}</code>
        </>
      ),
    },
    {
      key: 'cron',
      title: t('drill.schedule.col.cron'),
      width: 150,
      render: (_, s) => (
        <>
          <code data-testid="drill-schedule-cron">{s.cron}</code>
          <div className="cell-note">{s.timezone}</div>
        </>
      ),
    },
    {
      key: 'state',
      title: t('drill.schedule.col.state'),
      width: 80,
      render: (_, s) => (s.enabled ? t('drill.schedule.enabled') : t('drill.schedule.disabled')),
    },
    {
      key: 'next',
      title: t('drill.schedule.col.next'),
      width: 170,
      render: (_, s) => (s.nextRun ? <time dateTime={s.nextRun}>{f.timestamp(s.nextRun)}</time> : f.missing),
    },
    {
      key: 'last',
      title: t('drill.schedule.col.last'),
      width: 200,
      render: (_, s) =>
        s.lastRun ? (
          <div className="run-when">
            <button
              type="button"
              className="link-like"
              onClick={() => s.lastRun && onDetails(s.lastRun.id)}
              aria-label={t('drill.detailsFor', { id: s.lastRun.id })}
            >
              <StatusPill status={s.lastRun.status} />
            </button>
            <span className="cell-note">{f.timestamp(s.lastRun.scheduledFor ?? s.lastRun.startedAt)}</span>
          </div>
        ) : (
          f.missing
        ),
    },
    {
      key: 'created',
      title: t('drill.schedule.col.created'),
      width: 200,
      render: (_, s) => t('drill.schedule.createdBy', { who: s.createdBy, at: f.timestamp(s.createdAt) }),
    },
    {
      key: 'actions',
      title: t('drill.schedule.col.actions'),
      width: 90,
      fixed: 'right',
      render: (_, s) => (
        <Popconfirm
          rootClassName="danger-confirm"
          title={t('drill.schedule.deleteConfirm')}
          description={t('drill.schedule.deleteHelp')}
          okText={t('drill.schedule.deleteOk')}
          cancelText={t('drill.schedule.deleteKeep')}
          okButtonProps={{ danger: true, loading: remove.isPending, 'data-testid': 'drill-schedule-delete-confirm' } as ButtonProps}
          onConfirm={() => {
            add.reset()
            return remove.mutateAsync({ id: s.id, token }).catch(() => undefined)
          }}
        >
          <Button
            size="small"
            danger
            className="danger-button"
            aria-label={t('drill.schedule.deleteFor', { id: s.id, scenario: titleOf(s.scenario), cron: s.cron })}
            data-testid="drill-schedule-delete"
          >
            {t('drill.schedule.delete')}
          </Button>
        </Popconfirm>
      ),
    },
  ]

  const body = (() => {
    if (list.isError && isAccessError(list.error)) return <AccessRefused error={list.error} />
    if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} minHeight={120} />
    if (list.isPending) return <Loading minHeight={120} />
    if (schedules.length === 0) return <EmptyState text={t('drill.schedules.empty')} minHeight={100} />
    return (
      <Table<DrillSchedule>
        data-testid="drill-schedules"
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={schedules}
        pagination={false}
        scroll={{ x: 1090 }}
        title={() => <span className="table-caption">{t('drill.schedules.caption')}</span>}
      />
    )
  })()

  const added = add.data && !isPending(add.data) ? add.data : null
  const pending = add.data && isPending(add.data) ? add.data.approval : null
  return (
    <Section title={t('drill.schedules.title')} id="schedules">
      <p className="note">{t('drill.schedules.note')}</p>
      <Form<ScheduleValues>
        form={form}
        name="drill_schedule"
        layout="vertical"
        requiredMark={false}
        initialValues={{ scenario: undefined, cron: '' }}
        onFinish={onFinish}
        onValuesChange={(changed: Partial<ScheduleValues>) => {
          // An edited field's problem is gone.
          const names = Object.keys(changed) as ('scenario' | 'cron')[]
          const stale = names.filter((n) => form.getFieldError(n).length > 0)
          if (stale.length > 0) form.setFields(stale.map((name) => ({ name, errors: [] })))
        }}
        aria-label={t('drill.schedule.form')}
        className="schedule-form"
        data-testid="drill-schedule-form"
      >
        <Form.Item name="scenario" label={t('drill.schedule.scenario')} rules={[{ required: true, message: t('drill.schedule.required') }]}>
          <Select
            placeholder={t('drill.schedule.scenarioPlaceholder')}
            options={scenarios.map((s) => ({ value: s.id, label: scenarioTitle(s, s.id, locale) }))}
            style={{ minWidth: 220 }}
          />
        </Form.Item>
        <Form.Item
          name="cron"
          label={t('drill.schedule.cron')}
          extra={t('drill.schedule.cronHelp')}
          rules={[{ required: true, whitespace: true, message: t('drill.schedule.required') }]}
        >
          <Input className="code-input" placeholder="0 3 * * 1" autoComplete="off" spellCheck={false} maxLength={120} />
        </Form.Item>
        <Form.Item
          label={t('drill.schedule.timezone')}
          validateStatus={timezoneError ? 'error' : undefined}
          help={timezoneError ?? undefined}
        >
          <span className="timezone-value" data-testid="drill-schedule-timezone">
            {t('drill.schedule.timezoneValue')}
          </span>
        </Form.Item>
        <div className="schedule-submit">
          <Button type="primary" htmlType="submit" loading={add.isPending} data-testid="drill-schedule-add">
            {t('drill.schedule.add')}
          </Button>
        </div>
      </Form>
      <div aria-live="polite">
        {add.isError && !(add.error instanceof ApiError && add.error.status === 400 && other === null) ? (
          <ChangeError
            error={add.error}
            title={t('drill.schedule.addFailed')}
            testId="drill-schedule-add-error"
            onClose={() => add.reset()}
          />
        ) : null}
        {pending ? (
          <ApprovalPending
            approval={pending}
            title={t('drill.approval.scheduleTitle', { scenario: titleOf(add.variables?.scenario ?? '') })}
            onClose={() => add.reset()}
          />
        ) : null}
        {added ? (
          <Alert
            type="success"
            showIcon
            closable={{ onClose: () => add.reset() }}
            data-testid="drill-schedule-added"
            data-schedule-id={added.id}
            title={t('drill.schedule.added', {
              scenario: titleOf(added.scenario),
              cron: added.cron,
              next: added.nextRun ? f.timestamp(added.nextRun) : f.missing,
            })}
          />
        ) : null}
        {remove.isError ? (
          <ChangeError
            error={remove.error}
            title={t('drill.schedule.deleteFailed')}
            testId="drill-schedule-delete-error"
            onClose={() => remove.reset()}
          />
        ) : null}
        {remove.isSuccess ? (
          <Alert
            type="info"
            showIcon
            closable={{ onClose: () => remove.reset() }}
            data-testid="drill-schedule-deleted"
            title={t('drill.schedule.deleted', { id: remove.data.deleted })}
          />
        ) : null}
      </div>
      {body}
    </Section>
  )
}
