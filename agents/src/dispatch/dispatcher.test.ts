import { type Assignment, MANAGED_BY_LABEL, MANAGED_BY_VALUE, WORKLOAD_ID_LABEL } from '@suanpan/control-plane/schemas'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KubeInventoryError } from '../kube/errors'
import { type FakeKubeApi, startFakeKubeApi } from '../kube/fake-api-server'
import { silentLogger } from '../report/log'
import { createWorkloadApi, type WorkloadApi } from './apply'
import { createDispatcher, type Dispatcher, type DispatcherOptions, type DispatchTimers } from './dispatcher'
import { type FakeDispatchControlPlane, startFakeDispatchControlPlane } from './fake-dispatch-control-plane'

const CLUSTER_ID = 'bj-test-1'
const TOKEN = 'cluster-token-bj-test-1'
const NS = 'suanpan-workloads'

const pod = { containers: [{ name: 'main', image: 'registry.example/train:1' }] }
const jobTemplate = (extra: Record<string, unknown> = {}) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  spec: { template: { spec: pod } },
  ...extra,
})
const deploymentTemplate = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { namespace: 'team-a', labels: { app: 'web' } },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: pod } },
})

function assignment(workloadId: string, template: unknown, overrides: Partial<Assignment> = {}): Assignment {
  return {
    workloadId,
    objectName: `sp-${workloadId}`,
    replicas: 2,
    template,
    labels: { [WORKLOAD_ID_LABEL]: workloadId, 'suanpan.io/department': 'stats' },
    state: 'assigned',
    ...overrides,
  }
}

