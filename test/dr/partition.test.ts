// The same-city partition and the failback on REAL processes: the lab (etcd ×3, Patroni/PostgreSQL ×3,
// pgBackRest, HAProxy, two control planes) with every cross-center connection through the lab network,
// a TCP proxy Suanpan controls. One run of each scenario: the partition cuts A1 and A2 apart while both
// reach B1; the failback takes city A down (remote takeover), rebuilds it from B1 and switches back to A1.
// Everything started here is stopped in afterAll, also when a test fails.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgQuery } from '../../control-plane/src/dr/clients'
import { memberUrl } from '../../control-plane/src/dr/configs'
import { labDown, labStatus, labUp, missingEngines, networkStatus, runDrill } from '../../control-plane/src/dr/index'
import { labProcesses, REPO_ROOT } from '../../control-plane/src/dr/lab'
import { alive, portOpen } from '../../control-plane/src/dr/proc'
import type { LabState } from '../../control-plane/src/dr/state'
import { takeLabLock } from './lab-lock'

const missing = missingEngines()
if (missing.length && process.env.SUANPAN_REQUIRE_SERVICES === '1') {
  throw new Error(`SUANPAN_REQUIRE_SERVICES=1 but the DR lab lacks: ${missing.join(', ')}`)
}
if (missing.length)
  console.warn(`\n*** skipped: no Patroni/etcd (missing ${missing.join(', ')}): the DR partition/failback tests are skipped ***\n`)

const suite = missing.length ? describe.skip : describe
const name = missing.length
  ? `DR partition and failback — skipped: no Patroni/etcd (missing ${missing.join(', ')})`
  : 'DR same-city partition and failback on the real lab (every cross-center link through the lab network)'

const readLab = (dir: string) => JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as LabState

