import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiException, type V1CSIStorageCapacity, type V1Node, type V1PersistentVolume, type V1Pod } from '@kubernetes/client-node'
import {
  type FullReport,
  FullReportSchema,
  type Node,
  REPORT_SCHEMA_VERSION,
  type UsageReport,
  UsageReportSchema,
} from '@suanpan/control-plane/schemas'
import { Compile } from 'typebox/compile'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKubeClients } from './clients'
import { KubeInventoryError } from './errors'
import { type FakeKubeApi, type FakeKubeObjects, startFakeKubeApi } from './fake-api-server'
import { loadFixtureCsiStorageCapacities, loadFixtureNodeMetrics, loadFixtureNodes } from './fixtures'
import { ACTIVE_POD_FIELD_SELECTOR, type KubeInventory, readInventory } from './inventory'
import { loadKubeConfig } from './kube-config'
import type { NodeMetricsItem } from './node-metrics'

const Gi = 2 ** 30
const Mi = 2 ** 20
const Ki = 1024

const A16 = 'nori'
const DGX = 'virtual-gpu-node'
const ASCEND_910 = 'kwok-node-910ax8-0'
const ASCEND_910C = 'kwok-node-910csuperpod-0-0'
const MLU370 = 'mlu-node-synthetic-0'
const KWOK_CPU = 'kwok-node-0'
const AKS = ['aks-agentpool-30520393-vmss000000', 'aks-agentpool-30520393-vmss000001', 'aks-agentpool-30520393-vmss000002']

function pod(name: string, nodeName: string | undefined, spec: Partial<NonNullable<V1Pod['spec']>>, phase = 'Running'): V1Pod {
  return {
    metadata: { name, namespace: 'default' },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [], ...spec },
    status: { phase },
  }
}

/** Pods covering the request rules: init max, sidecars, overhead, pod-level, limits only, terminated, unscheduled. */
const PODS: V1Pod[] = [
  // cpu max(250m + 250m, 1) = 1000m; memory max(512Mi + 256Mi, 64Mi) = 768Mi; GPU from its limit only.
  pod(A16, A16, {
    containers: [
      { name: 'app', resources: { requests: { cpu: '250m', memory: '512Mi' } } },
      { name: 'render', resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { 'nvidia.com/gpu': '1' } } },
    ],
    initContainers: [{ name: 'warm-up', resources: { requests: { cpu: '1', memory: '64Mi' } } }],
  }),
  pod('finished-job', A16, { containers: [{ name: 'job', resources: { requests: { cpu: '4', 'nvidia.com/gpu': '1' } } }] }, 'Succeeded'),
  pod('crashed-job', A16, { containers: [{ name: 'job', resources: { requests: { cpu: '4' } } }] }, 'Failed'),
  pod('unscheduled', undefined, { containers: [{ name: 'wait', resources: { requests: { cpu: '8' } } }] }, 'Pending'),
  // Steady: 1 + 0.5 (sidecar) = 1.5 CPU; init peak: 2 + 0.5 (sidecar started before it) = 2.5 CPU;
  // plus overhead 250m = 2750m. Memory: max(1Gi + 128Mi, 2Gi + 128Mi) + 120Mi.
  pod('train-a', DGX, {
    containers: [{ name: 'trainer', resources: { requests: { cpu: '1', memory: '1Gi', 'nvidia.com/gpu': '4' } } }],
    initContainers: [
      { name: 'proxy', restartPolicy: 'Always', resources: { requests: { cpu: '500m', memory: '128Mi' } } },
      { name: 'fetch-data', resources: { requests: { cpu: '2', memory: '2Gi' } } },
    ],
    overhead: { cpu: '250m', memory: '120Mi' },
  }),
  pod('train-b', DGX, {
    containers: [{ name: 'trainer', resources: { requests: { cpu: '2', memory: '8Gi', 'nvidia.com/gpu': '4' } } }],
  }),
  // Quantities as YAML numbers, like the Ascend fixtures write them.
  pod('mindspore', ASCEND_910, {
    containers: [
      {
        name: 'worker',
        resources: { requests: { cpu: 94, memory: '700Gi', 'huawei.com/Ascend910': 8 } as unknown as Record<string, string> },
      },
    ],
  }),
  pod('inference', MLU370, {
    containers: [{ name: 'serve', resources: { requests: { cpu: '4', memory: '16Gi' }, limits: { 'cambricon.com/mlu': '2' } } }],
  }),
  // Pod-level resources replace the containers' cpu/memory sum.
  pod('pod-level', AKS[0] ?? '', {
    resources: { requests: { cpu: '1', memory: '2Gi' } },
    containers: [
      { name: 'a', resources: { requests: { cpu: '100m', memory: '100Mi' } } },
      { name: 'b', resources: { requests: { cpu: '100m' } } },
    ],
  }),
]

