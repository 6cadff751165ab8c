import Alert from 'antd/es/alert'
import Button from 'antd/es/button'
import Form from 'antd/es/form'
import Input from 'antd/es/input'
import InputNumber from 'antd/es/input-number'
import Radio from 'antd/es/radio'
import Select from 'antd/es/select'
import Slider from 'antd/es/slider'
import { useEffect, useMemo, useState } from 'react'
import { ApiError, isAccessError } from '../../api/client'
import { useRegions } from '../../api/regions'
import { useSubmitWorkload } from '../../api/workloads'
import { AccessRefused } from '../../components/admin-token-prompt'
import { Section } from '../../components/page-header'
import { type SchedulingMessageKey, type SchedulingTranslate, useSchedulingI18n } from '../../i18n/scheduling'
import { useLabeler } from '../../i18n/use-labeler'
import type { Credentials } from '../../lib/credentials'
import { openSignInDialog } from '../../lib/session'
import {
  buildSpec,
  DEFAULT_VALUES,
  fieldOfPath,
  problemsByField,
  SCHEDULABLE_KINDS,
  type SpecProblem,
  type SubmitField,
  type SubmitValues,
} from '../../lib/workloads'
import { reasonLabel, reasonOfCode } from './shared'

const FIELD_LABEL: Readonly<Record<SubmitField, SchedulingMessageKey>> = {
  name: 'sched.field.name',
  department: 'sched.field.department',
  region: 'sched.field.region',
  priority: 'sched.field.priority',
  replicas: 'sched.field.replicas',
  cpuCores: 'sched.field.cpu',
  memoryGiB: 'sched.field.memory',
  accKind: 'sched.field.accKind',
  accModel: 'sched.field.accModel',
  accMinFp16: 'sched.field.accMinFp16',
  accCount: 'sched.field.accCount',
  mode: 'sched.field.mode',
  minPerCluster: 'sched.field.minPerCluster',
  duplicatedClusters: 'sched.field.duplicatedClusters',
  residencyProvinces: 'sched.field.residencyProvinces',
  residencyHubs: 'sched.field.residencyHubs',
  dataProvince: 'sched.field.dataProvince',
  transferPenalty: 'sched.field.transferPenalty',
  prefGreen: 'sched.pref.green',
  prefCost: 'sched.pref.cost',
  prefLatency: 'sched.pref.latency',
  prefDomestic: 'sched.pref.domestic',
  startAfter: 'sched.field.startAfter',
  deadline: 'sched.field.deadline',
  template: 'sched.field.template',
}

/** The field a problem names, in words: "副本数"（/replicas）. */
function problemField(path: string, t: SchedulingTranslate): string {
  const field = fieldOfPath(path)
  const shown = path || '/'
  return field ? t('sched.submit.fieldName', { label: t(FIELD_LABEL[field]), path: shown }) : shown
}

const PREFERENCES = [
  ['prefGreen', 'sched.pref.green'],
  ['prefCost', 'sched.pref.cost'],
  ['prefLatency', 'sched.pref.latency'],
  ['prefDomestic', 'sched.pref.domestic'],
] as const satisfies readonly (readonly [SubmitField, SchedulingMessageKey])[]

const SLIDER_MARKS = { 0: '0', 1: '1', 2: '2', 3: '3' }

