import { type Assignment, MANAGED_BY_LABEL, MANAGED_BY_VALUE, WORKLOAD_ID_LABEL } from '@suanpan/control-plane/schemas'
import { describe, expect, it } from 'vitest'
import { buildWorkloadObject, DEFAULT_WORKLOAD_NAMESPACE, objectDigest, TemplateError, workloadStatus } from './apply'

const pod = { containers: [{ name: 'main', image: 'registry.example/train:1' }] }

function assignment(template: unknown, overrides: Partial<Assignment> = {}): Assignment {
  return {
    workloadId: 'w1',
    objectName: 'sp-w1',
    replicas: 3,
    template,
    labels: { [WORKLOAD_ID_LABEL]: 'w1', 'suanpan.io/department': 'stats' },
    state: 'assigned',
    ...overrides,
  }
}

const job = (spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata,
  spec: { template: { spec: { ...pod } }, ...spec },
})

const deployment = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { labels: { app: 'web' } },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { ...pod } },
    ...spec,
  },
})

function refusal(a: Assignment): TemplateError {
  try {
    buildWorkloadObject(a)
  } catch (error) {
    if (error instanceof TemplateError) return error
    throw error
  }
  throw new Error('expected a TemplateError')
}

describe('buildWorkloadObject', () => {
  it('names the object, puts it in the default namespace and labels it and its pods', () => {
    const object = buildWorkloadObject(assignment(job({}, { name: 'ignored', labels: { team: 'a', [MANAGED_BY_LABEL]: 'helm' } })))
    expect(object.metadata.name).toBe('sp-w1')
    expect(object.metadata.namespace).toBe(DEFAULT_WORKLOAD_NAMESPACE)
    const labels = { team: 'a', [WORKLOAD_ID_LABEL]: 'w1', 'suanpan.io/department': 'stats', [MANAGED_BY_LABEL]: MANAGED_BY_VALUE }
    expect(object.metadata.labels).toEqual(labels)
    expect((object.spec.template as { metadata: { labels: unknown } }).metadata.labels).toEqual(labels)
  })

  it("keeps the template's namespace, else uses the configured one", () => {
    expect(buildWorkloadObject(assignment(job({}, { namespace: 'team-a' })), { namespace: 'other' }).metadata.namespace).toBe('team-a')
    expect(buildWorkloadObject(assignment(job()), { namespace: 'other' }).metadata.namespace).toBe('other')
  })

  it('sets a Job parallelism and completions to the replicas, and defaults restartPolicy to Never', () => {
    const object = buildWorkloadObject(assignment(job()))
    expect(object.spec).toMatchObject({ parallelism: 3, completions: 3 })
    expect((object.spec.template as { spec: { restartPolicy: string } }).spec.restartPolicy).toBe('Never')
  })

  it("keeps a template's completions per parallel pod: replicas × ceil(completions / parallelism)", () => {
    expect(buildWorkloadObject(assignment(job({ completions: 16, parallelism: 8 }))).spec).toMatchObject({ parallelism: 3, completions: 6 })
    expect(buildWorkloadObject(assignment(job({ completions: 5 }))).spec).toMatchObject({ parallelism: 3, completions: 15 })
    expect(buildWorkloadObject(assignment(job({ completions: 2, parallelism: 8 }))).spec).toMatchObject({ completions: 3 })
  })

  it("sets a Deployment's replicas and adds only the workload-id label to its selector", () => {
    const object = buildWorkloadObject(assignment(deployment({ replicas: 10 }), { replicas: 2 }))
    expect(object.spec.replicas).toBe(2)
    expect(object.spec.selector).toEqual({ matchLabels: { app: 'web', [WORKLOAD_ID_LABEL]: 'w1' } })
    expect(object.metadata.labels).toMatchObject({ app: 'web', 'suanpan.io/department': 'stats' })
  })

  it('drops server-set metadata and the status, and leaves the template untouched', () => {
    const template = { ...job({}, { uid: 'u', resourceVersion: '9', managedFields: [], creationTimestamp: 'x' }), status: { active: 1 } }
    const before = structuredClone(template)
    const object = buildWorkloadObject(assignment(template))
    expect(object.metadata).not.toHaveProperty('uid')
    expect(object.metadata).not.toHaveProperty('managedFields')
    expect(object).not.toHaveProperty('status')
    expect(template).toEqual(before)
  })

  it.each([
    ['not an object', 'x', 'template must be an object'],
    ['another kind', { apiVersion: 'v1', kind: 'Pod', spec: {} }, 'template.kind "Pod" is not supported'],
    ['a wrong apiVersion', { ...job(), apiVersion: 'batch/v2' }, 'template.apiVersion must be batch/v1'],
    ['no spec', { apiVersion: 'apps/v1', kind: 'Deployment' }, 'template.spec must be an object'],
    ['no pod template', { apiVersion: 'batch/v1', kind: 'Job', spec: {} }, 'template.spec.template must be an object'],
    ['no containers', job({ template: { spec: { containers: [] } } }), 'template.spec.template.spec.containers must be a non-empty array'],
    [
      'a container without image',
      job({ template: { spec: { containers: [{ name: 'a' }] } } }),
      'containers[0].image must be a non-empty string',
    ],
    ['a label that is not a string', job({}, { labels: { tier: 1 } }), 'template.metadata.labels.tier must be a string'],
    ['a bad namespace', job({}, { namespace: 'Team A' }), 'template.metadata.namespace "Team A" is not a namespace name'],
    ['restartPolicy Always', job({ template: { spec: { ...pod, restartPolicy: 'Always' } } }), 'restartPolicy must be Never or OnFailure'],
    ['negative completions', job({ completions: -1 }), 'template.spec.completions must be a non-negative integer'],
  ])('refuses a template with %s, naming the field', (_case, template, message) => {
    expect(refusal(assignment(template)).message).toContain(message)
  })

  it('refuses an objectName that is not a DNS label and a Job with 0 replicas', () => {
    expect(refusal(assignment(job(), { objectName: 'SP_w1' })).field).toBe('objectName')
    expect(refusal(assignment(job(), { replicas: 0 })).field).toBe('replicas')
    expect(buildWorkloadObject(assignment(deployment(), { replicas: 0 })).spec.replicas).toBe(0)
  })

  it('gives the same digest for the same assignment, another when the replicas change', () => {
    const a = objectDigest(buildWorkloadObject(assignment(job())))
    expect(objectDigest(buildWorkloadObject(assignment(job())))).toBe(a)
    expect(objectDigest(buildWorkloadObject(assignment(job(), { replicas: 4 })))).not.toBe(a)
  })
})

