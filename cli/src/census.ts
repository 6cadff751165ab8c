import { writeFileSync } from 'node:fs'
import type { CensusComparison, CensusSummary } from '@suanpan/control-plane/schemas'
import { adminToken } from './cluster'
import { CliError, requestJson } from './http'
import type { Output } from './output'

const fmt = (n: number, digits = 3) => n.toLocaleString('en-US', { maximumFractionDigits: digits })
const signed = (n: number, digits = 3) => `${n > 0 ? '+' : ''}${fmt(n, digits)}`

function summaryLine(s: CensusSummary): string {
  return [
    `#${s.id}`.padEnd(5),
    s.period.padEnd(8),
    s.createdAt.slice(0, 19).replace('T', ' '),
    `${s.clustersIncluded} clusters (${s.clustersStale} stale, ${s.clustersMissing} missing)`.padEnd(36),
    `FP32 ${fmt(s.fp32Pflops)} PFLOPS`.padEnd(24),
    `FP16 dense ${fmt(s.fp16DensePflops)} PFLOPS`,
  ].join('  ')
}

/** `suanpan census run`: freeze the ledger now; shows each step while it works. */
export async function censusRun(
  options: { url: string; period: string; title?: string; adminToken?: string; idleThreshold?: number; idleHours?: number },
  out: Output,
): Promise<CensusSummary> {
  const base = options.url.replace(/\/$/, '')
  const token = adminToken(options.adminToken)
  const started = Date.now()
  out.event(
    'progress',
    { label: 'census', step: 'freezing the ledger', done: 0, total: 1 },
    `census ${options.period}: freezing the ledger…`,
  )
  const summary = await requestJson<CensusSummary>(`${base}/api/v1/censuses`, {
    method: 'POST',
    token,
    body: {
      period: options.period,
      ...(options.title ? { title: options.title } : {}),
      ...(options.idleThreshold !== undefined ? { idleThreshold: options.idleThreshold } : {}),
      ...(options.idleHours !== undefined ? { idleHours: options.idleHours } : {}),
    },
  })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  out.event('progress', { label: 'census', step: 'frozen', done: 1, total: 1 }, `census ${options.period}: frozen in ${seconds} s`)
  out.result('census', summary, [summaryLine(summary), `digest ${summary.digest}`, `catalog ${summary.catalogVersion}`].join('\n'))
  return summary
}

export async function censusList(options: { url: string }, out: Output): Promise<void> {
  const base = options.url.replace(/\/$/, '')
  const { censuses } = await requestJson<{ censuses: CensusSummary[] }>(`${base}/api/v1/censuses`)
  out.result(
    'censuses',
    { censuses },
    censuses.length === 0 ? 'no censuses yet: suanpan census run --period 2026Q4' : censuses.map(summaryLine).join('\n'),
  )
}

/** `suanpan census export N --format xlsx --lang en`: download one export to a file. */
export async function censusExport(
  options: { url: string; id: number; format: string; lang: string; output?: string },
  out: Output,
): Promise<string> {
  const base = options.url.replace(/\/$/, '')
  const url = `${base}/api/v1/censuses/${options.id}?format=${encodeURIComponent(options.format)}&lang=${encodeURIComponent(options.lang)}`
  out.event(
    'progress',
    { label: 'export', step: options.format, done: 0, total: 1 },
    `exporting census #${options.id} as ${options.format} (${options.lang})…`,
  )
  let response: Response
  try {
    response = await fetch(url)
  } catch (error) {
    throw new CliError(`cannot reach ${url}: ${(error as Error).message}`, { cause: error })
  }
  const body = Buffer.from(await response.arrayBuffer())
  if (!response.ok) throw new CliError(`GET ${url} -> ${response.status} ${body.toString('utf8').slice(0, 300)}`)
  const disposition = response.headers.get('content-disposition') ?? ''
  const named = /filename="([^"]+)"/.exec(disposition)?.[1]
  const file = options.output ?? named ?? `suanpan-census-${options.id}.${options.format}`
  writeFileSync(file, body)
  out.result(
    'export',
    { file, bytes: body.length, format: options.format, lang: options.lang },
    `wrote ${file} (${fmt(body.length, 0)} bytes)`,
  )
  return file
}

export async function censusCompare(options: { url: string; a: number; b: number; by: string }, out: Output): Promise<void> {
  const base = options.url.replace(/\/$/, '')
  const cmp = await requestJson<CensusComparison>(
    `${base}/api/v1/censuses/compare?a=${options.a}&b=${options.b}&by=${encodeURIComponent(options.by)}`,
  )
  const row = (label: string, d: CensusComparison['total']['delta']) =>
    [
      label.padEnd(28),
      signed(d.clusters, 0).padStart(8),
      signed(d.nodes, 0).padStart(9),
      signed(d.cpuCores, 0).padStart(11),
      signed(d.fp32Pflops).padStart(12),
      signed(d.fp16DensePflops).padStart(12),
    ].join(' ')
  const lines = [
    `census #${cmp.a.id} (${cmp.a.period}) → #${cmp.b.id} (${cmp.b.period}), by ${cmp.by}: b − a`,
    [
      cmp.by.padEnd(28),
      'clusters'.padStart(8),
      'nodes'.padStart(9),
      'CPU cores'.padStart(11),
      'FP32 PFLOPS'.padStart(12),
      'FP16 PFLOPS'.padStart(12),
    ].join(' '),
    ...cmp.rows.map((r) => row(Object.values(r.key).join(' / ') || '—', r.delta)),
    row('TOTAL', cmp.total.delta),
  ]
  out.result('comparison', cmp, lines.join('\n'))
}