export function SubmitWorkload({ auth, onExplain }: { auth: Credentials; onExplain: (id: string) => void }) {
  const { token, version, ready } = auth
  const { t, f, locale } = useSchedulingI18n()
  const [form] = Form.useForm<SubmitValues>()
  const submit = useSubmitWorkload()
  const regions = useRegions().data
  const label = useLabeler()
  const [problems, setProblems] = useState<SpecProblem[]>([])
  const accKind = Form.useWatch('accKind', form) ?? DEFAULT_VALUES.accKind
  const mode = Form.useWatch('mode', form) ?? DEFAULT_VALUES.mode
  const dataProvince = Form.useWatch('dataProvince', form)
  const { reset } = submit
  // Other credentials: the answer to the old ones no longer applies.
  useEffect(() => {
    if (version > 0) reset()
  }, [version, reset])

  const provinceOptions = useMemo(
    () => (regions?.provinces ?? []).map((p) => ({ value: p.code, label: label('province', p.code) })),
    [regions, label],
  )
  const hubOptions = useMemo(() => {
    const hubs = new Map<string, string>()
    for (const h of regions?.hubs ?? []) if (!hubs.has(h.hubId)) hubs.set(h.hubId, locale === 'en' ? h.hubNameEn : h.hubNameZh)
    return [
      { label: t('sched.hubGroup'), options: [...hubs].map(([value, label]) => ({ value, label })) },
      {
        label: t('sched.hubClusterGroup'),
        options: (regions?.hubs ?? [])
          .filter((h) => !hubs.has(h.id))
          .map((h) => ({ value: h.id, label: locale === 'en' ? h.nameEn : h.nameZh })),
      },
    ]
  }, [regions, locale, t])

  /** Shows the problems beside their fields (aria-invalid, the message as the field's help) and in the summary. */
  const show = (next: SpecProblem[]) => {
    const previous = problemsByField(problems)
    const current = problemsByField(next)
    const fields = new Set<SubmitField>([...previous.keys(), ...current.keys()])
    form.setFields([...fields].map((name) => ({ name, errors: current.get(name) ?? [] })))
    setProblems(next)
  }

  const onFinish = (values: SubmitValues) => {
    if (!ready) return openSignInDialog()
    submit.reset()
    const built = buildSpec(
      { ...DEFAULT_VALUES, ...values },
      {
        required: t('sched.required'),
        invalidJson: (message) => t('sched.template.invalidJson', { message }),
        notObject: t('sched.template.notObject'),
        invalidTime: t('sched.invalidTime'),
      },
    )
    if (!built.spec) return show(built.problems)
    show([])
    submit.mutate(
      { spec: built.spec, token },
      {
        onError: (error) => {
          if (error instanceof ApiError && error.status === 400) show(error.fields.map((x) => ({ path: x.path, message: x.message })))
        },
      },
    )
  }

  const error = submit.error
  const rejected = error instanceof ApiError && error.status === 422 ? error : null
  const invalid = error instanceof ApiError && error.status === 400 ? error : null
  const done = submit.data

  const item = (name: SubmitField, extra?: string) => ({ name, label: t(FIELD_LABEL[name]), ...(extra ? { extra } : {}) })

  return (
    <Section title={t('sched.submit.title')} id="submit">
      <Form<SubmitValues>
        form={form}
        name="workload"
        layout="vertical"
        requiredMark={false}
        initialValues={DEFAULT_VALUES}
        onFinish={onFinish}
        onValuesChange={(changed: Partial<SubmitValues>) => {
          // An edited field's problem is gone from the field (the summary keeps it until the next submission).
          const names = Object.keys(changed) as SubmitField[]
          const stale = names.filter((n) => form.getFieldError(n).length > 0)
          if (stale.length > 0) form.setFields(stale.map((name) => ({ name, errors: [] })))
        }}
        aria-labelledby="submit"
        data-testid="workload-form"
        className="workload-form"
      >
        <div className="submit-layout">
          <div className="submit-fields">
            <fieldset className="form-group">
              <legend>{t('sched.group.basics')}</legend>
              <div className="form-grid">
                <Form.Item {...item('name')}>
                  <Input maxLength={200} placeholder={t('sched.field.namePlaceholder')} autoComplete="off" />
                </Form.Item>
                <Form.Item {...item('department')}>
                  <Input maxLength={100} placeholder={t('sched.field.departmentPlaceholder')} autoComplete="off" />
                </Form.Item>
                <Form.Item {...item('region', t('sched.field.regionHelp'))}>
                  <Select
                    showSearch={{ optionFilterProp: 'label' }}
                    options={[{ value: 'national', label: t('sched.region.national') }, ...provinceOptions]}
                  />
                </Form.Item>
                <Form.Item {...item('priority', t('sched.field.priorityHelp'))}>
                  <InputNumber precision={0} style={{ width: '100%' }} />
                </Form.Item>
              </div>
            </fieldset>

            <fieldset className="form-group">
              <legend>{t('sched.group.resources')}</legend>
              <div className="form-grid">
                <Form.Item {...item('replicas')}>
                  <InputNumber precision={0} style={{ width: '100%' }} />
                </Form.Item>
                <Form.Item {...item('cpuCores')}>
                  <InputNumber step={1} style={{ width: '100%' }} />
                </Form.Item>
                <Form.Item {...item('memoryGiB')}>
                  <InputNumber step={1} style={{ width: '100%' }} />
                </Form.Item>
                <Form.Item {...item('accKind')}>
                  <Select
                    options={[
                      { value: 'none', label: t('sched.acc.none') },
                      ...SCHEDULABLE_KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) })),
                    ]}
                  />
                </Form.Item>
                <Form.Item {...item('accModel')}>
                  <Input
                    maxLength={120}
                    disabled={accKind === 'none'}
                    placeholder={t('sched.field.accModelPlaceholder')}
                    autoComplete="off"
                  />
                </Form.Item>
                <Form.Item {...item('accMinFp16', t('sched.field.accMinFp16Help'))}>
                  <InputNumber disabled={accKind === 'none'} style={{ width: '100%' }} />
                </Form.Item>
                <Form.Item {...item('accCount', t('sched.field.accCountHelp'))}>
                  <InputNumber precision={0} disabled={accKind === 'none'} style={{ width: '100%' }} />
                </Form.Item>
              </div>
            </fieldset>

            <fieldset className="form-group">
              <legend>{t('sched.group.placement')}</legend>
              <div className="form-grid">
                <Form.Item
                  {...item(
                    'mode',
                    t(
                      mode === 'gang'
                        ? 'sched.mode.gangHelp'
                        : mode === 'divisible'
                          ? 'sched.mode.divisibleHelp'
                          : 'sched.mode.duplicatedHelp',
                    ),
                  )}
                  className="form-wide"
                >
                  <Radio.Group
                    optionType="button"
                    options={[
                      { value: 'gang', label: t('sched.mode.gang') },
                      { value: 'divisible', label: t('sched.mode.divisible') },
                      { value: 'duplicated', label: t('sched.mode.duplicated') },
                    ]}
                  />
                </Form.Item>
                {mode === 'divisible' ? (
                  <Form.Item {...item('minPerCluster', t('sched.field.minPerClusterHelp'))}>
                    <InputNumber precision={0} style={{ width: '100%' }} />
                  </Form.Item>
                ) : null}
                {mode === 'duplicated' ? (
                  <Form.Item {...item('duplicatedClusters')}>
                    <InputNumber precision={0} style={{ width: '100%' }} />
                  </Form.Item>
                ) : null}
              </div>
            </fieldset>

            <fieldset className="form-group">
              <legend>{t('sched.group.where')}</legend>
              <p className="note">{t('sched.field.residencyHelp')}</p>
              <div className="form-grid">
                <Form.Item {...item('residencyProvinces')} className="form-wide">
                  <Select
                    mode="multiple"
                    allowClear
                    showSearch={{ optionFilterProp: 'label' }}
                    placeholder={t('sched.field.anyPlace')}
                    options={provinceOptions}
                  />
                </Form.Item>
                <Form.Item {...item('residencyHubs')} className="form-wide">
                  <Select
                    mode="multiple"
                    allowClear
                    showSearch={{ optionFilterProp: 'label' }}
                    placeholder={t('sched.field.anyPlace')}
                    options={hubOptions}
                  />
                </Form.Item>
                <Form.Item {...item('dataProvince', t('sched.field.dataProvinceHelp'))}>
                  <Select
                    allowClear
                    showSearch={{ optionFilterProp: 'label' }}
                    placeholder={t('sched.field.anyPlace')}
                    options={provinceOptions}
                  />
                </Form.Item>
                <Form.Item {...item('transferPenalty', t('sched.field.transferPenaltyHelp'))}>
                  <InputNumber step={0.1} disabled={!dataProvince} style={{ width: '100%' }} />
                </Form.Item>
              </div>
            </fieldset>

            <fieldset className="form-group">
              <legend>{t('sched.group.preferences')}</legend>
              <p className="note">{t('sched.pref.help')}</p>
              <div className="form-grid">
                {PREFERENCES.map(([name, label]) => (
                  <Form.Item key={name} {...item(name)}>
                    <Slider min={0} max={3} step={0.5} marks={SLIDER_MARKS} ariaLabelForHandle={t(label)} />
                  </Form.Item>
                ))}
              </div>
            </fieldset>

            <fieldset className="form-group">
              <legend>{t('sched.group.time')}</legend>
              <div className="form-grid">
                <Form.Item {...item('startAfter', t('sched.field.startAfterHelp'))}>
                  <Input type="datetime-local" />
                </Form.Item>
                <Form.Item {...item('deadline', t('sched.field.deadlineHelp'))}>
                  <Input type="datetime-local" />
                </Form.Item>
              </div>
            </fieldset>
          </div>
          <fieldset className="form-group submit-template">
            <legend>{t('sched.group.template')}</legend>
            <Form.Item {...item('template', t('sched.field.templateHelp'))}>
              <Input.TextArea className="code-input" rows={30} spellCheck={false} autoComplete="off" />
            </Form.Item>
          </fieldset>
        </div>

        <div className="toolbar">
          <Button type="primary" htmlType="submit" loading={submit.isPending} data-testid="workload-submit">
            {t('sched.submit.button')}
          </Button>
          <Button
            onClick={() => {
              form.resetFields()
              show([])
              submit.reset()
            }}
          >
            {t('sched.submit.reset')}
          </Button>
        </div>
      </Form>

      <div aria-live="polite">
        {problems.length > 0 ? (
          <Alert
            type="error"
            showIcon
            data-testid="workload-submit-invalid"
            title={t('sched.submit.invalidTitle', { n: f.integer(problems.length) })}
            description={
              <ul className="problems">
                {problems.map((p) => (
                  <li key={`${p.path}-${p.message}`} data-path={p.path}>
                    {t('sched.submit.fieldError', { field: problemField(p.path, t), message: p.message })}
                  </li>
                ))}
              </ul>
            }
          />
        ) : null}
        {submit.isError && !invalid ? (
          isAccessError(error) ? (
            <AccessRefused error={error} />
          ) : rejected ? (
            <Alert
              type="error"
              showIcon
              data-testid="workload-submit-rejected"
              data-reason={reasonOfCode(rejected.code)}
              title={t('sched.submit.rejectedTitle', { reason: reasonLabel(t, reasonOfCode(rejected.code)) })}
              description={
                <>
                  <div lang="en">{rejected.message}</div>
                  <div className="cell-note">{rejected.code}</div>
                </>
              }
            />
          ) : (
            <Alert
              type="error"
              showIcon
              data-testid="workload-submit-error"
              title={t('sched.submit.failed')}
              description={
                error instanceof ApiError
                  ? t('state.errorDetail', { status: error.status || t('state.network'), code: error.code, message: error.message })
                  : String(error)
              }
            />
          )
        ) : null}
        {done ? (
          <Alert
            type={done.state === 'pending' ? 'warning' : 'success'}
            showIcon
            data-testid="workload-submitted"
            data-workload-id={done.id}
            data-state={done.state}
            title={
              done.state === 'pending'
                ? t('sched.submit.pendingTitle', { name: done.name ?? done.id, reason: reasonLabel(t, done.reason) })
                : t('sched.submit.placedTitle', { name: done.name ?? done.id })
            }
            description={
              done.placements.length > 0
                ? t('sched.submit.placedText', {
                    clusters: done.placements
                      .map((p) => t('sched.placementChip', { cluster: p.clusterId, n: f.integer(p.replicas) }))
                      .join(locale === 'en' ? ', ' : '、'),
                  })
                : (done.message ?? undefined)
            }
            action={
              <Button size="small" onClick={() => onExplain(done.id)} data-testid="workload-submitted-explain">
                {t('sched.submit.why')}
              </Button>
            }
          />
        ) : null}
      </div>
    </Section>
  )
}