function pv(name: string, storageClassName: string | undefined, storage: string, phase: string): V1PersistentVolume {
  return {
    metadata: { name },
    spec: { capacity: { storage }, ...(storageClassName ? { storageClassName } : {}), accessModes: ['ReadWriteOnce'] },
    status: { phase },
  }
}

const PERSISTENT_VOLUMES = [
  pv('pvc-zfs-bound', 'zfspv-pool', '10Gi', 'Bound'),
  pv('pvc-zfs-available', 'zfspv-pool', '5Gi', 'Available'),
  pv('pvc-zfs-released', 'zfspv-pool', '7Gi', 'Released'),
  pv('pvc-disk', 'managed-premium', '128Gi', 'Bound'),
  pv('static-nfs', undefined, '1Ti', 'Bound'),
]

const STORAGE_CLASSES = [
  { metadata: { name: 'zfspv-pool' }, provisioner: 'zfs.csi.openebs.io' },
  { metadata: { name: 'managed-premium' }, provisioner: 'disk.csi.azure.com' },
  { metadata: { name: 'standard' }, provisioner: 'rancher.io/local-path' },
]

/** The fixture's capacity, the same segment reported again (counted once) and a second segment. */
function capacities(fixture: V1CSIStorageCapacity[]): V1CSIStorageCapacity[] {
  const [openebs] = fixture
  if (!openebs) throw new Error('the CSIStorageCapacity fixture is missing')
  return [
    openebs,
    { ...openebs, metadata: { name: 'csisc-duplicate', namespace: 'kube-system' }, capacity: '100Gi' },
    {
      ...openebs,
      metadata: { name: 'csisc-worker-1', namespace: 'openebs' },
      nodeTopology: { matchLabels: { 'kubernetes.io/hostname': 'worker-1', 'openebs.io/nodeid': 'worker-1' } },
      capacity: '100Gi',
    },
  ]
}

/** The fixture's metrics-server sample, attached to two fixture nodes. */
function metricsFor(sample: NodeMetricsItem[], names: string[]): NodeMetricsItem[] {
  const [minikube] = sample
  if (!minikube) throw new Error('the NodeMetrics fixture is missing')
  return names.map((name) => ({ ...minikube, metadata: { ...minikube.metadata, name } }))
}

function byName(nodes: readonly Node[], name: string): Node {
  const node = nodes.find((n) => n.name === name)
  if (!node) throw new Error(`node ${name} is missing from ${nodes.map((n) => n.name).join(', ')}`)
  return node
}

function fullReport(inventory: KubeInventory): FullReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    sequence: 1,
    timestamp: '2026-11-28T08:00:00.000Z',
    agentVersion: '0.1.0',
    kind: 'full',
    cluster: { clusterId: '110000-fake-k8s', site: '110000-a1', province: '110000', city: '北京', level: 'national' },
    nodes: inventory.nodes,
    storage: inventory.storage,
  }
}

let fixtureNodes: V1Node[]
let fixtureCapacities: V1CSIStorageCapacity[]
let fixtureMetrics: NodeMetricsItem[]

beforeAll(async () => {
  fixtureNodes = await loadFixtureNodes()
  fixtureCapacities = await loadFixtureCsiStorageCapacities()
  fixtureMetrics = await loadFixtureNodeMetrics()
})

async function withFake<T>(objects: FakeKubeObjects, run: (api: FakeKubeApi) => Promise<T>): Promise<T> {
  const api = await startFakeKubeApi(objects)
  try {
    return await run(api)
  } finally {
    await api.close()
  }
}

