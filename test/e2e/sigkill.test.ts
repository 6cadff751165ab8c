import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFleet, type SimCluster, fullReport as simFull, usageReport as simUsage } from '@suanpan/agents'
import type { ClusterSummary, FullReport, LedgerResponse, ReportAck, UsageReport } from '@suanpan/control-plane/schemas'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { type ControlPlaneProcess, startControlPlaneProcess } from '../support/child-process'
import { getJson, http } from '../support/http-client'
import { freePort } from '../support/postgres'
import { createPgDatabase } from '../support/stores'

const ADMIN_TOKEN = 'e2e-sigkill-admin-token'
const CLUSTERS = 40
/** The control plane is killed when this many reports have been acknowledged, with the rest still on the wire. */
const KILL_AFTER_ACKS = 240
const T0 = Date.parse('2026-03-02T02:00:00Z')

interface SentReport {
  sequence: number
  kind: 'full' | 'usage'
  body: string
  /** Nodes in the report (a full report's node count is what the ledger must show once it is the latest). */
  nodes: number
}

/** What became of one POST in the first run. */
type Outcome = { kind: 'acked'; ack: ReportAck } | { kind: 'in-flight' } | { kind: 'refused'; status: number; text: string }

interface ClusterRun {
  cluster: SimCluster
  token: string
  sent: SentReport[]
  outcomes: Map<number, Outcome>
  /** Names of the nodes of the latest full report, so usage reports never name an unknown node. */
  current: Set<string>
}

/**
 * Report `sequence` of a cluster: every 4th is a full report (the first one too), the rest usage. Full reports
 * drop a varying handful of the cluster's nodes, so the ledger's node count tells which full report it holds.
 */
function nextReport(run: ClusterRun, sequence: number): SentReport {
  const t = T0 + sequence * 15_000
  if (sequence % 4 === 1) {
    const report: FullReport = simFull(run.cluster, sequence, t)
    const keep = report.nodes.length - ((sequence + run.cluster.index) % 7)
    report.nodes = report.nodes.slice(0, keep)
    run.current = new Set(report.nodes.map((n) => n.name))
    return { sequence, kind: 'full', body: JSON.stringify(report), nodes: report.nodes.length }
  }
  const report: UsageReport = simUsage(run.cluster, sequence, t)
  report.nodes = report.nodes.filter((n) => run.current.has(n.name))
  return { sequence, kind: 'usage', body: JSON.stringify(report), nodes: report.nodes.length }
}

/** Node count the ledger must show for a cluster whose last applied sequence is `last`. */
function expectedNodes(run: ClusterRun, last: number | null): number {
  if (last === null) return 0
  const full = run.sent.filter((r) => r.kind === 'full' && r.sequence <= last).at(-1)
  return full?.nodes ?? 0
}

const pgUrl = inject('pgUrl')
const variants: { name: 'sqlite' | 'postgres'; skip: string | null }[] = [
  { name: 'sqlite', skip: null },
  { name: 'postgres', skip: pgUrl ? null : 'skipped: no PostgreSQL' },
]

