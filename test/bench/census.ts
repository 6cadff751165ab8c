// Census benchmark: `npm run bench:census [-- --clusters N --nodes N --json --no-write]`.
//
// A national fleet (2,000 clusters x 250 nodes = 500,000 nodes by default) is ingested into a control
// plane on the embedded SQLite store in this process (through fastify's inject: the ingest path minus
// the socket, which bench:ingest measures); then the census snapshot and each export are timed, and
// the peak RSS of the process is read. Figures, command and machine go to BENCHMARKS.md.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createFleet, fullReportJson } from '@suanpan/agents'
import { buildApp, loadConfig, registerCluster } from '@suanpan/control-plane'
import { describeMachine, forEachLimited, progress, writeBenchmarkSection } from './support'

const { values: args } = parseArgs({
  options: {
    clusters: { type: 'string', default: '2000' },
    nodes: { type: 'string', default: '250' },
    json: { type: 'boolean', default: false },
    write: { type: 'boolean' },
    'no-write': { type: 'boolean', default: false },
  },
})
const clusters = Number(args.clusters)
const nodes = Number(args.nodes)
const fullSize = clusters === 2000 && nodes === 250
const write = args['no-write'] ? false : (args.write ?? fullSize)
const BEGIN = '<!-- bench:census:begin (written by `npm run bench:census`; edits inside are overwritten) -->'
const END = '<!-- bench:census:end -->'
const TARGETS = { snapshot: 2, xlsx: 10, pdf: 30 }

const dir = mkdtempSync(join(tmpdir(), 'suanpan-bench-census-'))
const adminToken = 'bench-admin-token'
const config = loadConfig({}, { sqlitePath: join(dir, 'ledger.db'), adminToken, logLevel: 'error', consoleDir: null, censusSchedule: null })
const { app, services } = await buildApp({ config, logger: false })
try {
  const fleet = createFleet({ clusters, seed: 1, nodesPerCluster: nodes })
  progress(`registering ${clusters} clusters`)
  const tokens = new Map<string, string>()
  for (const c of fleet) tokens.set(c.identity.clusterId, (await registerCluster(services.store, c.identity, Date.now())).token)
  let sent = 0
  const ingestStart = performance.now()
  await forEachLimited(fleet.length, 4, async (i) => {
    const c = fleet[i]
    if (!c) return
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { authorization: `Bearer ${tokens.get(c.identity.clusterId)}`, 'content-type': 'application/json' },
      payload: fullReportJson(c, 1, Date.now()),
    })
    if (res.statusCode !== 200) throw new Error(`report ${c.identity.clusterId}: ${res.statusCode} ${res.body}`)
    sent += 1
    if (sent % 200 === 0) progress(`ingest ${sent}/${fleet.length}`)
  })
  const ingestSeconds = (performance.now() - ingestStart) / 1000
  await services.recordHistory()

  progress('census snapshot')
  const t0 = performance.now()
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/censuses',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    payload: { period: '2026Q4' },
  })
  if (created.statusCode !== 201) throw new Error(`census: ${created.statusCode} ${created.body}`)
  const snapshot = (performance.now() - t0) / 1000
  const { id } = created.json() as { id: number }
  const documentBytes = (await app.inject({ url: `/api/v1/censuses/${id}` })).rawPayload.length

  const exports: { format: string; lang: string; seconds: number; bytes: number }[] = []
  for (const format of ['csv', 'xlsx', 'html', 'pdf']) {
    for (const lang of ['zh-CN', 'en']) {
      progress(`export ${format} (${lang})`)
      const s = performance.now()
      const res = await app.inject({ url: `/api/v1/censuses/${id}?format=${format}&lang=${lang}` })
      if (res.statusCode !== 200) throw new Error(`export ${format}: ${res.statusCode} ${res.body.slice(0, 300)}`)
      exports.push({ format, lang, seconds: (performance.now() - s) / 1000, bytes: res.rawPayload.length })
    }
  }
  const peakRssMiB = process.resourceUsage().maxRSS / 1024
  const worst = (format: string) => Math.max(...exports.filter((e) => e.format === format).map((e) => e.seconds))
  const result = {
    clusters,
    nodes: clusters * nodes,
    ingestSeconds,
    snapshotSeconds: snapshot,
    documentBytes,
    exports,
    peakRssMiB,
    targets: {
      snapshot: { limit: TARGETS.snapshot, value: snapshot, pass: snapshot <= TARGETS.snapshot },
      xlsx: { limit: TARGETS.xlsx, value: worst('xlsx'), pass: worst('xlsx') <= TARGETS.xlsx },
      pdf: { limit: TARGETS.pdf, value: worst('pdf'), pass: worst('pdf') <= TARGETS.pdf },
    },
    machine: describeMachine(),
    command: `npm run bench:census${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    date: new Date().toISOString(),
  }
  const f = (n: number, d = 2) => n.toFixed(d)
  const lines = [
    `## Census (\`${result.command}\`)`,
    '',
    `${result.date.slice(0, 10)}, ${result.machine.cpuModel} (${result.machine.nproc} CPUs, load ${result.machine.loadAverage.toFixed(1)} at start), Node ${process.version}; ${clusters.toLocaleString('en-US')} clusters, ${result.nodes.toLocaleString('en-US')} nodes on SQLite, one process (peak RSS includes the ingest and the store's page cache).`,
    '',
    '| step | seconds | size | target | |',
    '|---|---:|---:|---:|---|',
    `| snapshot (POST /api/v1/censuses) | ${f(snapshot)} | ${(documentBytes / 1024).toFixed(0)} KiB JSON | ≤ ${TARGETS.snapshot} s | ${result.targets.snapshot.pass ? 'PASS' : 'FAIL'} |`,
    ...exports.map(
      (e) =>
        `| export ${e.format} (${e.lang}) | ${f(e.seconds)} | ${(e.bytes / 1024).toFixed(0)} KiB | ${e.format === 'xlsx' ? `≤ ${TARGETS.xlsx} s` : e.format === 'pdf' ? `≤ ${TARGETS.pdf} s` : '—'} | ${e.format === 'xlsx' ? (e.seconds <= TARGETS.xlsx ? 'PASS' : 'FAIL') : e.format === 'pdf' ? (e.seconds <= TARGETS.pdf ? 'PASS' : 'FAIL') : ''} |`,
    ),
    '',
    `Peak RSS ${peakRssMiB.toFixed(0)} MiB. Ingest of the fleet (not a census figure) took ${f(ingestSeconds, 1)} s.`,
  ]
  const section = lines.join('\n')
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`)
  else process.stdout.write(`${section}\n`)
  if (write) {
    writeBenchmarkSection(BEGIN, END, section)
    progress('BENCHMARKS.md updated')
  }
} finally {
  await app.close()
  rmSync(dir, { recursive: true, force: true })
}
