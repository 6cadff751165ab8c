import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FullReport, UsageReport } from '@suanpan/control-plane/schemas'
import { Registry } from 'prom-client'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEnergySource } from '../energy/source'
import { type FakeControlPlane, fakeFullReport, startFakeControlPlane } from '../report/fake-control-plane'
import { silentLogger } from '../report/log'
import type { Sleep } from '../report/pusher'
import { type Agent, type AgentTimers, type CreateAgentOptions, createAgent } from './agent'
import { startAgentMetricsServer } from './metrics'

const TOKEN = 'token-bj-test-1'
const CLUSTER = { clusterId: 'bj-test-1', site: 'bj-site', province: '110000', city: '北京', level: 'national' } as const
const inventory = fakeFullReport(0) as FullReport

/** Timers the test fires by hand, by interval. */
function manualTimers() {
  let nextId = 0
  const pending = new Map<number, { fn: () => void; ms: number }>()
  const timers: AgentTimers = {
    setTimeout: (fn, ms) => {
      pending.set(++nextId, { fn, ms })
      return nextId
    },
    clearTimeout: (h) => pending.delete(h as number),
  }
  const fire = (ms: number) => {
    for (const [id, t] of [...pending]) {
      if (t.ms !== ms) continue
      pending.delete(id)
      t.fn()
    }
  }
  return { timers, fire, pending }
}

/** A backoff sleep that only ends when the agent stops: no retry happens unless a test asks for one. */
const sleepUntilStopped: Sleep = (_ms, signal) =>
  new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))