describe('inventory against an in-process fake Kubernetes API (real node objects)', () => {
  let api: FakeKubeApi
  let inventory: KubeInventory

  beforeAll(async () => {
    api = await startFakeKubeApi({
      nodes: fixtureNodes,
      pods: PODS,
      persistentVolumes: PERSISTENT_VOLUMES,
      storageClasses: STORAGE_CLASSES,
      csiStorageCapacities: capacities(fixtureCapacities),
      nodeMetrics: metricsFor(fixtureMetrics, [A16, KWOK_CPU]),
    })
    inventory = await readInventory(createKubeClients(api.kubeConfig))
  })
  afterAll(() => api.close())

  it('reads every fixture node: A16, DGX, Ascend 910 and 910C, MLU370, KWOK CPU and three AKS nodes', () => {
    expect(inventory.nodes.map((n) => n.name).sort()).toEqual([A16, ...AKS, MLU370, KWOK_CPU, ASCEND_910, ASCEND_910C, DGX].sort())
  })

  it('A16 vGPU node (RKE2, GFD + NFD labels): 2 cores, 16367668Ki, one nvidia.com/gpu, Intel from NFD', () => {
    const node = byName(inventory.nodes, A16)
    expect(node).toMatchObject({
      arch: 'amd64',
      ready: true,
      cpu: { cores: 2, vendor: 'Intel', model: 'family 6 model 61' },
      memoryBytes: 16_367_668 * Ki,
      allocatable: { cpuMillis: 2000, memoryBytes: 16_367_668 * Ki },
    })
    expect(node.accelerators).toEqual([{ resource: 'nvidia.com/gpu', count: 1, allocatable: 1, inUse: 1 }])
    expect(node.labels['nvidia.com/gpu.product']).toBe('NVIDIA-A16-4Q')
    expect(node.labels['nvidia.com/gpu.memory']).toBe('4096')
    expect(node.labels['nvidia.com/vgpu.present']).toBe('true')
    expect(node.labels['feature.node.kubernetes.io/cpu-model.vendor_id']).toBe('Intel')
    expect(node.labels['node.kubernetes.io/instance-type']).toBe('rke2')
    expect(node.labels['kubernetes.io/hostname']).toBeUndefined()
    expect(node.labels['feature.node.kubernetes.io/kernel-version.full']).toBeUndefined()
    expect(node.labels['node-role.kubernetes.io/control-plane']).toBeUndefined()
  })

  it('DGX A100 KWOK node: 256 cores, 1Ti, 8 nvidia.com/gpu and the 8 RDMA extended resources', () => {
    const node = byName(inventory.nodes, DGX)
    expect(node).toMatchObject({ arch: 'amd64', ready: true, cpu: { cores: 256 }, memoryBytes: 1024 * Gi })
    expect(node.accelerators.find((a) => a.resource === 'nvidia.com/gpu')).toEqual({
      resource: 'nvidia.com/gpu',
      count: 8,
      allocatable: 8,
      inUse: 8,
    })
    expect(node.accelerators.filter((a) => a.resource.startsWith('intel.com/mlnx_sriov_rdma'))).toHaveLength(8)
    expect(node.accelerators.map((a) => a.resource)).not.toContain('hugepages-1Gi')
    expect(node.accelerators.map((a) => a.resource)).not.toContain('ephemeral-storage')
    expect(node.labels).toEqual({ 'kubernetes.io/arch': 'amd64', nodeInstance: 'dgxa100.40g.8.norm' })
  })

  it('Ascend 910 (8 NPUs) and 910C super-pod (16 NPUs): unquoted YAML quantities, arm64, Ascend labels', () => {
    const a910 = byName(inventory.nodes, ASCEND_910)
    expect(a910).toMatchObject({ arch: 'arm64', cpu: { cores: 96 }, memoryBytes: 720 * Gi, allocatable: { cpuMillis: 96_000 } })
    expect(a910.ready).toBeUndefined() // the KWOK template has no conditions
    expect(a910.accelerators).toEqual([{ resource: 'huawei.com/Ascend910', count: 8, allocatable: 8, inUse: 8 }])
    expect(a910.labels).toEqual({
      accelerator: 'huawei-Ascend910',
      'accelerator-type': 'module',
      'host-arch': 'huawei-arm',
      'kubernetes.io/arch': 'arm64',
    })

    const a910c = byName(inventory.nodes, ASCEND_910C)
    expect(a910c.accelerators).toEqual([{ resource: 'huawei.com/Ascend910', count: 16, allocatable: 16, inUse: 0 }])
    expect(a910c.labels).toEqual({ accelerator: 'huawei-Ascend910', 'host-arch': 'huawei-arm', 'kubernetes.io/arch': 'arm64' })
  })

  it('Cambricon MLU370 (SYNTHESIZED node): 8 cambricon.com/mlu and its Model label', () => {
    const node = byName(inventory.nodes, MLU370)
    expect(node).toMatchObject({
      arch: 'amd64',
      cpu: { cores: 64 },
      memoryBytes: 527_938_528 * Ki,
      allocatable: { cpuMillis: 64_000, memoryBytes: 527_836_128 * Ki },
    })
    expect(node.accelerators).toEqual([{ resource: 'cambricon.com/mlu', count: 8, allocatable: 8, inUse: 2 }])
    expect(node.labels).toEqual({ Model: 'MLU370-X8', 'kubernetes.io/arch': 'amd64' })
  })

  it('plain CPU nodes (KWOK, AKS D2s v3): no accelerators, arch from the label, AKS allocatable 1900m', () => {
    const kwok = byName(inventory.nodes, KWOK_CPU)
    expect(kwok).toMatchObject({ arch: 'amd64', cpu: { cores: 32 }, memoryBytes: 256 * Gi, accelerators: [] })
    for (const name of AKS) {
      const aks = byName(inventory.nodes, name)
      expect(aks).toMatchObject({ arch: 'amd64', ready: true, cpu: { cores: 2 }, allocatable: { cpuMillis: 1900 } })
      expect(aks.accelerators).toEqual([]) // attachable-volumes-azure-disk and hugepages-* are not devices
      expect(aks.labels).toEqual({ 'kubernetes.io/arch': 'amd64', 'node.kubernetes.io/instance-type': 'Standard_D2s_v3' })
    }
    expect(byName(inventory.nodes, AKS[0] ?? '').memoryBytes).toBe(8_152_800 * Ki)
    expect(byName(inventory.nodes, AKS[2] ?? '').allocatable.memoryBytes).toBe(5_497_564 * Ki)
  })

  it("sums the requests of each node's running pods: init containers as a max, sidecars, overhead, pod-level", () => {
    expect(byName(inventory.nodes, A16).requested).toEqual({ cpuMillis: 1000, memoryBytes: 768 * Mi })
    expect(byName(inventory.nodes, DGX).requested).toEqual({ cpuMillis: 2750 + 2000, memoryBytes: 2 * Gi + 128 * Mi + 120 * Mi + 8 * Gi })
    expect(byName(inventory.nodes, ASCEND_910).requested).toEqual({ cpuMillis: 94_000, memoryBytes: 700 * Gi })
    expect(byName(inventory.nodes, MLU370).requested).toEqual({ cpuMillis: 4000, memoryBytes: 16 * Gi })
    expect(byName(inventory.nodes, AKS[0] ?? '').requested).toEqual({ cpuMillis: 1000, memoryBytes: 2 * Gi })
    expect(byName(inventory.nodes, KWOK_CPU).requested).toEqual({ cpuMillis: 0, memoryBytes: 0 })
  })

  it('asks the server for active pods only, page by page, with the kubeconfig token', () => {
    const podRequests = api.requests.filter((r) => r.url.startsWith('/api/v1/pods'))
    expect(podRequests).toHaveLength(1)
    const query = new URL(podRequests[0]?.url ?? '', api.url).searchParams
    expect(query.get('fieldSelector')).toBe(ACTIVE_POD_FIELD_SELECTOR)
    expect(query.get('limit')).toBe('500')
    expect(api.requests.every((r) => r.authorization?.startsWith('Bearer '))).toBe(true)
  })

  it('takes Node.used from metrics.k8s.io NodeMetrics when served (nanocores rounded up to millicores)', () => {
    expect(inventory.metrics).toBe('served')
    expect(byName(inventory.nodes, A16).used).toEqual({ cpuMillis: 488, memoryBytes: 732_212 * Ki })
    expect(byName(inventory.nodes, KWOK_CPU).used).toEqual({ cpuMillis: 488, memoryBytes: 732_212 * Ki })
    expect(byName(inventory.nodes, DGX).used).toBeUndefined() // no NodeMetrics for it
  })

  it('reports storage per class: Bound + Available PVs plus CSIStorageCapacity (fixture) per topology segment', () => {
    expect(inventory.storage).toEqual([
      { class: '(none)', capacityBytes: 1024 * Gi, usedBytes: 1024 * Gi },
      { class: 'managed-premium', provisioner: 'disk.csi.azure.com', capacityBytes: 128 * Gi, usedBytes: 128 * Gi },
      { class: 'standard', provisioner: 'rancher.io/local-path', capacityBytes: 0, usedBytes: 0 },
      {
        class: 'zfspv-pool',
        provisioner: 'zfs.csi.openebs.io',
        // 10Gi bound + 5Gi available PVs; 445199919616 free on "master" (the fixture; its duplicate
        // at 100Gi counts once); 100Gi free on worker-1. The Released PV is left out.
        capacityBytes: 10 * Gi + 5 * Gi + 445_199_919_616 + 100 * Gi,
        usedBytes: 10 * Gi,
      },
    ])
    expect(inventory.warnings).toEqual([])
  })

  it('gives the usage of the same nodes for a UsageReport', () => {
    const a16 = inventory.usage.find((u) => u.name === A16)
    expect(a16).toEqual({
      name: A16,
      requested: { cpuMillis: 1000, memoryBytes: 768 * Mi },
      used: { cpuMillis: 488, memoryBytes: 732_212 * Ki },
      accelerators: [{ resource: 'nvidia.com/gpu', inUse: 1 }],
    })
    expect(inventory.usage.find((u) => u.name === KWOK_CPU)).not.toHaveProperty('accelerators')
    const report: UsageReport = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      sequence: 2,
      timestamp: '2026-11-28T08:00:15.000Z',
      agentVersion: '0.1.0',
      kind: 'usage',
      cluster: { clusterId: '110000-fake-k8s' },
      nodes: inventory.usage,
    }
    const validator = Compile(UsageReportSchema)
    expect(validator.Errors(report)).toEqual([])
    expect(validator.Check(report)).toBe(true)
  })

  it('passes the report contract: a FullReport assembled from it validates with Compile(FullReportSchema)', () => {
    const report = fullReport(inventory)
    const validator = Compile(FullReportSchema)
    expect(validator.Errors(report)).toEqual([])
    expect(validator.Check(report)).toBe(true)
    // and survives JSON, as it will on the wire
    expect(validator.Check(JSON.parse(JSON.stringify(report)))).toBe(true)
  })

  it('reads the same inventory in pages of 2 (limit/continue)', async () => {
    const paged = await readInventory(createKubeClients(api.kubeConfig), { pageSize: 2 })
    expect(paged.nodes).toEqual(inventory.nodes)
    expect(paged.storage).toEqual(inventory.storage)
    expect(api.requests.some((r) => r.url.startsWith('/api/v1/nodes') && r.url.includes('continue='))).toBe(true)
  })
})

