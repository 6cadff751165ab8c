import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CensusSummary, HistoryResponse, LedgerResponse, Workload } from '@suanpan/control-plane/schemas'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runTsx, spawnTsx, type TsxProcess } from '../support/child-process'
import { http } from '../support/http-client'
import { freePort } from '../support/postgres'
import { cpuNode, fullReport, identity } from '../support/reports'

const CLI = 'cli/src/main.ts'
const CLUSTERS = 40

interface Event {
  type: string
  [key: string]: unknown
}

describe('suanpan CLI end to end: start, ledger, cluster register', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'suanpan-e2e-cli-'))
  let port: number
  let url: string
  let start: TsxProcess | undefined
  let events: Event[] = []

  beforeAll(async () => {
    port = await freePort()
    url = `http://127.0.0.1:${port}`
    start = spawnTsx(CLI, ['start', '--clusters', String(CLUSTERS), '--port', String(port), '--data-dir', dataDir, '--json'])
    await start.waitForStdout(/"type":"ready"/, 90_000)
    const lines = start
      .stdout()
      .split('\n')
      .filter((l) => l.trim() !== '')
    // --json: every line is one JSON object, nothing else on stdout.
    events = lines.map((line) => {
      try {
        return JSON.parse(line) as Event
      } catch {
        throw new Error(`start --json printed a line that is not JSON: ${line}`)
      }
    })
  })

  afterAll(async () => {
    // Normally stopped by the last test; this only cleans up after a failure.
    await start?.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('start --json prints listening, progress, the ledger over all 32 provincial divisions, then ready', () => {
    const types = events.map((e) => e.type)
    expect(types[0]).toBe('listening')
    expect(types.at(-1)).toBe('ready')
    expect(types).toContain('registered')
    expect(types.indexOf('ledger')).toBeGreaterThan(types.indexOf('registered'))

    const listening = events[0]
    expect(listening?.url).toBe(url)
    expect(String(listening?.store)).toContain(join(dataDir, 'suanpan.db'))
    expect(events.find((e) => e.type === 'registered')?.clusters).toBe(CLUSTERS)

    const progress = events.filter((e) => e.type === 'progress' && e.label === 'fleet start-up')
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.at(-1)).toMatchObject({ done: CLUSTERS, total: CLUSTERS, failed: 0 })
    const done = progress.map((p) => Number(p.done))
    expect(done).toEqual([...done].sort((a, b) => a - b))
    // Then the simulated day of history is filled in, with its own progress.
    const history = events.filter((e) => e.type === 'progress' && String(e.label).startsWith('simulated history'))
    expect(history.at(-1)).toMatchObject({ done: CLUSTERS, total: CLUSTERS })

    const ledger = events.find((e) => e.type === 'ledger')?.data as LedgerResponse
    expect(ledger.groupBy).toEqual(['province'])
    const provinces = new Set(ledger.groups.map((g) => g.key.province))
    expect(provinces.size).toBe(32)
    expect(ledger.groups).toHaveLength(32)
    expect(ledger.total.clusters).toBe(CLUSTERS)
    expect(ledger.stale).toEqual([])
    expect(ledger.missing).toEqual([])
    expect(ledger.groups.every((g) => g.clusters >= 1 && g.nodes > 0)).toBe(true)
    expect(ledger.groups.reduce((s, g) => s + g.nodes, 0)).toBe(ledger.total.nodes)

    const ready = events.at(-1)
    expect(ready?.url).toBe(url)
    expect(ready?.adminTokenFile).toBe(join(dataDir, 'admin-token'))
    expect(Number(ready?.seconds)).toBeGreaterThan(0)
  })

  it('ledger --by province,kind prints a table with a TOTAL line', async () => {
    const res = await runTsx(CLI, ['ledger', '--by', 'province,kind', '--url', url])
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    const lines = res.stdout.split('\n')
    expect(lines[0]).toMatch(/^province \/ kind\s+clusters\s+nodes\s+CPU cores/)
    const total = lines.find((l) => l.startsWith('TOTAL'))
    expect(total, res.stdout).toBeDefined()
    // The TOTAL line's cluster count is the whole fleet.
    expect(total?.split(/\s+/)[1]).toBe(String(CLUSTERS))
    expect(res.stdout).toMatch(/stale clusters \(excluded\): 0/)
  })

  it('ledger --json prints the API response', async () => {
    const [res, kindRes] = await Promise.all([
      runTsx(CLI, ['ledger', '--json', '--url', url]),
      runTsx(CLI, ['ledger', '--json', '--by', 'kind', '--url', url]),
    ])
    expect(res.code).toBe(0)
    expect(kindRes.code).toBe(0)
    const ledger = JSON.parse(res.stdout) as LedgerResponse
    expect(ledger.groupBy).toEqual(['province'])
    expect(ledger.groups).toHaveLength(32)
    expect(ledger.total.clusters).toBe(CLUSTERS)
    const byKind = JSON.parse(kindRes.stdout) as LedgerResponse
    expect(byKind.groupBy).toEqual(['kind'])
    expect(byKind.groups.map((g) => g.key.kind)).toContain('CPU')
    expect(byKind.total.nodes).toBe(ledger.total.nodes)
  })

  it('start fills in a simulated day of history: every hour of the last 24 has the whole fleet', async () => {
    const res = await fetch(`${url}/api/v1/history?step=3600`)
    expect(res.status).toBe(200)
    const history = (await res.json()) as HistoryResponse
    const clusters = history.series[0]?.clusters ?? []
    expect(clusters.filter((n) => n === CLUSTERS).length).toBeGreaterThanOrEqual(24)
    const requested = (history.series[0]?.cpuRequested ?? []).filter((v): v is number => v !== null)
    expect(requested.every((v) => v > 0 && v < 1)).toBe(true)
    // Diurnal: the day's busiest hour is clearly busier than its quietest.
    expect(Math.max(...requested) - Math.min(...requested)).toBeGreaterThan(0.05)
  })

  it('cluster register prints a token that can report', async () => {
    const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()
    expect(adminToken.length).toBeGreaterThan(16)
    const id = identity('110000-e2e-cli-01', '110000')
    const res = await runTsx(CLI, [
      'cluster',
      'register',
      '--cluster-id',
      id.clusterId,
      '--site',
      id.site,
      '--province',
      id.province,
      '--city',
      id.city,
      '--url',
      url,
      '--admin-token',
      adminToken,
    ])
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    expect(res.stdout).toContain(`registered ${id.clusterId}`)
    const token = /token \(shown once[^)]*\): (\S+)/.exec(res.stdout)?.[1]
    expect(token, res.stdout).toBeDefined()

    const report = fullReport(id, 1, [cpuNode('e2e-cli-cpu-1'), cpuNode('e2e-cli-cpu-2')])
    const posted = await http('POST', `${url}/api/v1/reports`, { token: String(token), body: report })
    expect(posted.status).toBe(200)
    expect(posted.json()).toMatchObject({ status: 'accepted', clusterId: id.clusterId, sequence: 1, nodes: 2 })
    // The admin token is not a cluster token.
    expect((await http('POST', `${url}/api/v1/reports`, { token: adminToken, body: report })).status).toBe(401)

    // Registering the same cluster again is refused, with a non-zero exit and the API's reason.
    const again = await runTsx(CLI, [
      'cluster',
      'register',
      '--cluster-id',
      id.clusterId,
      '--site',
      id.site,
      '--province',
      id.province,
      '--city',
      id.city,
      '--url',
      url,
      '--admin-token',
      adminToken,
    ])
    expect(again.code).not.toBe(0)
    expect(again.stderr).toMatch(/CLUSTER_EXISTS/)
  })

  it('census run shows progress and freezes census #1; list and compare read it back', async () => {
    const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()
    const run = await runTsx(CLI, ['census', 'run', '--period', '2026Q4', '--url', url, '--admin-token', adminToken, '--json'])
    expect(run.code).toBe(0)
    const events = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(events.filter((e) => e.type === 'progress').length).toBeGreaterThanOrEqual(2)
    const census = events.find((e) => e.type === 'census')?.data as CensusSummary
    expect(census.period).toBe('2026Q4')
    expect(census.clustersIncluded).toBeGreaterThanOrEqual(CLUSTERS)
    const list = await runTsx(CLI, ['census', 'list', '--url', url])
    expect(list.code).toBe(0)
    expect(list.stdout).toContain(`#${census.id}`)
    expect(list.stdout).toContain('2026Q4')
    const cmp = await runTsx(CLI, ['census', 'compare', String(census.id), String(census.id), '--by', 'kind', '--url', url])
    expect(cmp.code).toBe(0)
    expect(cmp.stdout).toMatch(/TOTAL\s+0\s+0\s+0/)
    const xlsx = join(dataDir, 'census.xlsx')
    const exported = await runTsx(CLI, [
      'census',
      'export',
      String(census.id),
      '--format',
      'xlsx',
      '--lang',
      'en',
      '-o',
      xlsx,
      '--url',
      url,
    ])
    expect(exported.code, exported.stderr).toBe(0)
    expect(exported.stdout).toContain(xlsx)
    // An XLSX is a zip: it starts with PK.
    expect(readFileSync(xlsx).subarray(0, 2).toString('latin1')).toBe('PK')
    const bad = await runTsx(CLI, ['census', 'run', '--period', '2026Q9', '--url', url, '--admin-token', adminToken])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('period')
  })

  it('workload submit -f (YAML) places a GPU job on the simulated fleet; explain and list read it back', async () => {
    const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()
    const file = join(dataDir, 'workload.yaml')
    writeFileSync(
      file,
      [
        'name: inference-demo',
        'owner: { department: demo-bureau, region: national }',
        'priority: 0',
        'replicas: 2',
        'resources:',
        '  cpuMillis: 4000',
        '  memoryBytes: 17179869184',
        '  accelerators: { kind: GPU, count: 1 }',
        'placement: { mode: divisible }',
        'template:',
        '  apiVersion: apps/v1',
        '  kind: Deployment',
        '  spec: { template: { spec: { containers: [ { name: main, image: "registry.local/infer:1" } ] } } }',
        '',
      ].join('\n'),
    )
    const submitted = await runTsx(CLI, ['workload', 'submit', '-f', file, '--url', url, '--admin-token', adminToken, '--json'])
    expect(submitted.code, submitted.stderr).toBe(0)
    const w = (JSON.parse(submitted.stdout.trim().split('\n').at(-1) ?? '{}') as { data: Workload }).data
    expect(w.state).toBe('placed')
    expect(w.placements.reduce((n, p) => n + p.replicas, 0)).toBe(2)
    const explained = await runTsx(CLI, ['workload', 'explain', w.id, '--url', url, '--admin-token', adminToken])
    expect(explained.code, explained.stderr).toBe(0)
    expect(explained.stdout).toContain('feasible')
    expect(explained.stdout).toContain(w.placements[0]?.clusterId ?? '?')
    const listed = await runTsx(CLI, ['workload', 'list', '--url', url, '--admin-token', adminToken])
    expect(listed.stdout).toContain(w.id)
    // A spec that is not valid names the field.
    writeFileSync(file, 'owner: { department: x, region: national }\nreplicas: 0\n')
    const bad = await runTsx(CLI, ['workload', 'submit', '-f', file, '--url', url, '--admin-token', adminToken])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/priority|replicas|resources/)
  })

  it('audit verify reads the trail from the store and finds it intact, with the registrations in it', async () => {
    const res = await runTsx(CLI, ['audit', 'verify', '--data-dir', dataDir, '--json'])
    expect(res.code, res.stderr).toBe(0)
    const result = JSON.parse(res.stdout.trim().split('\n').at(-1) ?? '{}') as { data: { ok: boolean; records: number } }
    expect(result.data.ok).toBe(true)
    expect(result.data.records).toBeGreaterThanOrEqual(1)
    const bad = await runTsx(CLI, ['audit', 'verify', '--data-dir', dataDir, '--head', `999999:sha256:${'0'.repeat(64)}`])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain('removed from the end')
  })

  it('ledger --by with an unknown dimension exits non-zero and names it', async () => {
    const res = await runTsx(CLI, ['ledger', '--by', 'province,colour', '--url', url])
    expect(res.code).not.toBe(0)
    expect(res.stdout).toBe('')
    expect(res.stderr).toMatch(/unknown dimension "colour"/)
  })
  it('start stops on SIGTERM to its node process and exits 0', async () => {
    const p = start
    if (!p) throw new Error('start is not running')
    const exit = await p.kill('SIGTERM')
    expect(exit, p.stderr()).toEqual({ code: 0, signal: null })
    await expect(http('GET', `${url}/healthz`, { timeoutMs: 2_000 })).rejects.toThrow()
  })
})