for (const variant of variants) {
  describe.skipIf(variant.skip)(`SIGKILL in the middle of ingest on ${variant.name}${variant.skip ? ` (${variant.skip})` : ''}`, () => {
    let dir: string
    let store: { sqlitePath: string } | { databaseUrl: string }
    let dropDb: (() => Promise<void>) | undefined
    let port: number
    let cp: ControlPlaneProcess | undefined
    const runs: ClusterRun[] = []
    let inFlightAtKill = 0
    let acksAtKill = 0

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'suanpan-e2e-sigkill-'))
      if (variant.name === 'postgres') {
        if (!pgUrl) throw new Error('skipped: no PostgreSQL')
        const db = await createPgDatabase(pgUrl)
        store = { databaseUrl: db.url }
        dropDb = db.drop
      } else {
        store = { sqlitePath: join(dir, 'ledger.db') }
      }
      port = await freePort()
      cp = await startControlPlaneProcess({ port, store, adminToken: ADMIN_TOKEN })
      for (const cluster of createFleet({ clusters: CLUSTERS, seed: 20260302, nodesPerCluster: [50, 100] })) {
        const res = await http('POST', `${cp.url}/api/v1/clusters`, { token: ADMIN_TOKEN, body: cluster.identity })
        if (res.status !== 201) throw new Error(`register ${cluster.identity.clusterId}: ${res.status} ${res.text}`)
        runs.push({ cluster, token: res.json().token, sent: [], outcomes: new Map(), current: new Set() })
      }
    })

    afterAll(async () => {
      await cp?.kill('SIGKILL')
      await dropDb?.()
      rmSync(dir, { recursive: true, force: true })
    })

    it('keeps every acknowledged report across a SIGKILL during concurrent ingest', async () => {
      const first = cp
      if (!first) throw new Error('control plane not started')
      let acks = 0
      let inFlight = 0
      let killed = false
      let kill: Promise<unknown> = Promise.resolve()

      // One delivery loop per cluster, as an agent does (in order, one on the wire); 40 clusters at once.
      const loop = async (run: ClusterRun) => {
        for (let sequence = 1; !killed; sequence++) {
          const report = nextReport(run, sequence)
          run.sent.push(report)
          inFlight++
          let outcome: Outcome
          try {
            const res = await http('POST', `${first.url}/api/v1/reports`, { token: run.token, body: report.body })
            outcome =
              res.status >= 200 && res.status < 300
                ? { kind: 'acked', ack: res.json() as ReportAck }
                : { kind: 'refused', status: res.status, text: res.text }
          } catch {
            outcome = { kind: 'in-flight' }
          } finally {
            inFlight--
          }
          run.outcomes.set(sequence, outcome)
          if (outcome.kind !== 'acked') return
          acks++
          if (acks === KILL_AFTER_ACKS && !killed) {
            killed = true
            inFlightAtKill = inFlight
            acksAtKill = acks
            kill = first.kill('SIGKILL')
          }
        }
      }
      const started = Date.now()
      await Promise.all(runs.map(loop))
      const exit = await kill
      const loadSeconds = (Date.now() - started) / 1000

      expect(exit, 'the control plane died of SIGKILL, not of something else').toEqual({ code: null, signal: 'SIGKILL' })
      expect(inFlightAtKill, 'reports were on the wire when the control plane was killed').toBeGreaterThan(0)
      const refused = runs.flatMap((r) => [...r.outcomes.values()].filter((o) => o.kind === 'refused'))
      expect(refused, 'no report was refused before the kill').toEqual([])
      for (const run of runs) {
        for (const [sequence, o] of run.outcomes) {
          if (o.kind === 'acked') expect(o.ack).toMatchObject({ status: 'accepted', sequence, lastSequence: sequence })
        }
      }
      // Some answers may still have been read after the kill decision: at least the threshold were acked.
      const totalAcked = runs.reduce((s, r) => s + [...r.outcomes.values()].filter((o) => o.kind === 'acked').length, 0)
      expect(totalAcked).toBeGreaterThanOrEqual(acksAtKill)
      console.log(`[${variant.name}] ${totalAcked} reports acked in ${loadSeconds.toFixed(1)} s, ${inFlightAtKill} on the wire at SIGKILL`)

      // Restart on the same store and port.
      cp = await startControlPlaneProcess({ port, store, adminToken: ADMIN_TOKEN })
      const url = cp.url
      const { clusters } = await getJson<{ clusters: ClusterSummary[] }>(`${url}/api/v1/clusters`)
      expect(clusters).toHaveLength(CLUSTERS)
      const byId = new Map(clusters.map((c) => [c.clusterId, c]))

      let committedInFlight = 0
      let expectedTotal = 0
      for (const run of runs) {
        const id = run.cluster.identity.clusterId
        const summary = byId.get(id)
        const acked = [...run.outcomes].filter(([, o]) => o.kind === 'acked').map(([s]) => s)
        const inflight = [...run.outcomes].filter(([, o]) => o.kind === 'in-flight').map(([s]) => s)
        const maxAcked = acked.length > 0 ? Math.max(...acked) : null
        // In order, one on the wire: the acked sequences are 1..maxAcked, and at most one is unanswered.
        expect(acked, id).toEqual(Array.from({ length: acked.length }, (_, i) => i + 1))
        expect(inflight.length, id).toBeLessThanOrEqual(1)
        // Every acknowledged report is there; beyond that, at most the one that was on the wire.
        if (maxAcked !== null) expect(summary?.lastSequence, id).toBeGreaterThanOrEqual(maxAcked)
        expect([maxAcked, ...inflight], id).toContain(summary?.lastSequence ?? null)
        if (inflight[0] !== undefined && summary?.lastSequence === inflight[0]) committedInFlight++
        const nodes = expectedNodes(run, summary?.lastSequence ?? null)
        expect(summary?.nodes, `${id}: nodes of its last full report`).toBe(nodes)
        expectedTotal += nodes
      }

      const ledger = await getJson<LedgerResponse>(`${url}/api/v1/ledger?groupBy=cluster`)
      expect(ledger.stale).toEqual([])
      expect(ledger.total.nodes, 'ledger nodes = sum of the last acknowledged full report per cluster').toBe(expectedTotal)
      for (const run of runs) {
        const id = run.cluster.identity.clusterId
        const group = ledger.groups.find((g) => g.key.cluster === id)
        expect(group?.nodes ?? 0, id).toBe(expectedNodes(run, byId.get(id)?.lastSequence ?? null))
      }

      // Re-sending every acknowledged report is a replay (its original answer) or ignored as older: never a new write.
      const before = await getJson<LedgerResponse>(`${url}/api/v1/ledger?groupBy=cluster,kind&lineage=true`)
      let replays = 0
      let older = 0
      await Promise.all(
        runs.map(async (run) => {
          for (const report of run.sent) {
            const o = run.outcomes.get(report.sequence)
            if (o?.kind !== 'acked') continue
            const res = await http('POST', `${url}/api/v1/reports`, { token: run.token, body: report.body })
            expect(res.status, `${run.cluster.identity.clusterId}#${report.sequence}`).toBe(200)
            const ack = res.json() as ReportAck
            if (res.headers['suanpan-replay'] === 'true') {
              replays++
              expect(ack, 'a replay answers with the stored ack').toEqual(o.ack)
            } else {
              older++
              expect(ack.status, `${run.cluster.identity.clusterId}#${report.sequence} re-accepted`).toBe('ignored-older')
            }
          }
        }),
      )
      expect(replays + older).toBe(totalAcked)
      const after = await getJson<LedgerResponse>(`${url}/api/v1/ledger?groupBy=cluster,kind&lineage=true`)
      expect(after.groups, 're-sending acked reports changed nothing').toEqual(before.groups)
      expect(after.total).toEqual(before.total)

      // The reports that were on the wire are all or nothing: committed (a replay) or absent (accepted now, whole).
      for (const run of runs) {
        for (const report of run.sent) {
          if (run.outcomes.get(report.sequence)?.kind !== 'in-flight') continue
          const committed = byId.get(run.cluster.identity.clusterId)?.lastSequence === report.sequence
          const res = await http('POST', `${url}/api/v1/reports`, { token: run.token, body: report.body })
          expect(res.status).toBe(200)
          expect(res.headers['suanpan-replay'] === 'true', `${run.cluster.identity.clusterId}#${report.sequence}`).toBe(committed)
          expect(res.json()).toMatchObject({ status: 'accepted', sequence: report.sequence, nodes: report.nodes })
        }
      }
      const final = await getJson<{ clusters: ClusterSummary[] }>(`${url}/api/v1/clusters`)
      let finalTotal = 0
      for (const run of runs) {
        const summary = final.clusters.find((c) => c.clusterId === run.cluster.identity.clusterId)
        expect(summary?.lastSequence).toBe(run.sent.at(-1)?.sequence)
        expect(summary?.nodes).toBe(expectedNodes(run, summary?.lastSequence ?? null))
        finalTotal += summary?.nodes ?? 0
      }
      expect((await getJson<LedgerResponse>(`${url}/api/v1/ledger`)).total.nodes).toBe(finalTotal)
      console.log(
        `[${variant.name}] after restart: ${replays} replays, ${older} ignored-older, ${committedInFlight} of ${inFlightAtKill} unanswered reports had been committed`,
      )
    })
  })
}