describe('inventory against an in-process fake Kubernetes API without optional APIs', () => {
  it('leaves Node.used out when metrics.k8s.io answers 404 (not served: not an error)', async () => {
    const inventory = await withFake({ nodes: fixtureNodes }, (api) => readInventory(createKubeClients(api.kubeConfig)))
    expect(inventory.metrics).toBe('not-served')
    expect(inventory.nodes.every((n) => n.used === undefined)).toBe(true)
    expect(inventory.usage.every((u) => !('used' in u))).toBe(true)
    expect(inventory.warnings).toEqual([])
    expect(Compile(FullReportSchema).Check(fullReport(inventory))).toBe(true)
  })

  it('says why usage is missing when metrics.k8s.io answers 503 (metrics-server down)', async () => {
    const inventory = await withFake({ nodes: fixtureNodes, nodeMetrics: 'unavailable' }, (api) =>
      readInventory(createKubeClients(api.kubeConfig)),
    )
    expect(inventory.metrics).toBe('unavailable')
    expect(inventory.nodes.every((n) => n.used === undefined)).toBe(true)
    expect(inventory.warnings).toEqual([expect.stringMatching(/HTTP 503: the server is currently unable to handle the request/)])
  })

  it('counts PVs only when CSIStorageCapacity is not served (before Kubernetes 1.24), with a warning', async () => {
    const inventory = await withFake(
      { nodes: fixtureNodes, persistentVolumes: PERSISTENT_VOLUMES, storageClasses: STORAGE_CLASSES, csiStorageCapacities: 'not-served' },
      (api) => readInventory(createKubeClients(api.kubeConfig)),
    )
    expect(inventory.storage.find((s) => s.class === 'zfspv-pool')).toEqual({
      class: 'zfspv-pool',
      provisioner: 'zfs.csi.openebs.io',
      capacityBytes: 15 * Gi,
      usedBytes: 10 * Gi,
    })
    expect(inventory.warnings).toEqual([expect.stringMatching(/CSIStorageCapacity is not served/)])
  })
})

