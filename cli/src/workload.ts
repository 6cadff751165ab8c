import { readFileSync } from 'node:fs'
import type { Workload, WorkloadExplain, WorkloadList } from '@suanpan/control-plane/schemas'
import { parse as parseYaml } from 'yaml'
import { adminToken } from './cluster'
import { CliError, requestJson } from './http'
import type { Output } from './output'

interface Common {
  url: string
  adminToken?: string
}

const base = (url: string) => url.replace(/\/$/, '')

function placementLines(w: Workload): string[] {
  return w.placements.map(
    (p) =>
      `  ${p.clusterId.padEnd(28)} ${String(p.replicas).padStart(5)} replicas  ${p.devices ? `${p.devices} × ${p.model ?? p.classKey}` : 'CPU only'}  ${p.state}${p.message ? ` (${p.message})` : ''}`,
  )
}

function workloadText(w: Workload): string {
  const head = `${w.id}  ${w.name ?? ''}  ${w.state}${w.reason ? ` (${w.reason}${w.message ? `: ${w.message}` : ''})` : ''}`
  return [head, `  department ${w.department} · ${w.replicas} replicas · ${w.mode}`, ...placementLines(w)].join('\n')
}

/** Read a workload spec from YAML or JSON (`-` reads stdin). */
export function readSpec(file: string): unknown {
  let text: string
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8')
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`)
  }
  try {
    return parseYaml(text)
  } catch (error) {
    throw new CliError(`${file} is not valid YAML or JSON: ${(error as Error).message}`)
  }
}

/** `suanpan workload submit -f workload.yaml`: where it went (or why it waits, or why it was refused). */
export async function workloadSubmit(options: Common & { file: string }, out: Output): Promise<Workload> {
  const spec = readSpec(options.file)
  const w = await requestJson<Workload>(`${base(options.url)}/api/v1/workloads`, {
    method: 'POST',
    token: adminToken(options.adminToken),
    body: spec,
  })
  out.result('workload', w, `${workloadText(w)}\nwhy: suanpan workload explain ${w.id}`)
  return w
}

export async function workloadList(options: Common & { state?: string; department?: string; limit?: number }, out: Output): Promise<void> {
  const q = new URLSearchParams()
  if (options.state) q.set('state', options.state)
  if (options.department) q.set('department', options.department)
  if (options.limit) q.set('limit', String(options.limit))
  const list = await requestJson<WorkloadList>(`${base(options.url)}/api/v1/workloads?${q}`, { token: adminToken(options.adminToken) })
  const counts = Object.entries(list.byState)
    .map(([s, n]) => `${s} ${n}`)
    .join(' · ')
  out.result(
    'workloads',
    list,
    list.items.length === 0
      ? 'no workloads: suanpan workload submit -f workload.yaml'
      : [`${list.total} workloads (${counts})`, ...list.items.map(workloadText)].join('\n'),
  )
}

const fixed = (n: number) => n.toFixed(2)

/** `suanpan workload explain ID`: the top candidates with their plugin scores, and the rest counted by filter. */
export async function workloadExplain(options: Common & { id: string }, out: Output): Promise<WorkloadExplain> {
  const e = await requestJson<WorkloadExplain>(`${base(options.url)}/api/v1/workloads/${encodeURIComponent(options.id)}/explain`, {
    token: adminToken(options.adminToken),
  })
  const lines = [`${e.workloadId}  ${e.state}${e.reason ? ` (${e.reason}${e.message ? `: ${e.message}` : ''})` : ''}`]
  const x = e.explanation
  if (x) {
    lines.push(`policy ${x.policy}: ${x.clusters} clusters, ${x.evaluated} evaluated, ${x.feasible} feasible`)
    const filtered = Object.entries(x.filtered).filter(([, n]) => n > 0)
    lines.push(`filtered out: ${filtered.length ? filtered.map(([r, n]) => `${r} ${n}`).join(' · ') : 'none'}`)
    if (x.weights)
      lines.push(
        `weights: ${Object.entries(x.weights)
          .map(([p, w]) => `${p} ${fixed(w)}`)
          .join(' · ')}`,
      )
    if (x.top.length) {
      const plugins = x.top[0]?.plugins ? Object.keys(x.top[0].plugins) : []
      lines.push(
        ['  cluster'.padEnd(30), 'score'.padStart(6), 'fit'.padStart(6), 'placed'.padStart(7), ...plugins.map((p) => p.padStart(9))].join(
          ' ',
        ),
      )
      for (const c of x.top) {
        lines.push(
          [
            `  ${c.clusterId}`.padEnd(30),
            fixed(c.score).padStart(6),
            String(c.fit).padStart(6),
            String(c.placed).padStart(7),
            ...plugins.map((p) => fixed((c.plugins as Record<string, number> | null)?.[p] ?? 0).padStart(9)),
          ].join(' '),
        )
      }
    }
  }
  if (e.decisions.length) {
    lines.push('decisions:')
    for (const d of e.decisions)
      lines.push(
        `  ${new Date(d.at).toISOString().slice(0, 19).replace('T', ' ')}  ${d.status}${d.reason ? ` (${d.reason})` : ''}${d.clusters.length ? ` → ${d.clusters.join(', ')}` : ''}`,
      )
  }
  out.result('explain', e, lines.join('\n'))
  return e
}

export async function workloadCancel(options: Common & { id: string }, out: Output): Promise<void> {
  const w = await requestJson<Workload>(`${base(options.url)}/api/v1/workloads/${encodeURIComponent(options.id)}`, {
    method: 'DELETE',
    token: adminToken(options.adminToken),
  })
  out.result('workload', w, workloadText(w))
}