describe('workloadStatus', () => {
  const jobWith = (status: Record<string, unknown>, completions = 2) => ({ kind: 'Job', spec: { completions }, status })
  const condition = (type: string, extra: Record<string, unknown> = {}) => ({ conditions: [{ type, status: 'True', ...extra }] })

  it('reads a Job: applied, running, succeeded, failed', () => {
    expect(workloadStatus(jobWith({}))).toEqual({ state: 'applied', readyReplicas: 0 })
    expect(workloadStatus(jobWith({ active: 2 }))).toEqual({ state: 'running', readyReplicas: 2 })
    expect(workloadStatus(jobWith({ ready: 1 })).state).toBe('running')
    expect(workloadStatus(jobWith({ active: 1, succeeded: 1 }))).toEqual({ state: 'running', readyReplicas: 2 })
    expect(workloadStatus(jobWith({ succeeded: 2 }))).toEqual({ state: 'succeeded', readyReplicas: 2 })
    expect(workloadStatus(jobWith({ succeeded: 1, ...condition('Complete') })).state).toBe('succeeded')
    expect(
      workloadStatus(
        jobWith(condition('Failed', { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' })),
      ),
    ).toEqual({
      state: 'failed',
      readyReplicas: 0,
      message: 'BackoffLimitExceeded: Job has reached the specified backoff limit',
    })
    expect(workloadStatus(jobWith({ conditions: [{ type: 'Failed', status: 'False' }], active: 1 })).state).toBe('running')
  })

  it('reads a Deployment: running once availableReplicas reaches replicas', () => {
    const dep = (status: Record<string, unknown>) => ({ kind: 'Deployment', spec: { replicas: 3 }, status })
    expect(workloadStatus(dep({ readyReplicas: 2, availableReplicas: 2 }))).toEqual({ state: 'applied', readyReplicas: 2 })
    expect(workloadStatus(dep({ readyReplicas: 3, availableReplicas: 3 }))).toEqual({ state: 'running', readyReplicas: 3 })
    const stuck = dep({ conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'too slow' }] })
    expect(workloadStatus(stuck)).toEqual({ state: 'applied', readyReplicas: 0, message: 'ProgressDeadlineExceeded: too slow' })
  })
})