describe('inventory errors against an in-process fake Kubernetes API', () => {
  it('wraps a 401 as KubeInventoryError KUBE_API_ERROR naming the call, with the ApiException as cause', async () => {
    const api = await startFakeKubeApi({ nodes: fixtureNodes }, { token: 'right' })
    try {
      const wrong = loadKubeConfig({
        kind: 'object',
        config: { ...api.kubeConfigDocument, users: [{ name: 'fake', user: { token: 'wrong' } }] },
      })
      const error = await readInventory(createKubeClients(wrong)).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(KubeInventoryError)
      expect(error).toMatchObject({ code: 'KUBE_API_ERROR', status: 401 })
      expect((error as Error).message).toMatch(/^listing \w[\w ]+ \(GET \/api.*\) failed: HTTP 401: Unauthorized$/)
      expect((error as Error).cause).toBeInstanceOf(ApiException)
    } finally {
      await api.close()
    }
  })

  it('wraps an unreachable API server as KUBE_API_ERROR with the network error as cause', async () => {
    const api = await startFakeKubeApi({ nodes: fixtureNodes })
    const clients = createKubeClients(api.kubeConfig)
    await api.close()
    const error = await readInventory(clients).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KubeInventoryError)
    expect(error).toMatchObject({ code: 'KUBE_API_ERROR' })
    expect((error as Error).cause).toBeDefined()
  })

  it('names the node and field of a malformed quantity (KUBE_OBJECT_INVALID)', async () => {
    const broken: V1Node = { metadata: { name: 'broken-node' }, status: { capacity: { cpu: '4', memory: '16 GB' } } }
    const error = await withFake({ nodes: [broken] }, (api) => readInventory(createKubeClients(api.kubeConfig))).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KubeInventoryError)
    expect(error).toMatchObject({ code: 'KUBE_OBJECT_INVALID' })
    expect((error as Error).message).toMatch(/node "broken-node" status.capacity.memory: invalid Kubernetes quantity "16 GB"/)
  })
})

