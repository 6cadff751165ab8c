import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type Agent,
  type AgentTimers,
  createAgent,
  createFleet,
  SequenceCounter,
  type SimCluster,
  Spool,
  silentLogger,
  fullReport as simFull,
  usageReport as simUsage,
} from '@suanpan/agents'
import { openStore } from '@suanpan/control-plane'
import type { ClusterSummary, LedgerResponse } from '@suanpan/control-plane/schemas'
import { Registry } from 'prom-client'
import { afterAll, describe, expect, it } from 'vitest'
import { type ControlPlaneProcess, startControlPlaneProcess } from '../support/child-process'
import { getJson, http, waitUntil } from '../support/http-client'
import { freePort } from '../support/postgres'

const ADMIN_TOKEN = 'e2e-outage-admin-token'
const CLUSTERS = 12

/** One request an agent made, as seen on its side of the wire. */
interface WireEvent {
  sequence: number
  kind: string
  /** HTTP status, or 0 when there was no answer (connection refused or reset). */
  status: number
  replay: boolean
  ackStatus?: string
}

interface RunningAgent {
  cluster: SimCluster
  agent: Agent
  registry: Registry
  stateDir: string
  wire: WireEvent[]
  maxSpoolDepth: number
}

/** Wraps fetch to record what the agent sent and what came back, without changing either. */
function observe(wire: WireEvent[]): typeof fetch {
  return async (input, init) => {
    const { sequence, kind } = JSON.parse(String(init?.body)) as { sequence: number; kind: string }
    try {
      const res = await fetch(input, init)
      const text = await res.clone().text()
      let ackStatus: string | undefined
      try {
        ackStatus = (JSON.parse(text) as { status?: string }).status
      } catch {}
      wire.push({ sequence, kind, status: res.status, replay: res.headers.get('suanpan-replay') === 'true', ackStatus })
      return res
    } catch (error) {
      wire.push({ sequence, kind, status: 0, replay: false })
      throw error
    }
  }
}

