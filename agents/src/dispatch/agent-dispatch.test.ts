import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WORKLOAD_ID_LABEL } from '@suanpan/control-plane/schemas'
import { Registry } from 'prom-client'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Agent, type CreateAgentOptions, createAgent } from '../agent/agent'
import { type FakeKubeApi, startFakeKubeApi } from '../kube/fake-api-server'
import { silentLogger } from '../report/log'
import { type FakeDispatchControlPlane, startFakeDispatchControlPlane } from './fake-dispatch-control-plane'

const TOKEN = 'token-bj-test-1'
const CLUSTER = { clusterId: 'bj-test-1', site: 'bj-site', province: '110000', city: '北京', level: 'national' } as const

describe('the agent runs the dispatcher (fake Kubernetes API server)', () => {
  let kube: FakeKubeApi
  let cp: FakeDispatchControlPlane
  let dir: string
  const agents: Agent[] = []

  beforeEach(async () => {
    kube = await startFakeKubeApi()
    cp = await startFakeDispatchControlPlane({ clusterId: CLUSTER.clusterId, token: TOKEN })
    cp.assignments = [
      {
        workloadId: 'w1',
        objectName: 'sp-w1',
        replicas: 1,
        labels: { [WORKLOAD_ID_LABEL]: 'w1' },
        state: 'assigned',
        template: { apiVersion: 'batch/v1', kind: 'Job', spec: { template: { spec: { containers: [{ name: 'm', image: 'busybox' }] } } } },
      },
    ]
    dir = await mkdtemp(join(tmpdir(), 'suanpan-agent-dispatch-'))
  })
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.stop()))
    await Promise.all([kube.close(), cp.close()])
    await rm(dir, { recursive: true, force: true })
  })

  function makeAgent(overrides: Partial<CreateAgentOptions>): Agent {
    const agent = createAgent({
      cluster: CLUSTER,
      controlPlane: { baseUrl: cp.baseUrl, token: TOKEN, timeoutMs: 2000 },
      // Reports go elsewhere in this test: only dispatch talks to the stand-in.
      sender: {
        sendBody: async () => ({
          status: 'accepted',
          clusterId: CLUSTER.clusterId,
          sequence: 1,
          lastSequence: 1,
          receivedAt: '',
          nodes: 0,
          message: '',
        }),
      },
      stateDir: join(dir, 'state'),
      collectFull: async () => ({ nodes: [], storage: [] }),
      collectUsage: async () => [],
      registry: new Registry(),
      logger: silentLogger,
      spool: { fsync: false },
      fullIntervalMs: 3_600_000,
      usageIntervalMs: 3_600_000,
      ...overrides,
    })
    agents.push(agent)
    return agent
  }

  it('applies and reports its assignments with its control plane token and kube config, on by default', async () => {
    const agent = makeAgent({ kubeConfig: kube.kubeConfig, dispatch: { intervalMs: 3_600_000, namespace: 'gov-work' } })
    expect(agent.dispatcher).toBeDefined()
    await agent.start()
    await expect.poll(() => cp.reports.length).toBe(1)
    expect(kube.applied.map((a) => `${a.namespace}/${a.name}`)).toEqual(['gov-work/sp-w1'])
    expect(cp.reports[0]?.status.state).toBe('applied')
    await agent.stop()
  })

  it('does not dispatch with dispatch: false or without a kube config', async () => {
    expect(makeAgent({ kubeConfig: kube.kubeConfig, dispatch: false }).dispatcher).toBeUndefined()
    const agent = makeAgent({})
    expect(agent.dispatcher).toBeUndefined()
    await agent.start()
    await agent.idle()
    expect(cp.requests).toEqual([])
  })
})