describe('loadKubeConfig against an in-process fake Kubernetes API', () => {
  it('reads a kubeconfig file and a kubeconfig object', async () => {
    await withFake({ nodes: fixtureNodes }, async (api) => {
      const dir = await mkdtemp(join(tmpdir(), 'suanpan-kubeconfig-'))
      try {
        const path = join(dir, 'config')
        await writeFile(path, JSON.stringify(api.kubeConfigDocument))
        for (const kc of [loadKubeConfig({ kind: 'file', path }), loadKubeConfig({ kind: 'object', config: api.kubeConfigDocument })]) {
          const inventory = await readInventory(createKubeClients(kc))
          expect(inventory.nodes).toHaveLength(fixtureNodes.length)
        }
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    })
  })

  it('refuses http:// without insecure-skip-tls-verify, a missing file and a config without a cluster', () => {
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'http://127.0.0.1:1' } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }
    expect(() => loadKubeConfig({ kind: 'object', config })).toThrow(/insecure-skip-tls-verify/)
    expect(() => loadKubeConfig({ kind: 'file', path: '/nonexistent/kubeconfig' })).toThrow(KubeInventoryError)
    expect(() => loadKubeConfig({ kind: 'object', config: { ...config, 'current-context': 'missing' } })).toThrow(/no current cluster/)
  })
})