suite(name, () => {
  let dir = ''
  let state: LabState
  let release: (() => void) | null = null
  const seenPids = new Set<number>()
  const seenPorts = new Set<number>()
  const remember = (s: LabState) => {
    for (const p of labProcesses(s)) seenPids.add(p.pid)
    for (const c of Object.values(s.centers)) {
      for (const p of [c.etcd.clientPort, c.etcd.peerPort, c.postgres.port, c.postgres.restPort, c.haproxy?.port, c.controlPlane?.port])
        if (p) seenPorts.add(p)
    }
    for (const l of s.network?.links ?? []) seenPorts.add(l.listen)
    if (s.network) seenPorts.add(s.network.controlPort)
  }

  const keepLogs = () => {
    const keep = join(REPO_ROOT, 'test', 'artifacts', 'dr-partition')
    if (!existsSync(join(dir, 'a1'))) return
    rmSync(keep, { recursive: true, force: true })
    mkdirSync(keep, { recursive: true })
    if (existsSync(join(dir, 'network.log'))) cpSync(join(dir, 'network.log'), join(keep, 'network.log'))
    for (const c of ['a1', 'a2', 'b1']) {
      if (!existsSync(join(dir, c))) continue
      mkdirSync(join(keep, c), { recursive: true })
      for (const f of readdirSync(join(dir, c))) if (f.endsWith('.log')) cpSync(join(dir, c, f), join(keep, c, f))
    }
  }

  beforeAll(async () => {
    release = await takeLabLock(600_000)
    dir = mkdtempSync(join(tmpdir(), 'suanpan-dr-partition-'))
    state = await labUp({ dir })
    remember(state)
  }, 900_000)

  afterAll(async () => {
    try {
      if (dir) {
        keepLogs()
        await labDown({ dir, purge: true })
      }
    } finally {
      release?.()
    }
  }, 120_000)

  it('the lab network carries every cross-center link: ingress ports advertised, sources told apart, nothing cut', async () => {
    const net = state.network
    expect(net?.links.filter((l) => l.kind === 'ingress')).toHaveLength(12)
    expect(net?.links.filter((l) => l.kind === 'route')).toHaveLength(8)
    const status = await networkStatus(net?.controlPort ?? 0)
    expect(status.cuts).toEqual([])
    // Replication A2 → A1 and etcd peer traffic between A1 and A2 go through it, attributed to the right center.
    const open = (from: string, to: string, service: string) =>
      status.connections.filter((c) => c.from === from && c.to === to && c.service === service).reduce((n, c) => n + c.open, 0)
    expect(open('A2', 'A1', 'postgres')).toBeGreaterThan(0)
    expect(open('B1', 'A1', 'postgres')).toBeGreaterThan(0)
    expect(open('A1', 'A2', 'etcd-peer') + open('A2', 'A1', 'etcd-peer')).toBeGreaterThan(0)
    expect(status.identify.unknown).toBe(0)
    const conninfo = readFileSync(join(state.centers.A2.postgres.dataDir, 'postgresql.conf'), 'utf8')
    const ingressA1 = net?.links.find((l) => l.kind === 'ingress' && l.to === 'A1' && l.service === 'postgres')?.listen
    expect(conninfo).toContain(`port=${ingressA1}`)
    const lab = await labStatus(state, { backups: false })
    expect(lab.network).toEqual({ up: true, cuts: [] })
  })

  it('same-city-partition: A1 ⇹ A2 cut, writes stall only until Patroni releases A2, one primary throughout, 0 writes lost, A2 synchronous again after the heal', async () => {
    const { report } = await runDrill('partition', { dir, operator: 'vitest' })
    const failed = report.steps.filter((s) => s.status !== 'ok')
    expect(failed, JSON.stringify(failed)).toEqual([])
    expect(report.verdictReasons).toEqual([])
    expect(report.verdict).toBe('pass')
    expect(report.scenario).toBe('same-city-partition')
    expect(report.rtoMeaning).toMatch(/write unavailability/)
    const m = report.measurements
    const p = m.extra.partition as Record<string, unknown>
    // Write unavailability: the walsender timeout (5 s) plus Patroni's loop, well under the target.
    expect(m.rtoSeconds).toBeGreaterThan(1)
    expect(m.rtoSeconds).toBeLessThanOrEqual(report.targets.rtoSeconds)
    expect(p.writeUnavailableSeconds).toBe(m.rtoSeconds)
    expect(p.standbyDroppedSeconds as number).toBeGreaterThanOrEqual(4)
    expect(p.syncReleasedTo).toBe('')
    expect(p.maxWritableAtOnce).toBe(1)
    expect(p.writableMembers).toEqual(['A1'])
    expect(p.resyncSecondsAfterHeal as number).toBeGreaterThan(0)
    expect(m.rpo?.missingWrites).toBe(0)
    expect(m.rpo?.ackedWrites).toBeGreaterThan(50)
    expect(m.rpoAfterRecovery?.missingWrites).toBe(0)
    expect(m.integrity?.ok).toBe(true)
    expect(m.integrity?.members.map((x) => x.member).sort()).toEqual(['A1', 'A2', 'B1'])
    expect(m.replication.reestablished).toBe(true)
    // What Patroni did, in its own words.
    expect(JSON.stringify(m.extra.patroniDecisions)).toMatch(/Assigning synchronous standby status to \[\]/)
    state = readLab(dir)
    remember(state)
    const status = await labStatus(state, { backups: false })
    expect(status.healthy, status.problems.join('; ')).toBe(true)
    expect(status.leader).toBe('A1')
    expect(status.centers.find((c) => c.name === 'A2')?.role).toBe('sync_standby')
  }, 300_000)

  it('failback: from a whole lab, remote takeover first, then city A rebuilt from B1 and the primary switched back to A1 — RPO 0, replication re-established', async () => {
    const { report } = await runDrill('failback', { dir, operator: 'vitest' })
    const failed = report.steps.filter((s) => s.status !== 'ok')
    expect(failed, JSON.stringify(failed)).toEqual([])
    expect(report.verdictReasons).toEqual([])
    expect(report.verdict).toBe('pass')
    const names = report.steps.map((s) => s.name).join('\n')
    expect(names).toMatch(/fault: kill -9 everything in A1 and A2[\s\S]*takeover: promote B1[\s\S]*failback: a new three-member DCS/)
    expect(names).toMatch(/B1 back under Patroni[\s\S]*rebuild A1[\s\S]*rebuild A2[\s\S]*switchover B1 → A1/)
    const m = report.measurements
    // The takeover is measured apart; RTO and RPO are the failback switch's.
    expect((m.extra.takeover as { rtoSeconds: number }).rtoSeconds).toBeGreaterThan(0)
    expect(m.switchover?.to).toBe('A1')
    expect(m.rtoSeconds).toBe(m.switchover?.longestWriteGapSeconds)
    expect(m.rtoSeconds).toBeLessThanOrEqual(60)
    expect(m.rpo?.missingWrites).toBe(0)
    expect(m.rpo?.checkedOn).toBe('A1')
    expect(m.rpoAfterRecovery?.missingWrites).toBe(0)
    expect(m.integrity?.ok).toBe(true)
    expect(m.replication.reestablished).toBe(true)
    expect(m.extra.replicationAfterFailback).toEqual([
      { name: 'a2', state: 'streaming', sync: 'sync' },
      { name: 'b1', state: 'streaming', sync: 'async' },
    ])
    state = readLab(dir)
    remember(state)
    expect(state.takeover).toBeNull()
    expect(state.centers.B1.controlPlane).toBeNull()
    const status = await labStatus(state)
    expect(status.healthy, status.problems.join('; ')).toBe(true)
    expect(Object.fromEntries(status.centers.map((c) => [c.name, c.role]))).toEqual({ A1: 'leader', A2: 'sync_standby', B1: 'replica' })
    const rows = await pgQuery<{ ro: boolean }>(memberUrl(state, 'B1', 'postgres'), 'select pg_is_in_recovery() as ro')
    expect(rows[0]?.ro).toBe(true)
  }, 420_000)

  it('lab down stops the network with everything else', async () => {
    keepLogs()
    await labDown({ dir })
    for (const pid of seenPids) {
      let cmd = ''
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      } catch {}
      expect(alive(pid) && /etcd|patroni|haproxy|postgres|control-plane\/src\/(server|dr\/network-daemon)/.test(cmd), `pid ${pid}`).toBe(
        false,
      )
    }
    for (const port of seenPorts) expect(await portOpen(port, 300), `port ${port}`).toBe(false)
    const ps = execFileSync('ps', ['-e', '-o', 'pid=,args='], { encoding: 'utf8' })
    expect(ps.split('\n').filter((l) => l.includes(`${dir}/`) && !l.includes('ps -e'))).toEqual([])
  }, 120_000)
})
