import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAgent, createKubeClients, readInventory, silentLogger } from '@suanpan/agents'
import { type FakeKubeApi, loadFixtureNodes, startFakeKubeApi } from '@suanpan/agents/testing'
import { buildApp, loadConfig } from '@suanpan/control-plane'
import type { LedgerResponse } from '@suanpan/control-plane/schemas'
import type { FastifyInstance } from 'fastify'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN } from '../support/app'

describe('a real agent reading an in-process fake Kubernetes API (real node objects) reports into the real control plane', () => {
  let fake: FakeKubeApi
  let app: FastifyInstance
  let url: string
  let dir: string
  let ledger: LedgerResponse

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'suanpan-agent-'))
    fake = await startFakeKubeApi({ nodes: await loadFixtureNodes() })
    const config = loadConfig({}, { adminToken: ADMIN_TOKEN, sqlitePath: join(dir, 'ledger.db'), port: 0, openReads: true })
    ;({ app } = await buildApp({ config, logger: false }))
    url = await app.listen({ host: '127.0.0.1', port: 0 })
    const cluster = { clusterId: '110000-fixtures', site: '110000-lab', province: '110000', city: 'Beijing', level: 'provincial' as const }
    const registered = await app.inject({
      method: 'POST',
      url: '/api/v1/clusters',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      payload: cluster,
    })
    const token = (registered.json() as { token: string }).token
    const clients = createKubeClients(fake.kubeConfig)
    const agent = createAgent({
      cluster,
      controlPlane: { baseUrl: url, token },
      stateDir: join(dir, 'agent'),
      registry: new Registry(),
      logger: silentLogger,
      collectFull: async () => {
        const inventory = await readInventory(clients)
        return { nodes: inventory.nodes, storage: inventory.storage }
      },
      collectUsage: async () => (await readInventory(clients)).usage,
    })
    await agent.start()
    await agent.idle()
    expect(agent.spoolDepth).toBe(0)
    await agent.stop()
    const res = await app.inject({ method: 'GET', url: '/api/v1/ledger?groupBy=kind,vendor,model' })
    ledger = res.json() as LedgerResponse
  })

  afterAll(async () => {
    await app?.close()
    await fake?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const group = (model: RegExp) => ledger.groups.filter((g) => model.test(String(g.key.model)))

  it('counts every fixture node once', () => {
    // AKS D2s v3 (3), kwok CPU, kwok DGX A100, Ascend 910 x8, Ascend 910C super-pod, Cambricon MLU370, RKE2 A16 vGPU
    expect(ledger.total.nodes).toBe(9)
    expect(ledger.total.clusters).toBe(1)
  })

  it('shows the DGX A100 node as 8 NVIDIA A100 GPUs', () => {
    const [a100] = group(/A100/)
    expect(a100?.key).toMatchObject({ kind: 'GPU', vendor: 'NVIDIA' })
    expect(a100?.devices).toBe(8)
  })

  it('shows the A16-4Q vGPU as a quarter of one A16 GPU, marked virtual', () => {
    const [a16] = group(/A16/)
    expect(a16?.devices).toBeCloseTo(0.25, 9)
    expect(a16?.virtualAccelerators).toBeCloseTo(0.25, 9)
  })

  it('shows the Ascend 910 (8 NPUs) and 910C super-pod (16 dies) as domestic Huawei NPUs', () => {
    const [a910] = group(/910A/)
    const [a910c] = group(/910C/)
    expect(a910?.devices).toBe(8)
    expect(a910c?.devices).toBe(16)
    expect(a910?.key.vendor).toBe('Huawei')
    const domestic = ledger.groups.filter((g) => g.key.kind === 'NPU').reduce((s, g) => s + g.devices, 0)
    expect(domestic).toBe(8 + 16 + 8)
  })

  it('shows the Cambricon node as 8 MLU370-X8', () => {
    const [mlu] = group(/MLU370/)
    expect(mlu?.key).toMatchObject({ kind: 'NPU', vendor: 'Cambricon' })
    expect(mlu?.devices).toBe(8)
  })

  it('counts CPU nodes it cannot identify without inventing their compute', () => {
    const cpu = ledger.groups.filter((g) => g.key.kind === 'CPU')
    expect(cpu.reduce((s, g) => s + g.nodes, 0)).toBe(9)
    const unknown = cpu.find((g) => g.key.vendor === 'unknown')
    expect(unknown?.compute.fp32Pflops).toBe(0)
    expect(unknown?.compute.devicesWithoutFigure.fp32).toBe(unknown?.nodes)
    expect(ledger.total.accelerators.unclassified ?? 0).toBe(0)
  })
})
