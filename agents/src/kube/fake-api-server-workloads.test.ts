import { type KubernetesObject, KubernetesObjectApi, PatchStrategy, type V1Job } from '@kubernetes/client-node'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type FakeKubeApi, loadFixtureNodes, startFakeKubeApi } from './fake-api-server'

const job = (name: string, namespace: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace, labels },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } },
})

describe('in-process fake Kubernetes API server: Jobs and Deployments', () => {
  let api: FakeKubeApi
  let client: KubernetesObjectApi
  const raw = (path: string, init: RequestInit = {}) =>
    fetch(`${api.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${api.kubeConfig.getCurrentUser()?.token ?? ''}`, ...(init.headers as Record<string, string>) },
    })

  beforeEach(async () => {
    api = await startFakeKubeApi({ nodes: await loadFixtureNodes() })
    client = KubernetesObjectApi.makeApiClient(api.kubeConfig)
  })
  afterEach(() => api.close())

  it('takes a server-side apply from client-node, records it and serves the object back', async () => {
    const created: KubernetesObject = await client.patch(
      job('a', 'ns1', { x: '1' }),
      undefined,
      undefined,
      'tester',
      true,
      PatchStrategy.ServerSideApply,
    )
    expect(created.metadata?.uid).toBeTruthy()
    expect(api.applied).toEqual([
      { kind: 'Job', namespace: 'ns1', name: 'a', fieldManager: 'tester', force: true, object: job('a', 'ns1', { x: '1' }) },
    ])
    const read = await client.read<V1Job>({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'a', namespace: 'ns1' } })
    expect(read.metadata?.labels).toEqual({ x: '1' })
    expect(read.metadata?.generation).toBe(1)
    // discovery was asked once, then cached by the client
    expect(api.requests.filter((r) => r.url === '/apis/batch/v1')).toHaveLength(1)

    // A second apply replaces the spec and moves the generation; the status stays.
    api.setStatus('Job', 'ns1', 'a', { active: 1 })
    const changed = { ...job('a', 'ns1'), spec: { ...job('a', 'ns1').spec, parallelism: 2 } }
    await client.patch(changed, undefined, undefined, 'tester', true, PatchStrategy.ServerSideApply)
    expect(api.object('Job', 'ns1', 'a')).toMatchObject({
      metadata: { generation: 2, uid: created.metadata?.uid },
      status: { active: 1 },
      spec: { parallelism: 2 },
    })
  })

  it('lists across namespaces and in one, with a label selector', async () => {
    await client.patch(job('a', 'ns1', { team: 'x' }), undefined, undefined, 'tester', true, PatchStrategy.ServerSideApply)
    await client.patch(job('b', 'ns2', { team: 'x' }), undefined, undefined, 'tester', true, PatchStrategy.ServerSideApply)
    await client.patch(job('c', 'ns2'), undefined, undefined, 'tester', true, PatchStrategy.ServerSideApply)
    const all = await client.list('batch/v1', 'Job', undefined, undefined, undefined, undefined, undefined, 'team=x')
    expect(all.items.map((j) => `${j.metadata?.namespace}/${j.metadata?.name}`)).toEqual(['ns1/a', 'ns2/b'])
    const one = await client.list('batch/v1', 'Job', 'ns2')
    expect(one.items.map((j) => j.metadata?.name)).toEqual(['b', 'c'])
    expect((await client.list('apps/v1', 'Deployment')).items).toEqual([])
  })

  it('deletes, recording the propagation policy, and answers 404 for what is not there', async () => {
    await client.patch(job('a', 'ns1'), undefined, undefined, 'tester', true, PatchStrategy.ServerSideApply)
    const ref = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'a', namespace: 'ns1' } }
    await client.delete(ref, undefined, undefined, undefined, undefined, 'Background')
    expect(api.deleted).toEqual([{ kind: 'Job', namespace: 'ns1', name: 'a', propagationPolicy: 'Background' }])
    expect(api.objects()).toEqual([])
    await expect(client.read(ref)).rejects.toMatchObject({ code: 404 })
    await expect(client.delete(ref)).rejects.toMatchObject({ code: 404 })
  })

  it('serves seeded objects, refuses other patch types and applies without a field manager, and keeps serving nodes', async () => {
    await api.close()
    api = await startFakeKubeApi({ deployments: [{ metadata: { name: 'web', namespace: 'x' }, spec: {} }] })
    expect(api.objects('Deployment')).toMatchObject([
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'x' } },
    ])
    const merge = await raw('/apis/apps/v1/namespaces/x/deployments/web', {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: '{}',
    })
    expect(merge.status).toBe(415)
    const noManager = await raw('/apis/apps/v1/namespaces/x/deployments/web', {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }),
    })
    expect(noManager.status).toBe(422)
    const wrongName = await raw('/apis/apps/v1/namespaces/x/deployments/web?fieldManager=t', {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'other' } }),
    })
    expect(wrongName.status).toBe(400)
    expect(api.applied).toEqual([])
    expect(() => api.setStatus('Job', 'x', 'nope', {})).toThrow(/no Job x\/nope/)
    expect((await raw('/apis/apps/v1')).status).toBe(200)
    expect((await raw('/api/v1/nodes')).status).toBe(200)
  })
})