describe('dispatcher (fake Kubernetes API server, in-process control plane stand-in)', () => {
  let kube: FakeKubeApi
  let cp: FakeDispatchControlPlane
  const dispatchers: Dispatcher[] = []

  beforeEach(async () => {
    kube = await startFakeKubeApi()
    cp = await startFakeDispatchControlPlane({ clusterId: CLUSTER_ID, token: TOKEN })
  })
  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((d) => d.stop()))
    await Promise.all([kube.close(), cp.close()])
  })

  function makeDispatcher(overrides: Partial<DispatcherOptions> = {}): Dispatcher {
    const dispatcher = createDispatcher({
      clusterId: CLUSTER_ID,
      controlPlane: { url: cp.baseUrl, token: TOKEN, timeoutMs: 2000 },
      kubeConfig: kube.kubeConfig,
      logger: silentLogger,
      ...overrides,
    })
    dispatchers.push(dispatcher)
    return dispatcher
  }

  const reportedStates = (workloadId: string) => cp.reports.filter((r) => r.workloadId === workloadId).map((r) => r.status.state)

  it('applies a Job with server-side apply: name, namespace, labels, parallelism and completions (fake Kubernetes API server)', async () => {
    cp.assignments = [assignment('w1', jobTemplate(), { replicas: 3 })]
    const result = await makeDispatcher().syncOnce()
    expect(result).toMatchObject({ pulled: true, assignments: 1, applied: ['w1'], failed: [], reported: ['w1'], collected: true })

    expect(kube.applied).toHaveLength(1)
    const [apply] = kube.applied
    expect(apply).toMatchObject({ kind: 'Job', namespace: NS, name: 'sp-w1', fieldManager: 'suanpan-agent', force: true })
    const labels = { [WORKLOAD_ID_LABEL]: 'w1', 'suanpan.io/department': 'stats', [MANAGED_BY_LABEL]: MANAGED_BY_VALUE }
    expect(apply?.object).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'sp-w1', namespace: NS, labels },
      spec: { parallelism: 3, completions: 3, template: { metadata: { labels }, spec: { restartPolicy: 'Never' } } },
    })
    expect(kube.object('Job', NS, 'sp-w1')?.metadata?.labels).toEqual(labels)
    expect(cp.reports).toEqual([{ workloadId: 'w1', status: { state: 'applied', readyReplicas: 0 }, httpStatus: 200 }])
  })

  it("applies a Deployment in its template's namespace with replicas and a workload-id selector (fake Kubernetes API server)", async () => {
    cp.assignments = [assignment('d1', deploymentTemplate(), { replicas: 4 })]
    await makeDispatcher().syncOnce()
    const stored = kube.object('Deployment', 'team-a', 'sp-d1') as { spec?: Record<string, unknown> } | undefined
    expect(stored?.spec).toMatchObject({ replicas: 4, selector: { matchLabels: { app: 'web', [WORKLOAD_ID_LABEL]: 'd1' } } })
    expect(kube.objects('Job')).toEqual([])
  })

  it('does not apply again what is unchanged, and applies again when the spec changes (fake Kubernetes API server)', async () => {
    cp.assignments = [assignment('w1', jobTemplate())]
    const dispatcher = makeDispatcher()
    await dispatcher.syncOnce()
    const second = await dispatcher.syncOnce()
    expect(second).toMatchObject({ applied: [], unchanged: ['w1'], reported: [] })
    expect(kube.applied).toHaveLength(1)

    const changed = cp.assignments[0] as Assignment
    changed.replicas = 5
    expect((await dispatcher.syncOnce()).applied).toEqual(['w1'])
    expect(kube.applied).toHaveLength(2)
    expect(kube.applied[1]?.object).toMatchObject({ spec: { parallelism: 5, completions: 5 } })
  })

  it('applies again an object deleted behind its back (fake Kubernetes API server)', async () => {
    cp.assignments = [assignment('w1', jobTemplate())]
    const dispatcher = makeDispatcher()
    await dispatcher.syncOnce()
    kube.update({ jobs: [] })
    expect((await dispatcher.syncOnce()).applied).toEqual(['w1'])
    expect(kube.object('Job', NS, 'sp-w1')).toBeDefined()
  })

  it('reports applied → running → succeeded once each as the Job runs (fake Kubernetes API server)', async () => {
    cp.assignments = [assignment('w1', jobTemplate())]
    const dispatcher = makeDispatcher()
    await dispatcher.syncOnce()
    await dispatcher.syncOnce()
    expect(reportedStates('w1')).toEqual(['applied'])

    kube.setStatus('Job', NS, 'sp-w1', { active: 2, ready: 2 })
    expect((await dispatcher.syncOnce()).states.w1).toEqual({ state: 'running', readyReplicas: 2 })
    await dispatcher.syncOnce()
    expect(reportedStates('w1')).toEqual(['applied', 'running'])

    kube.setStatus('Job', NS, 'sp-w1', { succeeded: 2, conditions: [{ type: 'Complete', status: 'True' }] })
    await dispatcher.syncOnce()
    expect(reportedStates('w1')).toEqual(['applied', 'running', 'succeeded'])
    expect(cp.assignments[0]?.state).toBe('succeeded')

    // Succeeded: left alone (not applied, not deleted) while it is listed.
    const after = await dispatcher.syncOnce()
    expect(after).toMatchObject({ applied: [], unchanged: [], reported: [], deleted: [] })
    expect(kube.object('Job', NS, 'sp-w1')).toBeDefined()
    expect(cp.reports.map((r) => r.status)).toEqual([
      { state: 'applied', readyReplicas: 0 },
      { state: 'running', readyReplicas: 2 },
      { state: 'succeeded', readyReplicas: 2 },
    ])
  })

  it('reports a Deployment running once every replica is available (fake Kubernetes API server)', async () => {
    cp.assignments = [assignment('d1', deploymentTemplate(), { replicas: 2 })]
    const dispatcher = makeDispatcher()
    await dispatcher.syncOnce()
    kube.setStatus('Deployment', 'team-a', 'sp-d1', { replicas: 2, readyReplicas: 2, availableReplicas: 2 })
    await dispatcher.syncOnce()
    expect(reportedStates('d1')).toEqual(['applied', 'running'])
  })

  it('does not re-report what the control plane already has after a restart (list state), but applies once more (fake Kubernetes API server)', async () => {
    cp.assignments = [assignment('w1', jobTemplate())]
    await makeDispatcher().syncOnce()
    kube.setStatus('Job', NS, 'sp-w1', { active: 1 })
    await makeDispatcher().syncOnce()
    expect(reportedStates('w1')).toEqual(['applied', 'running'])
    const restarted = makeDispatcher()
    const result = await restarted.syncOnce()
    expect(result).toMatchObject({ applied: ['w1'], reported: [] })
  })

  it('deletes, with propagationPolicy Background, what is withdrawn or no longer listed, and nothing it does not manage (fake Kubernetes API server)', async () => {
    // Already in the cluster: someone else's Job, and a managed Job of a workload this list does not know.
    const unmanaged = { metadata: { name: 'etl', namespace: NS, labels: { [WORKLOAD_ID_LABEL]: 'w-other' } }, spec: {} }
    const stale = {
      metadata: { name: 'sp-old', namespace: 'team-b', labels: { [WORKLOAD_ID_LABEL]: 'old', [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
      spec: {},
    }
    kube.update({ jobs: [unmanaged, stale] })
    cp.assignments = [assignment('w1', jobTemplate()), assignment('w2', jobTemplate()), assignment('d1', deploymentTemplate())]
    const dispatcher = makeDispatcher()
    const first = await dispatcher.syncOnce()
    expect(first.deleted).toEqual([{ kind: 'Job', namespace: 'team-b', name: 'sp-old', workloadId: 'old' }])

    // w1 withdrawn, d1 no longer listed.
    cp.assignments = [assignment('w1', jobTemplate(), { state: 'withdrawn' }), assignment('w2', jobTemplate())]
    const second = await dispatcher.syncOnce()
    expect(second.deleted.map((d) => `${d.kind}/${d.namespace}/${d.name}`).sort()).toEqual([
      'Deployment/team-a/sp-d1',
      'Job/suanpan-workloads/sp-w1',
    ])
    expect(kube.deleted.map((d) => d.propagationPolicy)).toEqual(['Background', 'Background', 'Background'])
    expect(
      kube
        .objects()
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['etl', 'sp-w2'])
    // the cluster-wide lists were asked with the managed-by selector
    expect(
      kube.requests.some(
        (r) => r.url.startsWith('/apis/batch/v1/jobs?') && r.url.includes('labelSelector=app.kubernetes.io%2Fmanaged-by%3Dsuanpan-agent'),
      ),
    ).toBe(true)
  })

  it('deletes nothing when the pull fails or is partial (fake Kubernetes API server)', async () => {
    cp.assignments = [assignment('w1', jobTemplate())]
    const dispatcher = makeDispatcher()
    await dispatcher.syncOnce()

    cp.assignments = []
    for (const mode of ['error', 'reset'] as const) {
      cp.pullMode = mode
      const result = await dispatcher.syncOnce()
      expect(result).toMatchObject({ pulled: false, deleted: [], collected: false })
      expect(result.error).toBeTruthy()
    }
    cp.pullMode = 'up'
    for (const listBody of [
      { clusterId: 'someone-else', assignments: [], generatedAt: 1 },
      { clusterId: CLUSTER_ID, generatedAt: 1 },
      'not a list',
      { clusterId: CLUSTER_ID, assignments: [{ objectName: 'sp-x' }], generatedAt: 1 },
    ]) {
      cp.listBody = listBody
      expect((await dispatcher.syncOnce()).deleted).toEqual([])
    }
    expect(kube.deleted).toEqual([])
    expect(kube.object('Job', NS, 'sp-w1')).toBeDefined()

    // A whole list again: now it goes.
    cp.listBody = undefined
    expect((await dispatcher.syncOnce()).deleted).toHaveLength(1)
  })

  it('keeps an entry that breaks the contract from deleting its object, and applies the others (fake Kubernetes API server)', async () => {
    cp.assignments = [assignment('w1', jobTemplate())]
    const dispatcher = makeDispatcher()
    await dispatcher.syncOnce()
    cp.listBody = {
      clusterId: CLUSTER_ID,
      generatedAt: 1,
      assignments: [{ workloadId: 'w1', replicas: 'many' }, assignment('w2', jobTemplate())],
    }
    const result = await dispatcher.syncOnce()
    expect(result).toMatchObject({ applied: ['w2'], deleted: [], collected: true })
    expect(kube.object('Job', NS, 'sp-w1')).toBeDefined()
  })

  it('keeps statuses while the control plane is unreachable and sends the latest later (fake Kubernetes API server)', async () => {
    cp.assignments = [assignment('w1', jobTemplate())]
    const dispatcher = makeDispatcher()
    cp.statusMode = 'reset'
    const first = await dispatcher.syncOnce()
    expect(first).toMatchObject({ applied: ['w1'], reported: [], pendingReports: 1 })
    expect(dispatcher.pendingReports).toBe(1)

    // Unreachable altogether: kept.
    cp.pullMode = 'reset'
    kube.setStatus('Job', NS, 'sp-w1', { active: 2 })
    expect((await dispatcher.syncOnce()).pendingReports).toBe(1)

    // The list is back but not the status endpoint: the status read now replaces the one kept.
    cp.pullMode = 'up'
    expect((await dispatcher.syncOnce()).states.w1?.state).toBe('running')
    expect(dispatcher.pendingReports).toBe(1)

    cp.statusMode = 'up'
    const later = await dispatcher.syncOnce()
    expect(later).toMatchObject({ reported: ['w1'], pendingReports: 0 })
    expect(cp.reports.map((r) => r.status.state)).toEqual(['running'])
    expect(cp.assignments[0]?.state).toBe('running')

    // An error answer (500) is kept and sent again as well.
    kube.setStatus('Job', NS, 'sp-w1', { succeeded: 2 })
    cp.statusMode = 'error'
    expect((await dispatcher.syncOnce()).pendingReports).toBe(1)
    cp.statusMode = 'up'
    await dispatcher.syncOnce()
    expect(cp.reports.filter((r) => r.httpStatus === 200).map((r) => r.status.state)).toEqual(['running', 'succeeded'])
  })

  it('drops a status the control plane answers 404 for, without sending it again (fake Kubernetes API server)', async () => {
    cp.assignments = [assignment('w1', jobTemplate())]
    const dispatcher = makeDispatcher()
    // Listed when pulled, gone when reported: the fake answers 404 for withdrawn assignments.
    cp.statusMode = 'reset'
    await dispatcher.syncOnce()
    cp.statusMode = 'up'
    const original = cp.assignments
    cp.listBody = { clusterId: CLUSTER_ID, assignments: structuredClone(original), generatedAt: 1 }
    cp.assignments = []
    const result = await dispatcher.syncOnce()
    expect(result).toMatchObject({ reported: [], dropped: ['w1'], pendingReports: 0 })
    expect(cp.reports.map((r) => r.httpStatus)).toEqual([404])
  })

  it('reports a refused template as failed, naming the field, and applies nothing (fake Kubernetes API server)', async () => {
    const noImage = jobTemplate({ spec: { template: { spec: { containers: [{ name: 'main' }] } } } })
    cp.assignments = [
      assignment('bad1', { apiVersion: 'v1', kind: 'Pod', spec: pod }),
      assignment('bad2', noImage),
      assignment('good', jobTemplate()),
    ]
    const dispatcher = makeDispatcher()
    const result = await dispatcher.syncOnce()
    expect(result.applied).toEqual(['good'])
    expect(result.failed.map((f) => f.workloadId)).toEqual(['bad1', 'bad2'])
    const failed = Object.fromEntries(cp.reports.filter((r) => r.status.state === 'failed').map((r) => [r.workloadId, r.status.message]))
    expect(failed.bad1).toMatch(/template\.kind "Pod" is not supported/)
    expect(failed.bad2).toMatch(/template\.spec\.template\.spec\.containers\[0\]\.image must be a non-empty string/)
    expect(kube.applied.map((a) => a.name)).toEqual(['sp-good'])
    // Reported once: the control plane now holds `failed`.
    await dispatcher.syncOnce()
    expect(cp.reports.filter((r) => r.status.state === 'failed')).toHaveLength(2)
  })

  it('reports failed when the API server refuses the object, and retries on a passing error (fake Kubernetes API server)', async () => {
    const real = createWorkloadApi(kube.kubeConfig)
    let refusal = 422
    const workloadApi: WorkloadApi = {
      ...real,
      apply: async (object) => {
        if (object.metadata.name === 'sp-w1') {
          throw new KubeInventoryError('KUBE_API_ERROR', `server-side apply failed: HTTP ${refusal}: refused`, { status: refusal })
        }
        return real.apply(object)
      },
    }
    cp.assignments = [assignment('w1', jobTemplate()), assignment('w2', jobTemplate())]
    refusal = 503
    const dispatcher = makeDispatcher({ workloadApi })
    const passing = await dispatcher.syncOnce()
    expect(passing).toMatchObject({ applied: ['w2'], reported: ['w2'] })
    expect(passing.failed.map((f) => f.workloadId)).toEqual(['w1'])

    refusal = 422
    await dispatcher.syncOnce()
    expect(cp.reports.find((r) => r.workloadId === 'w1')?.status).toEqual({
      state: 'failed',
      message: 'server-side apply failed: HTTP 422: refused',
    })
  })

  it('garbage-collects the namespaces it applies to when it may not list the whole cluster (403) (fake Kubernetes API server)', async () => {
    const real = createWorkloadApi(kube.kubeConfig)
    const workloadApi: WorkloadApi = {
      ...real,
      listManaged: async (kind, namespace) => {
        if (namespace === undefined) throw new KubeInventoryError('KUBE_API_ERROR', 'listing failed: HTTP 403: forbidden', { status: 403 })
        return real.listManaged(kind, namespace)
      },
    }
    cp.assignments = [assignment('w1', jobTemplate()), assignment('d1', deploymentTemplate())]
    const dispatcher = makeDispatcher({ workloadApi })
    await dispatcher.syncOnce()
    cp.assignments = [assignment('d1', deploymentTemplate())]
    const result = await dispatcher.syncOnce()
    expect(result).toMatchObject({ collected: true, deleted: [{ kind: 'Job', namespace: NS, name: 'sp-w1', workloadId: 'w1' }] })
  })

  it('syncs at start, then every interval until stopped', async () => {
    const pending = new Map<number, () => void>()
    let next = 0
    const timers: DispatchTimers = {
      setTimeout: (fn) => {
        pending.set(++next, fn)
        return next
      },
      clearTimeout: (h) => pending.delete(h as number),
    }
    cp.assignments = [assignment('w1', jobTemplate())]
    const dispatcher = makeDispatcher({ timers })
    dispatcher.start(5000)
    expect(() => dispatcher.start(5000)).toThrow(/already started/)
    await expect.poll(() => pending.size).toBe(1)
    expect(kube.applied).toHaveLength(1)
    const pulls = () => cp.requests.filter((r) => r.method === 'GET').length
    expect(pulls()).toBe(1)
    for (const [id, fn] of [...pending]) {
      pending.delete(id)
      fn()
    }
    await expect.poll(() => pulls()).toBe(2)
    await dispatcher.stop()
    expect(pending.size).toBe(0)
  })
})
