import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type FakeKubeApi,
  loadFixtureCsiStorageCapacities,
  loadFixtureNodeMetrics,
  loadFixtureNodes,
  startFakeKubeApi,
} from './fake-api-server'

describe('fixture loaders (agents/fixtures)', () => {
  it('load the 9 real and SYNTHESIZED fixture nodes from YAML objects and JSON lists', async () => {
    const nodes = await loadFixtureNodes()
    expect(nodes).toHaveLength(9)
    expect(nodes.every((n) => typeof n.metadata?.name === 'string' && n.status?.capacity !== undefined)).toBe(true)
    // YAML keeps unquoted quantities as numbers, as a real YAML manifest would
    expect(nodes.find((n) => n.metadata?.name === 'kwok-node-0')?.status?.capacity?.cpu).toBe(32)
  })

  it('load the CSIStorageCapacity and NodeMetrics samples', async () => {
    expect((await loadFixtureCsiStorageCapacities()).map((c) => [c.storageClassName, c.capacity])).toEqual([['zfspv-pool', '445199919616']])
    expect((await loadFixtureNodeMetrics()).map((m) => [m.metadata.name, m.usage])).toEqual([
      ['minikube', { cpu: '487558164n', memory: '732212Ki' }],
    ])
  })
})

describe('in-process fake Kubernetes API server', () => {
  let api: FakeKubeApi
  const auth = () => ({ authorization: `Bearer ${api.kubeConfig.getCurrentUser()?.token ?? ''}` })
  const get = (path: string, headers: Record<string, string> = auth()) => fetch(`${api.url}${path}`, { headers })

  beforeAll(async () => {
    api = await startFakeKubeApi({
      nodes: await loadFixtureNodes(),
      pods: [
        {
          metadata: { name: 'a', namespace: 'x', labels: { app: 'web' } },
          spec: { nodeName: 'n1', containers: [] },
          status: { phase: 'Running' },
        },
        { metadata: { name: 'b', namespace: 'x' }, spec: { nodeName: 'n2', containers: [] }, status: { phase: 'Succeeded' } },
        { metadata: { name: 'c', namespace: 'y' }, spec: { containers: [] }, status: { phase: 'Pending' } },
      ],
    })
  })
  afterAll(() => api.close())

  it('serves a real List object with paging (limit, continue, remainingItemCount)', async () => {
    const first = (await (await get('/api/v1/nodes?limit=4')).json()) as {
      kind: string
      metadata: Record<string, unknown>
      items: unknown[]
    }
    expect(first.kind).toBe('NodeList')
    expect(first.items).toHaveLength(4)
    expect(first.items[0]).not.toHaveProperty('kind')
    expect(first.metadata.remainingItemCount).toBe(5)
    const rest = (await (await get(`/api/v1/nodes?limit=100&continue=${String(first.metadata.continue)}`)).json()) as {
      metadata: Record<string, unknown>
      items: unknown[]
    }
    expect(rest.items).toHaveLength(5)
    expect(rest.metadata.continue).toBeUndefined()
  })

  it('filters pods by field and label selectors and rejects unknown fields with 400', async () => {
    const names = async (query: string) =>
      ((await (await get(`/api/v1/pods?${query}`)).json()) as { items: Array<{ metadata: { name: string } }> }).items.map(
        (p) => p.metadata.name,
      )
    expect(await names(`fieldSelector=${encodeURIComponent('spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed')}`)).toEqual([
      'a',
    ])
    expect(await names('fieldSelector=metadata.namespace%3Dy')).toEqual(['c'])
    expect(await names('labelSelector=app%3Dweb')).toEqual(['a'])
    const bad = await get('/api/v1/pods?fieldSelector=spec.schedulerName%3Dx')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      message: 'field label not supported: spec.schedulerName',
    })
  })

  it('answers 401 without the token, 404 "page not found" for metrics.k8s.io when no metrics are given', async () => {
    expect((await get('/api/v1/nodes', {})).status).toBe(401)
    const metrics = await get('/apis/metrics.k8s.io/v1beta1/nodes')
    expect(metrics.status).toBe(404)
    expect(await metrics.text()).toBe('404 page not found\n')
    expect((await (await get('/apis/storage.k8s.io/v1/csistoragecapacities')).json()) as object).toMatchObject({
      kind: 'CSIStorageCapacityList',
      items: [],
    })
  })

  it('records requests and lets a test replace objects', async () => {
    api.update({ nodes: [] })
    const list = (await (await get('/api/v1/nodes')).json()) as { items: unknown[]; metadata: { resourceVersion: string } }
    expect(list.items).toEqual([])
    expect(list.metadata.resourceVersion).toBe('2')
    expect(api.requests.at(-1)).toMatchObject({ method: 'GET', url: '/api/v1/nodes' })
  })
})