describe('agent against a fake control plane', () => {
  let cp: FakeControlPlane
  let dir: string
  let now: number
  const agents: Agent[] = []

  beforeEach(async () => {
    cp = await startFakeControlPlane({ tokens: { [TOKEN]: CLUSTER.clusterId } })
    dir = await mkdtemp(join(tmpdir(), 'suanpan-agent-'))
    now = Date.UTC(2025, 5, 1)
  })
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.stop()))
    await cp.close()
    await rm(dir, { recursive: true, force: true })
  })

  function makeAgent(overrides: Partial<CreateAgentOptions> = {}) {
    const registry = new Registry()
    const { timers, fire } = manualTimers()
    const agent = createAgent({
      cluster: CLUSTER,
      controlPlane: { baseUrl: cp.baseUrl, token: TOKEN, timeoutMs: 2000 },
      stateDir: join(dir, 'state'),
      collectFull: async () => ({ nodes: inventory.nodes, storage: inventory.storage }),
      collectUsage: async () => [{ name: 'node-1', requested: { cpuMillis: 1500, memoryBytes: 2 ** 31 } }],
      registry,
      clock: () => now,
      timers,
      random: () => 0.5,
      sleep: sleepUntilStopped,
      logger: silentLogger,
      spool: { fsync: false },
      ...overrides,
    })
    agents.push(agent)
    return { agent, registry, fire }
  }

  const sequences = () => cp.accepted.map((r) => `${r.kind}:${r.sequence}`)

  it('sends a full report on start, then usage every 15 s and full every 60 s, with increasing sequences', async () => {
    const { agent, fire } = makeAgent()
    await agent.start()
    await agent.idle()
    now += 15_000
    fire(15_000)
    await agent.idle()
    now += 15_000
    fire(15_000)
    await agent.idle()
    now += 30_000
    fire(60_000)
    await agent.idle()
    // The usage tick right after a full report adds nothing and is skipped.
    fire(15_000)
    await agent.idle()
    expect(cp.accepted.map((r) => r.kind)).toEqual(['full', 'usage', 'usage', 'full'])
    const seqs = cp.accepted.map((r) => r.sequence)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(new Set(seqs).size).toBe(seqs.length)
    expect(cp.accepted[1]?.timestamp).toBe(new Date(Date.UTC(2025, 5, 1, 0, 0, 15)).toISOString())
  })

  it('puts the energy feed in full reports, and its power, PUE and green share in usage reports', async () => {
    const file = join(dir, 'energy.json')
    await writeFile(file, JSON.stringify({ itPowerKw: 800, pue: 1.25, greenShare: 0.6, mix: { wind: 0.6, coal: 0.4 } }))
    const { agent } = makeAgent({ energy: createEnergySource({ location: file }) })
    await agent.start()
    // The first full report is delivered before the usage cycle (both read the feed; their order would race).
    await agent.idle()
    now += 15_000
    await agent.runCycle('usage')
    await agent.idle()
    expect((cp.accepted[0] as FullReport).energy).toEqual({ itPowerKw: 800, pue: 1.25, greenShare: 0.6, mix: { wind: 0.6, coal: 0.4 } })
    expect((cp.accepted[1] as UsageReport).energy).toEqual({ itPowerKw: 800, pue: 1.25, greenShare: 0.6 })
  })

  it('never reuses a sequence after a restart', async () => {
    const first = makeAgent().agent
    await first.start()
    await first.idle()
    await first.stop()
    now -= 3_600_000 // a clock that went backwards must not matter: the sequence comes from the file
    const second = makeAgent().agent
    await second.start()
    await second.idle()
    expect(cp.accepted.map((r) => r.sequence)).toEqual([Date.UTC(2025, 5, 1), Date.UTC(2025, 5, 1) + 1])
  })

  it('keeps undelivered reports across an agent restart and drains them in order', async () => {
    cp.mode = 'down'
    const first = makeAgent().agent
    await first.start()
    now += 15_000
    await first.runCycle('usage')
    now += 15_000
    await first.runCycle('usage')
    expect(first.spoolDepth).toBe(3)
    await first.stop()

    cp.mode = 'up'
    const second = makeAgent().agent
    await second.start()
    await second.idle()
    expect(cp.accepted.map((r) => r.kind)).toEqual(['full', 'usage', 'usage', 'full'])
    const seqs = cp.accepted.map((r) => r.sequence)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(second.spoolDepth).toBe(0)
  })

  it('sends a full report when the control plane answers FULL_REPORT_REQUIRED', async () => {
    const { agent } = makeAgent()
    await agent.start()
    await agent.idle()
    // As if the control plane had been restored from a backup that predates this cluster's first report.
    cp.override = (r) =>
      r?.kind === 'usage' && cp.accepted.length === 1
        ? { status: 409, body: { statusCode: 409, code: 'FULL_REPORT_REQUIRED', error: 'Conflict', message: 'send a full report' } }
        : undefined
    now += 15_000
    expect(await agent.runCycle('usage')).toBe('rejected')
    await agent.idle()
    expect(cp.accepted.map((r) => r.kind)).toEqual(['full', 'full'])
  })

  it('skips ahead when the control plane already has a later sequence (state directory lost)', async () => {
    const old = makeAgent({ stateDir: join(dir, 'old') }).agent
    await old.start()
    await old.idle()
    now = 10 // the replacement's sequence file is new and its clock is far behind
    const { agent } = makeAgent({ stateDir: join(dir, 'new') })
    await agent.start()
    await agent.idle()
    await agent.runCycle('full')
    await agent.idle()
    expect(cp.requests.map((r) => r.sequence)).toEqual([Date.UTC(2025, 5, 1), 10, Date.UTC(2025, 5, 1) + 1])
    expect(sequences()).toEqual([`full:${Date.UTC(2025, 5, 1)}`, `full:${Date.UTC(2025, 5, 1) + 1}`])
  })

  it('still reports when collection or energy fails, and counts the failure', async () => {
    const file = join(dir, 'energy.json')
    await writeFile(file, JSON.stringify({ itPowerKw: 800, pue: 0.8 }))
    let k8sDown = false
    const { agent, registry } = makeAgent({
      energy: createEnergySource({ location: file }),
      collectUsage: async () => {
        if (k8sDown) throw new Error('kube-apiserver unreachable')
        return []
      },
    })
    await agent.start()
    await agent.idle()
    expect((cp.accepted[0] as FullReport).energy).toBeUndefined()
    k8sDown = true
    now += 15_000
    expect(await agent.runCycle('usage')).toBe('failed')
    const failures = await registry.getSingleMetric('suanpan_agent_report_failures_total')?.get()
    expect(failures?.values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { reason: 'energy' }, value: 2 }),
        expect.objectContaining({ labels: { reason: 'collect' }, value: 1 }),
      ]),
    )
  })

  it('exposes its metrics on 127.0.0.1/metrics: durations, failures, spool depth and drops, last success', async () => {
    const { agent, registry } = makeAgent({ spool: { fsync: false, maxReports: 2 } })
    await agent.start()
    await agent.idle()
    cp.mode = 'down'
    for (let i = 1; i <= 3; i++) {
      now += 15_000
      await agent.runCycle('usage')
    }
    const server = await startAgentMetricsServer(registry, 0)
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`)
      expect(res.status).toBe(200)
      const text = await res.text()
      expect(text).toMatch(/suanpan_agent_report_duration_seconds_count\{kind="full",outcome="accepted"\} 1/)
      expect(text).toMatch(/suanpan_agent_report_duration_seconds_count\{kind="usage",outcome="retry"\} 1/)
      expect(text).toMatch(/suanpan_agent_report_failures_total\{reason="server"\} 1/)
      expect(text).toMatch(/suanpan_agent_spool_depth 2/)
      expect(text).toMatch(/suanpan_agent_spool_dropped_total\{kind="usage"\} 1/)
      expect(text).toMatch(/suanpan_agent_spool_dropped_total\{kind="full"\} 0/)
      expect(text).toContain(`suanpan_agent_last_success_timestamp_seconds ${Date.UTC(2025, 5, 1) / 1000}`)
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404)
    } finally {
      await server.close()
    }
  })
})