async function metricValues(registry: Registry, name: string): Promise<{ value: number; labels: Record<string, unknown> }[]> {
  const metric = registry.getSingleMetric(name)
  if (!metric) throw new Error(`agent metric ${name} is not registered`)
  return (await metric.get()).values as { value: number; labels: Record<string, unknown> }[]
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('control plane outage under a running fleet of agents (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suanpan-e2e-outage-'))
  const sqlitePath = join(dir, 'ledger.db')
  let cp: ControlPlaneProcess | undefined
  const running: RunningAgent[] = []
  // Agents schedule through these timers; once paused, no new cycle starts and the fleet can go quiet.
  let paused = false
  const timers: AgentTimers = {
    setTimeout: (fn, ms) =>
      setTimeout(() => {
        if (!paused) fn()
      }, ms),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  }

  afterAll(async () => {
    paused = true
    await Promise.allSettled(running.map((r) => r.agent.stop()))
    await cp?.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('delivers every report produced while the control plane was down, once each and in order', async () => {
    const port = await freePort()
    const startCp = () => startControlPlaneProcess({ port, store: { sqlitePath }, adminToken: ADMIN_TOKEN, reportIntervalSeconds: 30 })
    cp = await startCp()
    const url = cp.url
    const fleet = createFleet({ clusters: CLUSTERS, seed: 20260303, nodesPerCluster: [20, 50] })

    for (const cluster of fleet) {
      const res = await http('POST', `${url}/api/v1/clusters`, { token: ADMIN_TOKEN, body: cluster.identity })
      expect(res.status).toBe(201)
      const stateDir = join(dir, 'agents', cluster.identity.clusterId)
      mkdirSync(stateDir, { recursive: true })
      // Number from 1, so that "every sequence produced" is exactly 1..(next - 1) at the end.
      writeFileSync(join(stateDir, 'sequence.json'), '{"next":1}\n')
      const registry = new Registry()
      const wire: WireEvent[] = []
      const agent = createAgent({
        cluster: cluster.identity,
        controlPlane: { baseUrl: url, token: res.json().token, timeoutMs: 15_000 },
        stateDir,
        collectFull: async () => {
          const r = simFull(cluster, 0, Date.now())
          return { nodes: r.nodes, storage: r.storage }
        },
        collectUsage: async () => simUsage(cluster, 0, Date.now()).nodes,
        registry,
        fullIntervalMs: 1_000,
        usageIntervalMs: 250,
        spool: { fsync: false },
        backoff: { baseMs: 50, capMs: 500 },
        timers,
        logger: silentLogger,
        fetch: observe(wire),
      })
      running.push({ cluster, agent, registry, stateDir, wire, maxSpoolDepth: 0 })
    }
    const depthWatch = setInterval(() => {
      for (const r of running) r.maxSpoolDepth = Math.max(r.maxSpoolDepth, r.agent.spoolDepth)
    }, 20)
    try {
      await Promise.all(running.map((r) => r.agent.start()))
      const lastSequences = async () =>
        new Map(
          (await getJson<{ clusters: ClusterSummary[] }>(`${url}/api/v1/clusters`)).clusters.map((c) => [c.clusterId, c.lastSequence]),
        )
      await waitUntil(
        'every agent to deliver its first report',
        async () => [...(await lastSequences()).values()].every((s) => s !== null),
        20_000,
        200,
      )
      await sleep(1_000)

      // Two outages: a clean stop (SIGTERM), then a crash (SIGKILL) that can lose acks of committed reports.
      for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
        const down = cp
        const exit = await down.kill(signal)
        expect(exit.signal ?? exit.code).toBe(signal === 'SIGTERM' ? 0 : 'SIGKILL')
        const depthBefore = new Map(running.map((r) => [r, r.agent.spoolDepth]))
        // The agents keep producing; what they cannot deliver waits in their spools.
        await waitUntil(
          `every agent to spool reports during the ${signal} outage`,
          () => running.every((r) => r.agent.spoolDepth >= (depthBefore.get(r) ?? 0) + 4),
          15_000,
        )
        cp = await startCp()
        await waitUntil(
          `every agent's spool to drain after the ${signal} outage`,
          () => running.every((r) => r.agent.spoolDepth === 0),
          25_000,
          50,
        )
        await sleep(500)
      }

      // Quiesce: no new cycles, wait for what is on the wire and in the spools, then stop the agents.
      paused = true
      let idleTimer: NodeJS.Timeout | undefined
      await Promise.race([
        Promise.all(running.map((r) => r.agent.idle())),
        new Promise((_, reject) => {
          idleTimer = setTimeout(
            () => reject(new Error(`agents not idle after 15 s; spool depths ${running.map((r) => r.agent.spoolDepth).join(',')}`)),
            15_000,
          )
        }),
      ]).finally(() => clearTimeout(idleTimer))
      await Promise.all(running.map((r) => r.agent.stop()))
    } finally {
      clearInterval(depthWatch)
    }

    const clusters = (await getJson<{ clusters: ClusterSummary[] }>(`${url}/api/v1/clusters`)).clusters
    const ledger = await getJson<LedgerResponse>(`${url}/api/v1/ledger?groupBy=cluster`)
    expect(
      ledger.stale.map((s) => s.clusterId),
      'no cluster is stale',
    ).toEqual([])
    expect(
      ledger.missing.map((s) => s.clusterId),
      'no cluster is missing',
    ).toEqual([])
    expect(ledger.total.clusters).toBe(CLUSTERS)
    expect(new Set(ledger.groups.map((g) => g.key.cluster))).toEqual(new Set(fleet.map((c) => c.identity.clusterId)))

    const lastByAgent = new Map<string, number>()
    let produced = 0
    let replays = 0
    let failures = 0
    for (const r of running) {
      const id = r.cluster.identity.clusterId
      expect(r.agent.spoolDepth, id).toBe(0)
      const last = (await SequenceCounter.open({ file: join(r.stateDir, 'sequence.json') })).peek - 1
      lastByAgent.set(id, last)
      produced += last
      const summary = clusters.find((c) => c.clusterId === id)
      expect(summary?.lastSequence, `${id}: control plane has the agent's last sequence`).toBe(last)
      expect(summary?.stale, id).toBe(false)
      expect(summary?.nodes, id).toBe(r.cluster.nodes.length)

      // Nothing dropped: the spool on disk is empty, its drop counter and the agent's metric are zero.
      const spool = await Spool.open({ dir: join(r.stateDir, 'spool'), fsync: false })
      expect(spool.depth, id).toBe(0)
      expect(spool.drops, id).toEqual({ usage: 0, full: 0 })
      const dropped = await metricValues(r.registry, 'suanpan_agent_spool_dropped_total')
      expect(dropped.length).toBeGreaterThan(0)
      for (const v of dropped) expect(v.value, `${id} dropped ${String(v.labels.kind)}`).toBe(0)

      // The outages really happened to this agent: it failed to deliver, and spooled.
      const agentFailures = await metricValues(r.registry, 'suanpan_agent_report_failures_total')
      const network = agentFailures.filter((v) => ['network', 'timeout', 'server'].includes(String(v.labels.reason)))
      expect(
        network.reduce((s, v) => s + v.value, 0),
        `${id} saw the outages`,
      ).toBeGreaterThan(0)
      expect(r.maxSpoolDepth, id).toBeGreaterThanOrEqual(4)
      failures += r.wire.filter((w) => w.status === 0 || w.status >= 500).length

      // On the agent's side of the wire: every sequence got exactly one acceptance, none was refused or ignored.
      // (A 5xx, e.g. 503 while the server closes, is retried like a network error.)
      expect(
        r.wire.filter((w) => w.status >= 400 && w.status < 500),
        `${id}: no report refused`,
      ).toEqual([])
      const answered = r.wire.filter((w) => w.status >= 200 && w.status < 300)
      expect(
        answered.filter((w) => w.ackStatus !== 'accepted'),
        `${id}: none ignored as older`,
      ).toEqual([])
      const acked = answered.map((w) => w.sequence)
      expect(acked, `${id}: one ack per sequence, in order`).toEqual(Array.from({ length: last }, (_, i) => i + 1))
      replays += answered.filter((w) => w.replay).length
    }

    await cp.kill('SIGTERM')
    // On the control plane's side: each sequence logged exactly once, and received in sequence order.
    const store = await openStore({ sqlitePath, databaseUrl: null })
    try {
      const log = await store.db
        .selectFrom('report_log')
        .select(['cluster_id', 'sequence', 'received_at'])
        .orderBy('cluster_id')
        .orderBy('sequence')
        .execute()
      for (const r of running) {
        const id = r.cluster.identity.clusterId
        const rows = log.filter((l) => l.cluster_id === id)
        expect(
          rows.map((l) => Number(l.sequence)),
          `${id}: report log`,
        ).toEqual(Array.from({ length: lastByAgent.get(id) ?? 0 }, (_, i) => i + 1))
        for (let i = 1; i < rows.length; i++) {
          expect(Number(rows[i]?.received_at), `${id}#${rows[i]?.sequence} received in order`).toBeGreaterThanOrEqual(
            Number(rows[i - 1]?.received_at),
          )
        }
      }
    } finally {
      await store.close()
    }
    console.log(
      `[outage] ${CLUSTERS} agents produced ${produced} reports; ${failures} attempts failed during the outages, ${replays} answered as replays; max spool depth ${Math.max(...running.map((r) => r.maxSpoolDepth))}`,
    )
  })
})
